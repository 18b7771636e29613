"""Signing in and out of the web pages: cookies, form tokens, redirects, headers, language."""

from html import unescape

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, make_user
from tests.web.pages import csrf_of, sign_in, signed_in, submit, web_client


def test_signing_in_sets_a_secure_httponly_strict_session_cookie(app: FastAPI, client) -> None:
    user = make_user(app, Role.PROTECTION_ADVISER)
    browser = web_client(app)
    response = sign_in(browser, user.username, user.password)
    assert response.status_code == 303
    cookie = next(
        header
        for header in response.headers.get_list("set-cookie")
        if header.startswith("crsv_session=")
    )
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie
    assert "Max-Age" not in cookie  # gone when the browser closes
    assert browser.get("/incidents").status_code == 200


def test_a_wrong_password_shows_the_form_again_with_an_error(app: FastAPI, client) -> None:
    user = make_user(app, Role.PROTECTION_ADVISER)
    browser = web_client(app)
    response = sign_in(browser, user.username, "not the password")
    assert response.status_code == 401
    assert "Wrong username or password." in response.text
    assert "crsv_session" not in response.headers.get("set-cookie", "")
    assert browser.get("/incidents").status_code == 303


def test_a_username_or_password_too_long_for_the_login_is_named_not_a_missing_page(
    app: FastAPI, client
) -> None:
    """Refused before the login runs: "Username: Too long...", not "this page does not exist"."""
    for language, username, password in (
        ("en", "Username: Too long: at most 200 characters.", "Password: Too long"),
        ("fr", "Nom d'utilisateur : Trop long : 200 caractères au plus.", "Mot de passe : Trop"),
    ):
        browser = web_client(app, language=language)
        response = sign_in(browser, "u" * 10_000, "p" * 10_000)
        assert response.status_code == 422, language
        text = unescape(response.text).replace("\xa0", " ")
        assert username in text and password in text, language
        assert "crsv_session" not in response.headers.get("set-cookie", "")


def test_the_login_form_refuses_a_post_without_its_form_token(app: FastAPI, client) -> None:
    user = make_user(app, Role.PROTECTION_ADVISER)
    browser = web_client(app)
    browser.get("/login")
    response = browser.post(
        "/login", data={"username": user.username, "password": user.password, "csrf_token": "x"}
    )
    assert response.status_code == 403
    assert "crsv_session" not in response.headers.get("set-cookie", "")


def test_pages_send_visitors_without_a_session_to_the_login_page(app: FastAPI, client) -> None:
    browser = web_client(app)
    response = browser.get("/incidents/new")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fincidents%2Fnew"


def test_after_login_only_a_path_on_this_site_is_followed(app: FastAPI, client) -> None:
    user = make_user(app, Role.PROTECTION_ADVISER)
    browser = web_client(app)
    token = csrf_of(browser.get("/login").text)
    for target, expected in (
        ("/statistics", "/statistics"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        # Browsers read a backslash as a slash: these would leave the site.
        ("/\\evil.example/", "/"),
        ("\\\\evil.example/", "/"),
        ("/\\/evil.example/", "/"),
        ("/\t/evil.example/", "/"),
        ("/%0a/evil.example", "/%0a/evil.example"),  # encoded: a path on this site
        ("javascript:alert(1)", "/"),
        ("/incidents?status=verified", "/incidents?status=verified"),
    ):
        browser.cookies.clear()
        token = csrf_of(browser.get("/login").text)
        response = browser.post(
            "/login",
            data={
                "username": user.username,
                "password": user.password,
                "csrf_token": token,
                "next": target,
            },
        )
        assert response.headers["location"] == expected


def test_the_language_switch_follows_only_a_path_on_this_site(app: FastAPI, client) -> None:
    browser = web_client(app)
    for target in ("/\\evil.example/", "//evil.example/", "https://evil.example/"):
        response = browser.get("/language/fr", params={"next": target})
        assert response.headers["location"] == "/"


def test_logging_out_revokes_the_session(app: FastAPI, client) -> None:
    browser = signed_in(app, Role.PROTECTION_ADVISER)
    session_cookie = browser.cookies.get("crsv_session")
    response = submit(browser, "/incidents", "/logout", {})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    # The old cookie, replayed, no longer opens anything: the token behind it was revoked.
    replay = web_client(app)
    replay.cookies.set("crsv_session", session_cookie or "")
    assert replay.get("/incidents").status_code == 303
    assert replay.get(f"{API}/auth/me", headers={"Authorization": "Bearer x"}).status_code == 401


def test_a_form_posted_without_the_session_form_token_changes_nothing(
    app: FastAPI, client: TestClient
) -> None:
    browser = signed_in(app, Role.PROTECTION_ADVISER)
    response = browser.post("/logout", data={"csrf_token": "forged"})
    assert response.status_code == 403
    assert browser.get("/incidents").status_code == 200  # still signed in


def test_pages_are_never_cached_framed_or_given_outside_scripts(app: FastAPI, client) -> None:
    browser = signed_in(app, Role.PROTECTION_ADVISER)
    response = browser.get("/incidents")
    assert response.headers["cache-control"] == "no-store"
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy


def test_the_language_switch_turns_the_pages_french(app: FastAPI, client) -> None:
    browser = signed_in(app, Role.PROTECTION_ADVISER)
    assert "Log an incident" in browser.get("/incidents").text
    response = browser.get("/language/fr?next=/incidents")
    assert response.status_code == 303 and response.headers["location"] == "/incidents"
    page = browser.get("/incidents").text
    assert '<html lang="fr">' in page
    assert "Enregistrer un incident" in page and "Log an incident" not in page


def test_the_browser_language_is_used_until_one_is_chosen(app: FastAPI, client) -> None:
    browser = web_client(app)
    page = browser.get("/login", headers={"Accept-Language": "fr-ML,fr;q=0.9,en;q=0.5"}).text
    assert "Connexion" in page


def test_each_role_lands_on_its_own_start_page(app: FastAPI, client) -> None:
    for role, start in (
        (Role.PROTECTION_ADVISER, "/incidents"),
        (Role.REPORT_WRITER, "/statistics"),
        (Role.JUDICIAL_TRACKER, "/judicial"),
    ):
        assert signed_in(app, role).get("/").headers["location"] == start


def test_unknown_pages_and_malformed_ids_get_a_page_not_json(app: FastAPI, client) -> None:
    browser = signed_in(app, Role.PROTECTION_ADVISER)
    for path in ("/no-such-page", "/incidents/not-an-id", "/judicial/cases/42"):
        response = browser.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")
        assert "does not exist, or is not yours to see" in response.text
    api = browser.get(f"{API}/incidents/not-an-id")  # the API keeps its problem details
    assert api.headers["content-type"] == "application/problem+json"


def test_a_login_over_plain_http_to_another_address_says_why_it_cannot_stick(
    app: FastAPI, client
) -> None:
    """The browser keeps the Secure login cookie only over https (or on the machine itself):
    from another machine over http, every login looked like an expired form."""
    user = make_user(app, Role.PROTECTION_ADVISER)
    browser = TestClient(app, base_url="http://192.0.2.10:8000", follow_redirects=False)
    response = sign_in(browser, user.username, user.password)
    assert response.status_code == 403
    assert "opened over plain http" in response.text
    assert "SESSION_COOKIE_SECURE=false" in response.text
    # Over https, a form without its token is what the old message describes.
    secure = web_client(app)
    secure.get("/login")
    forged = secure.post("/login", data={"username": user.username, "csrf_token": "x"})
    assert forged.status_code == 403
    assert "This form has expired" in forged.text and "plain http" not in forged.text
