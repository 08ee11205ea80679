"""Fixtures of the release extractor and source tests."""

from __future__ import annotations

import pytest
from releases_helpers import DATA


@pytest.fixture
def data_bytes():
    return lambda name: (DATA / name).read_bytes()
