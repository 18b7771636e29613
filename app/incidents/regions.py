"""A region typed in the list's filter, matched to the spelling its incidents carry.

The filter compares regions exactly (as statistics do), so "gao" or "Menaka" typed in a hurry
found nothing where the incidents say "Gao" and "Ménaka". When nothing matches, the page looks
the typed names up among the regions the caller's incidents are recorded under, case, accents and
spacing aside (`place_key`, as the region maps match names).
"""

from sqlalchemy.orm import Session

from app.core.auth import Principal
from app.core.place_names import place_key
from app.incidents.service import readable_incidents
from app.models import Incident


def recorded_spellings(session: Session, principal: Principal, typed: list[str]) -> list[str]:
    """Each typed region as the caller's incidents spell it (every spelling recorded for it), or
    as typed when none matches, so that the list still says that nothing matches."""
    query = (
        readable_incidents(principal)
        .with_only_columns(Incident.admin1)
        .where(Incident.admin1.is_not(None))
        .distinct()
    )
    by_key: dict[str, list[str]] = {}
    for name in session.scalars(query):
        by_key.setdefault(place_key(name), []).append(name)
    spellings: list[str] = []
    for name in typed:
        for spelling in sorted(by_key.get(place_key(name), [name])):
            if spelling not in spellings:
                spellings.append(spelling)
    return spellings
