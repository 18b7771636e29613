"""A line chart over months or quarters drawn on the server as SVG: no script, no library.

Made to be read in print and without colour: each series has its own dash style and marker
shape, and is named at the end of its line (a direct label) as well as in the legend. A hidden
figure (a suppression marker such as "<5") has no height: the line breaks there and a hatched
marker sits on the axis, labelled with the marker, never a number.
"""

import math
from dataclasses import dataclass
from itertools import pairwise

from app.stats.schemas import Count

WIDTH = 760
HEIGHT = 330
LEFT = 64  # room for the y axis's figures and title
RIGHT = 140  # room for the direct labels
TOP = 16
BOTTOM = 72  # room for the periods and the x axis's title
WITHHELD_HEIGHT = 14
MAX_X_LABELS = 9  # period names about 50 px wide in a plot of about 550
LABEL_GAP = 14  # the least distance between two direct labels' baselines


@dataclass(frozen=True)
class Point:
    period: str
    x: float
    y: float | None  # None: hidden, no height
    value: Count

    @property
    def hidden(self) -> bool:
        return self.y is None


@dataclass
class Line:
    key: str  # "reported" or "verified": the class that gives its dash style and marker
    label: str
    points: list[Point]
    segments: list[str]  # SVG path data, one run of consecutive shown figures each
    label_y: float | None  # where its direct label goes, beside its last shown figure


@dataclass(frozen=True)
class Tick:
    position: float
    text: str


@dataclass(frozen=True)
class TrendChart:
    title: str
    description: str
    x_title: str
    y_title: str
    lines: list[Line]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP

    @property
    def right(self) -> int:
        return self.width - RIGHT

    @property
    def bottom(self) -> int:
        return self.height - BOTTOM

    @property
    def withheld_top(self) -> int:
        return self.bottom - WITHHELD_HEIGHT

    @property
    def any_withheld(self) -> bool:
        return any(point.hidden for line in self.lines for point in line.points)


def nice_ceiling(largest: int) -> tuple[int, int]:
    """The axis's top and step: a 1, 2 or 5 times a power of ten, at most about 5 steps."""
    if largest <= 0:
        return 1, 1
    raw = largest / 5
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(1, int(step))
    return step * math.ceil(largest / step), step


def trend_chart(
    *,
    title: str,
    description: str,
    x_title: str,
    y_title: str,
    periods: list[tuple[str, str]],
    series: list[tuple[str, str, dict[str, Count]]],
) -> TrendChart:
    """`periods`: (code, label) in order; `series`: (key, label, {period code: figure}), a
    period missing from a series having no incident at all (a true 0)."""
    largest = max(
        (v for _, _, values in series for v in values.values() if isinstance(v, int)), default=0
    )
    top_value, step = nice_ceiling(largest)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / max(1, len(periods))

    def x_of(index: int) -> float:
        return round(LEFT + slot * (index + 0.5), 1)

    def y_of(value: int) -> float:
        return round(TOP + plot_height * (1 - value / top_value), 1)

    lines = []
    for key, label, values in series:
        points = []
        for index, (code, _) in enumerate(periods):
            value = values.get(code, 0)
            y = y_of(value) if isinstance(value, int) else None
            points.append(Point(code, x_of(index), y, value))
        lines.append(Line(key, label, points, _segments(points), _last_y(points)))
    _separate_labels(lines)
    every = max(1, math.ceil(len(periods) / MAX_X_LABELS))
    x_ticks = [
        Tick(x_of(index), text) for index, (_, text) in enumerate(periods) if index % every == 0
    ]
    y_ticks = [Tick(y_of(value), str(value)) for value in range(0, top_value + 1, step)]
    return TrendChart(title, description, x_title, y_title, lines, x_ticks, y_ticks)


def _segments(points: list[Point]) -> list[str]:
    """Path data for each run of shown figures: the line breaks at a hidden one."""
    runs: list[list[Point]] = [[]]
    for point in points:
        if point.hidden:
            runs.append([])
        else:
            runs[-1].append(point)
    return [
        " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(run))
        for run in runs
        if run
    ]


def _last_y(points: list[Point]) -> float | None:
    shown = [point.y for point in points if point.y is not None]
    return shown[-1] if shown else None


def _separate_labels(lines: list[Line]) -> None:
    """Two direct labels at the same height would print over each other: move them apart."""
    placed = sorted((line for line in lines if line.label_y is not None), key=_label_y)
    for previous, line in pairwise(placed):
        if _label_y(line) - _label_y(previous) < LABEL_GAP:
            line.label_y = _label_y(previous) + LABEL_GAP


def _label_y(line: Line) -> float:
    return line.label_y if line.label_y is not None else 0.0
