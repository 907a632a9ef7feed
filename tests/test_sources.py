"""indexer.sources, decoding, html_text: finding files, decoding them, and reducing HTML to its main text."""

from __future__ import annotations

import codecs
import hashlib
import os
from pathlib import Path

import pytest

from fixtures_ingest import can_chmod_unreadable
from indexer.decoding import decode_bytes, plausible_chinese, reads_as_korean
from indexer.errors import IngestError
from indexer.sources import SourceFile, find_sources, read_source

TEXT = "张家港市塘桥镇人民政府2022年法治政府建设情况报告。\n\n一、坚持政治引领，高起点谋划全年工作。\n"
LIMIT = 1024 * 1024


# ---------------------------------------------------------------- decoding


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("gb18030"), "gb18030"),
        (TEXT.encode("gbk"), "gb18030"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "gb18030", "gbk"],
)
def test_decode_paths_give_the_same_text(write_source, data: bytes, encoding: str) -> None:
    """Every supported encoding decodes to the same text, and the encoding is recorded."""
    raw = read_source(write_source("doc.txt", data), LIMIT)
    assert (raw.text, raw.encoding) == (TEXT, encoding)
    assert raw.content_sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    "data",
    [
        "Le rapport annuel: société, élève, déjà vu, naïve façade.".encode("latin-1") * 5,
        "“Smart quotes” – and ‘dashes’ — fine…".encode("cp1252") * 5,
        (TEXT * 3).encode("big5", errors="ignore"),
        "法治政府の建設に関する報告書です。日本語の文章をここに書きます。".encode("shift_jis") * 3,
        ("法治政府建设情况报告坚持以习近平新时代中国特色社会主义思想为指导" * 3).encode("utf-16-le"),
        (TEXT * 5).encode("utf-8")[:-2],  # cut inside the last "。"
    ],
    ids=["latin-1", "cp1252", "big5", "shift-jis", "utf-16-no-bom", "truncated-utf-8"],
)
def test_other_encodings_are_rejected_not_misread(data: bytes) -> None:
    """Bytes that GB18030 would accept but that are not Chinese text are refused by name."""
    with pytest.raises(IngestError) as err:
        decode_bytes(data, "x.txt")
    assert err.value.reason == "not UTF-8 or GB18030 text"


KOREAN = "대한민국 헌법 제1조 대한민국은 민주공화국이다. 대한민국의 주권은 국민에게 있고, 모든 권력은 국민으로부터 나온다."


@pytest.mark.parametrize("encoding", ["euc-kr", "cp949"])
@pytest.mark.parametrize("copies", [1, 4000], ids=["short", "over-sample"])
def test_korean_text_is_rejected_not_read_as_hanzi(encoding: str, copies: int) -> None:
    """EUC-KR Hangul rows are GB2312 hanzi rows: GB18030 would give plausible-looking mojibake."""
    data = (KOREAN * copies).encode(encoding)
    assert plausible_chinese(data.decode("gb18030"))  # what made it slip through before
    with pytest.raises(IngestError) as err:
        decode_bytes(data, "x.txt")
    assert err.value.reason == "not UTF-8 or GB18030 text (reads as Korean EUC-KR/CP949)"


def test_gb_text_is_not_taken_for_korean(seeds_dir) -> None:
    """Every seed report encoded as GB18030 still decodes as Chinese, and none of their
    paragraphs reads as Korean: the Korean test never refuses real report text."""
    lines = 0
    for path in sorted(seeds_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert decode_bytes(text.encode("gb18030"), path.name)[1] == "gb18030"
        for line in filter(None, (line.strip() for line in text.splitlines())):
            lines += 1
            assert not reads_as_korean(line.encode("gb18030")), line
    assert lines > 100


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04\x14\x00\x00\x00" * 20, bytes(range(1, 9)) * 200 + TEXT.encode()],
    ids=["nul-bytes", "control-chars"],
)
def test_binary_files_are_rejected(data: bytes) -> None:
    """NUL bytes or many control characters mean a binary file."""
    with pytest.raises(IngestError) as err:
        decode_bytes(data, "x.txt")
    assert err.value.reason.startswith("binary file")


def test_size_limit_is_checked_before_reading(write_source) -> None:
    """A file over max_bytes is refused with its size and the limit in the reason."""
    source = write_source("big.txt", TEXT.encode() * 100)
    with pytest.raises(IngestError) as err:
        read_source(source, max_bytes=1000)
    assert err.value.reason.startswith("too large")
    assert read_source(source, max_bytes=len(TEXT.encode()) * 100).text == TEXT * 100


@pytest.mark.parametrize(("data", "reason"), [(b"", "empty file"), (b" \n\t\n", "empty file")])
def test_empty_files_are_refused(write_source, data: bytes, reason: str) -> None:
    """Empty and whitespace-only files are refused as empty."""
    with pytest.raises(IngestError) as err:
        read_source(write_source("e.txt", data), LIMIT)
    assert err.value.reason == reason


def test_unreadable_paths_give_reasons(tmp_path: Path) -> None:
    """A directory named like a report and a broken link each get a clear reason."""
    (tmp_path / "dir.txt").mkdir()
    (tmp_path / "link.txt").symlink_to(tmp_path / "missing.txt")
    reasons = {}
    for name in ("dir.txt", "link.txt"):
        with pytest.raises(IngestError) as err:
            read_source(SourceFile(tmp_path / name, tmp_path), LIMIT)
        reasons[name] = err.value.reason
    assert reasons == {"dir.txt": "is a directory", "link.txt": "broken symbolic link"}


@pytest.mark.skipif(not can_chmod_unreadable(Path(".")), reason="root ignores permissions")
def test_permission_denied(write_source) -> None:
    """A file without read permission is refused with "permission denied"."""
    source = write_source("secret.txt", TEXT.encode())
    os.chmod(source.path, 0)
    try:
        with pytest.raises(IngestError) as err:
            read_source(source, LIMIT)
        assert err.value.reason == "permission denied"
    finally:
        os.chmod(source.path, 0o644)


# ---------------------------------------------------------------- finding files


def test_find_sources_walks_sorted_and_skips_what_is_not_a_report(tmp_path: Path) -> None:
    """Folders are walked recursively in order; hidden, manifest and other files are skipped."""
    for name in ("b.txt", "a.md", "sub/c.HTML", "sub/d.htm", "x.xls", ".hidden.txt",
                 ".git/e.txt", "metadata.csv", "rows.jsonl", "z.markdown"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TEXT, encoding="utf-8")
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)  # a symlink loop must not hang the walk
    found = [s.relative_path for s in find_sources([tmp_path])]
    assert found == ["a.md", "b.txt", "z.markdown", "sub/c.HTML", "sub/d.htm"]
    assert all(s.root == tmp_path for s in find_sources([tmp_path]))


def test_explicit_files(tmp_path: Path) -> None:
    """An explicit file's root is its folder; an unsupported or missing one is an error."""
    (tmp_path / "r.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "r.xls").write_bytes(b"\xd0\xcf")
    (tmp_path / "r.doc").write_bytes(b"\xd0\xcf")
    assert list(find_sources([tmp_path / "r.txt"])) == [SourceFile(tmp_path / "r.txt", tmp_path)]
    with pytest.raises(IngestError, match="unsupported file type '.xls'"):
        list(find_sources([tmp_path / "r.xls"]))
    with pytest.raises(IngestError, match="convert it to .docx or PDF"):
        list(find_sources([tmp_path / "r.doc"]))
    with pytest.raises(IngestError, match="no such file"):
        list(find_sources([tmp_path / "nope.txt"]))


# ---------------------------------------------------------------- HTML

PAGE = """<!DOCTYPE html><html><head><title>某某镇2023年法治政府建设情况报告_某某市人民政府</title>
<meta name="ArticleTitle" content="某某镇2023年法治政府建设情况报告">
<meta name="PubDate" content="2024-01-17 10:00"><style>.x{color:red}</style>
<script>var tip = "请使用新版浏览器访问本网站的全部栏目内容";</script></head>
<body><header><div class="logo">某某市人民政府门户网站欢迎您</div></header>
<nav><ul><li>首页</li><li>政务公开</li><li>政务服务</li><li>互动交流</li></ul></nav>
<div class="sidebar"><ul><li><a>关于开展安全生产大检查的通知公告</a></li>
<li><a>某某市召开全市经济工作会议部署明年重点工作</a></li></ul></div>
<div class="article"><h1>某某镇2023年法治政府建设情况报告</h1>
<div id="zoom" class="TRS_Editor"><p>2023年，某某镇坚持以习近平法治思想为指导，全面推进依法行政。</p>
<p>一、主要举措和成效</p><div>（一）完善制度建设。<br>健全<b>重大行政决策</b>程序。</div>
<table><tr><td>事项</td><td>件数</td></tr><tr><td>行政复议</td><td>3</td></tr></table>
<ul><li>一是加强学习。</li><li>二是严格执法。</li></ul></div></div>
<form><input value="搜索"><button>搜索本站全部信息内容</button></form>
<footer>版权所有：某某市人民政府办公室 主办单位联系电话</footer></body></html>"""


def test_html_main_block_and_lines(write_source) -> None:
    """HTML keeps only the main block, one block element per paragraph, and its title/meta."""
    raw = read_source(write_source("page.html", PAGE.encode("utf-8")), LIMIT)
    assert raw.kind == "html"
    assert raw.text.split("\n\n") == [
        "2023年，某某镇坚持以习近平法治思想为指导，全面推进依法行政。",
        "一、主要举措和成效",
        "（一）完善制度建设。",
        "健全重大行政决策程序。",
        "事项 | 件数",
        "行政复议 | 3",
        "一是加强学习。",
        "二是严格执法。\n",
    ]
    assert raw.html_meta["title"] == "某某镇2023年法治政府建设情况报告_某某市人民政府"
    assert raw.html_meta["ArticleTitle"] == "某某镇2023年法治政府建设情况报告"
    assert raw.html_meta["PubDate"] == "2024-01-17 10:00"


def test_html_without_hints_uses_the_block_with_most_chinese_text(write_source) -> None:
    """Without content ids/classes, the densest block of Chinese text is the report."""
    body = "".join(f"<p>第{i}段：坚持依法行政，推进法治政府建设，取得明显成效。</p>" for i in range(8))
    page = (f"<html><body><div><a>首页</a> <a>关于我们</a></div><div>{body}</div>"
            "<div><a>友情链接：某某市人民政府</a></div></body></html>")
    raw = read_source(write_source("p.htm", page.encode()), LIMIT)
    paragraphs = raw.text.strip().split("\n\n")
    assert paragraphs[0].startswith("第0段") and paragraphs[-1].startswith("第7段")
    assert len(paragraphs) == 8


def test_txt_that_is_html_is_read_as_html(write_source) -> None:
    """A .txt file that is clearly an HTML page goes through the HTML reader."""
    raw = read_source(write_source("saved.txt", PAGE.encode()), LIMIT)
    assert raw.kind == "html" and "<p>" not in raw.text and "主要举措和成效" in raw.text


def test_ten_thousand_nested_divs(write_source) -> None:
    """10,000 nested divs neither crash nor lose the text before, inside or after them."""
    page = ("<html><body><p>前文：依法行政。</p>" + "<div>" * 10_000 + "深处的报告正文。"
            + "</div>" * 10_000 + "<p>后文：建设法治政府。</p></body></html>")
    raw = read_source(write_source("deep.html", page.encode()), LIMIT)
    assert [line for line in raw.text.split("\n") if line] == [
        "前文：依法行政。", "深处的报告正文。", "后文：建设法治政府。"
    ]


def test_html_with_only_scripts_has_no_text(write_source) -> None:
    """A page made only of scripts and styles is refused with "no text"."""
    page = b"<html><head><script>var s='\xe6\xb3\x95\xe6\xb2\xbb';</script></head><body><style>p{}</style></body></html>"
    with pytest.raises(IngestError) as err:
        read_source(write_source("js.html", page), LIMIT)
    assert err.value.reason == "no text"


def test_entity_bomb_is_not_expanded(write_source) -> None:
    """Internal DTD entities (billion laughs) are never expanded."""
    lol = "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    page = (f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY l0 "哈哈">{lol}]>'
            "<html><body><p>报告正文：&l9;依法行政。</p></body></html>")
    raw = read_source(write_source("bomb.html", page.encode()), LIMIT)
    assert len(raw.text) < 1000
    assert "哈哈" not in raw.text and "依法行政" in raw.text


def test_malformed_html_is_read(write_source) -> None:
    """Unclosed and mis-nested tags still give the text."""
    page = "<html><body><div class=content><p>第一段，依法行政<p>第二段<b>加粗<i>斜体</b></i><td>单元格</div>"
    raw = read_source(write_source("bad.html", page.encode()), LIMIT)
    assert "第一段，依法行政" in raw.text and "第二段加粗斜体" in raw.text and "单元格" in raw.text
