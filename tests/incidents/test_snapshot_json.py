"""An incident's snapshot is made JSON values by orjson as pydantic made them.

A version's changes and the kept counts compare snapshots taken before and after a change, and
versions already stored hold pydantic's values (`to_jsonable_python`): `history.jsonable` must
give the very same values, of the same types, for everything a snapshot holds."""

import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic_core import to_jsonable_python

from app.incidents import history
from app.incidents.history import SNAPSHOT_FIELDS, jsonable, snapshot
from app.incidents.intake_fields import PerpetratorIntake, VictimIntake
from app.models.enums import (
    ConsentKind,
    DatePrecision,
    Disability,
    DisplacementStatus,
    PerpetratorCategory,
    Sex,
    Source,
    VerificationStatus,
    VictimCategory,
    Violation,
)


def _strict(value: Any) -> str:
    """Tells True from 1 and 1 from 1.0, which == does not."""
    return json.dumps(value, sort_keys=True)


def _incident(**changes: Any) -> SimpleNamespace:
    fields: dict[str, Any] = dict.fromkeys(SNAPSHOT_FIELDS)
    fields.update(
        occurred_on=date(2024, 3, 1),
        reported_on=date(2024, 3, 5),
        date_precision=DatePrecision.DAY,
        country="ML",
        admin1="Mopti",
        admin2="Djenné",
        source=Source.NGO,
        verification_status=VerificationStatus.VERIFIED,
        verified_on=date(2024, 4, 1),
        version=3,
        record_key=17,
    )
    victim = SimpleNamespace(
        id=uuid.uuid4(),
        sex=Sex.FEMALE,
        age=24,
        age_group=None,
        category=VictimCategory.WOMAN,
        displacement_status=DisplacementStatus.IDP,
        disability=Disability.NO,
        record_key=4,
        consent={
            ConsentKind.STATISTICS: SimpleNamespace(granted=True),
            ConsentKind.REFERRAL: SimpleNamespace(granted=False),
        },
        **dict.fromkeys(VictimIntake.model_fields),
    )
    perpetrator = SimpleNamespace(
        id=uuid.uuid4(),
        category=PerpetratorCategory.NON_STATE_ARMED_GROUP,
        armed_party_id=uuid.uuid4(),
        **dict.fromkeys(PerpetratorIntake.model_fields),
    )
    fields.update(
        violations=[Violation.RAPE, Violation.SEXUAL_SLAVERY],
        victims=[victim],
        perpetrators=[perpetrator],
    )
    fields.update(changes)
    return SimpleNamespace(**fields)


INCIDENTS = [
    _incident(),
    _incident(
        archived_at=datetime(2026, 11, 26, 6, 15, 32, 123456, tzinfo=UTC),
        archive_reason="Entered twice « par erreur » 🗂️",
    ),
    _incident(archived_at=datetime(2026, 11, 26, 6, 15, 32, tzinfo=UTC)),
    _incident(archived_at=datetime(2026, 1, 1, 0, 0, 0, 1000, tzinfo=timezone(timedelta(hours=1)))),
    _incident(duplicate_of_id=uuid.uuid4(), duplicate_reason="Same survivor, same date"),
    _incident(victims=[], perpetrators=[], violations=[]),
    _incident(admin1=None, verified_on=None, version=2**40),
]


@pytest.mark.parametrize("incident", INCIDENTS, ids=range(len(INCIDENTS)))
def test_a_snapshot_holds_what_pydantic_made_of_it(
    incident: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = snapshot(incident)  # type: ignore[arg-type]
    monkeypatch.setattr(history, "jsonable", lambda state: dict(to_jsonable_python(state)))
    by_pydantic = snapshot(incident)  # type: ignore[arg-type]
    assert _strict(made) == _strict(by_pydantic)
    assert made["verification_status"] == "verified"


def test_values_orjson_refuses_are_made_by_pydantic() -> None:
    state = {"huge": 2**70, "set": {1}, "when": datetime(2026, 11, 26, tzinfo=UTC)}
    assert _strict(jsonable(state)) == _strict(to_jsonable_python(state))


@pytest.mark.parametrize("incident", INCIDENTS, ids=range(len(INCIDENTS)))
def test_a_first_version_holds_what_a_diff_from_nothing_gives(incident: SimpleNamespace) -> None:
    state = snapshot(incident)  # type: ignore[arg-type]
    assert _strict(history.first_changes(state)) == _strict(history.diff({}, state))
    assert "version" not in history.first_changes(state)
