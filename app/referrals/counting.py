"""Which referrals count in the figures shown to an organisation.

A referral made to another organisation's service point counts only in the referring
organisation's figures. That organisation can move its status (and date the service) at will, and
watching a table change as it does so would tell which of the referring organisation's incidents
and places the referral belongs to, however the figures are protected (a figure moving from 0 to
"<5" is enough). Left out of the service point's own figures, and out of every third
organisation's too (someone with an account there, or a partner the service point tells, would
watch them instead), it is a constant nobody but the referring organisation can move. A referral
to no point of the directory, or to one of the referring organisation's own, is moved only by the
referring organisation and counts for everyone as usual.
"""

import uuid

from sqlalchemy import ColumnElement, and_, exists, or_

from app.models.referral import Referral, ServicePoint


def counted_referrals(organisation_id: uuid.UUID) -> ColumnElement[bool]:
    """The referrals that count in figures shown to `organisation_id`."""
    referrers_own_point = exists().where(
        and_(
            ServicePoint.id == Referral.service_point_id,
            ServicePoint.organisation_id == Referral.organisation_id,
        )
    )
    return or_(
        Referral.organisation_id == organisation_id,
        Referral.service_point_id.is_(None),
        referrers_own_point,
    )
