"""The directory of service points: visible to every account, edited by the organisation that
runs each point. It holds no survivor data."""

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.core.auth import Principal
from app.core.domain_errors import NotAllowedError, NotFoundError
from app.core.versioning import BasedOn
from app.models.base import utcnow
from app.models.referral import ServicePoint, ServicePointKind
from app.referrals.schemas import DirectoryQuery, ServicePointCreate, ServicePointUpdate

DIRECTORY_LIMIT = 500
REQUIRED = frozenset({"name", "country", "operating", "clinical_management_of_rape"})


def create_point(session: Session, data: ServicePointCreate, principal: Principal) -> ServicePoint:
    values = data.model_dump(exclude={"kinds"})
    point = ServicePoint(
        **values,
        organisation_id=principal.organisation_id,
        kind_rows=[ServicePointKind(kind=kind) for kind in data.kinds],
    )
    session.add(point)
    session.flush()
    record(
        session,
        "service_point.create",
        actor=principal,
        record_type="service_point",
        record_id=point.id,
        fields=sorted(data.model_fields_set),
    )
    return point


def get_point(session: Session, point_id: uuid.UUID) -> ServicePoint:
    point = session.get(ServicePoint, point_id)
    if point is None:
        raise NotFoundError("Service point")
    return point


def update_point(
    session: Session,
    point: ServicePoint,
    data: ServicePointUpdate,
    principal: Principal,
    based: BasedOn,
) -> ServicePoint:
    """Who may change the point is asked before the version: another organisation, which can
    never change it, is not told to reload and reapply its change."""
    if point.organisation_id != principal.organisation_id:
        raise NotAllowedError("Only the organisation that runs a service point may change it")
    based.refuse_if_stale(point.version)
    sent = data.model_dump(exclude_unset=True, exclude={"version", "kinds"})
    for name, value in sent.items():
        if value is None and name in REQUIRED:
            continue  # required fields: null leaves them as they are
        setattr(point, name, value)
    if data.kinds is not None:
        current = {row.kind: row for row in point.kind_rows}
        point.kind_rows = [current.get(k) or ServicePointKind(kind=k) for k in data.kinds]
    point.updated_at = utcnow()
    session.flush()
    record(
        session,
        "service_point.update",
        actor=principal,
        record_type="service_point",
        record_id=point.id,
        fields=sorted(data.model_fields_set - {"version"}),
    )
    return point


def search(session: Session, query: DirectoryQuery) -> list[ServicePoint]:
    """Service points matching every criterion given, by place then name."""
    select_points = select(ServicePoint)
    if query.country:
        select_points = select_points.where(ServicePoint.country == query.country)
    if query.admin1:
        select_points = select_points.where(func.lower(ServicePoint.admin1) == query.admin1.lower())
    if query.admin2:
        select_points = select_points.where(func.lower(ServicePoint.admin2) == query.admin2.lower())
    if query.operating is not None:
        select_points = select_points.where(ServicePoint.operating.is_(query.operating))
    if query.kind:
        select_points = select_points.where(
            ServicePoint.kind_rows.any(ServicePointKind.kind == query.kind)
        )
    if query.name:
        pattern = "%" + query.name.lower().replace("%", "").replace("_", "") + "%"
        select_points = select_points.where(func.lower(ServicePoint.name).like(pattern))
    ordered = select_points.order_by(
        ServicePoint.country, ServicePoint.admin1, ServicePoint.admin2, ServicePoint.name
    )
    return list(session.scalars(ordered.limit(DIRECTORY_LIMIT)))
