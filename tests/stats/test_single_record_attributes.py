"""A single record of organisation A's, read attribute by attribute by organisation B's report
writer: an open weakness, recorded here so that a fix shows (the test then passes, and strict
xfail fails until the marker is removed).

A figure whose part from other organisations is 0 is published as 0 (or as the caller's own
part), and one whose part is from 1 to k-1 as "<5": the perturbation keeps 0 at 0 and never
makes a positive count 0. So a cell narrowed by filters to one day and one region until it holds
one incident of A's, then grouped by one dimension after another, shows "<5" in exactly the
group of that incident's value and 0 in every other: the survivor's category, age band,
disability, displacement, the perpetrators, the forms of violence, the reporting delay. With
the day and the place of an event B knows of, that is A's de-identified record of it, read
without any count ever being shown.
"""

import pytest
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, NGO, create_incident

SURVIVOR = {
    "sex": "female",
    "age": 14,
    "disability": "yes",
    "displacement_status": "idp",
    "consent": {"statistics": True},
}
DAY = {"occurred_from": "2019-03-14", "occurred_to": "2019-03-14", "admin1": "Mopti"}
ATTRIBUTES = {
    "victim_category": {"girl"},
    "age_group": {"12-17"},
    "disability": {"yes"},
    "displacement_status": {"idp"},
    "perpetrator_category": {"state_security_forces"},
    "violation": {"rape", "forced_marriage"},
}


@pytest.mark.xfail(
    strict=True,
    reason="open: which groups are not 0 tells one record's values (0 stays 0, small is <5)",
)
def test_one_incident_s_attributes_are_not_read_from_which_groups_are_not_zero(
    client: TestClient, client_for
) -> None:
    create_incident(
        client,
        occurred_on="2019-03-14",
        reported_on="2019-03-20",
        victims=[SURVIVOR],
        perpetrators=[{"category": "state_security_forces"}],
        violations=["rape", "forced_marriage"],
    )
    for _ in range(6):  # A's other incidents that week, elsewhere in the table
        create_incident(
            client,
            occurred_on="2019-03-15",
            victims=[{"sex": "male", "age": 30, "consent": {"statistics": True}}],
        )
    outsider = client_for(Role.REPORT_WRITER, organisation=NGO)
    read = {}
    for dimension in ATTRIBUTES:
        table = outsider.get(f"{API}/stats", params={"group_by": dimension, **DAY}).json()
        read[dimension] = {
            group["key"][dimension] for group in table["groups"] if group["incidents"] != 0
        }
    assert read != ATTRIBUTES, read
