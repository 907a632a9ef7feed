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


@pytest.mark.parametrize(("text", "expected"), [
    ("ＡＢＣ１２３", "abc123"),  # full-width ASCII
    ("ｶﾀｶﾅ", "カタカナ"),  # half-width katakana
    ("⽇本", "日本"),  # Kangxi radical 日
    ("\uf9a8", "\u4ee4"),  # CJK compatibility ideograph 令
    ("𝐀𝐁", "ab"),  # mathematical bold letters
    ("法治\u00a0政府", "法治政府"),  # no-break space
])
def test_what_users_mean_as_the_same_is_folded(text, expected) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize("text", ["①", "⑩", "㊀", "Ⓐ", "Ⅰ", "Ⅻ", "ⅰ", "²", "₂", "½", "㎡", "⒈"])
def test_numerals_and_superscripts_stay_distinct(text) -> None:
    """Circled, Roman, superscript, fraction and squared forms never fold to plain digits or
    letters (NFKC would make ① match every 1 and Ⅰ every i)."""
    folded = normalize(text)
    assert folded and not any(c.isascii() for c in folded)
    assert normalize(folded) == folded


def test_vanishing_holds_every_character_that_normalises_to_nothing() -> None:
    """``VANISHING`` (the highlight shortcut's test) matches every code point whose
    normalised form is empty, and nothing else."""
    import unicodedata

    from indexer.normalize import VANISHING, _fold_char

    empty = {c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF
             and (chr(c).isspace() or unicodedata.decomposition(chr(c)) or c >= 0x200B)
             and _fold_char(chr(c)) == ""}
    assert empty and {c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF
                      and VANISHING.fullmatch(chr(c))} == empty
