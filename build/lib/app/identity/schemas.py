from app.incidents.schemas import ConsentIn, IdentityIn


class IdentityRead(IdentityIn):
    """What is on file; every read of it is written to the audit trail."""


__all__ = ["ConsentIn", "IdentityIn", "IdentityRead"]
