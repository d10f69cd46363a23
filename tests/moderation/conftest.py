"""Fixtures for moderation tests."""

import pytest

from tests.conftest import DEFAULT_PASSWORD


@pytest.fixture
def moderator(create_user):
    return create_user(role="moderator")


@pytest.fixture
def as_moderator(client, moderator):
    response = client.post("/en/auth/login", data={"email": moderator.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return moderator
