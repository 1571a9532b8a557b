"""The person page and its API with an address that is no e-mail, or that no one has: a 404, never a 500."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from tests.engine.conftest import Pipeline

NOT_FOUND = [
    "not-an-email",
    "unknown@example.com",
    "a@b",
    "two@@example.com",
    " ",
    "x" * 300 + "@example.com",
]


@pytest.mark.parametrize("email", NOT_FOUND)
def test_the_person_page_of_no_one_is_a_404_page(client: httpx.Client, email: str) -> None:
    response = client.get(f"/person/{quote(email, safe='@')}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Person</h1>" in response.text  # the dashboard's own page, with its search form
    assert 'name="email"' in response.text
    assert "Traceback" not in response.text


@pytest.mark.parametrize("email", NOT_FOUND)
def test_the_api_answers_404_with_a_reason_for_no_one(client: httpx.Client, email: str) -> None:
    response = client.get(f"/api/people/{quote(email, safe='@')}")
    assert response.status_code == 404
    assert "is in the state store" in response.json()["detail"]


def test_a_known_person_still_has_a_page(synced: Pipeline, client: httpx.Client) -> None:
    person = synced.store.persons.most_active_in_several_crms()
    assert person is not None
    email = synced.store.links.email_of(person)
    assert email is not None
    response = client.get(f"/person/{quote(email.upper(), safe='@')}")
    assert response.status_code == 200
    assert email in response.text
