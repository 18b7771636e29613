"""The `crsv-registry` console script."""

import argparse
import getpass
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.audit.chain import ChainReport, SignedHead, verify_chain
from app.audit.service import install_audit_hooks, key_the_chain
from app.auth import second_factor
from app.core.config import PROJECT_ROOT, Settings, get_settings
from app.core.crypto import (
    EncryptionNotConfiguredError,
    audit_key_text,
    generate_key,
    load_audit_key,
    load_cipher,
)
from app.core.db import build_engine, build_session_factory
from app.core.domain_errors import DomainError
from app.core.logging import configure_logging
from app.core.migrating import migration_lock
from app.core.server import serve
from app.counting import rollup
from app.imports import cli as import_commands
from app.models import User
from app.models.enums import OrganisationKind, Role
from app.users.schemas import OrganisationCreate, UserCreate
from app.users.service import create_organisation, create_user, find_organisation

logger = logging.getLogger("crsv_registry")


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False  # keep the service's JSON logging
    return config


def migrate(database_url: str) -> None:
    """Bring the schema to head; an instance migrating the same database at once is waited for."""
    with migration_lock(database_url):
        command.upgrade(alembic_config(database_url), "head")


def _require_schema_at_head(database_url: str) -> None:
    """Refuse to serve a schema the separate migration step has not brought up to date."""
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    engine = build_engine(database_url)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    if current != head:
        raise SystemExit(
            f"crsv-registry: the database schema is at {current or 'nothing'}, not {head}, and "
            "SERVE_MIGRATES is false: run `crsv-registry migrate` first"
        )


def _migrate_and_key_the_chain(database_url: str) -> None:
    """Migrate, then seal an audit chain written before it was keyed (once, at upgrade).

    Both under the migration lock: two instances starting together would otherwise both find the
    chain unkeyed and each seal it.
    """
    with migration_lock(database_url):
        command.upgrade(alembic_config(database_url), "head")
        with _session_factory(database_url)() as session, session.begin():
            if key_the_chain(session, load_audit_key(get_settings())):
                logger.info("audit chain sealed with the audit key")


def _checked_settings() -> Settings:
    """The settings, checked before anything is touched: a server that cannot run says so now.

    Without this the workers would find the problem only after the migration and the "serving"
    line, and die one after the other.
    """
    try:
        settings = get_settings()
        load_cipher(settings)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise SystemExit(f"crsv-registry: invalid settings: {problems}") from None
    except EncryptionNotConfiguredError as error:
        raise SystemExit(f"crsv-registry: {error}") from None
    return settings


def _serve(args: argparse.Namespace) -> None:
    settings = _checked_settings()
    workers = args.workers or settings.worker_count
    configure_logging(settings.log_level)
    if settings.serve_migrates and not args.no_migrate:
        _migrate_and_key_the_chain(settings.database_url)
    elif not args.no_migrate:
        _require_schema_at_head(settings.database_url)
    backend = settings.database_url.split(":", 1)[0]
    logger.info(
        "starting",
        extra={"host": args.host, "port": args.port, "database": backend, "workers": workers},
    )
    _hint_if_no_users(settings.database_url)
    serve(args.host, args.port, workers, settings.log_level, settings.worker_hang_seconds)


def _worker_count(text: str) -> int:
    count = int(text)
    if not 1 <= count <= 64:
        raise argparse.ArgumentTypeError("between 1 and 64")
    return count


def _hint_if_no_users(database_url: str) -> None:
    with _session_factory(database_url)() as session:
        if session.scalar(select(User.id).limit(1)) is not None:
            return
    logger.warning(
        "no user yet: create the first one with `.venv/bin/crsv-registry create-user --username "
        "admin --role admin --role protection_adviser --organisation 'Your organisation'`"
    )


def _migrate(_args: argparse.Namespace) -> None:
    settings = get_settings()
    configure_logging(settings.log_level)
    _migrate_and_key_the_chain(settings.database_url)


def _session_factory(database_url: str) -> sessionmaker[Session]:
    factory = build_session_factory(build_engine(database_url))
    install_audit_hooks(factory, load_audit_key(get_settings()))
    return factory


def _read_password() -> str:
    """From standard input when piped, else prompted twice; never from the command line."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != password:
        raise SystemExit("The passwords differ; nothing was created.")
    return password


def _create_user(args: argparse.Namespace) -> None:
    settings = get_settings()
    password = _read_password()
    created_organisation = None
    with _session_factory(settings.database_url)() as session, session.begin():
        organisation = find_organisation(session, args.organisation)
        if organisation is None:
            try:
                new = OrganisationCreate(
                    name=args.organisation,
                    kind=args.organisation_kind,
                    reference_code=args.organisation_code,
                )
                organisation = create_organisation(session, new, None)
            except ValidationError as error:
                raise SystemExit(f"Organisation not created: {_problems(error)}") from None
            except DomainError as error:
                raise SystemExit(f"Organisation not created: {error.detail}") from None
            # Said once the user exists too: a refused user takes the organisation back with it.
            created_organisation = (
                f"Created organisation {organisation.name!r} ({organisation.kind.value}), "
                f"reference code {organisation.reference_code}."
            )
        try:
            data = UserCreate(
                username=args.username,
                password=password,
                organisation_id=organisation.id,
                roles=args.role,
            )
        except ValidationError as error:
            raise SystemExit(f"Not created: {_problems(error)}") from None
        try:
            user = create_user(session, settings, data, None)
        except DomainError as error:
            raise SystemExit(f"Not created: {error.detail}") from None
    if created_organisation:
        print(created_organisation)
    print(f"Created user {user.username!r} with roles {', '.join(user.roles)}.")


def _reset_second_factor(args: argparse.Namespace) -> None:
    with _session_factory(get_settings().database_url)() as session, session.begin():
        user = session.scalar(select(User).where(User.username == args.username.casefold()))
        if user is None:
            raise SystemExit(f"crsv-registry: no user {args.username!r}")
        removed = second_factor.reset(session, user)
    print("Second factor removed." if removed else "That user had no second factor.")


def _problems(error: ValidationError) -> str:
    return "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in error.errors())


def _audit_verify(args: argparse.Namespace) -> None:
    settings = get_settings()
    against = None
    if args.against is not None:
        try:
            against = SignedHead.from_json(args.against.read_text())
        except (OSError, ValueError) as error:
            raise SystemExit(f"crsv-registry: cannot read the head kept: {error}") from None
    report = _verify(settings.database_url, against)
    if report.intact:
        anchored = f"; it still holds the head kept (event {against.event_id})" if against else ""
        print(f"Audit chain intact: {report.events_checked} events checked{anchored}.")
        return
    _print_broken(report)
    raise SystemExit(1)


def _verify(database_url: str, against: SignedHead | None = None) -> ChainReport:
    with _session_factory(database_url)() as session:
        return verify_chain(session, load_audit_key(get_settings()), against)


def _print_broken(report: ChainReport) -> None:
    where = f" at event {report.broken_at}" if report.broken_at is not None else ""
    print(
        f"Audit chain BROKEN{where}: {report.reason} "
        f"({report.events_checked} events before it are intact).",
        file=sys.stderr,
    )


def _audit_head(_args: argparse.Namespace) -> None:
    report = _verify(get_settings().database_url)
    if not report.intact:
        _print_broken(report)
        raise SystemExit(1)
    if report.head is None:
        raise SystemExit("crsv-registry: the audit trail is empty; there is no head to keep yet")
    print(report.head.to_json())


def _audit_key(_args: argparse.Namespace) -> None:
    print(audit_key_text(get_settings()))


def _stats_check(_args: argparse.Namespace) -> None:
    engine = build_engine(get_settings().database_url)
    with engine.connect() as connection:
        wrong = rollup.mismatches(connection)
    engine.dispose()
    if not wrong:
        print("Kept counts equal a recount of the incidents.")
        return
    print(
        f"{len(wrong)} kept counts differ from a recount; `crsv-registry stats rebuild` "
        "recounts them.",
        file=sys.stderr,
    )
    raise SystemExit(1)


def _stats_rebuild(_args: argparse.Namespace) -> None:
    engine = build_engine(get_settings().database_url)
    with engine.begin() as connection:
        rollup.rebuild(connection)
    engine.dispose()
    print("Kept counts recounted from the incidents.")


def _generate_key(_args: argparse.Namespace) -> None:
    print(generate_key())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crsv-registry", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate the database, then serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-migrate", action="store_true", help="skip the migration step")
    serve.add_argument(
        "--workers",
        type=_worker_count,
        default=None,
        help="worker processes (default: WORKERS, else 1 on SQLite, 1 per core up to 4 otherwise)",
    )
    serve.set_defaults(handler=_serve)

    upgrade = commands.add_parser("migrate", help="bring the database schema up to date")
    upgrade.set_defaults(handler=_migrate)

    user = commands.add_parser(
        "create-user", help="create a user (the password is read from stdin or prompted)"
    )
    user.add_argument("--username", required=True)
    user.add_argument(
        "--role",
        required=True,
        action="append",
        choices=[role.value for role in Role],
        help="repeat for several roles",
    )
    user.add_argument("--organisation", required=True, help="name; created if it does not exist")
    user.add_argument(
        "--organisation-kind",
        default=OrganisationKind.OTHER.value,
        choices=[kind.value for kind in OrganisationKind],
    )
    user.add_argument(
        "--organisation-code",
        default=None,
        help="2-8 letters or digits in its incidents' references (default: the name's initials)",
    )
    user.set_defaults(handler=_create_user)

    key = commands.add_parser(
        "generate-key", help="print a new encryption key for ENCRYPTION_KEYS (keep it safe)"
    )
    key.set_defaults(handler=_generate_key)

    reset = commands.add_parser(
        "reset-second-factor", help="remove a user's second factor (a lost phone)"
    )
    reset.add_argument("--username", required=True)
    reset.set_defaults(handler=_reset_second_factor)

    audit = commands.add_parser("audit", help="audit trail tools")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_commands.add_parser("verify", help="check the keyed chain; exit 1 if broken")
    verify.add_argument(
        "--against",
        type=Path,
        metavar="FILE",
        help="a head printed by `audit head` earlier: prove nothing up to it changed or went",
    )
    verify.set_defaults(handler=_audit_verify)
    head = audit_commands.add_parser(
        "head", help="verify, then print the signed end of the chain to keep outside the database"
    )
    head.set_defaults(handler=_audit_head)
    key = audit_commands.add_parser(
        "key", help="print the audit key in use (for AUDIT_KEY, before rotating encryption keys)"
    )
    key.set_defaults(handler=_audit_key)

    stats = commands.add_parser("stats", help="the statistics' kept counts")
    stats_commands = stats.add_subparsers(dest="stats_command", required=True)
    check = stats_commands.add_parser(
        "check", help="compare the kept counts with a recount; exit 1 if they differ"
    )
    check.set_defaults(handler=_stats_check)
    rebuild = stats_commands.add_parser(
        "rebuild", help="recount them from the incidents (after loading data around the service)"
    )
    rebuild.set_defaults(handler=_stats_rebuild)
    import_commands.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.handler(args)


if __name__ == "__main__":
    main()
