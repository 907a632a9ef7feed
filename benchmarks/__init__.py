"""fazhi-search benchmark suite (issue #5): corpora, naive baseline, harness. Not imported by indexer/ or webui/."""
