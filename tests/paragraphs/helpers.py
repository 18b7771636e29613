"""Calls to the drafted paragraphs, and following a figure's link to what it gives."""

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import API

PARAGRAPHS = f"{API}/reports/paragraphs"


def drafted(client: TestClient, **params: Any) -> dict[str, Any]:
    sent = {"period": "2019", **params}
    response = client.get(PARAGRAPHS, params={k: v for k, v in sent.items() if v is not None})
    assert response.status_code == 200, response.text
    return response.json()


def texts(result: dict[str, Any]) -> dict[str, str]:
    return {paragraph["key"]: paragraph["text"] for paragraph in result["paragraphs"]}


def sentences(result: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [s for p in result["paragraphs"] for s in p["sentences"] if s["kind"] == kind]


def resolve(document: Any, pointer: str) -> Any:
    """The value at a JSON pointer (RFC 6901)."""
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        document = document[int(token)] if isinstance(document, list) else document[token]
    return document


def followed(client: TestClient, figure: dict[str, Any]) -> Any:
    """What the figure's link gives: the value at its pointer, or the number of items there."""
    response = client.get(figure["url"])
    assert response.status_code == 200, (figure["url"], response.text)
    found = resolve(response.json(), figure["pointer"])
    return len(found) if figure["counts_items"] else found
