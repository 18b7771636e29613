"""Party dossiers as pages: the parties, a party's dossier, the parties meeting the pattern rule,
the rule itself, and the forms that record a party's listings, commitments and sanctions.

The same services and permissions as the API (app/party_dossiers): dossiers and patterns are
statistics (advisers, report writers); the rule is read by every reader of the party registry
and set by its writers (advisers, admins); the annex records are edited on these pages by those
who both read the dossier and write to the registry (advisers), admins doing so through the API.
"""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from app.armed_parties.service import get_armed_party, list_armed_parties
from app.core.db import SessionDep
from app.core.domain_errors import DomainError, NotFoundError
from app.core.permissions import Permission
from app.core.versioning import BasedOn
from app.models.enums import VictimCategory, Violation
from app.models.party_dossier import AnnexSection, CommitmentKind
from app.party_dossiers import dossier, records
from app.party_dossiers.records import RECORD_KINDS, RecordKind
from app.party_dossiers.schemas import (
    CommitmentCreate,
    CommitmentUpdate,
    DossierQuery,
    ListingCreate,
    ListingUpdate,
    PatternRuleSet,
    PatternsQuery,
    PatternStatus,
    SanctionCreate,
    SanctionUpdate,
    YearStatus,
)
from app.web.forms import error_status, filled_in, problems_of, validated
from app.web.pages.incident_forms import form_errors
from app.web.pages.posting import Submitted, submitted_to
from app.web.rendering import invalid_query_page, redirect, render
from app.web.session import PageContext, SignedInPage, page_for

router = APIRouter(include_in_schema=False)
StatsPage = Annotated[PageContext, Depends(page_for(Permission.STATS_READ))]
RulePage = Annotated[PageContext, Depends(page_for(Permission.ARMED_PARTY_READ))]
RuleForm = Annotated[Submitted, Depends(submitted_to(page_for(Permission.ARMED_PARTY_WRITE)))]


def _adviser_guard(page: SignedInPage) -> PageContext:
    """Editing from the dossier: those who read it and write to the party registry."""
    page_for(Permission.STATS_READ)(page)
    return page_for(Permission.ARMED_PARTY_WRITE)(page)


RecordPage = Annotated[PageContext, Depends(_adviser_guard)]
RecordForm = Annotated[Submitted, Depends(submitted_to(_adviser_guard))]

# Each kind's form: its fields in order, with the input each takes, and its API bodies.
RECORD_FORMS: dict[str, tuple[tuple[tuple[str, str], ...], type[BaseModel], type[BaseModel]]] = {
    "listings": (
        (
            ("report_reference", "text"),
            ("report_year", "number"),
            ("section", "section"),
            ("delisted_on", "date"),
            ("notes", "text"),
        ),
        ListingCreate,
        ListingUpdate,
    ),
    "commitments": (
        (
            ("kind", "commitment_kind"),
            ("made_on", "date"),
            ("text_reference", "text"),
            ("implemented_percent", "number"),
            ("assessed_on", "date"),
            ("notes", "text"),
        ),
        CommitmentCreate,
        CommitmentUpdate,
    ),
    "sanctions": (
        (
            ("regime", "text"),
            ("listed_on", "date"),
            ("reference", "text"),
            ("delisted_on", "date"),
            ("notes", "text"),
        ),
        SanctionCreate,
        SanctionUpdate,
    ),
}
FORM_NAMES = {"listings": "listing", "commitments": "commitment", "sanctions": "sanction"}
RULE_FIELDS = ("min_incidents_per_year", "years_required", "window_years", "version")


# What a page says after a form saved (`?saved=listings`): not a parameter of the dossier.
NOTICES = ("saved", "deleted")


def _query(page: PageContext, model: type[BaseModel]) -> BaseModel | Response:
    """The page's parameters as the API reads them, or the 422 page naming the wrong ones."""
    params = {k: v for k, v in page.request.query_params.items() if k not in NOTICES}
    try:
        return model.model_validate(params)
    except ValidationError as error:
        return invalid_query_page(page.request, problems_of(error.errors(), ("query",)))


def _k(page: PageContext) -> int:
    return int(page.request.app.state.settings.suppression_k)


@router.get("/armed-parties")
def party_list(page: StatsPage, session: SessionDep) -> Response:
    return render(page, "parties/list.html", parties=list_armed_parties(session, None, None))


@router.get("/armed-parties/patterns")
def patterns_page(page: StatsPage, session: SessionDep) -> Response:
    query = _query(page, PatternsQuery) if page.request.query_params else None
    if isinstance(query, Response):
        return query
    result = None
    if isinstance(query, PatternsQuery):
        result = dossier.patterns(session, page.user, query.year, _k(page))
    return render(page, "parties/patterns.html", result=result, **_value_labels(page))


@router.get("/armed-parties/pattern-rule")
def rule_page(page: RulePage, session: SessionDep) -> Response:
    return _show_rule(page, session)


def _show_rule(
    page: PageContext,
    session: Session,
    status: int = 200,
    entered: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    rule = records.rule_read(records.stored_rule(session, page.user.organisation_id))
    current = {name: getattr(rule, name) for name in RULE_FIELDS}
    current["version"] = "" if rule.version is None else rule.version
    return render(
        page,
        "parties/rule.html",
        status,
        rule=rule,
        entered=entered or current,
        errors=errors or {},
    )


@router.post("/armed-parties/pattern-rule")
def set_rule(posted: RuleForm, session: SessionDep) -> Response:
    page = posted.page
    entered = filled_in(posted.form, RULE_FIELDS)
    try:
        data = validated(PatternRuleSet, entered, lambda _data: None)
        records.set_rule(session, data, page.user, None)
    except (ValidationError, DomainError) as error:
        session.rollback()
        return _show_rule(page, session, error_status(error), entered, form_errors(page, error))
    return redirect("/armed-parties/pattern-rule?saved=1")


@router.get("/armed-parties/{party_id}")
def dossier_page(page: StatsPage, session: SessionDep, party_id: uuid.UUID) -> Response:
    party = get_armed_party(session, party_id)
    query = _query(page, DossierQuery)
    if isinstance(query, Response):
        return query
    assert isinstance(query, DossierQuery)
    result = dossier.dossier(session, party, page.user, query.year, _k(page))
    return render(page, "parties/dossier.html", party=party, result=result, **_value_labels(page))


def _kind(kind: str) -> RecordKind:
    if kind not in RECORD_KINDS:
        raise NotFoundError("Page")
    return RECORD_KINDS[kind]


@router.get("/armed-parties/{party_id}/{kind}/new")
def new_record_form(
    page: RecordPage, session: SessionDep, party_id: uuid.UUID, kind: str
) -> Response:
    party = get_armed_party(session, party_id)
    return _show_form(page, party, _kind(kind), None, {})


@router.post("/armed-parties/{party_id}/{kind}/new")
def add_record(posted: RecordForm, session: SessionDep, party_id: uuid.UUID, kind: str) -> Response:
    page, record_kind = posted.page, _kind(kind)
    party = get_armed_party(session, party_id)
    fields, create_model, _update = RECORD_FORMS[kind]
    entered = filled_in(posted.form, [name for name, _input in fields])
    try:
        data = validated(create_model, entered, lambda _data: None)
        records.create_record(session, record_kind, party, data, page.user)
    except (ValidationError, DomainError) as error:
        session.rollback()
        party = get_armed_party(session, party_id)
        errors = form_errors(page, error)
        return _show_form(page, party, record_kind, None, entered, error_status(error), errors)
    return redirect(f"/armed-parties/{party_id}?saved={kind}#{kind}")


@router.get("/armed-parties/{party_id}/{kind}/{record_id}/edit")
def edit_record_form(
    page: RecordPage, session: SessionDep, party_id: uuid.UUID, kind: str, record_id: uuid.UUID
) -> Response:
    record_kind = _kind(kind)
    party = get_armed_party(session, party_id)
    row = records.get_record(session, record_kind, party_id, record_id, page.user)
    return _show_form(page, party, record_kind, row, _current(kind, row))


@router.post("/armed-parties/{party_id}/{kind}/{record_id}/edit")
def update_record(
    posted: RecordForm, session: SessionDep, party_id: uuid.UUID, kind: str, record_id: uuid.UUID
) -> Response:
    page, record_kind = posted.page, _kind(kind)
    party = get_armed_party(session, party_id)
    row = records.get_record(session, record_kind, party_id, record_id, page.user)
    fields, _create, update_model = RECORD_FORMS[kind]
    names = [name for name, _input in fields]
    entered = filled_in(posted.form, [*names, "version"])
    # An emptied optional field clears it; an emptied required one is refused by the service.
    body = {**dict.fromkeys(names), **entered}
    try:
        data = validated(update_model, body, lambda _data: None)
        BasedOn(getattr(data, "version", None) or 0).refuse_if_stale(row.version)
        records.update_record(session, record_kind, row, data, page.user)
    except (ValidationError, DomainError) as error:
        session.rollback()
        party = get_armed_party(session, party_id)
        row = records.get_record(session, record_kind, party_id, record_id, page.user)
        errors = form_errors(page, error)
        return _show_form(page, party, record_kind, row, entered, error_status(error), errors)
    return redirect(f"/armed-parties/{party_id}?saved={kind}#{kind}")


@router.post("/armed-parties/{party_id}/{kind}/{record_id}/delete")
def delete_record(
    posted: RecordForm, session: SessionDep, party_id: uuid.UUID, kind: str, record_id: uuid.UUID
) -> Response:
    page, record_kind = posted.page, _kind(kind)
    row = records.get_record(session, record_kind, party_id, record_id, page.user)
    records.delete_record(session, record_kind, row, page.user)
    return redirect(f"/armed-parties/{party_id}?deleted={kind}#{kind}")


def _current(kind: str, row: Any) -> dict[str, Any]:
    fields = RECORD_FORMS[kind][0]
    values = {name: getattr(row, name) for name, _input in fields}
    return {
        **{name: "" if value is None else str(value) for name, value in values.items()},
        "version": str(row.version),
    }


def _show_form(
    page: PageContext,
    party: Any,
    kind: RecordKind,
    row: Any,
    entered: dict[str, Any],
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> Response:
    return render(
        page,
        "parties/record_form.html",
        status,
        party=party,
        kind=kind.path,
        form_name=FORM_NAMES[kind.path],
        fields=RECORD_FORMS[kind.path][0],
        row=row,
        entered=entered,
        errors=errors or {},
        section_options=page.labels.options(AnnexSection),
        commitment_options=page.labels.options(CommitmentKind),
    )


def _value_labels(page: PageContext) -> dict[str, Any]:
    """How each table's values are named: forms and categories in words, quarters as Q3 2019."""
    labels = page.labels

    def value(dimension: str, key: str | int | None) -> str:
        if key is None:
            return page.t.gettext("Not recorded")
        if dimension == "violation":
            return labels.of(Violation, str(key))
        if dimension == "victim_category":
            return labels.of(VictimCategory, str(key))
        if dimension == "quarter":
            return labels.quarter(str(key))
        return str(key)

    return {
        "value_label": value,
        "year_status": YearStatus,
        "pattern_status": PatternStatus,
        "annex_section": AnnexSection,
        "commitment_kind": CommitmentKind,
    }
