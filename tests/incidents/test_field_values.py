"""`field_values` reads the columns a new incident, victim or perpetrator is stored in from the
model as it holds them, in place of `model_dump`: the two must give the same values, of the same
types, in the same order, for every field those columns take (were a field given a serializer,
or made a nested model, this fails and `model_dump` is needed again)."""

from typing import Any

from pydantic import BaseModel

from app.incidents.children import PERPETRATOR_INTAKE, VICTIM_COLUMNS
from app.incidents.rules import COLUMN_FIELDS
from app.incidents.schemas import (
    INCIDENT_EXAMPLE,
    IncidentCreate,
    IncidentFields,
    PerpetratorUpdate,
    VictimUpdate,
    field_values,
)

EVERY_FIELD: dict[str, Any] = {
    **INCIDENT_EXAMPLE,
    "admin3": "Sangha",
    "pcode": "ML0601",
    "time_of_day": "evening_night",
    "place_type": "market",
    "victims": [
        {
            "sex": "female",
            "age": 16,
            "displacement_status": "idp",
            "disability": "yes",
            "disability_kind": "physical",
            "marital_status": "single",
            "unaccompanied_separated": "separated",
            "country_of_origin": "bf",
            "consent": {"statistics": True},
        },
        {"sex": "male"},
    ],
    "perpetrators": [
        {
            "category": "non_state_armed_group",
            "sex": "male",
            "age_group": "26-40",
            "relationship": "no_relation",
            "occupation": "  trader ",
            "involvement": "primary",
        },
        {"category": "unidentified_armed_element"},
    ],
}


def _same(model: BaseModel, names: tuple[str, ...]) -> None:
    dumped = model.model_dump(include=set(names))
    read = field_values(model, names)
    assert list(read.items()) == list(dumped.items())
    assert [type(value) for value in read.values()] == [type(value) for value in dumped.values()]


def test_field_values_are_what_model_dump_gives() -> None:
    for payload in (INCIDENT_EXAMPLE, EVERY_FIELD):
        incident = IncidentCreate.model_validate(payload)
        _same(incident, COLUMN_FIELDS)
        _same(
            IncidentFields.model_validate(
                incident.model_dump(include=set(COLUMN_FIELDS) | {"violations"})
            ),
            COLUMN_FIELDS,
        )
        for victim in incident.victims:
            _same(victim, VICTIM_COLUMNS)
            _same(VictimUpdate.model_validate({**victim.model_dump(), "id": None}), VICTIM_COLUMNS)
        for perpetrator in incident.perpetrators:
            _same(perpetrator, PERPETRATOR_INTAKE)
            _same(PerpetratorUpdate.model_validate(perpetrator.model_dump()), PERPETRATOR_INTAKE)
