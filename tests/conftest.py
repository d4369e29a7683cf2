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


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> tuple[dict, Path]:
    """Every job of render.yaml rendered once for the session (forced), published in a temporary
    reports folder: (manifest, path of reports/latest)."""
    from helpers.render import run as render

    reports = tmp_path_factory.mktemp("published") / "reports"
    jobs, _ = render.load_jobs()
    manifest, _ = render.render(jobs, reports=reports, workers=2, quiet=True, force=True, log=lambda *_: None)
    assert manifest["status"] == "ok", [j.get("error") for j in manifest["jobs"] if j["status"] not in ("ok", "cached")]
    return manifest, reports / "latest"
