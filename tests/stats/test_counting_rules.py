"""The counting rules (app/counting/rules.py) give the same figures in Python and in SQL: the kept
counts, written through the API with every shape of incident the rules tell apart, equal their
recount and what counting the incidents themselves gives, and both give what the rules say."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.auth import Principal, principal_for_token
from app.counting import rollup
from app.models.enums import Role
from app.stats.dimensions import DimensionName
from app.stats.queries import Cell, counted_rows, group_cells, total_cell
from app.stats.schemas import StatsQuery
from tests.conftest import wipe
from tests.factories import API, MISSION, NGO, create_incident, log_in, make_user, patch_incident
from tests.factories import verify as decide

GRANTED = {"statistics": True}
REFUSED = {"statistics": False}


def woman(consent: dict[str, bool] | None = None) -> dict[str, Any]:
    return {"sex": "female", "age": 30, **({"consent": consent} if consent else {})}


def girl(consent: dict[str, bool] | None = None) -> dict[str, Any]:
    return {"sex": "female", "age": 15, **({"consent": consent} if consent else {})}


def man(consent: dict[str, bool] | None = None) -> dict[str, Any]:
    return {"sex": "male", "age": 40, **({"consent": consent} if consent else {})}


def boy(consent: dict[str, bool] | None = None) -> dict[str, Any]:
    return {"sex": "male", "age": 12, **({"consent": consent} if consent else {})}


def _consent(api: TestClient, incident: dict[str, Any], index: int, granted: bool) -> None:
    victim = incident["victims"][index]["id"]
    path = f"{API}/incidents/{incident['id']}/victims/{victim}/consent"
    assert api.put(path, json={"statistics": granted}).status_code == 200


def _record_every_shape(ngo: TestClient) -> None:
    """The other organisation's incidents; the comment says what the mission may see of each."""
    create = create_incident
    create(ngo, victims=[])  # seen: nobody to ask
    shared = create(ngo, victims=[woman(GRANTED)])  # seen, 1 woman
    create(ngo, victims=[woman(REFUSED)], source="ngo")  # not seen
    create(ngo, victims=[woman()], source="media")  # not seen: never asked
    # Seen with its one consenting woman; its girl, its man and its other woman are not.
    create(ngo, victims=[woman(GRANTED), girl(REFUSED), man(), woman(REFUSED)])
    create(ngo, victims=[girl(REFUSED), boy()], violations=["forced_marriage"])  # not seen
    archived = create(ngo, victims=[woman(GRANTED)])
    assert ngo.delete(f"{API}/incidents/{archived['id']}").status_code == 204  # not counted
    for undone in (False, True):  # a duplicate is not counted; one unlinked counts again
        duplicate = create(ngo, victims=[woman(GRANTED)], violations=["sexual_slavery"])
        link = f"{API}/incidents/{duplicate['id']}/duplicate-of/{shared['id']}"
        assert ngo.post(link, json={"reason": "same event"}).status_code == 200
        if undone:
            assert ngo.delete(link).status_code == 200  # seen, 1 woman
    withdrawn = create(ngo, victims=[woman(GRANTED)], source="ngo")
    _consent(ngo, withdrawn, 0, False)  # not seen
    given = create(ngo, victims=[girl()], source="media")
    _consent(ngo, given, 0, True)  # seen, 1 girl
    discarded = create(ngo, victims=[woman(GRANTED)])
    assert decide(ngo, discarded, "discarded").status_code == 200  # on no basis
    verified = create(ngo, victims=[man(GRANTED)], perpetrators=[])
    assert decide(ngo, verified, "pending_verification").status_code == 200
    assert decide(ngo, verified, "verified", version=None).status_code == 200  # seen, 1 man
    emptied = create(ngo, victims=[woman(REFUSED)], violations=["attempted_rape"])
    assert patch_incident(ngo, emptied, victims=[]).status_code == 200  # seen: nobody to ask


@pytest.fixture(scope="module")
def viewers(app: FastAPI) -> Iterator[dict[str, Principal]]:
    """The mission, with one incident of its own whose victim refused, and the NGO, with
    incidents of every shape. Module-scoped: `client` would wipe them."""
    principals = {}
    with TestClient(app) as mission, TestClient(app) as ngo:
        for name, api, organisation in (("mission", mission, MISSION), ("ngo", ngo, NGO)):
            token = log_in(api, make_user(app, Role.PROTECTION_ADVISER, organisation=organisation))
            api.headers["Authorization"] = f"Bearer {token}"
            with app.state.session_factory() as session:
                principal = principal_for_token(session, token)
                assert principal is not None
                principals[name] = principal
        create_incident(mission, victims=[woman(REFUSED)])  # its own: counted in full
        _record_every_shape(ngo)
        yield principals
    wipe(app)


def _figures(cell: Cell) -> tuple[int, ...]:
    incidents, victims = cell.incidents, cell.victims
    return (
        incidents.value,
        incidents.foreign,
        incidents.key,
        victims.value,
        victims.foreign,
        victims.key,
    )


def _table(
    app: FastAPI, principal: Principal, basis: str, names: list[str], use_kept: bool
) -> dict[tuple[Any, ...], tuple[int, ...]]:
    """The exact figures of a table (before protection), by cell, with the total under ()."""
    query = StatsQuery.model_validate({"group_by": names, "basis": basis})
    counted = counted_rows(query, principal.organisation_id, use_kept)
    assert counted.kept is use_kept, (names, basis)
    with app.state.session_factory() as session:
        table = {(): _figures(total_cell(session, counted))}
        for cell in group_cells(session, counted, [DimensionName(name) for name in names]):
            table[tuple(cell.key.values())] = _figures(cell)
    return table


def test_the_kept_counts_equal_their_recount(app: FastAPI, viewers: dict[str, Principal]) -> None:
    with app.state.engine.connect() as connection:
        assert rollup.mismatches(connection) == []


@pytest.mark.parametrize("basis", ["all_reported", "verified_only"])
@pytest.mark.parametrize("viewer", ["mission", "ngo"])
@pytest.mark.parametrize(
    "names", [["victim_category"], ["violation"], ["perpetrator_category"], ["source"]]
)
def test_the_kept_counts_give_what_counting_the_incidents_gives(
    app: FastAPI, viewers: dict[str, Principal], viewer: str, basis: str, names: list[str]
) -> None:
    principal = viewers[viewer]
    kept = _table(app, principal, basis, names, use_kept=True)
    assert kept == _table(app, principal, basis, names, use_kept=False)


def _seen(table: dict[tuple[Any, ...], tuple[int, ...]]) -> dict[Any, tuple[int, int, int, int]]:
    """{cell: (incidents, of which the NGO's, victims, of which the NGO's)}."""
    return {
        key[0] if key else "total": (f[0], f[1], f[3], f[4])
        for key, f in table.items()
        if f[0] or f[3]
    }


@pytest.mark.parametrize("use_kept", [True, False])
def test_the_mission_sees_what_the_rules_share(
    app: FastAPI, viewers: dict[str, Principal], use_kept: bool
) -> None:
    mission = viewers["mission"]
    by_category = _seen(_table(app, mission, "all_reported", ["victim_category"], use_kept))
    assert by_category == {
        "total": (8, 7, 6, 5),  # the NGO's: 7 incidents seen, with 5 consenting victims
        "woman": (4, 3, 4, 3),  # the mission's own woman, who refused, counted in full
        "girl": (1, 1, 1, 1),  # only the girl whose consent came later
        "man": (1, 1, 1, 1),
        None: (2, 2, 0, 0),  # no victim recorded, from the start or since
    }
    verified = _seen(_table(app, mission, "verified_only", ["source"], use_kept))
    assert verified == {"total": (1, 1, 1, 1), "gbvims": (1, 1, 1, 1)}
