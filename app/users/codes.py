"""An organisation's reference code: the part of its incidents' references that says whose."""

import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Organisation

MAX_CODE = 8
MAX_INITIALS = 6  # leaves room for a number when two organisations share initials


def initials(name: str) -> str:
    """'Mission human rights division' -> 'MHRD': the first letter or digit of each word."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    letters = [next((c for c in word if c.isalnum()), "") for word in folded.split()]
    code = "".join(letters).upper()[:MAX_INITIALS]
    if len(code) < 2:
        code = "".join(c for c in folded if c.isalnum()).upper()[:MAX_INITIALS]
    return code if len(code) >= 2 else "ORG"


def free_code(session: Session, name: str) -> str:
    """The name's initials, numbered (MHRD2, MHRD3...) if another organisation holds them."""
    base = initials(name)
    taken = set(
        session.scalars(
            select(Organisation.reference_code).where(Organisation.reference_code.like(f"{base}%"))
        )
    )
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base[: MAX_CODE - len(str(number))]}{number}"
    return candidate


def code_taken(session: Session, code: str) -> bool:
    return (
        session.scalar(select(Organisation.id).where(Organisation.reference_code == code))
        is not None
    )
