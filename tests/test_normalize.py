"""Normalisation for matching: NFKC, lower case, no whitespace, traditional -> simplified."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from indexer.normalize import normalize, normalize_with_offsets


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("２０２３ 年", "2023年"),  # full-width digits, space inside
        ("APP Store", "appstore"),
        ("國家機關", "国家机关"),
        ("法治\u3000政府\n建设", "法治政府建设"),
        ("（一）", "(一)"),
    ],
)
def test_normalize_examples(text: str, expected: str) -> None:
    """NFKC, lower case, whitespace dropped and traditional folded to simplified."""
    assert normalize(text) == expected


@given(st.text(max_size=60))
def test_offsets_map_back_to_the_original(text: str) -> None:
    """Every normalised character comes from an original character whose fold produced it."""
    norm, offsets = normalize_with_offsets(text)
    assert norm == normalize(text)
    assert len(offsets) == len(norm)
    assert offsets == sorted(offsets)
    rebuilt = "".join(normalize(text[i]) for i in dict.fromkeys(offsets))
    assert rebuilt == norm


@given(st.text(alphabet="國家機關法治政府 AbC２０", max_size=30))
def test_normalize_is_idempotent(text: str) -> None:
    """Normalising twice changes nothing (so query and index forms agree)."""
    assert normalize(normalize(text)) == normalize(text)
