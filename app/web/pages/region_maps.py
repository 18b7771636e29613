"""Region maps: the organisation's boundaries of a country's regions (admin1), uploaded as a
GeoJSON by advisers and admins, on which the trends page draws its map. The file is read as data
and only each area's P-code, name and rings are kept (app/region_maps/geojson.py)."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from app.core.db import SessionDep
from app.core.domain_errors import DomainError, FieldProblem, InvalidFieldsError
from app.core.errors import http_status
from app.core.i18n import N_
from app.core.permissions import Permission
from app.region_maps import service
from app.region_maps.geojson import MAX_AREAS, MAX_FILE_BYTES
from app.web.forms import errors_from_problems, filled_in
from app.web.rendering import redirect, render
from app.web.session import PageContext, page_for, posted_form_for

router = APIRouter(include_in_schema=False)
MapPage = Annotated[PageContext, Depends(page_for(Permission.MAP_WRITE))]
MAPS_PAGE = "/statistics/maps"
# The file and the form around it (fields, multipart boundaries).
MAX_MAP_UPLOAD_BYTES = MAX_FILE_BYTES + 64_000
FIELDS = ("country", "code_property", "name_property")
DEFAULTS = {"country": "ML", "code_property": "ADM1_PCODE", "name_property": ""}


PostedForm = posted_form_for(MapPage)


def _show(
    page: PageContext,
    session: SessionDep,
    status: int = 200,
    errors: dict[str, str] | None = None,
    entered: dict[str, str] | None = None,
) -> Response:
    return render(
        page,
        "stats/maps.html",
        status,
        maps=service.list_maps(session, page.user),
        errors=errors or {},
        entered=entered or DEFAULTS,
        saved=page.request.query_params.get("saved"),
        limits={"megabytes": MAX_FILE_BYTES // 1_000_000, "areas": MAX_AREAS},
    )


@router.get(MAPS_PAGE)
def maps_page(page: MapPage, session: SessionDep) -> Response:
    return _show(page, session)


@router.post(MAPS_PAGE)
def upload_map(page: MapPage, form: PostedForm, session: SessionDep) -> Response:
    entered = {name: value or "" for name, value in filled_in(form, FIELDS).items()}
    upload = form.get("file")
    try:
        fields = service.check_upload(
            entered.get("country", ""),
            entered.get("code_property", ""),
            entered.get("name_property", ""),
        )
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidFieldsError([FieldProblem(("body", "file"), N_("choose a file"))])
        region_map = service.save_map(
            session, fields, upload.file.read(MAX_FILE_BYTES + 1), page.user
        )
    except DomainError as error:
        session.rollback()
        errors = errors_from_problems(page.t, error.errors)
        return _show(page, session, http_status(error), errors, {**DEFAULTS, **entered})
    return redirect(f"{MAPS_PAGE}?saved={region_map.country}")
