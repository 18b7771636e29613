"""Which referrals count in the figures shown to an organisation.

A referral made by another organisation to one of the caller's own service points is left out of
the caller's figures: the caller can move its status (and date the service) at will, and watching
a table change as it does so would tell which of the other organisation's incidents and places the
referral belongs to, however the figures are protected (a figure moving from 0 to "<5" is enough).
Left out, it is a constant the caller cannot move. The referring organisation counts it as usual.
"""

import uuid

from sqlalchemy import ColumnElement, or_, select

from app.models.referral import Referral, ServicePoint


def counted_referrals(organisation_id: uuid.UUID) -> ColumnElement[bool]:
    """The referrals that count in figures shown to `organisation_id`."""
    own_points = select(ServicePoint.id).where(ServicePoint.organisation_id == organisation_id)
    return or_(
        Referral.organisation_id == organisation_id,
        Referral.service_point_id.is_(None),
        Referral.service_point_id.not_in(own_points),
    )
