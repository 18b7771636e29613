"""A referral's allowed status moves, as one table, and who may make them."""

from enum import Enum

from app.core.domain_errors import ConflictError, FieldProblem
from app.models.referral import ReferralStatus as S


class Mover(Enum):
    EITHER = "either"  # the referring organisation or the service point's
    REFERRER = "referrer"  # only the organisation that holds the survivor's file


TRANSITIONS: dict[tuple[S, S], Mover] = {
    (S.REFERRED, S.ACCEPTED): Mover.EITHER,
    (S.REFERRED, S.SERVICE_UNAVAILABLE): Mover.EITHER,
    (S.REFERRED, S.DECLINED_BY_SURVIVOR): Mover.EITHER,
    (S.REFERRED, S.NOT_APPLICABLE): Mover.REFERRER,
    (S.REFERRED, S.ALREADY_RECEIVED_FROM_ANOTHER_AGENCY): Mover.REFERRER,
    (S.ACCEPTED, S.SERVICE_PROVIDED): Mover.EITHER,
    (S.ACCEPTED, S.DECLINED_BY_SURVIVOR): Mover.EITHER,
    (S.ACCEPTED, S.SERVICE_UNAVAILABLE): Mover.EITHER,
}
# Every other status is an outcome: nothing moves on from it (a new need is a new referral).
FIRST_STATUS = S.REFERRED


def allowed_from(status: S, by_service_point: bool = False) -> list[S]:
    return [
        to
        for (frm, to), mover in TRANSITIONS.items()
        if frm == status and (mover is Mover.EITHER or not by_service_point)
    ]


def check_move(current: S, to: S, by_service_point: bool) -> None:
    """Refuse a move the table does not allow, or one the caller's side may not make."""
    if to in allowed_from(current, by_service_point):
        return
    allowed = ", ".join(s.value for s in allowed_from(current, by_service_point)) or "none"
    raise ConflictError(
        f"A referral cannot go from {current.value} to {to.value} "
        f"(allowed from {current.value}: {allowed})",
        [FieldProblem(("body", "status"), "transition not allowed", "transition")],
    )
