"""Shared fixtures: a private copy of the edition that a test may break, and the one render of every
job that the tests needing executed notebooks, figures or pages share.

Under pytest-xdist (`make test` runs two workers) a session fixture would run once per worker; the
expensive ones are made once per test run instead, by whichever worker asks first, under a file lock
in the folder all workers share (pytest-xdist's documented recipe), and read by the others.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock
from hypothesis import settings

import helpers
from helpers.data import paths

# No timing limit on property-based examples: a test here asserts behaviour, never speed (speed is
# `make benchmark`'s), and a loaded machine made a 200 ms deadline fail an arithmetic check.
settings.register_profile("project", deadline=None)
settings.load_profile("project")

@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the latest edition folder (descriptor, metadata, curated tables, raw text) in a temporary folder."""
    target = tmp_path / "edition"
    shutil.copytree(helpers.edition().root, target)
    return target


@pytest.fixture(scope="session")
def project_root() -> Path:
    return paths.ROOT


def made_once(tmp_path_factory, worker_id: str, name: str, make: Callable[[Path], None]) -> Path:
    """The folder `name`, made by `make(folder)` once per test run, even across xdist workers.

    A folder is complete when its `.done` marker exists; a worker that finds it incomplete (its maker
    failed) makes it again, so a failure shows in every test that needs it, not as a missing file."""
    if worker_id == "master":                     # not under xdist: the session's own temp folder
        shared = tmp_path_factory.getbasetemp()
    else:                                         # the folder every worker of this run shares
        shared = tmp_path_factory.getbasetemp().parent
    folder = shared / name
    with FileLock(str(shared / f"{name}.lock")):
        if not (folder / ".done").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            (folder / ".done").touch()
    return folder


@pytest.fixture(scope="session")
def made_once_dir(tmp_path_factory, worker_id) -> Callable[[str, Callable[[Path], None]], Path]:
    """made_once_dir(name, make): the folder `name` made by `make(folder)` once per test run (`made_once`)."""
    return lambda name, make: made_once(tmp_path_factory, worker_id, name, make)


@pytest.fixture(scope="session")
def forked_kernels():
    """A kernel manager class for papermill whose kernels fork from the renderer's kernel server (one
    per test worker, the analysis stack preloaded and the latest edition checked once): what a test
    runs in it is what `helpers render` runs, without a cold kernel's imports and checks each time."""
    import helpers
    from helpers.render import kernels

    with kernels.KernelServer(editions=(str(helpers.edition().root),)) as server:
        server.wait_ready()
        yield kernels.kernel_manager_class()


@pytest.fixture(scope="session")
def published(tmp_path_factory, worker_id) -> tuple[dict, Path]:
    """Every job of render.yaml rendered once per test run (forced), published in a temporary reports
    folder: (manifest, path of reports/latest). Tests read it; none may change it."""
    from helpers.render import run as render

    def make(folder: Path) -> None:
        jobs, _ = render.load_jobs()
        manifest, _ = render.render(jobs, reports=folder / "reports", workers=2, quiet=True, force=True, log=lambda *_: None)
        assert manifest["status"] == "ok", [j.get("error") for j in manifest["jobs"] if j["status"] not in ("ok", "cached")]

    latest = made_once(tmp_path_factory, worker_id, "published", make) / "reports" / "latest"
    return json.loads((latest / "manifest.json").read_text(encoding="utf-8")), latest


@pytest.fixture(scope="session")
def published_job(published) -> Callable[..., Path]:
    """published_job("01-growth", lang="en"): the folder of the published job of that notebook with
    exactly those parameters."""
    manifest, latest = published

    def find(notebook: str, **parameters) -> Path:
        found = [j for j in manifest["jobs"] if Path(j["notebook"]).stem == notebook and j["parameters"] == parameters]
        assert len(found) == 1, f"no single published job for {notebook} {parameters}: {[j['id'] for j in manifest['jobs']]}"
        return latest / found[0]["id"]

    return find


# --- Spreading the run over the workers (make test: pytest-xdist) ----------------------------------
# Each test is its own unit of work, except those that must share one process: the cells of one
# notebook under nbval (one kernel, executed in order), the synthetic edition's tests (one module
# fixture builds it) and the browser tests (one Lab server, one browser). pytest-xdist's own
# `--dist loadgroup` cannot do this here (it renames node ids through an attribute pytest 9 no
# longer reads), so the units are drawn by a scheduler of ours,
# through xdist's documented `pytest_xdist_make_scheduler` hook. The longest units are handed out
# first, so that no worker starts a long test while the other is about to run out of work: the units
# of a minute or more (Airflow, the synthetic edition's render, the browser tests), the other slow
# tests, the notebooks, then the rest.
FIRST = ("tests/test_airflow.py", "tests/test_synthetic_edition.py", "tests/test_browser.py")
# The browser tests share one JupyterLab server and one Chromium (module fixtures): spread over the
# workers, each worker would start its own of both.
ONE_WORKER = ("tests/test_synthetic_edition.py", "tests/test_browser.py")


def _unit(nodeid: str) -> str:
    """The unit of work of a test: its file for notebook cells and ONE_WORKER modules, else itself."""
    path = nodeid.split("::")[0]
    return path if path.endswith(".ipynb") or path in ONE_WORKER else nodeid


def _rank(item) -> int:
    path = item.nodeid.split("::")[0]
    if path in FIRST:
        return 0
    if item.get_closest_marker("slow"):
        return 1
    return 2 if path.endswith(".ipynb") else 3


def pytest_collection_modifyitems(config, items):
    items.sort(key=_rank)             # stable: within a rank, the order of collection


def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class ByUnit(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit(nodeid)

    return ByUnit(config, log)
