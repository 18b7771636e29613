"""Which incidents statistics count, and what other organisations may see of them: each rule
stated once, in SQL and in Python side by side.

Statistics are counted three ways that must give the same figures: from the kept counts, which
add each incident's contribution as it is written (`app/counting/rollup.py`, over the incident's
snapshot, in Python); by counting the incidents themselves (`app/stats/queries.py`, in SQL); and
by the recount that checks and rebuilds the kept counts (`rollup.recount_queries`, in SQL). Each
rule below is one SQL expression and, where the kept counts apply it as they write, one Python
predicate over a snapshot (`app/incidents/history.py` `snapshot`), under one docstring. The
reports on survivor services (app/referrals/reports.py) count with the same SQL.
tests/stats/test_counting_rules.py writes incidents of every shape the rules tell apart through
the API and proves the three ways agree.

- **Counted**: an incident is counted unless archived or marked a duplicate of another (a later
  report of an incident already recorded: its victims are counted once, on the canonical one).
- **Shares statistics**: a victim's data may be counted for other organisations only when the
  survivor granted consent to statistics; refused or never asked is no.
- **Shareable**: other organisations see an incident when one of its victims shares statistics,
  or when it has no victim recorded (nobody to ask). The same holds of a group of an incident's
  victims (those of one category): seen when one of them shares.
- **Basis**: a table counts every incident reported except those discarded, or only those
  verified. The kept counts hold every verification status and apply the basis when read, with
  the same SQL expression over their own column: there is no Python side.

The caller's own organisation's data is counted in full; only the other organisations' part is
narrowed to what is shareable.
"""

from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select

from app.models import Incident, Victim, VictimConsent
from app.models.enums import ConsentKind, VerificationStatus

# Read once: an enum's `value` is a Python property, and `shares_statistics` runs for every victim
# of every incident written or counted.
STATISTICS = ConsentKind.STATISTICS.value

# Counted ----------------------------------------------------------------------------------------


def counted() -> ColumnElement[bool]:
    """Counted: neither archived nor a duplicate (SQL, over `Incident`)."""
    return and_(Incident.archived_at.is_(None), Incident.duplicate_of_id.is_(None))


def is_counted(state: dict[str, Any]) -> bool:
    """Counted: neither archived nor a duplicate (Python, over a snapshot)."""
    return not state.get("archived_at") and not state.get("duplicate_of_id")


# Shares statistics --------------------------------------------------------------------------------


def _granted() -> ColumnElement[bool]:
    return and_(VictimConsent.kind == ConsentKind.STATISTICS, VictimConsent.granted.is_(True))


def statistics_consent() -> ColumnElement[bool]:
    """Shares statistics (SQL, to count victims by group): the condition joining a `Victim` to
    their granted consent to statistics, so that after an outer join a victim shares when
    `VictimConsent.victim_id` is not null."""
    return and_(VictimConsent.victim_id == Victim.id, _granted())


def victim_shares() -> ColumnElement[bool]:
    """Shares statistics (SQL, to select victims one by one): the `Victim` granted consent."""
    return Victim.id.in_(select(VictimConsent.victim_id).where(_granted()))


def shares_statistics(victim: dict[str, Any]) -> bool:
    """Shares statistics (Python, over one victim of a snapshot): consent granted; refused
    (False) or never recorded is no."""
    return victim["consent"].get(STATISTICS) is True


# Shareable --------------------------------------------------------------------------------------


def shareable(victims: Any, shared_victims: Any) -> ColumnElement[bool]:
    """Shareable (SQL): over columns counting an incident's victims (or one group of them) and
    those among them who share statistics: none recorded, or one sharing."""
    return or_(victims == 0, shared_victims > 0)


def is_shareable(victims: int, shared_victims: int) -> bool:
    """Shareable (Python): the same over the numbers of victims and of those sharing."""
    return victims == 0 or shared_victims > 0


# Basis ------------------------------------------------------------------------------------------


class Basis(StrEnum):
    """Which incidents a table counts."""

    ALL_REPORTED = "all_reported"  # every incident reported, except those discarded
    VERIFIED_ONLY = "verified_only"  # only incidents whose verification concluded `verified`


def on_basis(status: Any, basis: str) -> ColumnElement[bool]:
    """On the basis (SQL, over a verification status column: the incidents' or the kept
    counts'): verified for `verified_only`, else anything but discarded."""
    if basis == Basis.VERIFIED_ONLY:
        return status == VerificationStatus.VERIFIED
    return status != VerificationStatus.DISCARDED
