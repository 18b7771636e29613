"""`crsv-registry import incident-recorder FILE --organisation O --user U [--dry-run]`.

The import is recorded as made by an account of the organisation with the adviser role (who
created the incidents, in their history and the audit trail): the command line has no user of its
own, and must not write survivor records on behalf of nobody.
"""

import argparse
import os
import sys
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.core.auth import Principal
from app.core.config import Settings, get_settings
from app.core.crypto import load_cipher
from app.core.permissions import Permission, permissions_for
from app.imports import service
from app.imports.recorder_vocabulary import DEFAULT_ADMIN_LEVELS, parse_admin_levels
from app.imports.rows import Options
from app.imports.schemas import ImportReport
from app.models import Organisation, User


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    imports = commands.add_parser("import", help="import records kept in the field's other tools")
    kinds = imports.add_subparsers(dest="import_kind", required=True)
    recorder = kinds.add_parser(
        "incident-recorder",
        help="a GBVIMS Incident Recorder workbook (.xlsx, sheet 'Incident Data') or its .csv",
    )
    recorder.add_argument("file", type=Path)
    recorder.add_argument("--organisation", required=True, help="its name or reference code")
    recorder.add_argument(
        "--user", required=True, help="the adviser of that organisation the import is made as"
    )
    recorder.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
    recorder.add_argument(
        "--country",
        help="ISO code of the incidents' country (default: the organisation's most used)",
    )
    recorder.add_argument(
        "--admin-levels",
        default=",".join(DEFAULT_ADMIN_LEVELS),
        help="which of county, district, camp_town become admin1, admin2, admin3 (in order)",
    )
    recorder.add_argument(
        "--skip-non-sexual-violence",
        action="store_true",
        help="leave out rows whose GBV type is not sexual violence instead of refusing the file",
    )
    recorder.add_argument("--language", choices=("en", "fr"), default=_default_language())
    recorder.set_defaults(handler=run)


def _default_language() -> str:
    return "fr" if os.environ.get("LANG", "").casefold().startswith("fr") else "en"


def run(args: argparse.Namespace) -> None:
    from app.cli import _session_factory  # the console script's one way to open the database

    settings = get_settings()
    levels = parse_admin_levels(args.admin_levels)
    if levels is None:
        raise SystemExit(
            "crsv-registry: --admin-levels takes one to three of county, district, "
            "camp_town, separated by commas"
        )
    try:
        content = args.content = args.file.open("rb")
    except OSError as error:
        raise SystemExit(f"crsv-registry: cannot read {args.file}: {error.strerror}") from None
    factory = _session_factory(settings.database_url)
    with content, factory() as session:
        try:
            with session.begin():  # a refused import leaves this block by its exception
                report = _import(session, args, levels, settings)
        except service.ImportRefusedError as refused:
            report = refused.report
    _print(report)
    if report.problems or report.problems_not_listed:
        raise SystemExit(1)


def _import(
    session: Session, args: argparse.Namespace, levels: tuple[str, ...], settings: Settings
) -> ImportReport:
    principal = _adviser(session, args.organisation, args.user)
    country = service.import_country(session, principal, args.country)
    if country is None:
        raise SystemExit("crsv-registry: give --country as an ISO 3166-1 alpha-2 code (e.g. ML)")
    return service.import_recorder(
        session,
        args.content,
        args.file.name,
        Options(country, levels, args.skip_non_sexual_violence),
        principal,
        load_cipher(settings),
        dry_run=args.dry_run,
        language=args.language,
    )


def _adviser(session: Session, organisation: str, username: str) -> Principal:
    found = session.scalar(
        select(Organisation).where(
            or_(
                Organisation.name == organisation,
                func.upper(Organisation.reference_code) == organisation.strip().upper(),
            )
        )
    )
    if found is None:
        raise SystemExit(f"crsv-registry: no organisation named or coded {organisation!r}")
    user = session.scalar(
        select(User).where(User.username == username.casefold(), User.organisation_id == found.id)
    )
    roles = list(user.roles) if user is not None and user.is_active else []
    permissions = permissions_for(roles)
    if Permission.INCIDENT_WRITE not in permissions:
        raise SystemExit(
            f"crsv-registry: {username!r} is not an active adviser of {found.name!r}; "
            "importing needs the protection_adviser role in that organisation"
        )
    assert user is not None
    return Principal(
        user_id=user.id,
        username=user.username,
        organisation_id=found.id,
        roles=frozenset(roles),
        permissions=permissions,
        token_hash="",
    )


def _print(report: ImportReport) -> None:
    for problem in report.problems:
        where = problem.sheet
        if problem.cell:
            where += f"!{problem.cell}"
        elif problem.row:
            where += f", row {problem.row}"
        column = f" ({problem.column})" if problem.column else ""
        print(f"{where}{column}: {problem.message}", file=sys.stderr)
    if report.problems_not_listed:
        print(f"... and {report.problems_not_listed} more.", file=sys.stderr)
    if report.columns_not_kept:
        print(f"Read, not kept: {', '.join(report.columns_not_kept)}.")
    print(report.summary)
