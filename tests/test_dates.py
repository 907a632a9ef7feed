"""Dates as printed on Chinese government pages, and the year a report is about."""

from __future__ import annotations

import pytest

from indexer import dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024年1月17日", "2024-01-17"),
        ("二〇二四年一月十七日", "2024-01-17"),
        ("二○二三年十二月三十一日", "2023-12-31"),
        ("二ＯＯ九年十月一日", "2009-10-01"),
        ("二零二二年二月二十八日", "2022-02-28"),
        ("发布日期: 2024-03-20 13:20 访问量:", "2024-03-20"),
        ("2024/3/20", "2024-03-20"),
        ("2024.03.20", "2024-03-20"),
        ("２０２３年　１月　５日", "2023-01-05"),
        ("2023 年 1 月 5 日", "2023-01-05"),
        ("时间:2023-02-28 15:36 浏览量:1", "2023-02-28"),
    ],
)
def test_to_iso_reads_every_printed_form(text: str, expected: str) -> None:
    """Every date form seen on report pages becomes the same ISO date."""
    assert dates.to_iso(text) == expected


@pytest.mark.parametrize("text", ["2023年13月1日", "2023-02-30", "二〇二三年", "索引号 011043217/2023-07888"])
def test_to_iso_rejects_impossible_or_partial_dates(text: str) -> None:
    """Impossible dates, bare years and index numbers are not dates."""
    assert dates.to_iso(text) is None


def test_signature_date_line_is_recognised() -> None:
    """A line that is only a date (the signature date) is a date line; a sentence is not."""
    assert dates.is_date_line("二〇二四年一月十七日")
    assert dates.is_date_line("2023年1月5日")
    assert not dates.is_date_line("2023年1月5日召开专题会议研究部署法治建设工作")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://fl.gov.cn/zwgk/202301/t20230111_11487872.html", "2023-01-11"),
        ("https://sfj.dl.gov.cn/art/2025/3/3/art_3945_2412458.html", "2025-03-03"),
        ("https://henan.gov.cn/2021/03-30/2117585.html", "2021-03-30"),
        ("https://www.by.gov.cn/content/post_8758515.html", None),
        ("https://sfj.haikou.gov.cn/xxgk/zjbg/202304/t1253671.shtml", None),
        (None, None),
    ],
)
def test_date_from_url(url: str | None, expected: str | None) -> None:
    """Full dates embedded in a URL are found; month folders and ids are not dates."""
    assert dates.date_from_url(url) == expected


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("2023年度木渎镇法治政府建设工作报告", 2023),
        ("关于2022年法治政府建设情况的报告", 2022),
        ("王鲍镇2023 年度法治政府建设情况报告", 2023),
        ("张家港市塘桥镇人民政府 2022年法治政府建设情况报告", 2022),
        ("某市贯彻《法治政府建设实施纲要(2021—2025年)》2023年工作报告", 2023),
        ("法治政府建设情况报告", None),
    ],
)
def test_report_year_from_title(title: str, year: int | None) -> None:
    """The report year comes from the title, never from a period like (2021—2025年)."""
    assert dates.report_year_from_title(title) == year


@pytest.mark.parametrize(
    ("opening", "year"),
    [
        ("2022年，高新区（塘桥镇）法治政府建设坚持以习近平新时代中国特色社会主义思想为指导。", 2022),
        ("2023 年，王鲍镇在启东市委、市政府的正确领导下，深入贯彻落实党的二十大精神。", 2023),
        ("一年来，周溪乡在县委的领导下……现将周溪乡2024年法治政府建设工作报告如下：", 2024),
        ("根据《全面深化法治领域改革纲要(2023—2027年)》，以及市、区的部署，2023年，清波街道以…", 2023),
        ("在县委的领导下，我乡扎实推进各项工作。", None),
    ],
)
def test_report_year_from_opening(opening: str, year: int | None) -> None:
    """The opening says the year ("2022年，…", "现将…2024年…报告如下")."""
    assert dates.report_year_from_opening(opening) == year


def test_years_in_skips_periods() -> None:
    """Years that start a period (2021-2025年) are not single-year mentions."""
    assert dates.years_in("《规划（2021—2025年）》和2023年工作要点，2024 年计划") == [2023, 2024]
