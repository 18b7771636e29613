"""Drafted paragraphs: the standard sentences of a report on conflict-related sexual violence,
written from live figures in English or French.

Two paragraphs: `violations` (cases verified and their victims; incidents reported and their
perpetrators, from a partner's aggregate GBVIMS table the caller's organisation recorded for the
period when there is one, else from the records; forms of violence) and `response` (judicial
follow-up; service gaps). Figures
follow the statistics' rules because they are read from `compute_stats` and the existing
reports, never counted here: the caller's organisation's records exact, other organisations'
protected, and a withheld figure written in words that give no number.
"""

from sqlalchemy.orm import Session

from app.core.auth import Principal
from app.core.i18n import N_
from app.paragraphs.draft import Span
from app.paragraphs.figures import Figures
from app.paragraphs.response import judicial_sentence, service_gaps_sentence
from app.paragraphs.schemas import Omitted, Paragraph, ParagraphsQuery, ParagraphsResult, Sentence
from app.web.i18n import Translator

LINKS_NOTE = N_(
    "Every figure links to the query that gives it; a figure shown there as withheld is written "
    '"fewer than {k}" or "an undisclosed number of", never as a number.'
)
JUDICIAL_NOTE = N_(
    "Judicial follow-up is your organisation's cases as they stand today, whatever the period."
)
QUARTER_NOTE = N_(
    "Service gaps are counted from the first to the last day of the quarter, so an incident known "
    "only to the year counts there when the year begins the quarter."
)


def draft(
    session: Session, query: ParagraphsQuery, principal: Principal, k: int
) -> ParagraphsResult:
    t = Translator(query.lang.value)
    span = Span.of(query.period, query.occurred_from, query.occurred_to)
    figures = Figures(session, principal, span, query.country, k)
    omitted: list[Omitted] = []

    def kept(*found: Sentence | Omitted | None) -> list[Sentence]:
        sentences = []
        for item in found:
            if isinstance(item, Omitted):
                omitted.append(item)
            elif item is not None:
                sentences.append(item)
        return sentences

    violations = kept(figures.verified(t), *figures.reported(t), figures.forms(t))
    response = kept(
        judicial_sentence(session, principal, t, k),
        service_gaps_sentence(session, principal, span, query.country, t, k),
    )
    notes = [t.format(LINKS_NOTE, k=k), t.gettext(JUDICIAL_NOTE)]
    if span.quarter:
        notes.append(t.gettext(QUARTER_NOTE))
    return ParagraphsResult(
        language=query.lang,
        period=span.described(t),
        paragraphs=[
            Paragraph(key=key, text=" ".join(s.text for s in sentences), sentences=sentences)
            for key, sentences in (("violations", violations), ("response", response))
            if sentences
        ],
        omitted=omitted,
        notes=notes,
    )
