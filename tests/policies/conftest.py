"""Fixtures of the policies tests."""

from __future__ import annotations

import pytest

from controls import services as control_services


@pytest.fixture
def catalog(db) -> control_services.LoadReport:
    """The control catalog, loaded as `manage.py load_frameworks` loads it (rules name its Annex A controls)."""
    return control_services.load_frameworks()
