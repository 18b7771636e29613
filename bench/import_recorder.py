"""How fast a GBVIMS Incident Recorder workbook imports, and in how much memory.

    .venv/bin/python -m bench.import_recorder                  (50,000 rows, PostgreSQL)
    .venv/bin/python -m bench.import_recorder --rows 5000 --database sqlite

Writes a workbook of `--rows` varied rows (in a child process, so its memory is not counted),
then posts it to `POST /api/v1/imports` in process (TestClient) into a fresh database, once as a
dry run and once for real, and prints rows per second and the process's peak memory growth.
On PostgreSQL it then writes the very rows the import wrote again with COPY
(`bench/copy_baseline.py`) and prints the import's speed as a share of that baseline's.
The process is tuned as a serving worker's is: start-up objects frozen out of the garbage
collector, which runs less often (`app.core.memory`). `--profile` runs the real import under
cProfile and prints its heaviest functions.
"""

import argparse
import cProfile
import functools
import os
import pstats
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg
from fastapi.testclient import TestClient
from openpyxl import Workbook

from app.cli import migrate
from app.core.config import Settings
from app.core.crypto import generate_key
from app.core.memory import collect_less_often, freeze_startup_objects
from app.imports import service
from app.imports.recorder_vocabulary import COLUMNS
from app.main import create_app
from app.models.enums import Role
from bench import copy_baseline
from tests.factories import log_in, make_user

ADMIN_DSN = os.environ.get("CRSV_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
TYPES = ("Rape", "Sexual Assault", "Forced Marriage")
PLACES = ("Mopti", "Gao", "Tombouctou", "Kidal", "Ségou")
OCCUPATIONS = ("Armed Group", "Armed Forces", None, "Farmer", "Civilian")
RELATIONSHIPS = ("No relation", "Intimate Partner / Former Partner", "Other", "Unknown")


def write_workbook(path: Path, rows: int) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Incident Data")
    sheet.append([column.english for column in COLUMNS])
    start = date(2016, 1, 1)
    for n in range(rows):
        occurred = start + timedelta(days=n % 2500)
        values = {
            "incident_id": f"IR-{n:06d}",
            "survivor_code": f"S{n:06d}",
            "date_of_interview": occurred + timedelta(days=n % 40),
            "date_of_incident": occurred,
            "date_of_birth": occurred - timedelta(days=365 * (8 + n % 50) + n % 300),
            "sex": "F" if n % 5 else "M",
            "country_of_origin": "Mali",
            "marital_status": "Single",
            "displacement_status": ("IDP", "Resident", "Refugee")[n % 3],
            "disability": ("No", "Physical Disability", "Unknown")[n % 3],
            "time_of_day": ("Morning", "Afternoon", "Evening/Night")[n % 3],
            "place_type": ("Bush/Forest", "Road", "Market")[n % 3],
            "county": PLACES[n % 5],
            "district": f"District {n % 40}",
            "camp_town": f"Town {n % 300}",
            "gbv_type": TYPES[n % 3],
            "goods_money_exchanged": "No",
            "abduction": "None",
            "reported_elsewhere": "No",
            "previous_gbv_incidents": "No",
            "perpetrator_count": ("1", "2", "3", "More than 3")[n % 4],
            "perpetrator_sex": ("M", "M and F", "F")[n % 3],
            "perpetrator_age_group": "Age 26 - 40",
            "perpetrator_relationship": RELATIONSHIPS[n % 4],
            "perpetrator_occupation": OCCUPATIONS[n % 5],
            "consent": "Yes" if n % 4 else "No",
        }
        sheet.append([values.get(column.key) for column in COLUMNS])
    book.save(path)


SHARED_STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
SHARED_STRINGS_REL = (
    '<Relationship Id="rIdShared" Target="sharedStrings.xml" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
)


def share_strings(path: Path) -> None:
    """Rewrite openpyxl's inline strings as the shared-strings table Excel and Primero write
    (and which reads faster)."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    table: dict[str, int] = {}

    def shared(match: re.Match[bytes]) -> bytes:
        index = table.setdefault(match.group(2).decode(), len(table))
        return b'<c r="' + match.group(1) + b'" t="s"><v>' + str(index).encode() + b"</v></c>"

    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(
        rb'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t>([^<]*)</t></is></c>', shared, parts[sheet]
    )
    # Excel and Primero declare the sheet's extent first; openpyxl's writer does not (and a
    # reader then scans the whole sheet for it).
    rows = parts[sheet].count(b"<row ")
    parts[sheet] = parts[sheet].replace(
        b"<sheetViews>", f'<dimension ref="A1:AR{rows}"/><sheetViews>'.encode(), 1
    )
    items = "".join(f"<si><t>{text}</t></si>" for text in table)
    parts["xl/sharedStrings.xml"] = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(table)}" uniqueCount="{len(table)}">{items}</sst>'
    ).encode()
    types = parts["[Content_Types].xml"]
    parts["[Content_Types].xml"] = types.replace(
        b"</Types>", SHARED_STRINGS_TYPE.encode() + b"</Types>"
    )
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = parts[rels].replace(
        b"</Relationships>", SHARED_STRINGS_REL.encode() + b"</Relationships>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, content)


def _database(kind: str, directory: Path) -> str:
    if kind == "sqlite":
        url = f"sqlite:///{directory / 'bench.sqlite3'}"
    else:
        name = f"crsv_import_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql:", "postgresql+psycopg:") + f"/{name}"
    migrate(url)
    return url


def _drop(url: str) -> None:
    if url.startswith("postgresql"):
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--inline-strings",
        action="store_true",
        help="keep openpyxl's inline strings (slower to read) instead of a shared-strings table",
    )
    parser.add_argument("--write-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_only:
        write_workbook(args.write_only, args.rows)
        if not args.inline_strings:
            share_strings(args.write_only)
        return
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "recorder.xlsx"
        started = time.perf_counter()
        command = [sys.executable, "-m", "bench.import_recorder", "--rows", str(args.rows)]
        if args.inline_strings:
            command.append("--inline-strings")
        subprocess.run([*command, "--write-only", str(path)], check=True)
        size = path.stat().st_size
        print(
            f"workbook: {args.rows} rows, {size / 1e6:.1f} MB "
            f"({'inline' if args.inline_strings else 'shared'} strings), written in "
            f"{time.perf_counter() - started:.1f} s; load average {os.getloadavg()[0]:.1f} "
            f"on {os.cpu_count()} cores"
        )
        url = _database(args.database, Path(directory))
        try:
            _measure(url, path, args.profile)
        finally:
            _drop(url)


def _measure(url: str, path: Path, profile: bool) -> None:
    app = create_app(Settings(database_url=url, encryption_keys=generate_key()))
    with TestClient(app) as client:
        # Tuned as a serving worker is once the app has started (`app.core.server.worker_app`).
        freeze_startup_objects()
        collect_less_often()
        user = make_user(app, Role.PROTECTION_ADVISER)
        client.headers["Authorization"] = f"Bearer {log_in(client, user)}"
        content = path.read_bytes()
        baseline = _peak_mib()
        for dry_run in (True, False):
            started, cpu = time.perf_counter(), time.process_time()
            profiler = cProfile.Profile() if profile and not dry_run else None
            _profile_imports(profiler)
            response = client.post(
                "/api/v1/imports",
                files={"file": (path.name, content)},
                data={"country": "ML", "dry_run": str(dry_run).lower()},
            )
            _profile_imports(None)
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu
            report = response.json()
            assert response.status_code == 200, response.text[:2000]
            rows = report["rows"]
            print(
                f"{'dry run' if dry_run else 'import '}: {rows} rows in {seconds:.1f} s = "
                f"{rows / seconds:,.0f} rows/s ({cpu:.1f} s of this process's CPU; load average "
                f"{os.getloadavg()[0]:.1f}); created {report['created']}; peak memory "
                f"{_peak_mib():.0f} MiB (+{_peak_mib() - baseline:.0f} MiB over the start, "
                "the workbook's bytes included)"
            )
            if profiler:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    app.state.engine.dispose()
    if url.startswith("postgresql"):
        _copy_baseline(url, rows / seconds)


def _profile_imports(profiler: cProfile.Profile | None) -> None:
    """Profile `import_recorder` where it runs: in the server's worker thread, which a profiler
    enabled around the request (in this thread) would not see."""
    original = getattr(service.import_recorder, "__wrapped__", service.import_recorder)
    if profiler is None:
        service.import_recorder = original
        return

    @functools.wraps(original)
    def profiled(*args: Any, **kwargs: Any) -> Any:
        profiler.enable()
        try:
            return original(*args, **kwargs)
        finally:
            profiler.disable()

    service.import_recorder = profiled


def _copy_baseline(url: str, import_rate: float) -> None:
    """COPY of the rows the import wrote (every incident of the database), twice."""
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as connection:
        ids = [row[0] for row in connection.execute("SELECT id FROM incidents")]
    rows = copy_baseline.dump(dsn, ids)
    seconds = min(copy_baseline.copy_again(dsn, rows) for _ in range(2))
    copy_rate = len(ids) / seconds
    print(
        f"COPY of the same {rows.rows:,} rows: {seconds:.1f} s = {copy_rate:,.0f} incidents/s; "
        f"the import is {import_rate / copy_rate:.2f} of COPY (load average "
        f"{os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
