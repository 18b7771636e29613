"""Password hashing (Argon2id) and bearer token material."""

import hashlib
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.core.config import Settings


@lru_cache
def _hasher(memory_kib: int, time_cost: int) -> PasswordHasher:
    return PasswordHasher(memory_cost=memory_kib, time_cost=time_cost, parallelism=1)


def password_hasher(settings: Settings) -> PasswordHasher:
    return _hasher(settings.password_hash_memory_kib, settings.password_hash_time_cost)


def hash_password(settings: Settings, password: str) -> str:
    return password_hasher(settings).hash(password)


def verify_password(settings: Settings, password_hash: str, password: str) -> bool:
    try:
        return password_hasher(settings).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def burn_password_check(settings: Settings, password: str) -> None:
    """Spend the time of a real check, so an unknown username is not told apart by timing."""
    verify_password(settings, _decoy_hash(settings), password)


@lru_cache
def _decoy_hash_for(memory_kib: int, time_cost: int) -> str:
    return _hasher(memory_kib, time_cost).hash(secrets.token_urlsafe(16))


def _decoy_hash(settings: Settings) -> str:
    return _decoy_hash_for(settings.password_hash_memory_kib, settings.password_hash_time_cost)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
