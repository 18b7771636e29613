"""What every drafted sentence shares: the period it speaks of, and the figures it writes, each
kept with the query that gives it.

A sentence is composed with a placeholder where each figure goes (NUL characters around the
figure's index: the service refuses NUL in every input, so no court or partner name can hold
one), then cut there into segments, so the page can make each figure a link and the API can say
which words write which figure.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date

from app.core.config import API_PREFIX
from app.core.i18n import N_
from app.counting.periods import quarter_bounds
from app.paragraphs.schemas import FigureLink, Origin, Segment, Sentence
from app.paragraphs.words import Noun, Written, written
from app.web.i18n import Translator

MARK = "\x00"
QUARTERS = (
    N_("in the first quarter of {year}"),
    N_("in the second quarter of {year}"),
    N_("in the third quarter of {year}"),
    N_("in the fourth quarter of {year}"),
)


@dataclass(frozen=True)
class Span:
    """The period drafted: a year, a quarter, or two days."""

    start: date
    end: date
    code: str | None = None  # "2019" or "2019-Q3"

    @classmethod
    def of(cls, code: str | None, start: date | None, end: date | None) -> "Span":
        if code is None:
            assert start is not None and end is not None  # the query requires both
            return cls(start, end)
        if "-Q" in code:
            return cls(*quarter_bounds(code), code=code)
        year = int(code)
        return cls(date(year, 1, 1), date(year, 12, 31), code=code)

    @property
    def quarter(self) -> str | None:
        return self.code if self.code and "-Q" in self.code else None

    def incident_filters(self) -> dict[str, Any]:
        """The statistics' filters for incidents of the period. A quarter is the `quarter`
        filter, so an incident known only to the year is never counted in one."""
        if self.quarter:
            return {"quarter": [self.quarter]}
        return {"occurred_from": self.start.isoformat(), "occurred_to": self.end.isoformat()}

    def phrase(self, t: Translator) -> str:
        if self.quarter:
            return t.format(QUARTERS[int(self.quarter[-1]) - 1], year=self.quarter[:4])
        if self.code:
            return t.format(N_("in {year}"), year=self.code)
        return t.format(
            N_("between {start} and {end}"), start=_day(self.start, t), end=_day(self.end, t)
        )

    def described(self, t: Translator) -> dict[str, Any]:
        return {
            "code": self.code,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "phrase": self.phrase(t),
        }


def _day(day: date, t: Translator) -> str:
    if t.language == "fr" and day.day == 1:
        return "1er " + format_date(day, "MMMM y", locale="fr")  # le 1er janvier
    return format_date(day, "d MMMM y", locale=t.language)


def api_url(path: str, params: dict[str, Any]) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, [])}, doseq=True)
    return f"{API_PREFIX}{path}" + (f"?{query}" if query else "")


def page_url(path: str, params: dict[str, Any]) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, [])}, doseq=True)
    return path + (f"?{query}" if query else "")


@dataclass
class Writer:
    """Drafts one sentence: figures are added as they are written, each with its query."""

    t: Translator
    k: int
    kind: str
    figures: list[FigureLink] = field(default_factory=list)

    def figure(
        self,
        value: int | str,
        noun: Noun,
        origin: Origin,
        url: str,
        pointer: str,
        **link: Any,
    ) -> Written:
        """The figure in words (a placeholder until the sentence is cut), kept with its link."""
        words = written(value, self.t, self.k, noun)
        return Written(self.place(words.text, value, origin, url, pointer, **link), words.plural_of)

    def place(
        self,
        text: str,
        value: int | float | str,
        origin: Origin,
        url: str,
        pointer: str,
        **link: Any,
    ) -> str:
        index = len(self.figures)
        self.figures.append(
            FigureLink(text=text, value=value, origin=origin, url=url, pointer=pointer, **link)
        )
        return f"{MARK}{index}{MARK}"

    def sentence(self, composed: str) -> Sentence:
        # A sentence starts with a capital, a number written as a word too ("Four incidents").
        composed = composed[:1].upper() + composed[1:]
        if composed.startswith(MARK):
            first = self.figures[int(composed.split(MARK)[1])]
            first.text = first.text[:1].upper() + first.text[1:]
        pieces = composed.split(MARK)
        segments = []
        for position, piece in enumerate(pieces):
            if position % 2:
                index = int(piece)
                segments.append(Segment(text=self.figures[index].text, figure=index))
            elif piece:
                segments.append(Segment(text=piece))
        return Sentence(
            kind=self.kind,
            text="".join(segment.text for segment in segments),
            segments=segments,
            figures=self.figures,
        )
