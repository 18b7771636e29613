from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from app.core.auth import Principal, require
from app.core.config import API_PREFIX
from app.core.db import ReadSessionDep
from app.core.permissions import Permission
from app.paragraphs.schemas import ParagraphsQuery, ParagraphsResult
from app.paragraphs.service import draft

router = APIRouter(prefix=f"{API_PREFIX}/reports", tags=["drafted paragraphs"])
Reader = Annotated[Principal, Depends(require(Permission.STATS_READ))]


@router.get("/paragraphs", response_model=ParagraphsResult)
def paragraphs(
    request: Request,
    session: ReadSessionDep,
    reader: Reader,
    query: Annotated[ParagraphsQuery, Query()],
) -> ParagraphsResult:
    """The standard sentences of a report, drafted from live figures in English or French.

    The period is `period` (a year, `2019`, or a quarter, `2019-Q3`), or `occurred_from` and
    `occurred_to`. Paragraph `violations`: cases verified, with their victims by category;
    incidents reported, with their perpetrators by category and the remainder (from a
    partner's aggregate GBVIMS table your organisation recorded covering exactly the period
    when there is one, said to be one and never added to the records; else from the records);
    forms of violence. Paragraph
    `response`: judicial follow-up (your organisation's cases today, for those who may read
    them) and service gaps (where the service directory holds points).

    Numbers from one to nine are words, 10 and above figures. Each figure comes with the query
    that gives it (`url`, and `pointer` into its answer) and its value as published there;
    a withheld figure (`<5`, `suppressed`) is written "fewer than five" or "an undisclosed
    number of", never as a number. Sentences not drafted are listed in `omitted` with why.
    """
    return draft(session, query, reader, request.app.state.settings.suppression_k)
