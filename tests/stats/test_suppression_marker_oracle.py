"""Which marker hides a figure depends on the caller's own part only, never on the hidden one.

Were a hidden figure shown as "<5" while own part + adjusted foreign part < k and "suppressed"
otherwise, organisation B, who knows and can change its own part (its advisers record incidents
in the cell, then archive them), would see the marker flip at own = k - p and read p, the
adjusted part of A's hidden cell, with no differencing at all. Now "<5" means "none of yours",
"suppressed" means "some of yours": the only flip is at own = 1.
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
    flips = [own for own in range(1, 5) if markers[own] != markers[own - 1]]
    assert flips == [] or flips == [1], markers
