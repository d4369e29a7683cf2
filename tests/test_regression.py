"""Regression guard: committed figures are references, and nbval catches a changed number."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import papermill
import pytest

import helpers
from helpers.data import paths

pytestmark = pytest.mark.slow
NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))


def default_job(published, notebook: Path) -> Path:
    """The published job that ran `notebook` with its own default parameters (the committed figures'
    parameters): its every parameter equals the notebook's default."""
    manifest, latest = published
    defaults = {name: spec["default"].strip("\"'") for name, spec in papermill.inspect_notebook(str(notebook)).items()}
    found = [j for j in manifest["jobs"] if Path(j["notebook"]).name == notebook.name
             and all(defaults.get(k) == v for k, v in j["parameters"].items())]
    assert len(found) == 1, f"{notebook.name}: render.yaml must render its default parameters exactly once"
    return latest / found[0]["id"] / "figures"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_figures_are_reproduced_byte_for_byte(notebook, published):
    """The notebook rendered with its default parameters (the shared render): every figure equals its reference."""
    folder = default_job(published, notebook)
    rendered = sorted(p.name for p in folder.iterdir() if p.suffix in (".png", ".svg"))
    assert rendered, f"{notebook.name} wrote no figure"
    prefix = notebook.stem.split("-")[0] + "-"
    committed = sorted(p.name for p in paths.FIGURES_DIR.glob(prefix + "*") if p.suffix in (".png", ".svg"))
    assert rendered == committed, f"figures differ in name: rendered {rendered}, committed {committed}"
    changed = [name for name in rendered if (folder / name).read_bytes() != (paths.FIGURES_DIR / name).read_bytes()]
    assert not changed, f"figures changed: {changed} (run `make refresh-notebooks` if intended)"


def _nbval(notebook: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
                           "--nbval-sanitize-with", str(paths.ROOT / "tests" / "nbval_sanitize.cfg"), str(notebook)],
                          cwd=notebook.parent, env=env, capture_output=True, text=True)


def test_nbval_fails_when_one_curated_number_changes(tmp_path):
    """Copy the project's notebooks and data, change one number, and nbval must fail there."""
    project = tmp_path / "project"
    edition = project / "edition"
    shutil.copytree(helpers.edition().root, edition)
    shutil.copytree(paths.NOTEBOOKS_DIR, project / "notebooks", ignore=shutil.ignore_patterns(".*"))
    env = {**os.environ, paths.EDITION_ENV_VAR: str(edition), paths.FIGURE_ENV_VAR: str(tmp_path / "figs")}
    notebook = project / "notebooks" / "00-data-audit.ipynb"

    unchanged = _nbval(notebook, env)
    assert unchanged.returncode == 0, unchanged.stdout[-2000:]

    budget = edition / "curated" / "budget.csv"
    text = budget.read_text(encoding="utf-8")
    assert text.count(",2285.0,") + text.count(",2285,") == 1
    budget.write_text(text.replace(",2285,", ",2286,").replace(",2285.0,", ",2286.0,"), encoding="utf-8")
    changed = _nbval(notebook, env)
    assert changed.returncode != 0
    assert "failed" in changed.stdout
