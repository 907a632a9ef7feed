"""Bytes to text: a byte-order mark (UTF-8, UTF-16), else strict UTF-8, else GB18030 when the
result is plausible Chinese; binary data and other encodings are refused with a reason.

GB18030 decodes almost any bytes, so its result must be made of common characters, and bytes
that read as Korean EUC-KR/CP949 (whose Hangul rows are GB2312's level-1 hanzi) are refused.
"""

from __future__ import annotations

import codecs

from .errors import IngestError

# Bytes that never occur in text files besides \t \n \v \f \r and ESC (some terminals' output).
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 27), *range(28, 32), 127])
_MAX_CONTROL_SHARE = 0.01
# Share of characters that must be "common" for GB18030 to be believed (see plausible_chinese).
_MIN_COMMON_SHARE = 0.9
# Hangul syllables (count, share of non-ASCII characters) that make CP949-decodable bytes Korean.
_MIN_HANGUL = 20
_MIN_HANGUL_SHARE = 0.9


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Decode DATA: BOM (UTF-8, UTF-16 LE/BE), else strict UTF-8, else plausible GB18030.

    Returns (text, encoding name). Raises ``IngestError`` for binary or undecodable data.
    """
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding.removesuffix("-sig"))
            except UnicodeDecodeError:
                raise IngestError(name, f"invalid {encoding} text after its byte-order mark") from None
            if "\x00" in text:
                raise IngestError(name, "binary file (NUL characters)")
            return text, "utf-8-sig" if encoding == "utf-8-sig" else "utf-16"
    if b"\x00" in data:
        raise IngestError(name, "binary file (NUL bytes)")
    sample = data[:65536]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    many_controls = controls > _MAX_CONTROL_SHARE * len(sample)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if many_controls:
            raise IngestError(name, "binary file (control characters)")
        return text, "utf-8"
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise IngestError(name, "not UTF-8 or GB18030 text") from None
    # Control bytes or rare characters: other bytes (UTF-16 without BOM, Big5, Latin-1 ...)
    # that GB18030 happens to accept.
    if many_controls or not plausible_chinese(text):
        raise IngestError(name, "not UTF-8 or GB18030 text")
    if reads_as_korean(data):
        raise IngestError(name, "not UTF-8 or GB18030 text (reads as Korean EUC-KR/CP949)")
    return text, "gb18030"


def reads_as_korean(data: bytes) -> bool:
    """True when DATA is Korean text in EUC-KR/CP949, which GB18030 misreads as common hanzi.

    Both encodings use the same byte range, and EUC-KR's Hangul rows are GB2312's level-1
    hanzi, so the plausibility test cannot tell them apart. Chinese text practically never
    decodes as CP949 (row 0xC9, which holds 上 社 生 设 ..., is unassigned there) and never
    decodes to Hangul syllables almost only; Korean text does both.
    """
    try:
        # Not final: the sample may end inside a character.
        korean = codecs.getincrementaldecoder("cp949")().decode(data[:400_000], final=False)
    except UnicodeDecodeError:
        return False
    wide = [c for c in korean if ord(c) >= 0x80]
    hangul = sum(1 for c in wide if "\uac00" <= c <= "\ud7a3")
    return hangul >= _MIN_HANGUL and hangul >= _MIN_HANGUL_SHARE * len(wide)


def _is_common(ch: str) -> bool:
    """ASCII, GB2312 hanzi, CJK and full-width punctuation: what real GB text is made of."""
    o = ord(ch)
    if o < 0x80:
        return True
    if 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or 0x2010 <= o <= 0x2027:
        return True
    if 0x4E00 <= o <= 0x9FFF:
        try:
            return len(ch.encode("gb2312")) == 2
        except UnicodeEncodeError:
            return False
    return False


def plausible_chinese(text: str) -> bool:
    """True when TEXT reads like Chinese/ASCII text rather than other bytes misread as GB18030.

    GB18030 decodes almost any byte string; Latin-1, Big5, Shift-JIS or UTF-16 bytes misread
    as GB18030 give rare hanzi, kana or symbols, so the share of common characters drops.
    """
    # Judge the non-ASCII characters only: a few misread accented letters in long ASCII
    # text ("Größe, Übung") would otherwise hide behind the ASCII majority.
    chars = [c for c in text[:400_000] if ord(c) >= 0x80]
    if not chars:
        return bool(text.strip())
    common = sum(1 for c in chars if _is_common(c))
    return common >= _MIN_COMMON_SHARE * len(chars)
