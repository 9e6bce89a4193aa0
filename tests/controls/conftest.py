"""Fixtures of the controls tests: the catalog loaded from the project's data files, uploads in a temporary
MEDIA_ROOT."""

from __future__ import annotations

import pytest

from controls import services
from controls.loader import Catalog, parse_catalog


@pytest.fixture(scope="session")
def parsed_catalog() -> Catalog:
    return parse_catalog()


@pytest.fixture
def catalog(db) -> services.LoadReport:
    """The whole catalog, loaded the way `manage.py load_frameworks` loads it."""
    return services.load_frameworks()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> None:
    # Uploaded evidence goes to a throw-away directory, never to var/media of the checkout.
    settings.MEDIA_ROOT = tmp_path / "media"
