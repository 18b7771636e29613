"""The Incident Recorder import page for advisers: check a file first (a dry run), then import
it; the same service and report as `POST /api/v1/imports`, in the page's language."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from app.core.crypto import CipherDep
from app.core.db import SessionDep
from app.core.permissions import Permission
from app.imports import service
from app.imports.recorder_columns import COLUMNS
from app.imports.recorder_vocabulary import DEFAULT_ADMIN_LEVELS, parse_admin_levels
from app.imports.rows import Options
from app.imports.schemas import ImportReport
from app.web.forms import text_field
from app.web.i18n import N_
from app.web.rendering import render
from app.web.session import PageContext, page_for, posted_form_for

router = APIRouter(include_in_schema=False)
IMPORT_PAGE = "/imports/incident-recorder"
ImporterPage = Annotated[PageContext, Depends(page_for(Permission.INCIDENT_WRITE))]
ADMIN_CHOICES = (
    "county,district,camp_town",
    "district,camp_town",
    "county,district",
    "county",
    "district",
)
# The registry's place levels, in the order a choice fills them (admin1, admin2, admin3).
LEVEL_LABELS = (N_("Region"), N_("Cercle or district"), N_("Commune"))

PostedForm = posted_form_for(ImporterPage)


def _admin_choices(page: PageContext) -> list[tuple[str, str]]:
    """Each choice as the user reads it: the file's columns (as headed in the page's language)
    and the level each becomes, "INCIDENT COUNTY → Region; INCIDENT DISTRICT → ..."."""
    french = page.t.language == "fr"
    headers = {c.key: c.french if french else c.english for c in COLUMNS}
    return [
        (
            choice,
            "; ".join(
                f"{headers[column]} → {page.t.gettext(level)}"
                for column, level in zip(choice.split(","), LEVEL_LABELS, strict=False)
            ),
        )
        for choice in ADMIN_CHOICES
    ]


def _show(page: PageContext, status: int = 200, **values: Any) -> Response:
    defaults: dict[str, Any] = {
        "report": None,
        "errors": {},
        "entered": {"admin_levels": ",".join(DEFAULT_ADMIN_LEVELS)},
        "admin_choices": _admin_choices(page),
    }
    return render(page, "imports/recorder.html", status, **{**defaults, **values})


@router.get(IMPORT_PAGE)
def import_page(page: ImporterPage) -> Response:
    return _show(page)


@router.post(IMPORT_PAGE)
def import_file(
    page: ImporterPage, form: PostedForm, session: SessionDep, cipher: CipherDep
) -> Response:
    entered: dict[str, Any] = {
        name: text_field(form, name) or "" for name in ("country", "admin_levels")
    }
    dry_run = form.get("action") != "import"
    upload = form.get("file")
    errors: dict[str, str] = {}
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors["file"] = page.t.gettext("Choose the file to import.")
    entered["admin_levels"] = entered["admin_levels"] or ",".join(DEFAULT_ADMIN_LEVELS)
    levels = parse_admin_levels(entered["admin_levels"])
    if levels is None:
        errors["admin_levels"] = page.t.gettext(
            "expected one to three of county, district, camp_town, separated by commas"
        )
    country = service.import_country(session, page.user, entered["country"] or None)
    if country is None:
        errors["country"] = page.t.gettext("must be an ISO 3166-1 alpha-2 country code, e.g. 'ML'")
    entered["skip_non_sexual"] = form.get("skip_non_sexual") == "on"
    if errors or levels is None or country is None or not isinstance(upload, UploadFile):
        # "Import" pressed after a check, the file not chosen again (a browser empties the file
        # input with each page): the button stays, so choosing the file is all that is left.
        again = not dry_run and "file" in errors
        return _show(page, 422, errors=errors, entered=entered, checked=again)
    options = Options(country, levels, entered["skip_non_sexual"])
    try:
        report = service.import_recorder(
            session,
            upload.file,
            upload.filename or "",
            options,
            page.user,
            cipher,
            dry_run=dry_run,
            language=page.t.language,
        )
    except service.ImportRefusedError as refused:
        # Nothing is kept: the page's transaction is rolled back before the report is shown.
        session.rollback()
        report = refused.report
    status = 422 if report.problems or report.problems_not_listed else 200
    return _show(page, status, report=report, entered=entered, checked=_clean_check(report))


def _clean_check(report: ImportReport) -> bool:
    return report.dry_run and not report.problems and not report.problems_not_listed
