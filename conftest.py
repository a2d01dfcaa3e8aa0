"""Shared test fixtures: the named personas every view and API test uses, on a small demo district."""

from __future__ import annotations

import pytest
from django.test import Client

from jianguan.lib.testing import PERSONAS, make_district, persona_client


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2's real cost protects production passwords; tests only need a working hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def district(db):
    """A small district: two streets, five departments, the matrix, institutions in both streets, and personas."""
    return make_district()


@pytest.fixture
def personas(district):
    return district.users


@pytest.fixture(params=PERSONAS)
def persona(request, district):
    """Parametrises a test over every persona (name, user or None for anonymous)."""
    return request.param, district.users.get(request.param)


@pytest.fixture
def client_for(district):
    def make(name: str) -> Client:
        return persona_client(district.users.get(name))

    return make
