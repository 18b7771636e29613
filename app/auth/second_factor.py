"""Second factors: time-based one-time codes (TOTP, RFC 6238) for users who read survivor identity.

A user whose roles read identity may enrol: the service makes a secret, shows it once (and as an
`otpauth://` URI for an authenticator app), and counts it only after a code from it is confirmed.
From then on logging in needs a current code as well as the password. An organisation may require
it: its identity readers without a confirmed second factor then keep their other permissions but
cannot read or write identity until they enrol.

The secret is stored encrypted with the cipher of survivor data. A code is accepted once: the
30-second step it belongs to is kept, and an older or equal step is refused.
"""

import uuid
from dataclasses import dataclass

import pyotp
from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from app.audit.service import record
from app.core.auth import PasswordChangeRequiredError, Principal
from app.core.config import Settings
from app.core.crypto import FieldCipher
from app.core.domain_errors import ConflictError, FieldProblem, InvalidFieldsError, NotAllowedError
from app.core.permissions import Permission, permissions_for
from app.models import SecondFactor, SecondFactorPolicy, User
from app.models.base import utcnow
from app.models.enums import Role

ISSUER = "crsv-registry"
# A code from the step before or after the server's is accepted: clocks drift on phones.
VALID_WINDOW = 1


@dataclass(frozen=True)
class Enrolment:
    secret: str
    otpauth_uri: str


class SecondFactorNotForRoleError(NotAllowedError):
    def __init__(self) -> None:
        super().__init__(
            "A second factor is for roles that read survivor identity (identity:read)",
        )


def may_enrol(roles: list[Role] | frozenset[Role]) -> bool:
    return Permission.IDENTITY_READ in permissions_for(list(roles))


def start_enrolment(
    session: Session,
    settings: Settings,
    cipher: FieldCipher,
    principal: Principal,
    password: str,
    client: str,
) -> Enrolment:
    """Make a new secret (replacing one not yet confirmed); it counts once a code confirms it.

    The password is asked again: someone holding a stolen session must not be able to put a
    factor of theirs on the account and so lock its owner out.
    """
    if principal.password_change_required:
        # Whoever chose the password could otherwise put their factor on the account first.
        raise PasswordChangeRequiredError()
    if not may_enrol(principal.roles):
        raise SecondFactorNotForRoleError()
    # Here, not at the top: the login service imports this module.
    from app.auth.service import recheck_password

    recheck_password(session, settings, principal, password, client)
    factor = session.get(SecondFactor, principal.user_id)
    if factor is not None and factor.confirmed_at is not None:
        raise ConflictError(
            "A second factor is already in use; an operator can reset it "
            "(crsv-registry reset-second-factor)"
        )
    secret = pyotp.random_base32()
    ciphertext = cipher.encrypt_json({"totp_secret": secret})
    if factor is None:
        session.add(SecondFactor(user_id=principal.user_id, secret_ciphertext=ciphertext))
    else:
        factor.secret_ciphertext, factor.last_used_step = ciphertext, None
    session.flush()
    record(
        session,
        "second_factor.start",
        actor=principal,
        record_type="user",
        record_id=principal.user_id,
    )
    uri = pyotp.TOTP(secret).provisioning_uri(name=principal.username, issuer_name=ISSUER)
    return Enrolment(secret=secret, otpauth_uri=uri)


def confirm_enrolment(
    session: Session, cipher: FieldCipher, principal: Principal, code: str
) -> None:
    factor = session.get(SecondFactor, principal.user_id)
    if factor is None or factor.confirmed_at is not None:
        raise ConflictError("No second factor is waiting for confirmation: start an enrolment")
    if not accept_code(session, cipher, factor, code):
        raise InvalidFieldsError([FieldProblem(("body", "code"), "This code is not valid now")])
    factor.confirmed_at = utcnow()
    session.flush()
    record(
        session,
        "second_factor.confirm",
        actor=principal,
        record_type="user",
        record_id=principal.user_id,
    )


def reset(session: Session, user: User) -> bool:
    """Remove a user's second factor (a lost phone), from the command line; they enrol again."""
    factor = session.get(SecondFactor, user.id)
    if factor is None:
        return False
    session.delete(factor)
    session.flush()
    record(session, "second_factor.reset", actor=None, record_type="user", record_id=user.id)
    return True


def confirmed_factor(session: Session, user_id: uuid.UUID) -> SecondFactor | None:
    factor = session.get(SecondFactor, user_id)
    return factor if factor is not None and factor.confirmed_at is not None else None


def accept_code(session: Session, cipher: FieldCipher, factor: SecondFactor, code: str) -> bool:
    """True if `code` is current and newer than the last one accepted (which it then becomes)."""
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(cipher.decrypt_json(factor.secret_ciphertext)["totp_secret"])
    now = utcnow()
    current_step = totp.timecode(now)
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        step = current_step + offset
        if factor.last_used_step is not None and step <= factor.last_used_step:
            continue
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return _claim_step(session, factor, step)
    return False


def _claim_step(session: Session, factor: SecondFactor, step: int) -> bool:
    """Make `step` the last one used, unless a request that read the same row claimed it (or a
    later one) first: the database decides, so logins sending one code at once get in once."""
    claimed = session.execute(
        update(SecondFactor)
        .where(
            SecondFactor.user_id == factor.user_id,
            or_(SecondFactor.last_used_step.is_(None), SecondFactor.last_used_step < step),
        )
        .values(last_used_step=step)
        .execution_options(synchronize_session=False)
    )
    session.expire(factor, ["last_used_step"])
    return bool(getattr(claimed, "rowcount", 0))


def policy_requires(session: Session, organisation_id: uuid.UUID) -> bool:
    policy = session.get(SecondFactorPolicy, organisation_id)
    return policy is not None and policy.required_for_identity_readers


def set_policy(session: Session, admin: Principal, required: bool) -> bool:
    """Require (or not) a second factor of the admin's own organisation's identity readers."""
    policy = session.get(SecondFactorPolicy, admin.organisation_id)
    if policy is None:
        policy = SecondFactorPolicy(organisation_id=admin.organisation_id)
        session.add(policy)
    policy.required_for_identity_readers = required
    session.flush()
    record(
        session,
        "second_factor.policy",
        actor=admin,
        record_type="organisation",
        record_id=admin.organisation_id,
        details={"required_for_identity_readers": required},
    )
    return required
