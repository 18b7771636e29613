"""The referrals received are paged by `cursor` and `limit` only: a parameter the list does not
know is refused by name, as on every other list, instead of quietly giving the first page."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, NGO

RECEIVED = f"{API}/referrals/received"


def test_a_misspelt_paging_parameter_is_refused_by_name(
    client_for: Callable[..., TestClient],
) -> None:
    provider = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    for misspelt in ("cursr", "limt"):
        refused = provider.get(RECEIVED, params={misspelt: "2"})
        assert refused.status_code == 422, refused.text
        assert [error["field"] for error in refused.json()["errors"]] == [misspelt]
    for bad in ({"limit": "0"}, {"limit": "two"}, {"cursor": "x" * 201}):
        refused = provider.get(RECEIVED, params=bad)
        assert refused.status_code == 422
        assert [error["field"] for error in refused.json()["errors"]] == list(bad)
    assert provider.get(RECEIVED, params={"limit": "2"}).json()["limit"] == 2
