"""Shared fixtures: a private copy of the data folder that a test may break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import paths


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of data/ (descriptor, curated tables, raw text) in a temporary folder."""
    target = tmp_path / "data"
    shutil.copytree(paths.ROOT / "data", target)
    return target
