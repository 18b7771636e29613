"""Drafted paragraphs as a page: the period and language chosen, the paragraphs with each figure
a link to the table that gives it, and the text in a box to copy (a button copies it where
scripts run; the box can always be selected)."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import ValidationError

from app.core.db import ReadSessionDep
from app.core.permissions import Permission
from app.paragraphs.schemas import ParagraphsQuery
from app.paragraphs.service import draft
from app.web.forms import errors_from_validation, filled_in
from app.web.rendering import render, unknown_parameters_page
from app.web.session import PageContext, page_for

router = APIRouter(include_in_schema=False)
ReportPage = Annotated[PageContext, Depends(page_for(Permission.STATS_READ))]
FIELDS = ("period", "occurred_from", "occurred_to", "country", "lang")


@router.get("/reports/paragraphs")
def paragraphs_page(page: ReportPage, session: ReadSessionDep) -> Response:
    if (refusal := unknown_parameters_page(page.request, FIELDS)) is not None:
        return refusal
    chosen = filled_in(page.request.query_params, FIELDS)  # type: ignore[arg-type]
    values = {"chosen": {"lang": page.t.language, **chosen}, "errors": {}, "result": None}
    if not set(chosen) - {"lang"}:
        return render(page, "stats/paragraphs.html", **values)  # the form, nothing drafted yet
    try:
        query = ParagraphsQuery.model_validate({"lang": page.t.language, **chosen})
    except ValidationError as error:
        values["errors"] = errors_from_validation(page.t, error)
        return render(page, "stats/paragraphs.html", 400, **values)
    k = page.request.app.state.settings.suppression_k
    result = draft(session, query, page.user, k)
    return render(page, "stats/paragraphs.html", **{**values, "result": result})
