"""Geometry of the trend chart, drawn as inline SVG by ``trend.html`` (no script, no external
asset): a line per term of the share of reports mentioning it per year.

Years with fewer than ``SMALL_SAMPLE`` reports are drawn as hollow markers joined by dashed
segments (their share rests on a handful of reports); years without any report leave a gap.
Colours come from CSS classes (``series-0`` …) and every series also has its own marker shape,
so the chart reads in black and white too. The SVG scales to its container (viewBox), which
keeps it legible on a phone.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer import Trend

WIDTH, HEIGHT = 720, 360
LEFT, RIGHT, TOP, BOTTOM = 84, 40, 20, 52
Y_TICKS = (0, 25, 50, 75, 100)
MAX_YEAR_LABELS = 12
SHAPES = ("circle", "square", "diamond", "triangle")


@dataclass(frozen=True, slots=True)
class Marker:
    x: float
    y: float
    small: bool
    title: str  # tooltip: 2023年：12/40 篇（30.0%）


@dataclass(frozen=True, slots=True)
class Segment:
    x1: float
    y1: float
    x2: float
    y2: float
    small: bool  # one of its ends is a small sample: drawn dashed


@dataclass(frozen=True, slots=True)
class Line:
    index: int  # colour class series-<index % 8>
    term: str
    shape: str
    markers: tuple[Marker, ...]
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Tick:
    pos: float
    label: str


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    left: int
    right: int  # x of the plot's right edge
    top: int
    bottom: int  # y of the plot's bottom edge
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    lines: tuple[Line, ...]
    has_small: bool
    description: str  # for screen readers (the table below has every number)


def build_chart(trend: Trend) -> Chart:
    """The chart of ``trend`` (lines for every series over its years)."""
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    years = trend.years
    span = max(len(years) - 1, 1)

    def x_of(i: int) -> float:
        return round(LEFT + (right - LEFT) * (i / span if len(years) > 1 else 0.5), 1)

    def y_of(share: float) -> float:
        return round(bottom - (bottom - TOP) * share, 1)

    step = max(1, -(-len(years) // MAX_YEAR_LABELS))
    x_ticks = tuple(Tick(x_of(i), str(y)) for i, y in enumerate(years)
                    if i % step == 0 or i == len(years) - 1)
    y_ticks = tuple(Tick(y_of(t / 100), f"{t}%") for t in Y_TICKS)
    lines = []
    for k, series in enumerate(trend.series):
        markers: list[tuple[int, Marker]] = []
        for i, p in enumerate(series.points):
            if p.share is None:
                continue
            title = (f"{series.term} · {p.year}年：{p.matching}/{p.reports} 篇"
                     f"（{p.share * 100:.1f}%）{'，样本少' if p.small else ''}")
            markers.append((i, Marker(x_of(i), y_of(p.share), p.small, title)))
        segments = tuple(
            Segment(a.x, a.y, b.x, b.y, a.small or b.small)
            for (i, a), (j, b) in zip(markers, markers[1:]) if j == i + 1
        )
        lines.append(Line(k, series.term, SHAPES[k % len(SHAPES)],
                          tuple(m for _, m in markers), segments))
    has_small = any(m.small for line in lines for m in line.markers)
    first, last = (years[0], years[-1]) if years else (None, None)
    description = (f"折线图：{first}—{last}年各年提及各检索词的报告占比" if years
                   else "没有可绘制的年份")
    return Chart(WIDTH, HEIGHT, LEFT, right, TOP, bottom, y_ticks, x_ticks, tuple(lines),
                 has_small, description)


def diamond(x: float, y: float, r: float = 5.5) -> str:
    return f"{x},{y - r} {x + r},{y} {x},{y + r} {x - r},{y}"


def triangle(x: float, y: float, r: float = 6.0) -> str:
    return f"{x},{y - r} {x + r},{round(y + r * 0.8, 1)} {x - r},{round(y + r * 0.8, 1)}"
