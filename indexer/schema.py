"""The Whoosh schema: one document per paragraph, plus one small document per report.

Paragraph documents (``kind=p``) hold everything search reads:

- ``body``: the normalised paragraph text cut by the project's ``JiebaTokenizer`` (search mode),
  term frequencies only (no positions: no query needs them). BM25F ranking and fuzzy mode.
- ``heading``: the paragraph's heading path (the headings above it), same analyzer: a match
  there is a real field boost that lifts a section's paragraphs.
- ``title``: the report's title, same analyzer (a field boost for reports about the term).
- ``grams``: the character 2-grams of the normalised text, plus the last character followed
  by ``END`` (so every character of the text starts some gram). Exact mode takes its
  candidates from these postings and verifies them against the normalised text: a paragraph
  holding a term holds all of its 2-grams, so the candidates are a superset and the hit set is
  grep's (see ``indexer.matching``).
- ``province city county town level report_year section report_id``: the facets, as sortable
  ID fields (indexed for ``delete_by_term``/term queries, and Whoosh columns that search
  counts with ``bincount``).
- stored: ``text`` (as printed), ``n``, ``heading_path``, ``is_heading``.

Report documents (``kind=r``) carry the report's metadata as JSON and what an incremental run
compares (content hash, manifest row hash, source path). Replacing a report is one
``delete_by_term("report_id", id)``: it removes the report document and its paragraphs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from whoosh import columns, fields, formats
from whoosh.system import pack_uint

from .analysis import JiebaTokenizer

# Bump when the schema or what is stored changes: an index with another version must be rebuilt.
SCHEMA_VERSION = 7  # 6: paragraph documents, normalisation 2; 7: checksum manifests (integrity)
VERSION_FILE = "FAZHI_SCHEMA_VERSION"

KIND_PARAGRAPH = "p"
KIND_REPORT = "r"

# Follows the last character of a text in ``grams`` (a control character normalised text
# cannot hold: normalisation drops control and space characters).
END = "\x03"

TEXT_FIELDS = ("body", "heading", "title")
FACET_COLUMNS = ("province", "city", "county", "town", "level", "report_year", "section",
                 "report_id")


class CountedText(fields.TEXT):
    """A jieba TEXT field that also accepts the analyzer's output already counted.

    ``JiebaTokenizer`` is the field's analyzer (queries and plain strings go through it). When
    the value is a mapping ``{word: count}`` -- what the same tokenizer gave in a worker process
    (``indexer.pipeline``) -- the postings are exactly those ``Frequency.word_values`` makes of
    that token stream, without cutting the text a second time in the writer."""

    def index(self, value, **kwargs):  # type: ignore[override]
        if isinstance(value, Mapping):
            boost = self.format.field_boost
            return [(w.encode("utf-8"), c, c * boost, pack_uint(c)) for w, c in value.items()]
        return super().index(value, **kwargs)


def text_grams(norm: str) -> set[str]:
    """The ``grams`` terms of a normalised text: its distinct 2-grams and its last character
    followed by ``END``."""
    grams = {norm[i : i + 2] for i in range(len(norm) - 1)}
    if norm:
        grams.add(norm[-1] + END)
    return grams


class CharGrams(fields.FieldType):
    """Character 2-grams of already normalised text (presence only: no frequencies, no
    positions, not scored)."""

    def __init__(self) -> None:
        self.format = formats.Existence()
        self.analyzer = None
        self.scorable = False
        self.stored = False
        self.unique = False
        self.column_type = None

    def index(self, value, **kwargs):  # type: ignore[override]
        grams: Iterable[str] = text_grams(value) if isinstance(value, str) else value
        return [(g.encode("utf-8"), 1, 1.0, b"") for g in grams]

    def self_parsing(self) -> bool:
        return False


def _facet() -> fields.ID:
    # Few distinct values: a reference column stores each value once and a code per document.
    return fields.ID(sortable=columns.RefBytesColumn())


def build_schema() -> fields.Schema:
    """All fields of the index (see the module docstring)."""
    analyzer = JiebaTokenizer(search_mode=True)
    return fields.Schema(
        kind=fields.ID(stored=True),
        report_id=fields.ID(stored=True, sortable=columns.RefBytesColumn()),
        # paragraph documents
        n=fields.STORED(),
        text=fields.STORED(),
        heading_path=fields.STORED(),
        is_heading=fields.STORED(),
        body=CountedText(analyzer=analyzer, phrase=False),
        heading=CountedText(analyzer=analyzer, phrase=False),
        title=CountedText(analyzer=analyzer, phrase=False),
        grams=CharGrams(),
        province=_facet(),
        city=_facet(),
        county=_facet(),
        town=_facet(),
        level=_facet(),
        report_year=_facet(),
        section=_facet(),
        # report documents
        report_json=fields.STORED(),
        content_sha256=fields.STORED(),
        manifest_sha256=fields.STORED(),
        source_path=fields.STORED(),
    )
