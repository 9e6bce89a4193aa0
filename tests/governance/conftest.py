"""Fixtures of the management system's tests."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    # The public concern form's rate limit lives in the cache; each test starts with a clean slate.
    cache.clear()
    yield
    cache.clear()
