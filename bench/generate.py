"""Synthetic CRSV data at scale, written with COPY into a fresh PostgreSQL database.

Skewed like field data: most incidents have one victim, a few have dozens; five countries with
uneven volumes; regions and forms of violence far from uniform. Nothing here is real.
"""

import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import psycopg

COUNTRIES = {  # country: (weight, regions)
    "ML": (30, ["Mopti", "Gao", "Tombouctou", "Ségou", "Kidal", "Ménaka", "Kayes", "Sikasso"]),
    "CD": (30, ["Ituri", "Nord-Kivu", "Sud-Kivu", "Tanganyika", "Kasaï", "Maniema"]),
    "SS": (15, ["Unity", "Upper Nile", "Jonglei", "Central Equatoria", "Western Equatoria"]),
    "CF": (15, ["Ouaka", "Haute-Kotto", "Vakaga", "Ouham", "Nana-Grébizi"]),
    "SO": (10, ["Banadir", "Bay", "Lower Shabelle", "Gedo", "Hiraan"]),
}
VIOLATIONS = [
    ("rape", 60),
    ("attempted_rape", 8),
    ("sexual_slavery", 6),
    ("forced_marriage", 8),
    ("forced_pregnancy", 2),
    ("sexual_mutilation", 2),
    ("forced_prostitution", 2),
    ("trafficking_sexual_exploitation", 2),
    ("other_sexual_violence", 10),
]
SOURCES = [
    ("gbvims", 50),
    ("mission_human_rights", 15),
    ("protection_adviser", 10),
    ("ngo", 15),
    ("media", 5),
    ("other", 5),
]
STATUSES = [
    ("reported", 60),
    ("pending_verification", 15),
    ("verified", 15),
    ("not_verified", 5),
    ("discarded", 5),
]
PERPETRATORS = [
    ("non_state_armed_group", 40),
    ("state_security_forces", 12),
    ("unidentified_armed_element", 38),
    ("civilian", 6),
    ("international_forces", 1),
    ("other", 3),
]
FIRST_YEAR, YEARS = 2015, 10


def _pick(choices: list[tuple[str, int]], rng: random.Random) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def victim_count(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.08:
        return 0
    if roll < 0.79:
        return 1
    if roll < 0.91:
        return 2
    if roll < 0.99:
        return rng.randint(3, 5)
    return rng.randint(6, 60)  # 1% of incidents: a village, a camp, a convoy


def perpetrator_count(rng: random.Random) -> int:
    roll = rng.random()
    return 0 if roll < 0.08 else 1 if roll < 0.80 else rng.randint(2, 3)


@dataclass
class Generated:
    incidents: int = 0
    victims: int = 0
    perpetrators: int = 0
    seconds: float = 0.0
    organisations: dict[str, uuid.UUID] = field(default_factory=dict)


def _organisations(connection: psycopg.Connection) -> dict[str, uuid.UUID]:
    now = datetime.now(UTC)
    ids = {}
    for country in COUNTRIES:
        ids[country] = uuid.uuid4()
        connection.execute(
            "INSERT INTO organisations (id, name, kind, reference_code, created_at)"
            " VALUES (%s, %s, 'ngo', %s, %s)",
            (ids[country], f"Bench protection cluster {country}", f"BPC{country}", now),
        )
    return ids


def _parties(connection: psycopg.Connection) -> list[uuid.UUID]:
    now = datetime.now(UTC)
    parties = []
    for index in range(20):
        party = uuid.uuid4()
        connection.execute(
            "INSERT INTO armed_parties (id, name, name_key, category, created_at) "
            "VALUES (%s, %s, %s, 'non_state_armed_group', %s)",
            (party, f"Armed group {index}", f"armed group {index}", now),
        )
        parties.append(party)
    return parties


def incidents(
    count: int, organisations: dict[str, uuid.UUID], parties: list[uuid.UUID], seed: int = 1
) -> Iterator[dict]:
    rng = random.Random(seed)
    countries = list(COUNTRIES)
    weights = [COUNTRIES[c][0] for c in countries]
    start = date(FIRST_YEAR, 1, 1)
    span = (date(FIRST_YEAR + YEARS, 1, 1) - start).days
    for index in range(count):
        country = rng.choices(countries, weights=weights)[0]
        regions = COUNTRIES[country][1]
        occurred = start + timedelta(days=int(rng.random() ** 0.8 * span))
        precision = rng.choices(["day", "month", "year"], weights=[85, 12, 3])[0]
        if precision == "month":
            occurred = occurred.replace(day=1)
        elif precision == "year":
            occurred = occurred.replace(month=1, day=1)
        yield {
            "id": uuid.uuid4(),
            "index": index,
            "country": country,
            "organisation_id": organisations[country],
            "admin1": regions[min(int(rng.expovariate(0.6)), len(regions) - 1)],
            "occurred_on": occurred,
            "precision": precision,
            "reported_on": occurred + timedelta(days=int(rng.expovariate(1 / 20))),
            "source": _pick(SOURCES, rng),
            "status": _pick(STATUSES, rng),
            "violations": sorted(
                {_pick(VIOLATIONS, rng) for _ in range(rng.choice([1, 1, 1, 2, 3]))}
            ),
            "victims": [_victim(rng) for _ in range(victim_count(rng))],
            "perpetrators": [_perpetrator(rng, parties) for _ in range(perpetrator_count(rng))],
        }


def _victim(rng: random.Random) -> tuple:
    sex = rng.choices(["female", "male", "unknown"], weights=[88, 10, 2])[0]
    age = rng.choice([None, *range(5, 70)]) if rng.random() < 0.9 else None
    if age is None:
        group, child = "unknown", None
    else:
        bands = ((11, "0-11"), (17, "12-17"), (25, "18-25"), (40, "26-40"), (60, "41-60"))
        group = next((band for upper, band in bands if age <= upper), "61+")
        child = age < 18
    category = "unknown"
    if child is not None and sex != "unknown":
        category = {
            ("female", True): "girl",
            ("female", False): "woman",
            ("male", True): "boy",
            ("male", False): "man",
        }[(sex, child)]
    consent = rng.random() < 0.8
    return (uuid.uuid4(), sex, age, group, category, consent)


def _perpetrator(rng: random.Random, parties: list[uuid.UUID]) -> tuple:
    category = _pick(PERPETRATORS, rng)
    party = (
        rng.choice(parties) if category == "non_state_armed_group" and rng.random() < 0.4 else None
    )
    return (uuid.uuid4(), category, party)


def record_key(row_id: uuid.UUID) -> int:
    """A statistics record key from 0 to 255, from the random id (drawing it from the generator
    would change the data every other seed gives)."""
    return row_id.int % 256


def generate(dsn: str, count: int, seed: int = 1) -> Generated:
    """Write `count` incidents with their victims, perpetrators and forms of violence."""
    started = time.perf_counter()
    result = Generated()
    now = datetime.now(UTC)
    counters: dict[str, int] = {}
    with psycopg.connect(dsn) as connection:
        result.organisations = _organisations(connection)
        parties = _parties(connection)
        rows = list(incidents(count, result.organisations, parties, seed))
        with connection.cursor() as cursor:
            with cursor.copy(
                "COPY incidents (id, reference, occurred_on, date_precision, reported_on, country,"
                " admin1, source, verification_status, created_at, updated_at, version,"
                " organisation_id, victim_count, shared_victim_count, record_key,"
                " shared_victim_keys) FROM STDIN"
            ) as copy:
                for row in rows:
                    code = f"BPC{row['country']}"  # one organisation per country
                    prefix = f"{row['country']}-{row['reported_on'].year}-{code}"
                    counters[prefix] = counters.get(prefix, 0) + 1
                    copy.write_row(
                        (
                            row["id"],
                            f"{prefix}-{counters[prefix]:06d}",
                            row["occurred_on"],
                            row["precision"],
                            row["reported_on"],
                            row["country"],
                            row["admin1"],
                            row["source"],
                            row["status"],
                            now,
                            now,
                            1,
                            row["organisation_id"],
                            len(row["victims"]),
                            sum(victim[-1] for victim in row["victims"]),  # consented
                            record_key(row["id"]),
                            sum(record_key(v[0]) for v in row["victims"] if v[-1]),
                        )
                    )
            with cursor.copy(
                "COPY incident_violations (incident_id, violation) FROM STDIN"
            ) as copy:
                for row in rows:
                    for violation in row["violations"]:
                        copy.write_row((row["id"], violation))
            with cursor.copy(
                "COPY victims (id, incident_id, position, sex, age, age_group, category,"
                " displacement_status, disability, record_key) FROM STDIN"
            ) as copy:
                for row in rows:
                    for position, (vid, sex, age, group, category, _) in enumerate(row["victims"]):
                        copy.write_row(
                            (
                                vid,
                                row["id"],
                                position,
                                sex,
                                age,
                                group,
                                category,
                                "unknown",
                                "unknown",
                                record_key(vid),
                            )
                        )
                        result.victims += 1
            with cursor.copy(
                "COPY victim_consents (victim_id, kind, granted, recorded_at) FROM STDIN"
            ) as copy:
                for row in rows:
                    for vid, *_, consent in row["victims"]:
                        copy.write_row((vid, "statistics", consent, now))
            with cursor.copy(
                "COPY perpetrators (id, incident_id, position, category, armed_party_id) FROM STDIN"
            ) as copy:
                for row in rows:
                    for position, (pid, category, party) in enumerate(row["perpetrators"]):
                        copy.write_row((pid, row["id"], position, category, party))
                        result.perpetrators += 1
            for prefix, last in counters.items():
                cursor.execute(
                    "INSERT INTO reference_counters (prefix, last_value) VALUES (%s, %s)"
                    " ON CONFLICT (prefix) DO UPDATE SET last_value = EXCLUDED.last_value",
                    (prefix, last),
                )
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")
    result.incidents = count
    result.seconds = time.perf_counter() - started
    return result
