"""An organisation's admin manages its own organisation's accounts, and nobody else's."""

from typing import Any

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, NGO, PASSWORD, create_incident, field_names

ADMIN, ADVISER = Role.ADMIN, Role.PROTECTION_ADVISER
OPERATORS = "Registry operators"


def _me(client: TestClient) -> dict[str, Any]:
    return client.get(f"{API}/auth/me").json()


def _new_user(organisation_id: str, *roles: str, username: str = "new.adviser") -> dict[str, Any]:
    return {
        "username": username,
        "password": PASSWORD,
        "organisation_id": organisation_id,
        "roles": list(roles),
    }


def _login_status(client: TestClient, username: str) -> int:
    data = {"username": username, "password": PASSWORD}
    return client.post(f"{API}/auth/token", data=data).status_code


def test_an_admin_cannot_create_a_user_in_another_organisation(
    client: TestClient, client_for
) -> None:
    """Reproduction: B's admin made an adviser in A's organisation and read A's survivors."""
    create_incident(client, victims=[{"sex": "female", "age": 20, "identity": {"name": "Awa"}}])
    mission_id = _me(client)["organisation_id"]
    ngo_admin = client_for(ADMIN, organisation=NGO)

    response = ngo_admin.post(f"{API}/users", json=_new_user(mission_id, "protection_adviser"))

    assert response.status_code == 422
    assert field_names(response) == {"organisation_id"}
    assert _login_status(client, "new.adviser") == 401  # no such account was made
    # The refusal reads as for an organisation that does not exist: nothing is disclosed.
    unknown = ngo_admin.post(
        f"{API}/users",
        json=_new_user("00000000-0000-0000-0000-000000000000", "protection_adviser"),
    )
    assert unknown.json()["errors"] == response.json()["errors"]


def test_an_admin_creates_users_in_its_own_organisation(client_for) -> None:
    admin = client_for(ADMIN, organisation=NGO)
    own = _me(admin)["organisation_id"]
    response = admin.post(f"{API}/users", json=_new_user(own, "report_writer"))
    assert response.status_code == 201, response.text
    assert response.json()["organisation_id"] == own


def test_an_admin_cannot_give_itself_a_role(client_for) -> None:
    """Reproduction: B's admin gave itself protection_adviser with PATCH /users/{self}."""
    admin = client_for(ADMIN, organisation=NGO)
    me = _me(admin)
    response = admin.patch(
        f"{API}/users/{me['user_id']}", json={"roles": ["admin", "protection_adviser"]}
    )
    assert response.status_code == 409
    assert field_names(response) == {"roles"}
    assert _me(admin)["roles"] == ["admin"]
    # Its own password it may change.
    again = admin.patch(f"{API}/users/{me['user_id']}", json={"password": PASSWORD + "!"})
    assert again.status_code == 200


def test_another_organisations_accounts_are_not_found(client: TestClient, client_for) -> None:
    mission_admin = client_for(ADMIN)
    mission_user = _me(client)
    ngo_admin = client_for(ADMIN, organisation=NGO)
    path = f"{API}/users/{mission_user['user_id']}"
    unknown = f"{API}/users/00000000-0000-0000-0000-000000000000"

    for method, kwargs in (
        ("GET", {}),
        ("PATCH", {"json": {"is_active": False}}),
        ("PATCH", {"json": {"roles": ["admin"]}}),
        ("PATCH", {"json": {"password": PASSWORD + "!"}}),
    ):
        theirs = ngo_admin.request(method, path, **kwargs)
        nobody = ngo_admin.request(method, unknown, **kwargs)
        assert (
            (theirs.status_code, theirs.json())
            == (nobody.status_code, nobody.json())
            == (
                404,
                nobody.json(),
            )
        )
    listed = ngo_admin.get(f"{API}/users").json()
    assert {user["organisation_id"] for user in listed} == {_me(ngo_admin)["organisation_id"]}
    filtered = ngo_admin.get(
        f"{API}/users", params={"organisation_id": mission_user["organisation_id"]}
    )
    assert filtered.json() == []
    # Nothing was changed: the mission's adviser still works, with the same roles.
    assert _me(client)["roles"] == ["protection_adviser"]
    assert mission_admin.get(path).json()["is_active"] is True


def test_an_admin_sees_only_its_own_organisation(client: TestClient, client_for) -> None:
    ngo_admin = client_for(ADMIN, organisation=NGO)
    listed = ngo_admin.get(f"{API}/organisations").json()
    assert [org["name"] for org in listed] == [NGO]
    created = ngo_admin.post(f"{API}/organisations", json={"name": "Mine", "kind": "ngo"})
    assert created.status_code == 403


def test_the_system_role_creates_organisations_and_their_first_admin(
    client: TestClient, client_for
) -> None:
    system = client_for(Role.SYSTEM_ADMIN, organisation=OPERATORS)
    organisation = system.post(
        f"{API}/organisations", json={"name": "Gao legal clinic", "kind": "ngo"}
    )
    assert organisation.status_code == 201, organisation.text
    new_id = organisation.json()["id"]
    assert "Gao legal clinic" in {o["name"] for o in system.get(f"{API}/organisations").json()}

    first_admin = system.post(f"{API}/users", json=_new_user(new_id, "admin", username="gao.admin"))
    assert first_admin.status_code == 201, first_admin.text
    # Only admins: whoever reads survivors is chosen by the organisation's own admins.
    adviser = system.post(f"{API}/users", json=_new_user(new_id, "admin", "protection_adviser"))
    assert adviser.status_code == 422 and field_names(adviser) == {"roles"}
    # The system role does not manage accounts, read the trail or see survivors.
    for path in ("/users", f"/users/{first_admin.json()['id']}", "/audit", "/incidents"):
        assert system.get(f"{API}{path}").status_code == 403


def test_the_system_role_makes_no_admin_in_an_organisation_that_has_accounts(
    client: TestClient, client_for
) -> None:
    """Reproduction: the system role made a second admin of the mission, with a password it
    chose; that admin made an adviser, who read the mission's survivors' identities."""
    create_incident(client, victims=[{"sex": "female", "age": 20, "identity": {"name": "Awa"}}])
    mission_id = _me(client)["organisation_id"]
    client_for(ADMIN)  # the mission's own admin
    system = client_for(Role.SYSTEM_ADMIN, organisation=OPERATORS)

    second = system.post(f"{API}/users", json=_new_user(mission_id, "admin", username="ops.in"))
    assert second.status_code == 422 and field_names(second) == {"organisation_id"}
    assert _login_status(client, "ops.in") == 401

    # A new organisation gets its first admin, and then no other from the system role.
    made = system.post(f"{API}/organisations", json={"name": "Gao legal clinic", "kind": "ngo"})
    new_id = made.json()["id"]
    first = system.post(f"{API}/users", json=_new_user(new_id, "admin", username="gao.admin"))
    assert first.status_code == 201, first.text
    again = system.post(f"{API}/users", json=_new_user(new_id, "admin", username="gao.admin2"))
    assert again.status_code == 422 and field_names(again) == {"organisation_id"}

    # Nor in one whose only accounts are advisers made on the server, with no admin beside them.
    client_for(ADVISER, organisation=NGO)
    ngo_id = next(o["id"] for o in system.get(f"{API}/organisations").json() if o["name"] == NGO)
    admin_in_ngo = system.post(f"{API}/users", json=_new_user(ngo_id, "admin", username="ngo.a"))
    assert admin_in_ngo.status_code == 422 and field_names(admin_in_ngo) == {"organisation_id"}


def test_the_system_role_is_granted_by_the_command_line_only(client_for) -> None:
    admin = client_for(ADMIN, organisation=NGO)
    own = _me(admin)["organisation_id"]
    created = admin.post(f"{API}/users", json=_new_user(own, "admin", "system_admin"))
    assert created.status_code == 422 and field_names(created) == {"roles"}
    colleague = admin.post(f"{API}/users", json=_new_user(own, "report_writer")).json()
    granted = admin.patch(f"{API}/users/{colleague['id']}", json={"roles": ["system_admin"]})
    assert granted.status_code == 422 and field_names(granted) == {"roles"}
    system = client_for(Role.SYSTEM_ADMIN, organisation=NGO)
    system_id = _me(system)["user_id"]
    dropped = admin.patch(f"{API}/users/{system_id}", json={"roles": ["report_writer"]})
    assert dropped.status_code == 422 and field_names(dropped) == {"roles"}
    assert _me(system)["roles"] == ["system_admin"]


def test_granting_a_role_that_reads_identity_is_audited(client_for) -> None:
    admin = client_for(ADMIN, organisation=NGO)
    own = _me(admin)["organisation_id"]
    writer = admin.post(f"{API}/users", json=_new_user(own, "report_writer")).json()
    adviser = admin.post(
        f"{API}/users", json=_new_user(own, "protection_adviser", username="second.adviser")
    ).json()
    admin.patch(
        f"{API}/users/{writer['id']}", json={"roles": ["report_writer", "protection_adviser"]}
    )

    grants = admin.get(f"{API}/audit", params={"action": "user.grant_identity_access"}).json()
    by_user = {event["record_id"]: event for event in grants["items"]}
    assert set(by_user) == {writer["id"], adviser["id"]}
    event = by_user[writer["id"]]
    assert event["actor_user_id"] == _me(admin)["user_id"]
    assert event["details"] == {
        "roles": ["protection_adviser"],
        "username": writer["username"],
        "organisation_id": own,
    }
    update = admin.get(
        f"{API}/audit", params={"action": "user.update", "record_id": writer["id"]}
    ).json()["items"][0]
    assert update["details"] == {"roles_granted": ["protection_adviser"], "roles_revoked": []}


def test_organisations_get_a_reference_code_of_their_own(client_for) -> None:
    system = client_for(Role.SYSTEM_ADMIN, organisation=OPERATORS)

    def create(name: str, **extra: str) -> Any:
        return system.post(f"{API}/organisations", json={"name": name, "kind": "ngo", **extra})

    assert create("Gao legal clinic").json()["reference_code"] == "GLC"
    assert create("Gao Lawyers' Collective").json()["reference_code"] == "GLC2"
    assert create("Comité d'écoute", reference_code="ce-ml").status_code == 422
    assert create("Comité d'écoute", reference_code="ceml").json()["reference_code"] == "CEML"
    taken = create("Centre d'écoute", reference_code="CEML")
    assert taken.status_code == 409 and field_names(taken) == {"reference_code"}
