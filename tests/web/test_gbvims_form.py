"""The GBVIMS intake fields on the incident form: entered, shown, edited and cleared, refused by
their field, in English and French, and the GBVIMS type's warning shown, never a refusal."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, create_incident
from tests.web.pages import field_errors, incident_form, submit

ADVISER = Role.PROTECTION_ADVISER
GBVIMS_FORM = {
    "time_of_day": "morning",
    "place_type": "latrine",
    "displacement_stage": "during_refuge",
    "perpetrator_count": "2",
    "victims-0-marital_status": "single",
    "victims-0-unaccompanied_separated": "unaccompanied",
    "victims-0-country_of_origin": "ne",
    "victims-0-disability_kind": "sensory",
    "perpetrators-0-sex": "male",
    "perpetrators-0-age_group": "18-25",
    "perpetrators-0-relationship": "other_community_member",
    "perpetrators-0-occupation": "Herder",
    "perpetrators-0-involvement": "secondary",
}


def _log(browser: TestClient, **overrides: str | list[str]) -> str:
    response = submit(browser, "/incidents/new", "/incidents/new", incident_form(**overrides))
    assert response.status_code == 303, field_errors(response.text) or response.text
    return str(response.headers["location"].split("?")[0].rsplit("/", 1)[1])


def test_the_form_records_the_gbvims_fields_and_the_edit_form_clears_them(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER)
    incident_id = _log(browser, **GBVIMS_FORM)
    stored = client.get(f"{API}/incidents/{incident_id}").json()
    assert stored["place_type"] == "latrine" and stored["perpetrator_count"] == "2"
    victim, perpetrator = stored["victims"][0], stored["perpetrators"][0]
    assert victim["country_of_origin"] == "NE" and victim["disability"] == "yes"
    assert victim["unaccompanied_separated"] == "unaccompanied"
    assert perpetrator["relationship"] == "other_community_member"
    assert perpetrator["occupation"] == "Herder"
    detail = browser.get(f"/incidents/{incident_id}").text
    assert "Latrine or bathing facility" in detail and "Other resident community member" in detail

    edit = browser.get(f"/incidents/{incident_id}/edit").text
    assert '<option value="latrine" selected>' in edit
    assert 'name="perpetrators-0-occupation" type="text" value="Herder"' in edit
    form = {
        **incident_form(**GBVIMS_FORM),
        "version": str(stored["version"]),
        "victims-0-id": victim["id"],
        "victims-1-id": stored["victims"][1]["id"],
        "perpetrators-0-id": perpetrator["id"],
        "place_type": "",  # emptied: cleared
        "perpetrators-0-occupation": "",
    }
    response = submit(
        browser, f"/incidents/{incident_id}/edit", f"/incidents/{incident_id}/edit", form
    )
    assert response.status_code == 303, field_errors(response.text)
    changed = client.get(f"{API}/incidents/{incident_id}").json()
    assert changed["place_type"] is None and changed["time_of_day"] == "morning"
    assert changed["perpetrators"][0]["occupation"] is None


def test_a_wrong_gbvims_entry_is_shown_by_its_field(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER, language="fr")
    form = incident_form(
        **{
            "victims-1-unaccompanied_separated": "separated",  # an adult
            "victims-0-disability": "no",
            "victims-0-disability_kind": "physical",
        }
    )
    response = submit(browser, "/incidents/new", "/incidents/new", form)
    assert response.status_code == 422
    errors = field_errors(response.text)
    assert errors["victims-1-unaccompanied_separated"] == "ne s'applique qu'aux enfants"
    assert errors["victims-0-disability_kind"] == "contredit la réponse « non » sur le handicap"
    assert "Enfant non accompagné ou séparé (victime 2)" in response.text  # the summary names it
    assert client.get(f"{API}/incidents").json()["items"] == []


def test_the_form_is_in_french_too(pages_for: Callable[..., TestClient]) -> None:
    page = pages_for(ADVISER, language="fr").get("/incidents/new").text
    for label in ("Moment de la journée", "Type de lieu", "Point d'eau", "Tuteur principal"):
        assert label.replace("'", "&#39;") in page


def test_a_type_contradicting_the_forms_is_saved_and_flagged_on_the_pages(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER)
    incident_id = _log(browser, violations=["rape"], gbv_type="physical_assault")
    assert client.get(f"{API}/incidents/{incident_id}").json()["gbv_type"] == "physical_assault"
    detail = browser.get(f"/incidents/{incident_id}").text
    assert 'id="warnings"' in detail
    assert "(Physical assault) is not consistent with any of the forms of violence (Rape)" in detail
    assert 'id="warnings"' in browser.get(f"/incidents/{incident_id}/edit").text
    french = pages_for(ADVISER, language="fr").get(f"/incidents/{incident_id}").text
    assert "ne correspond à aucune des formes de" in french

    consistent = create_incident(client, violations=["rape"], gbv_type="rape")
    assert 'id="warnings"' not in browser.get(f"/incidents/{consistent['id']}").text
