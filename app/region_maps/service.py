"""An organisation's region maps: one per country, replaced by a new upload, read only by the
organisation that uploaded it. Flushes, never commits; audited by field name."""

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.core.auth import Principal
from app.core.countries import normalise_country_code
from app.core.domain_errors import FieldProblem, InvalidFieldsError
from app.core.i18n import N_
from app.models.region_map import RegionMap
from app.region_maps.geojson import read_areas

RECORD_TYPE = "region_map"
MAX_PROPERTY_LENGTH = 100


@dataclass(frozen=True)
class MapUpload:
    country: str
    code_property: str
    name_property: str | None


def check_upload(country: str, code_property: str, name_property: str) -> MapUpload:
    """The form's fields, each refused by name."""
    problems = []
    try:
        code = normalise_country_code(country)
    except ValueError as error:
        problems.append(FieldProblem(("body", "country"), str(error)))
        code = ""
    names = {"code_property": code_property.strip(), "name_property": name_property.strip()}
    if not names["code_property"]:
        problems.append(FieldProblem(("body", "code_property"), N_("is required")))
    for field, value in names.items():
        if len(value) > MAX_PROPERTY_LENGTH:
            problems.append(
                FieldProblem(
                    ("body", field),
                    N_("must be at most {limit} characters"),
                    values={"limit": str(MAX_PROPERTY_LENGTH)},
                )
            )
    if problems:
        raise InvalidFieldsError(problems)
    return MapUpload(code, names["code_property"], names["name_property"] or None)


def save_map(session: Session, upload: MapUpload, data: bytes, principal: Principal) -> RegionMap:
    """Read the file and keep its areas as the organisation's map of the country (replacing
    the one before)."""
    areas = read_areas(data, upload.code_property, upload.name_property)
    region_map = find_map(session, principal, upload.country)
    created = region_map is None
    if region_map is None:
        region_map = RegionMap(organisation_id=principal.organisation_id, country=upload.country)
        session.add(region_map)
    region_map.code_property = upload.code_property
    region_map.name_property = upload.name_property
    region_map.areas = json.dumps([area.as_json() for area in areas], separators=(",", ":"))
    region_map.area_count = len(areas)
    region_map.vertex_count = sum(
        len(ring) for area in areas for polygon in area.polygons for ring in polygon
    )
    region_map.uploaded_by_id = principal.user_id
    session.flush()
    record(
        session,
        "region_map.create" if created else "region_map.replace",
        actor=principal,
        record_type=RECORD_TYPE,
        record_id=region_map.id,
        fields=["country", "code_property", "name_property", "areas"],
        details={"country": upload.country, "areas": len(areas)},
    )
    return region_map


def find_map(session: Session, principal: Principal, country: str) -> RegionMap | None:
    return session.scalar(
        select(RegionMap).where(
            RegionMap.organisation_id == principal.organisation_id, RegionMap.country == country
        )
    )


def list_maps(session: Session, principal: Principal) -> list[RegionMap]:
    return list(
        session.scalars(
            select(RegionMap)
            .where(RegionMap.organisation_id == principal.organisation_id)
            .order_by(RegionMap.country)
        )
    )


def areas_of(region_map: RegionMap) -> list[dict[str, Any]]:
    return list(json.loads(region_map.areas))
