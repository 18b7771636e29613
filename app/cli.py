"""The `crsv-registry` console script."""

import argparse
import logging
from collections.abc import Sequence

from alembic import command
from alembic.config import Config

from app.core.config import PROJECT_ROOT, get_settings
from app.core.logging import configure_logging

logger = logging.getLogger("crsv_registry")


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False  # keep the service's JSON logging
    return config


def migrate(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")


def _serve(args: argparse.Namespace) -> None:
    import uvicorn

    settings = get_settings()
    configure_logging(settings.log_level)
    if not args.no_migrate:
        migrate(settings.database_url)
    backend = settings.database_url.split(":", 1)[0]
    logger.info("serving", extra={"host": args.host, "port": args.port, "database": backend})
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
    )


def _migrate(_args: argparse.Namespace) -> None:
    settings = get_settings()
    configure_logging(settings.log_level)
    migrate(settings.database_url)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crsv-registry", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate the database, then serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-migrate", action="store_true", help="skip the migration step")
    serve.set_defaults(handler=_serve)

    upgrade = commands.add_parser("migrate", help="bring the database schema up to date")
    upgrade.set_defaults(handler=_migrate)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.handler(args)
