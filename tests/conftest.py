"""Shared fixtures: a private copy of the edition that a test may break, and a synthetic next edition."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import helpers
from helpers.data import paths


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the latest edition folder (descriptor, metadata, curated tables, raw text) in a temporary folder."""
    target = tmp_path / "edition"
    shutil.copytree(helpers.edition().root, target)
    return target


@pytest.fixture(scope="session")
def project_root() -> Path:
    return paths.ROOT
