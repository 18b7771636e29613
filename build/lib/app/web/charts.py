"""Bar charts drawn on the server as SVG: no script, no library, readable without colour.

A hidden (suppressed) figure is drawn as a short grey stub labelled with its marker, never as a
bar of some made-up length.
"""

from dataclasses import dataclass

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 260
BAR_AREA = 420
VALUE_WIDTH = 90
STUB_WIDTH = 6
TOP = 4


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: int
    width: int
    hidden: bool


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_height: int

    @property
    def text_offset(self) -> int:
        return self.bar_height // 2 + 4


def bar_chart(title: str, rows: list[tuple[str, int | str]]) -> BarChart:
    """One bar per (label, figure); a figure that is a string is a suppression marker."""
    largest = max((value for _, value in rows if isinstance(value, int)), default=0)
    bars = []
    for index, (label, value) in enumerate(rows):
        hidden = not isinstance(value, int)
        if hidden or largest == 0:
            width = STUB_WIDTH if hidden else 0
        else:
            width = max(1, round(BAR_AREA * int(value) / largest)) if value else 0
        bars.append(
            Bar(
                label=label,
                value_text=str(value),
                y=TOP + index * (BAR_HEIGHT + GAP),
                width=width,
                hidden=hidden,
            )
        )
    height = TOP * 2 + len(rows) * (BAR_HEIGHT + GAP)
    return BarChart(
        title=title,
        bars=bars,
        width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        height=height,
        label_width=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
    )
