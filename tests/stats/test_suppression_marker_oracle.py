"""Red team: the two suppression markers give a hidden figure's perturbed value away.

A hidden figure is shown as "<5" when own part + perturbed foreign part < k, and as
"suppressed" otherwise. Organisation B knows its own part exactly and can change it (its
advisers record incidents in the cell, then archive them). Adding its own incidents one at a
time, B sees the marker flip from "<5" to "suppressed" at own = k - p, which gives p, the
perturbed part of A's hidden cell, exactly. A count of 1 is never perturbed, so a flip at
own = 4 says A has (almost surely) exactly one incident there: the hidden figure is recovered
without any differencing.
"""

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, NGO, create_incident, stats

CONSENTING = [{"sex": "female", "age": 25, "consent": {"statistics": True}}]


def _south(report_writer: TestClient) -> int | str:
    result = stats(report_writer, group_by="admin1")
    [cell] = [g for g in result["groups"] if g["key"]["admin1"] == "South"]
    return cell["incidents"]


def test_own_incidents_added_to_a_hidden_cell_do_not_reveal_its_perturbed_value(
    client: TestClient, client_for
) -> None:
    create_incident(client, admin1="North", victims=CONSENTING)
    create_incident(client, admin1="South", victims=CONSENTING)  # A's hidden cell: 1
    b_adviser = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    b_writer = client_for(Role.REPORT_WRITER, organisation=NGO)
    markers = [_south(b_writer)]
    for _own in range(1, 5):
        response = b_adviser.post(
            f"{API}/incidents",
            json={
                "occurred_on": "2019-03-14",
                "reported_on": "2019-03-20",
                "country": "ML",
                "admin1": "South",
                "violations": ["rape"],
                "source": "gbvims",
                "victims": CONSENTING,
            },
        )
        assert response.status_code == 201, response.text
        markers.append(_south(b_writer))
    # Today: ["<5", "<5", "<5", "<5", "suppressed"]: the flip at own = 4 gives A's part = 1.
    flips = [own for own in range(1, 5) if markers[own] != markers[own - 1]]
    assert flips == [] or flips == [1], markers
