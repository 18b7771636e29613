"""Logging in and out: password checks, rate limiting of failures, token issue and revocation."""

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth import second_factor
from app.auth.schemas import TokenIssued
from app.core.auth import Principal
from app.core.config import Settings
from app.core.crypto import FieldCipher
from app.core.domain_errors import (
    ConflictError,
    FieldProblem,
    InvalidFieldsError,
    TooManyAttemptsError,
)
from app.core.security import (
    burn_password_check,
    hash_password,
    new_token,
    password_hasher,
    token_digest,
    verify_password,
)
from app.models import AuthToken, LoginFailure, User
from app.models.base import utcnow


@dataclass(frozen=True)
class LoginRefused:
    user: User | None  # the account the attempt named, if it exists
    retry_after_seconds: int | None = None  # set when refused for too many failures
    # The password was right but the account has a second factor and no valid code came with it.
    needs_one_time_code: bool = False


def normalise_username(username: str) -> str:
    return username.strip().casefold()


def log_in(
    session: Session,
    settings: Settings,
    username: str,
    password: str,
    client: str,
    *,
    cipher: FieldCipher | None = None,
    one_time_code: str | None = None,
) -> tuple[User, TokenIssued] | LoginRefused:
    username = normalise_username(username)
    client = client_key(client)
    user = session.scalar(select(User).where(User.username == username))
    retry_after = _seconds_until_allowed(session, settings, username, client)
    if retry_after is not None:
        return LoginRefused(user, retry_after)
    if user is None or not user.is_active:
        burn_password_check(settings, password)
        _record_failure(session, settings, username, client)
        return LoginRefused(user)
    if not verify_password(settings, user.password_hash, password):
        _record_failure(session, settings, username, client)
        return LoginRefused(user)
    factor = second_factor.confirmed_factor(session, user.id)
    if factor is not None:
        if not one_time_code:
            return LoginRefused(user, needs_one_time_code=True)
        if cipher is None or not second_factor.accept_code(session, cipher, factor, one_time_code):
            # A wrong code counts as a failure: codes are short, guessing them must be slow.
            _record_failure(session, settings, username, client)
            return LoginRefused(user, needs_one_time_code=True)

    # Only this client's failures are forgiven: an attacker elsewhere keeps their count.
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.username_digest == token_digest(username), LoginFailure.client == client
        )
    )
    if password_hasher(settings).check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(settings, password)
    user.last_login_at = utcnow()
    return user, issue_token(session, settings, user)


def client_key(address: str) -> str:
    """What failed logins are counted under: the IPv4 address, or the IPv6 /64 network.

    One IPv6 subscriber commonly holds a whole /64: counting each address apart would give them
    billions of fresh counters.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def log_in_audited(
    session: Session,
    settings: Settings,
    username: str,
    password: str,
    client: str,
    *,
    cipher: FieldCipher | None = None,
    one_time_code: str | None = None,
) -> tuple[User, TokenIssued] | LoginRefused:
    """`log_in`, with its outcome written to the audit trail (API and web pages alike)."""
    outcome = log_in(
        session, settings, username, password, client, cipher=cipher, one_time_code=one_time_code
    )
    if isinstance(outcome, LoginRefused):
        blocked = outcome.retry_after_seconds is not None
        record(
            session,
            "auth.login_blocked" if blocked else "auth.login_failed",
            actor=None,
            # An unknown "username" may be a mistyped password: it is not written down.
            actor_username=outcome.user.username if outcome.user else None,
            record_type="user" if outcome.user else None,
            record_id=outcome.user.id if outcome.user else None,
        )
        return outcome
    user, _token = outcome
    record(
        session,
        "auth.login",
        actor=None,
        actor_username=user.username,
        record_type="user",
        record_id=user.id,
    )
    return outcome


def log_out(session: Session, principal: Principal) -> None:
    """Revoke the token the caller used, and say so in the audit trail."""
    revoke_token(session, principal.token_hash)
    record(session, "auth.logout", actor=principal, record_type="user", record_id=principal.user_id)


def issue_token(session: Session, settings: Settings, user: User) -> TokenIssued:
    token = new_token()
    ttl = timedelta(minutes=settings.token_ttl_minutes)
    row = AuthToken(token_hash=token_digest(token), user_id=user.id, expires_at=utcnow() + ttl)
    session.add(row)
    session.flush()
    return TokenIssued(
        access_token=token,
        expires_at=row.expires_at,
        expires_in=int(ttl.total_seconds()),
        password_change_required=user.password_change_required,
    )


def revoke_token(session: Session, token_hash: str) -> None:
    session.execute(
        update(AuthToken)
        .where(AuthToken.token_hash == token_hash, AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


# As app/users/schemas.py: Password, which an admin's reset goes through.
PASSWORD_LENGTHS = (12, 256)


class WrongPasswordError(InvalidFieldsError):
    """The password asked again is not the user's. The failure is already counted (as a failed
    login) in the request's transaction: whoever catches it commits, without rolling back, what
    the request did, which is nothing else (the password is asked before anything changes)."""

    def __init__(self, field: str, others: list[FieldProblem] | None = None) -> None:
        super().__init__(
            [FieldProblem(("body", field), "This is not your password"), *(others or [])]
        )


class TooManyFailuresError(TooManyAttemptsError):
    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__("Too many failed logins; try again later.", retry_after_seconds)


def recheck_password(
    session: Session, settings: Settings, principal: Principal, password: str, client: str
) -> User:
    """The signed-in user, if `password` is theirs (else WrongPasswordError naming `password`).

    The password is asked again before what guards the account changes, so that a stolen session
    cannot take the account over; were these checks not counted as failed logins are, that
    session could try passwords as fast as the server hashes them.
    """
    retry_after = _seconds_until_allowed(
        session, settings, normalise_username(principal.username), client_key(client)
    )
    if retry_after is not None:
        raise TooManyFailuresError(retry_after)
    user = session.get(User, principal.user_id)
    if user is None or not verify_password(settings, user.password_hash, password):
        # Counted before the failure counts are let go (at the commit): counted after a
        # rollback, attempts at once each found the count without the others' failures.
        _count_wrong_password(session, settings, principal, client)
        raise WrongPasswordError("password")
    return user


def _count_wrong_password(
    session: Session, settings: Settings, principal: Principal, client: str
) -> None:
    """Count a wrong password asked again as a failed login of this user from this client."""
    _record_failure(session, settings, normalise_username(principal.username), client_key(client))
    record(
        session,
        "auth.password_check_failed",
        actor=principal,
        record_type="user",
        record_id=principal.user_id,
    )


def change_own_password(
    session: Session,
    settings: Settings,
    principal: Principal,
    passwords: tuple[str, str, str],
    client: str,
) -> None:
    """A user changes their own password, proving they know the current one.

    `passwords` are the current one, the new one and the new one repeated. Every other session
    of theirs is closed (a password is changed when it may be known to someone else); the one
    they are using stays open.
    """
    current_password, new_password, repeated_password = passwords
    problems = []
    shortest, longest = PASSWORD_LENGTHS
    if not shortest <= len(new_password) <= longest:
        problems.append(
            FieldProblem(
                ("body", "new_password"),
                "Between {min_length} and {max_length} characters.",
                values={"min_length": str(shortest), "max_length": str(longest)},
            )
        )
    elif repeated_password != new_password:
        problems.append(FieldProblem(("body", "repeated_password"), "The two new passwords differ"))
    elif new_password == current_password:
        # Else whoever chose a password for someone could "change" it to itself, and use the
        # account while its holder, signing in with the same one, noticed nothing.
        problems.append(
            FieldProblem(("body", "new_password"), "Must differ from the current password")
        )
    try:
        user = recheck_password(session, settings, principal, current_password, client)
    except WrongPasswordError:
        raise WrongPasswordError("current_password", problems) from None
    if problems:
        raise InvalidFieldsError(problems)
    # Only if the hash is still the one just checked: of two changes at once, the second would
    # otherwise also succeed, each closing the other's session, leaving a password nobody chose
    # last knowingly and the user signed out everywhere.
    changed = session.execute(
        update(User)
        .where(User.id == user.id, User.password_hash == user.password_hash)
        .values(password_hash=hash_password(settings, new_password), password_change_required=False)
        .execution_options(synchronize_session=False)
    )
    if not getattr(changed, "rowcount", 0):
        raise ConflictError("Your password was changed meanwhile: sign in again with the new one")
    session.expire(user, ["password_hash", "password_change_required"])
    session.execute(
        update(AuthToken)
        .where(
            AuthToken.user_id == user.id,
            AuthToken.revoked_at.is_(None),
            AuthToken.token_hash != principal.token_hash,
        )
        .values(revoked_at=utcnow())
    )
    session.flush()
    record(
        session,
        "user.password_change",
        actor=principal,
        record_type="user",
        record_id=user.id,
        fields=["password"],
    )


def revoke_all_tokens(session: Session, user: User) -> int:
    result = session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user.id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _record_failure(session: Session, settings: Settings, username: str, client: str) -> None:
    # Failures older than the window count for nothing: forget them as new ones arrive, so the
    # table holds one window's worth (the delete is cheap on a table that small).
    session.execute(delete(LoginFailure).where(LoginFailure.at <= _window_start(settings)))
    session.add(LoginFailure(username_digest=token_digest(username), client=client))
    session.flush()


# Mixed into the advisory lock key of a client's failure counts: the lock is theirs alone.
FAILURES_LOCK = 0x10C1_FA11


def _hold_failures_of(session: Session, client: str) -> None:
    """Hold the client's failure counts to the end of the transaction, before counting them.

    Both limits count failures from the client. Attempts from it at once would otherwise each
    count the same failures, none seeing the others' (not yet committed), and all be checked:
    eight wrong passwords at once were eight tries where five are allowed, so an attacker sending
    them in bursts guessed without limit. Held, the attempts are checked one after the other,
    each counting the failures of those before; a client's logins wait only for its own.
    SQLite: the one write lock, taken by a write that changes nothing."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE login_failures SET id = id WHERE 0"))
        return
    digest = bytes.fromhex(token_digest(f"login failures of {client}"))
    key = int.from_bytes(digest[:8], "big", signed=True) ^ FAILURES_LOCK
    session.execute(select(func.pg_advisory_xact_lock(key)))


def _window_start(settings: Settings) -> datetime:
    return utcnow() - timedelta(minutes=settings.login_window_minutes)


def _seconds_until_allowed(
    session: Session, settings: Settings, username: str, client: str
) -> int | None:
    """None if an attempt is allowed now, else the seconds until the oldest failure ages out.

    Failures are counted per account *from this client* and per client over all accounts, never
    per account alone: someone guessing from elsewhere slows themselves down, not the owner.
    The counts are held from here to the end of the transaction (`_hold_failures_of`).
    """
    _hold_failures_of(session, client)
    window_start = _window_start(settings)
    limits = (
        (
            (LoginFailure.username_digest == token_digest(username), LoginFailure.client == client),
            settings.login_max_failures_per_user_and_client,
        ),
        ((LoginFailure.client == client,), settings.login_max_failures_per_client),
    )
    for conditions, limit in limits:
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(
                *conditions, LoginFailure.at > window_start
            )
        ).one()
        if count >= limit:
            # The window slides: the oldest failure leaving it frees one attempt.
            return max(1, math.ceil((oldest - window_start).total_seconds()))
    return None
