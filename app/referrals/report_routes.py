"""The 72-hour indicator and the service gaps report, as JSON and CSV."""

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.auth import Principal, require
from app.core.config import API_PREFIX
from app.core.db import SessionDep
from app.core.permissions import Permission
from app.incidents.schemas import CountryCode
from app.referrals import export, reports
from app.referrals.schemas import Place

router = APIRouter(prefix=f"{API_PREFIX}/reports", tags=["service reports"])
Reader = Annotated[Principal, Depends(require(Permission.STATS_READ))]
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}}}}


class GroupBy(StrEnum):
    PERIOD = "period"
    REGION = "region"
    ORGANISATION = "organisation"  # yours, or other organisations' together


class PeriodUnit(StrEnum):
    YEAR = "year"
    MONTH = "month"


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occurred_from: date | None = None
    occurred_to: date | None = None
    country: CountryCode | None = None
    admin1: Place | None = None

    @field_validator("occurred_to")
    @classmethod
    def _in_order(cls, value: date | None, info: Any) -> date | None:
        start = info.data.get("occurred_from")
        if value and start and start > value:
            raise ValueError("must not be before occurred_from")
        return value

    def period(self) -> reports.Period:
        return reports.Period(self.occurred_from, self.occurred_to, self.country, self.admin1)


class IndicatorQuery(ReportQuery):
    group_by: list[GroupBy] = Field(default=[], max_length=3)
    period_unit: PeriodUnit = PeriodUnit.YEAR


def _indicator(request: Request, session: SessionDep, reader: Reader, q: IndicatorQuery) -> Any:
    return reports.seventy_two_hours(
        session,
        q.period(),
        reader.organisation_id,
        [g.value for g in dict.fromkeys(q.group_by)],
        q.period_unit.value,
        request.app.state.settings.suppression_k,
    )


@router.get("/72-hours")
def seventy_two_hours(
    request: Request,
    session: SessionDep,
    reader: Reader,
    query: Annotated[IndicatorQuery, Query()],
) -> dict[str, Any]:
    """Of the victims of rape (form `rape` or GBVIMS type `rape`) who reported within 72 hours
    of the incident, how many received health care (a `health_medical` referral with the service
    provided) within 72 hours and within 120 hours, counted on dates (three and five days).
    Incidents dated only to the month or year are counted as `unknown_timing`, never guessed.
    Exact for your organisation; other organisations' part is protected as in `/stats`."""
    return dict(_indicator(request, session, reader, query))


@router.get("/72-hours.csv", response_class=Response, responses=CSV_RESPONSE)
def seventy_two_hours_csv(
    request: Request,
    session: SessionDep,
    reader: Reader,
    query: Annotated[IndicatorQuery, Query()],
) -> Response:
    """The 72-hour indicator as CSV: one row per group, then the total."""
    return export.indicator_csv(_indicator(request, session, reader, query))


class ReferralDimension(StrEnum):
    SERVICE_KIND = "service_kind"
    REFERRAL_STATUS = "referral_status"


class ReferralsQuery(ReportQuery):
    group_by: ReferralDimension = ReferralDimension.SERVICE_KIND


@router.get("/referrals")
def referrals_by(
    request: Request,
    session: SessionDep,
    reader: Reader,
    query: Annotated[ReferralsQuery, Query()],
) -> dict[str, Any]:
    """Victims referred, and victims who received a service (a referral whose service was
    provided), by `service_kind` or `referral_status`, for incidents in the period. A victim
    counts once per group and once in the total. Counted from the records (not the statistics'
    kept counts), protected for other organisations' data as in `/stats`."""
    return reports.referrals_by(
        session,
        query.period(),
        reader.organisation_id,
        query.group_by.value,
        request.app.state.settings.suppression_k,
    )


def _gaps(request: Request, session: SessionDep, reader: Reader, q: ReportQuery) -> Any:
    return reports.service_gaps(
        session, q.period(), reader.organisation_id, request.app.state.settings.suppression_k
    )


@router.get("/service-gaps")
def service_gaps(
    request: Request, session: SessionDep, reader: Reader, query: Annotated[ReportQuery, Query()]
) -> dict[str, Any]:
    """For each district (region, district) where incidents were recorded in the period, the
    kinds of service with no operating point there (and in its region), the incidents and
    victims recorded, and the share of these localities with no service point at all."""
    return dict(_gaps(request, session, reader, query))


@router.get("/service-gaps.csv", response_class=Response, responses=CSV_RESPONSE)
def service_gaps_csv(
    request: Request, session: SessionDep, reader: Reader, query: Annotated[ReportQuery, Query()]
) -> Response:
    """The service gaps as CSV: one row per locality."""
    return export.gaps_csv(_gaps(request, session, reader, query))
