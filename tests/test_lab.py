"""Exploring in JupyterLab changes nothing of the project (helpers/lab.py, `make lab`).

Lab works on git-ignored copies in scratch/notebooks/ kept in step with notebooks/; a notebook run
there draws into scratch/figures/; the other language's markdown cells are collapsed. The slow test
does what a Lab user does — open each notebook, Run All, switch a page to English, save — with
Lab's own pieces (a kernel started in the notebook's folder by nbclient, the save through
jupyter_server's FileContentsManager, the one Lab's REST API writes with), and requires the
project's git status and its committed notebooks and figures to be as they were.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import uuid

import nbformat
import pytest

from helpers import lab
from helpers.data import paths

NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))


def _cells(nb, tag):
    return [c for c in nb.cells if tag in c.metadata.get("tags", [])]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebooks_open_in_their_default_language(notebook):
    """In Lab a reader of the committed notebook sees one language: the other one's cells are collapsed."""
    text = notebook.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    own = lab.default_lang(nb)
    other = next(code for code in lab.LANG_TAGS if code != own)
    assert _cells(nb, lab.LANG_TAGS[own]) and _cells(nb, lab.LANG_TAGS[other])
    assert all(c.metadata.get("jupyter", {}).get("source_hidden") for c in _cells(nb, lab.LANG_TAGS[other]))
    assert not any(c.metadata.get("jupyter", {}).get("source_hidden") for c in _cells(nb, lab.LANG_TAGS[own]))
    assert nbformat.writes(lab.lab_view(nb)) + "\n" == text, "apply helpers.lab.lab_view to the committed notebook"


def test_lab_view_follows_the_chosen_language():
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    lab.lab_view(nb, "en")
    assert lab.default_lang(nb) == "en"
    assert all(c.metadata.get("jupyter", {}).get("source_hidden") for c in _cells(nb, "lang-zh"))
    assert not any("jupyter" in c.metadata for c in _cells(nb, "lang-en"))
    lab.lab_view(nb, "zh")
    assert nbformat.writes(nb) + "\n" == NOTEBOOKS[0].read_text(encoding="utf-8")
    with pytest.raises(lab.ParameterError, match="allowed values"):
        lab.lab_view(nb, "fr")


def test_sync_keeps_copies_in_step_and_never_overwrites_an_edit(tmp_path):
    source, dest = tmp_path / "notebooks", tmp_path / "scratch"
    source.mkdir()
    for notebook in NOTEBOOKS[:2]:
        shutil.copy(notebook, source / notebook.name)
    first, second = (p.name for p in NOTEBOOKS[:2])
    assert lab.sync(source, dest) == [(first, "copied"), (second, "copied")]
    copy, committed = nbformat.read(dest / first, as_version=4), nbformat.read(source / first, as_version=4)
    assert not _cells(copy, "lang-en") and len(_cells(copy, "lang-zh")) == len(_cells(committed, "lang-zh"))
    assert [c.source for c in copy.cells] == [c.source for c in committed.cells if "lang-en" not in c.metadata.get("tags", [])]
    assert lab.sync(source, dest) == [(first, "up to date"), (second, "up to date")]

    # The committed notebooks change (a refresh); the first copy was edited in Lab meanwhile.
    edited = nbformat.read(dest / first, as_version=4)
    edited.cells[0].source += "\n\nmy note"
    nbformat.write(edited, dest / first)
    for name in (first, second):
        nb = nbformat.read(source / name, as_version=4)
        nb.cells[0].source += "\n\nrefreshed"
        nbformat.write(nb, source / name)
    assert lab.sync(source, dest) == [(first, "kept (edited in Lab)"), (second, "updated")]
    assert "my note" in (dest / first).read_text(encoding="utf-8")
    assert "refreshed" in (dest / second).read_text(encoding="utf-8")

    # In English: untouched copies follow; the edited one is still kept.
    assert lab.sync(source, dest, lang="en") == [(first, "kept (edited in Lab)"), (second, "updated")]
    english = nbformat.read(dest / second, as_version=4)
    assert lab.default_lang(english) == "en" and _cells(english, "lang-en") and not _cells(english, "lang-zh")
    (dest / first).unlink()                       # what the message tells a user to do to take the committed one
    assert lab.sync(source, dest, lang="en")[0] == (first, "copied")


def test_lab_refuses_outside_a_checkout(tmp_path):
    with pytest.raises(lab.ParameterError, match="no notebooks"):
        lab.sync(tmp_path / "none", tmp_path / "scratch")


def _project_state() -> tuple[str, dict[str, str]]:
    """git status, and the bytes of every committed notebook and figure (a dirty worktree stays as dirty)."""
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=paths.ROOT,
                            capture_output=True, text=True, check=True).stdout
    files = sorted(paths.NOTEBOOKS_DIR.rglob("*")) + sorted(paths.FIGURES_DIR.rglob("*"))
    return status, {str(f.relative_to(paths.ROOT)): hashlib.sha256(f.read_bytes()).hexdigest() for f in files if f.is_file()}


@pytest.mark.slow
def test_a_lab_session_leaves_the_project_as_it_was(monkeypatch, forked_kernels):
    if shutil.which("git") is None or not (paths.ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    from jupyter_server.services.contents.filemanager import FileContentsManager
    from nbclient import NotebookClient

    monkeypatch.delenv(paths.FIGURE_ENV_VAR, raising=False)    # as in a Lab started by `make lab`
    before = _project_state()
    # The copies Lab opens (a folder of this test's own inside scratch/, not to touch a user's copies).
    dest = paths.SCRATCH_DIR / f"test-lab-{uuid.uuid4().hex[:8]}"
    figures = paths.figures_dir()
    try:
        synced = lab.sync(dest=dest)
        assert [a for _, a in synced] == ["copied"] * len(NOTEBOOKS)
        contents = FileContentsManager(root_dir=str(dest))
        drawn = []
        for notebook in NOTEBOOKS:
            model = contents.get(notebook.name, content=True)
            nb = model["content"]
            if notebook.name.startswith("02-"):     # what the issue saw: a reader switches the page to English
                lab.lab_view(nb, "en")
            # A kernel in the copy's folder, as Lab starts one (forked from the renderer's kernel server:
            # the same kernel without a cold start's imports; it sees this process's environment).
            NotebookClient(nb, kernel_name="python3", timeout=600, kernel_manager_class=forked_kernels,
                           resources={"metadata": {"path": str(dest)}}).execute()
            contents.save({"type": "notebook", "format": "json", "content": nb}, notebook.name)
            drawn += [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
        assert drawn, "the notebooks drew no figure"
        assert any(figures.glob("*.png")), f"no figure in {figures}"
        assert _project_state() == before, "a Lab session changed the project"
        # Saved copies are the user's now: a later `make lab` keeps them.
        assert all(action == "kept (edited in Lab)" for _, action in lab.sync(dest=dest))
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def test_refresh_notebooks_names_the_reference_figures_folder(monkeypatch, tmp_path):
    """Interactive runs draw into scratch/; `make refresh-notebooks` must still redraw figures/ — it tells
    the kernel through the environment (no parameter cell is injected into a committed notebook)."""
    import papermill

    from helpers.render.execute import refresh_notebooks

    (tmp_path / "notebooks").mkdir()
    shutil.copy(NOTEBOOKS[-1], tmp_path / "notebooks" / NOTEBOOKS[-1].name)
    seen = []

    def execute(source, target, **kwargs):
        seen.append(os.environ.get(paths.FIGURE_ENV_VAR))
        shutil.copy(source, target)

    monkeypatch.setenv(paths.FIGURE_ENV_VAR, "/elsewhere")
    monkeypatch.setattr(papermill, "execute_notebook", execute)
    refresh_notebooks(root=tmp_path, log=lambda *_: None)
    assert seen == [str(tmp_path / "figures")]
    assert os.environ[paths.FIGURE_ENV_VAR] == "/elsewhere"
    assert (tmp_path / "notebooks" / NOTEBOOKS[-1].name).read_bytes() == NOTEBOOKS[-1].read_bytes()
