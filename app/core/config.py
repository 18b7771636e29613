"""Settings read from the environment (and an optional `.env` file)."""

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Every API route lives under this prefix; feature routers include it in their own prefix so
# that a route's path (used in logs and permission tables) is the full, public one.
API_PREFIX = "/api/v1"
EMBEDDED_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'data' / 'crsv-registry.sqlite3'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default=EMBEDDED_DATABASE_URL,
        description="SQLAlchemy URL. PostgreSQL in production; an embedded SQLite file when unset.",
    )
    # A PostgreSQL streaming replica of DATABASE_URL that statistics (the /stats routes, the
    # statistics and trends pages, the drafted paragraphs) are read from. Empty: the primary.
    read_database_url: str = ""
    log_level: str = "INFO"
    # `crsv-registry serve` migrates the database before serving (under a lock, so instances
    # started together migrate once). False where a separate `crsv-registry migrate` step runs
    # first, as in docker-compose.yml: the server then never changes the schema.
    serve_migrates: bool = True
    # Worker processes for `crsv-registry serve`: by default one on SQLite (a single writer) and
    # one per core, at most four, on PostgreSQL. Each holds up to DATABASE_POOL_SIZE + 5 database
    # connections; keep workers x that below PostgreSQL's max_connections (100 by default).
    workers: int | None = Field(default=None, ge=1, le=64)
    # A worker whose event loop has not ticked for this long (seconds) is killed and replaced by
    # `crsv-registry serve`'s supervisor: a hung worker would otherwise keep its share of the
    # connections for good.
    worker_hang_seconds: float = Field(default=30, ge=1, le=3600)
    # Requests handled at once by each worker process (the rest wait their turn before they
    # start); the database pool holds as many connections.
    request_threads: int = Field(default=10, ge=1, le=200)
    # Database connections in each worker's pool; unset: REQUEST_THREADS, at most 8. PostgreSQL
    # serves most pages a second with a small number of busy connections (on two cores, 8 to 16
    # in all: bench/RESULTS.md), and a request holds its connection from its first query to its
    # commit, much of that time in Python. Requests beyond it wait for a connection, up to
    # DATABASE_POOL_TIMEOUT. With several workers on more cores, workers x this near PostgreSQL's
    # best (pgbench with the list's statements, `make bench`) is the aim.
    database_pool_size: int | None = Field(default=None, ge=1, le=200)
    # How long a request may wait for a database connection before it fails (seconds).
    database_pool_timeout: float = Field(default=30, gt=0)
    # PostgreSQL: how long one statement of a request may wait for a row lock, and may run, before
    # it is cancelled and the request answered 503 with Retry-After (seconds).
    database_lock_timeout: float = Field(default=5, gt=0, le=3600)
    database_statement_timeout: float = Field(default=30, gt=0, le=3600)
    # Record exports streaming at once in each worker: each holds a database connection for as
    # long as its client takes to read the file, so past this many the next is answered 503 with
    # Retry-After instead of letting slow readers take the whole pool.
    exports_at_once: int = Field(default=2, ge=1, le=50)

    # Largest request body accepted (bytes), and for `POST /api/v1/incidents:batch` from a caller
    # with a live token; larger ones are refused with 413 before they are read.
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_batch_body_bytes: int = Field(default=16_777_216, ge=1024)
    # `POST /api/v1/imports` (same rule): a 50,000-row Incident Recorder CSV is about 20 MB.
    max_import_body_bytes: int = Field(default=67_108_864, ge=1024)

    encryption_keys: str = Field(
        default="",
        repr=False,
        description="Comma-separated Fernet keys for identifying data; the first encrypts.",
    )
    # The secret keying the audit chain (HMAC-SHA256). Empty: derived from the first encryption
    # key. Set it before rotating ENCRYPTION_KEYS (see README, "Audit trail").
    audit_key: str = Field(default="", repr=False)
    # Statistics for callers outside the owning organisation hide counts from 1 to k-1.
    suppression_k: int = Field(default=5, ge=2)

    token_ttl_minutes: int = Field(default=480, ge=1, description="Bearer token lifetime.")
    # Web sessions ride on the same tokens, in a cookie sent only over HTTPS (browsers also accept
    # it from http://127.0.0.1 and http://localhost). Turn off only behind no TLS at all.
    session_cookie_secure: bool = True
    # Addresses of the reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed
    # (comma-separated IPs or networks, or "*"). Empty: those headers are ignored, so a client
    # cannot choose the address that login limits count it under.
    forwarded_allow_ips: str = ""
    # Failed logins allowed per window before further attempts are refused with 429: for one
    # account from one client address, and from one client address over all accounts. Never for
    # an account alone, so that guessing from elsewhere cannot lock its owner out.
    login_window_minutes: int = Field(default=15, ge=1)
    login_max_failures_per_user_and_client: int = Field(default=5, ge=1)
    login_max_failures_per_client: int = Field(default=20, ge=1)
    # Argon2id cost: one of OWASP's equivalent settings (7 MiB, 5 passes), the one that keeps
    # least memory per concurrent login on a small server. Stored hashes are upgraded at login.
    password_hash_memory_kib: int = Field(default=7_168, ge=8)
    password_hash_time_cost: int = Field(default=5, ge=1)

    @field_validator("database_url", "read_database_url")
    @classmethod
    def use_psycopg3_driver(cls, url: str) -> str:
        # Hosting platforms hand out `postgres://` URLs; SQLAlchemy needs the driver named.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @field_validator("audit_key")
    @classmethod
    def audit_key_long_enough(cls, key: str) -> str:
        if key and len(key) < 32:
            raise ValueError("AUDIT_KEY must be at least 32 characters (generate-key makes one)")
        return key

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def pool_size(self) -> int:
        return self.database_pool_size or min(self.request_threads, 8)

    @property
    def worker_count(self) -> int:
        if self.workers is not None:
            return self.workers
        return 1 if self.is_sqlite else min(os.cpu_count() or 1, 4)


@lru_cache
def get_settings() -> Settings:
    return Settings()
