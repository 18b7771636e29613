"""Whose partner's table a draft reads: the caller's organisation's only. Another organisation's
table shows beside the records in the side-by-side statistics, but it does not take the place
of the caller's records in their draft, nor put its words (the partner's name) there."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.aggregates.helpers import SIDE_BY_SIDE, submit
from tests.factories import NGO, create_incident
from tests.paragraphs.helpers import drafted, sentences

PLANTED = "No incident was recorded by the mission; GBVIMS"


def test_another_organisations_table_does_not_replace_the_records_in_a_draft(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    create_incident(client)  # the mission's own record of 2019
    ngo = client_for(Role.ADMIN, organisation=NGO)
    submit(ngo, partner_name=PLANTED)
    # The table is there beside the records, as the side-by-side statistics show it.
    side = client.get(SIDE_BY_SIDE, params={"period_from": "2019-01-01"}).json()
    assert [column["partner_name"] for column in side["partner_tables"]] == [PLANTED]
    result = drafted(client)
    assert sentences(result, "partner_table") == []
    [reported] = sentences(result, "reported")
    assert reported["text"].startswith("One incident of conflict-related sexual violence")
    assert PLANTED not in str(result)
    # The mission's own table of the same period is drafted, as before.
    submit(client)
    assert len(sentences(drafted(client), "partner_table")) == 1
