"""Hostile files through `fazhi index`: each is indexed or skipped with a clear reason, no
traceback, the run completes with a sane exit code and bounded memory (peak RSS measured).

The >= 200 files are generated here in tmp_path (nothing binary is committed): empty and blank
files, binary formats, random bytes, every wrong encoding, NUL and control bytes, a 50 MB file
(over the default 20 MB limit), one 1 MB line (10 MB in the slow test), pathological HTML
(10,000 nested elements, only scripts, billion-laughs entities), symlink loops, devices and
FIFOs, unreadable files, names with spaces, newlines and non-UTF-8 bytes, and reports whose
text is markup.
"""

from __future__ import annotations

import codecs
import os
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # benchmarks/ is a folder of the repo, not a package

from benchmarks.crash_soak import RunResult, run_fazhi, write_config  # noqa: E402
from indexer import ReportNotFoundError, get_report, index_stats, load_settings  # noqa: E402
from indexer.ingest import report_id_for  # noqa: E402

MB = 1024 * 1024
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
# Bounds this suite promises (the whole run, on a 2-core machine that runs other tests too).
MAX_RUN_S = 240.0
SLOW_MAX_RUN_S = 600.0
MAX_PEAK_RSS_MB = 1024.0

REPORT = (
    "塘桥镇2023年法治政府建设情况报告\n\n"
    "一、主要举措和成效\n\n"
    "塘桥镇坚持依法行政，全面推行行政执法三项制度，聘请法律顾问覆盖所有村（社区）。\n\n"
    "二、存在的不足和原因\n\n"
    "基层执法力量仍显薄弱，行政执法人员专业化水平有待提高。\n"
)
FOREIGN_TEXTS = {  # text -> the encodings that must not be taken for UTF-8/GB18030 Chinese
    "Le rapport annuel : société, élève, déjà vu, naïve façade, garçon.": ("latin-1", "cp1252"),
    "Jahresbericht über Rechtsstaatlichkeit: Größe, Übung, Maßnahmen.": ("latin-1", "cp1252"),
    "塘桥镇法治政府建设情况报告：依法行政，行政执法三项制度。": ("utf-16-le", "utf-16-be"),
    "法治政府建設情況報告，依法行政，全面推行行政執法三項制度。": ("big5", "utf-16-le", "utf-16-be"),
    "法治政府の建設に関する報告書：行政執法を全面的に推進する。": ("shift_jis", "euc-jp", "utf-16-le"),
    "臺灣法治報告：依法行政，司法獨立與人權保障。": ("big5", "big5hkscs", "cp950"),
    "법치 정부 건설 상황 보고서: 행정 집행을 전면적으로 추진한다.": ("euc-kr", "utf-16-be"),
    "Отчёт о построении правового государства: законность и право.": ("koi8-r", "cp1251"),
}


@dataclass(frozen=True)
class Expect:
    """What must become of one file: ``index`` (with MARKER in its text when given), ``skip``
    (with one of REASONS in the summary line), or ``either`` (but accounted for)."""

    outcome: str
    reasons: tuple[str, ...] = ()
    marker: str | None = None


INDEX = Expect("index")
EITHER = Expect("either")


def skip(*reasons: str) -> Expect:
    return Expect("skip", reasons)


def build_corpus(
    root: Path, long_line_mb: float = 1.0, many_paragraphs: int = 20_000
) -> dict[Path, Expect]:
    """Write the hostile corpus under ROOT; returns each file (as found by a walk) and what
    must become of it. The long version makes the long line 10 MB."""
    root.mkdir(parents=True)
    files: dict[Path, Expect] = {}

    def put(rel: str | bytes, data: bytes, expect: Expect) -> Path:
        path = Path(os.fsdecode(root / os.fsdecode(rel)))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        files[path] = expect
        return path

    rng = random.Random(20231117)
    # --- valid reports, so that the good files around the bad ones are indexed
    for k in range(15):
        put(f"good/utf8-{k:02d}.txt", REPORT.replace("塘桥镇", f"第{k}镇").encode(), INDEX)
        put(f"good/gb18030-{k:02d}.txt", REPORT.replace("塘桥镇", f"甲{k}镇").encode("gb18030"),
            INDEX)
    put("good/utf8-bom.txt", codecs.BOM_UTF8 + REPORT.encode(), INDEX)
    put("good/utf16-bom.txt", codecs.BOM_UTF16_LE + REPORT.encode("utf-16-le"), INDEX)
    put("good/crlf.md", REPORT.replace("\n", "\r\n").encode(), INDEX)
    put("good/cr-only.txt", REPORT.replace("\n", "\r").encode(), EITHER)
    put("good/page.html", f"<html><body><div class='content'>{REPORT.replace(chr(10), '<br>')}"
        f"</div></body></html>".encode(), INDEX)
    # --- empty and blank
    for name, data in {"zero": b"", "spaces": b"   ", "newlines": b"\n\n\n", "tabs": b"\t\t\n",
                       "crlf": b"\r\n" * 10, "nbsp": "\u3000\u3000\n".encode(),
                       "bom-only": codecs.BOM_UTF8, "bom16-only": codecs.BOM_UTF16_LE}.items():
        put(f"empty/{name}.txt", data, skip("empty", "no text"))
    put("empty/empty.html", b"", skip("empty"))
    put("empty/tags-only.html", b"<html><body><div><p></p></div></body></html>", skip("no text"))
    put("empty/punctuation.md", "。。。，，，！\n\n———\n".encode(), EITHER)
    # --- binary formats and random bytes
    headers = {
        "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "gzip": b"\x1f\x8b\x08\x00",
        "zip": b"PK\x03\x04\x14\x00", "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "elf": b"\x7fELF\x02\x01",
        "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "sqlite": b"SQLite format 3\x00",
        "docx": b"PK\x03\x04\x14\x00\x06\x00", "exe": b"MZ\x90\x00\x03\x00", "class": b"\xca\xfe\xba\xbe",
    }
    for name, head in headers.items():
        put(f"binary/{name}.txt", head + rng.randbytes(4096), skip("binary", "not UTF-8"))
    for k in range(40):
        size = rng.choice((1, 2, 3, 17, 512, 4096, 65536, 300_000))
        suffix = (".txt", ".md", ".html", ".htm")[k % 4]
        data = rng.randbytes(size)
        # a few random bytes can happen to be a character or two of valid text
        expect = skip("binary", "not UTF-8", "no text", "empty") if size > 17 else EITHER
        put(f"random/bytes-{k:02d}{suffix}", data, expect)
    # --- wrong encodings
    for t, (text, encodings) in enumerate(FOREIGN_TEXTS.items()):
        for enc in encodings:
            data = ((text + "\n") * 40).encode(enc)
            expect = skip("not UTF-8", "binary")
            put(f"encodings/{enc}-{t}.txt", data, expect)
            put(f"encodings/{enc}-{t}-short.md", data[:2000], expect)
    for k in range(6):  # UTF-8 cut in the middle of a character, or with stray bytes
        good = REPORT.encode() * (k + 1)
        put(f"encodings/truncated-{k}.txt", good + "报".encode()[: 1 + k % 2], skip("not UTF-8"))
        put(f"encodings/stray-{k}.txt", good[:100] + bytes([0x80 + k, 0xFE]) + good[100:],
            skip("not UTF-8"))
    # --- NUL and control bytes inside text
    for k in range(6):
        data = REPORT.encode()
        at = rng.randrange(len(data))
        put(f"controls/nul-{k}.txt", data[:at] + b"\x00" * (k + 1) + data[at:], skip("binary"))
    put("controls/bells.txt", b"\x07\x08\x1b[31m" * 500 + REPORT.encode(), skip("binary"))
    put("controls/few-controls.txt", REPORT.encode() + b"\x0c\x0b", INDEX)
    put("controls/utf8-controls.txt", ("\u202e\u200b\ufeff" + REPORT).encode(), EITHER)
    # --- size: 50 MB over the default 20 MB limit; one 10 MB line under it
    big = root / "size" / "50mb.txt"
    big.parent.mkdir(parents=True, exist_ok=True)
    line = ("塘桥镇坚持依法行政。" * 20 + "\n").encode()
    with big.open("wb") as fh:
        for _ in range(50 * MB // len(line) + 1):
            fh.write(line)
    files[big] = skip("too large")
    clause = "全面推行行政执法三项制度，"
    long_line = clause * int(long_line_mb * MB // len(clause.encode()))
    put("size/long-line.txt", ("一行很长的报告：" + long_line + "\n").encode(),
        Expect("either", ("too long", "too large", "no text"), marker="一行很长的报告"))
    put("size/many-paragraphs.txt",
        "".join(f"第{k}段：依法行政。\n\n" for k in range(many_paragraphs)).encode(), INDEX)
    # --- pathological HTML and XML
    nested = "<div>" * 10_000 + "<p>深度嵌套的正文：依法行政。</p>" + "</div>" * 10_000
    put("html/nested-divs.html", f"<html><body>{nested}</body></html>".encode(),
        Expect("index", marker="深度嵌套的正文"))
    for tag in ("span", "ul", "table", "blockquote", "font", "a"):
        inner = {"ul": ("<ul><li>", "</li></ul>"), "table": ("<table><tr><td>", "</td></tr></table>")}
        op, cl = inner.get(tag, (f"<{tag}>", f"</{tag}>"))
        text = f"<p>嵌套{tag}中的正文：依法行政。</p>"
        put(f"html/nested-{tag}.html", f"<html><body>{op * 10_000}{text}{cl * 10_000}</body></html>"
            .encode(), Expect("either", ("no text",), marker=f"嵌套{tag}中的正文"))
    put("html/unclosed.html", ("<div><p>" * 20_000 + "未闭合标签中的正文。").encode(),
        Expect("either", ("no text",), marker="未闭合标签中的正文"))
    put("html/only-scripts.html", b"<html><head><script>alert(1)</script></head><body>"
        + b"<script>document.write('\xe4\xbe\x9d\xe6\xb3\x95')</script>" * 50 + b"</body></html>",
        skip("no text"))
    put("html/only-styles.htm", b"<style>p{color:red}</style>" * 100, skip("no text"))
    lol = ['<?xml version="1.0"?>', "<!DOCTYPE lolz [", ' <!ENTITY lol "lol">']
    lol += [f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
            for i in range(1, 10)]
    lol += ["]>", "<lolz>&lol9;依法行政</lolz>"]
    billion = "\n".join(lol).encode()
    put("html/billion-laughs.html", billion, EITHER)
    put("html/billion-laughs-as-text.txt", billion, EITHER)
    put("html/billion-laughs-as-markdown.md", billion, EITHER)
    # two files, one report id: the second is refused by name
    put("dup/report.md", REPORT.encode(), INDEX)
    put("dup/report.txt", REPORT.encode(), skip("duplicate report id"))
    put("html/external-entity.html", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM '
        b'"file:///etc/passwd">]><html><body><p>&e;\xe6\xad\xa3\xe6\x96\x87</p></body></html>', EITHER)
    put("html/txt-that-is-html.txt", b"<!DOCTYPE html><html><body><script>x()</script></body></html>",
        skip("no text"))
    # --- markup as report text
    # markup alone (no Chinese) may be dropped as page furniture, but never interpreted
    put("markup/script.txt", b"<script>alert(1)</script>",
        Expect("either", ("no text",), marker="<script>alert(1)</script>"))
    put("markup/script-report.txt", (REPORT + "\n依法行政<script>alert(1)</script>\n").encode(),
        Expect("index", marker="依法行政<script>alert(1)</script>"))
    put("markup/img.md", ('依法行政"><img src=x onerror=alert(1)>\n\n' + REPORT).encode(),
        Expect("index", marker='依法行政"><img src=x onerror=alert(1)>'))
    put("markup/formula.txt", ("=HYPERLINK(\"http://evil.example\")\n\n" + REPORT).encode(),
        Expect("index", marker="=HYPERLINK"))
    # --- names
    for k, name in enumerate([
        "名字 带 空格.txt", " leading space.txt", "trailing space .txt", "-rf.txt", "#hash?q=1&x.txt",
        "100%.txt", "new\nline.txt", "tab\there.txt", "dots..in..name.txt", "x" * 200 + ".txt",
        "e\u0301ce\u0301.txt", "ＦＵＬＬＷＩＤＴＨ.txt", "UPPER.TXT", "mixed.HtMl",
    ]):
        expect = INDEX if not name.endswith("HtMl") else EITHER
        put(f"names/{name}", REPORT.replace("塘桥镇", f"名{k}镇").encode(), expect)
    for k, raw in enumerate([b"latin1-\xe9t\xe9.txt", b"bad-\xff\xfe.txt", "报告".encode("gbk") + b".txt",
                             b"half-\xe6\xb3.txt"]):  # indexed under ids with \xNN escapes
        put(b"names/" + raw, REPORT.replace("塘桥镇", f"字{k}镇").encode(), INDEX)
    # --- links, loops, devices, permissions
    links = root / "links"
    links.mkdir()
    (links / "loop-dir").symlink_to("..", target_is_directory=True)
    files[links / "loop-dir"] = skip("symbolic link to a folder already walked")
    (links / "self.txt").symlink_to("self.txt")
    files[links / "self.txt"] = skip("cannot read", "symbolic link")
    (links / "ping.txt").symlink_to("pong.txt")
    (links / "pong.txt").symlink_to("ping.txt")
    files[links / "ping.txt"] = skip("cannot read", "symbolic link")
    files[links / "pong.txt"] = skip("cannot read", "symbolic link")
    (links / "dangling.txt").symlink_to("nowhere/missing.txt")
    files[links / "dangling.txt"] = skip("broken symbolic link", "no such file")
    (links / "good-link.txt").symlink_to(root / "good" / "utf8-00.txt")
    files[links / "good-link.txt"] = INDEX
    if Path("/dev/zero").exists():
        (links / "zero.txt").symlink_to("/dev/zero")
        files[links / "zero.txt"] = skip("not a regular file", "outside the corpus")
    if Path("/dev/urandom").exists():
        (links / "urandom.md").symlink_to("/dev/urandom")
        files[links / "urandom.md"] = skip("not a regular file", "outside the corpus")
    os.mkfifo(links / "fifo.txt")
    files[links / "fifo.txt"] = skip("not a regular file")
    (root / "dir.txt").mkdir()  # a folder named like a report: not a file at all
    locked = put("perms/unreadable.txt", REPORT.encode(),
                 INDEX if IS_ROOT else skip("permission denied"))
    locked.chmod(0)
    # --- office formats: a broken .docx/.pdf is skipped as unreadable, legacy ones with a hint
    put("office/notes.docx", b"PK\x03\x04", skip("unreadable DOCX"))
    put("office/scan.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + rng.randbytes(2048), skip("unreadable PDF"))
    put("office/old.doc", b"\xd0\xcf\x11\xe0" + rng.randbytes(512), skip("convert it"))
    # --- hidden files the walk ignores by design (not counted); other files are listed
    (root / ".hidden.txt").write_bytes(REPORT.encode())
    (root / "notes.zip").write_bytes(b"PK\x03\x04")
    files[root / "notes.zip"] = skip("unsupported file type '.zip'")
    return files


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """The hostile corpus, indexed once by `fazhi index` in a subprocess."""
    tmp = tmp_path_factory.mktemp("hostile-corpus")
    files = build_corpus(tmp / "corpus")
    config = write_config(tmp / "config.toml", index=tmp / "index", corpus=[tmp / "corpus"],
                          procs=1)
    try:
        result = run_fazhi(config, "index", timeout=MAX_RUN_S * 2)
    finally:
        (tmp / "corpus" / "perms" / "unreadable.txt").chmod(0o644)  # so tmp_path can be removed
    return files, config, result, tmp / "corpus"


def shown(path: Path | str) -> str:
    """How fazhi prints (and stores) a path: bytes that are not UTF-8 as \\xNN escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def skipped_reasons(result: RunResult, files: dict[Path, Expect]) -> dict[Path, str]:
    """File -> reason, from the summary's "skipped PATH: REASON" lines (paths may hold ': ',
    newlines or replaced bytes, so each known file is looked up by its printed path)."""
    err = result.stderr
    found: dict[Path, str] = {}
    for path in files:
        marker = f"  skipped {shown(path)}: "
        at = err.find(marker)
        if at >= 0:
            end = err.find("\n  skipped ", at + len(marker))
            found[path] = err[at + len(marker): end if end >= 0 else len(err)].strip()
    return found


def test_run_completes_without_traceback(hostile_run) -> None:
    """`fazhi index` over >= 200 hostile files exits 0 in bounded time and memory, no traceback."""
    files, _config, result, _root = hostile_run
    assert len(files) >= 200
    assert "Traceback" not in result.stdout + result.stderr, result.stderr[-3000:]
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.elapsed_s < MAX_RUN_S
    assert result.peak_rss_bytes < MAX_PEAK_RSS_MB * MB, result.peak_rss_bytes
    print(f"\nhostile corpus: {len(files)} files, {result.elapsed_s:.1f} s, "
          f"peak RSS {result.peak_rss_bytes / MB:.0f} MB")


def test_every_file_is_indexed_or_skipped_with_its_reason(hostile_run) -> None:
    """Each file is in the index or on a "skipped PATH: REASON" line with the expected reason,
    and the summary's counts add up to the number of files."""
    files, config, result, root = hostile_run
    settings = load_settings(config)
    reasons = skipped_reasons(result, files)
    summary = re.search(r"indexed (\d+) report\(s\).*skipped (\d+)", result.stdout)
    assert summary, result.stdout
    indexed_count, skipped_count = int(summary.group(1)), int(summary.group(2))
    wrong: list[str] = []
    indexed: set[str] = set()
    for path, expect in files.items():
        rid = report_id_for(shown(path.relative_to(root).as_posix()))
        try:
            report = get_report(settings, rid)
        except ReportNotFoundError:
            report = None
        if report is not None and report.report.source_path != shown(path):
            report = None  # another file with the same report id
        if report is not None and path in reasons:
            wrong.append(f"{path.name!r}: both indexed and skipped ({reasons[path]})")
        elif report is None and path not in reasons:
            wrong.append(f"{path.name!r}: neither indexed nor skipped with a reason")
        elif report is None:
            if expect.outcome == "index":
                wrong.append(f"{path.name!r}: skipped ({reasons[path]}) but should be indexed")
            elif expect.reasons and not any(r in reasons[path] for r in expect.reasons):
                wrong.append(f"{path.name!r}: reason {reasons[path]!r}, expected {expect.reasons}")
        else:
            indexed.add(rid)
            if expect.outcome == "skip":
                wrong.append(f"{path.name!r}: indexed but should be skipped ({expect.reasons})")
            text = "\n".join(p.text for p in report.paragraphs)
            if expect.marker and expect.marker not in text:
                wrong.append(f"{path.name!r}: indexed without its text {expect.marker!r}")
    assert wrong == []
    assert index_stats(settings).reports == len(indexed) == indexed_count
    assert skipped_count == len(files) - len(indexed)


def test_skip_reasons_are_one_clear_line(hostile_run) -> None:
    """Every skip reason is short plain words (no exception class names, no reprs of bytes),
    printed once."""
    files, _config, result, _root = hostile_run
    for path, reason in skipped_reasons(result, files).items():
        assert len(reason) < 200 and "Error" not in reason and "b'" not in reason, (path, reason)
        assert "unexpected error" not in reason, (path, reason)
        assert result.stderr.count(f"skipped {shown(path)}: ") == 1, path  # said once


def test_limit_is_reported_with_sizes(hostile_run) -> None:
    """The 50 MB file is refused by the default 20 MB limit, with both sizes in the reason."""
    files, _config, result, root = hostile_run
    reason = skipped_reasons(result, files)[root / "size" / "50mb.txt"]
    assert "MB > limit 20.0 MB" in reason


def test_markup_report_is_text(hostile_run) -> None:
    """Markup in a report is kept as literal text (`<script>` stays the characters typed)."""
    _files, config, _result, _root = hostile_run
    report = get_report(load_settings(config), "markup/script-report")
    assert report.paragraphs[-1].text == "依法行政<script>alert(1)</script>"


def test_second_run_over_the_same_files_changes_nothing(hostile_run) -> None:
    """Re-running `fazhi index` on the hostile folder is stable: nothing indexed or removed
    again, the same files skipped."""
    files, config, first, root = hostile_run
    locked = root / "perms" / "unreadable.txt"
    locked.chmod(0)
    try:
        second = run_fazhi(config, "index", timeout=MAX_RUN_S * 2)
    finally:
        locked.chmod(0o644)
    assert second.returncode == 0 and "Traceback" not in second.stderr
    count = re.search(r"indexed (\d+) report\(s\).*unchanged (\d+), removed (\d+), skipped (\d+)",
                      second.stdout)
    assert count, second.stdout
    first_indexed = int(re.search(r"indexed (\d+)", first.stdout).group(1))
    assert [int(g) for g in count.groups()] == [
        0, first_indexed, 0, len(files) - first_indexed]


@pytest.mark.slow
def test_ten_mb_line_is_bounded(tmp_path: Path) -> None:
    """The long version: the whole hostile corpus with one 10 MB line (3.5 M characters) and
    200,000 paragraphs in one file; indexed or skipped, within the time and memory bounds."""
    files = build_corpus(tmp_path / "corpus", long_line_mb=10, many_paragraphs=200_000)
    config = write_config(tmp_path / "config.toml", index=tmp_path / "index",
                          corpus=[tmp_path / "corpus"], procs=1)
    (tmp_path / "corpus" / "perms" / "unreadable.txt").chmod(0o644)
    result = run_fazhi(config, "index", timeout=SLOW_MAX_RUN_S * 2)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.elapsed_s < SLOW_MAX_RUN_S
    assert result.peak_rss_bytes < MAX_PEAK_RSS_MB * MB
    reasons = skipped_reasons(result, files)
    line = tmp_path / "corpus" / "size" / "long-line.txt"
    if line not in reasons:
        text = get_report(load_settings(config), "size/long-line").paragraphs[0].text
        assert text.startswith("一行很长的报告：") and len(text) > 3_000_000
    print(f"\nlong hostile corpus: {len(files)} files, {result.elapsed_s:.1f} s, "
          f"peak RSS {result.peak_rss_bytes / MB:.0f} MB")
