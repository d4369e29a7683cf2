"""The render pipeline: bad requests, determinism, atomic publish on failure, the cache and the lock."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

import helpers.__main__ as cli
from helpers import paths, render
from helpers.errors import ParameterError, RenderError

pytestmark = pytest.mark.slow


def _notebook(path: Path, body: str) -> None:
    """A small notebook following the project's conventions (parameters cell, figure_dir)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('lang: str = "zh"  # "zh" or "en"\nfigure_dir: str = "."  # folder for figures')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


OK_BODY = "from IPython.display import display\ndisplay({'application/json': {'lang': lang}}, raw=True)"
FAIL_BODY = "raise ValueError('the data says no')"


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    _notebook(root / "notebooks" / "10-ok.ipynb", OK_BODY)
    return root


def _run(root, reports, notebooks, **kw):
    jobs = [render.Job(nb, {"lang": lang}) for nb in notebooks for lang in ("zh", "en")]
    return render.render(jobs, reports=reports, root=root, workers=2, quiet=True, log=lambda *_: None, **kw)


# --- bad requests: refused before any kernel starts, exit code 2 -----------------------------------

@pytest.mark.parametrize("argv, message", [
    (["--notebook", "notebooks/99-missing.ipynb"], "unknown notebook"),
    (["--notebook", "notebooks/00-data-audit.ipynb", "-p", "colour", "red"], "unknown parameter 'colour'"),
    (["--notebook", "notebooks/00-data-audit.ipynb", "-p", "lang", "fr"], "lang='fr' is not allowed; allowed values: 'zh', 'en'"),
    (["--notebook", "notebooks/00-data-audit.ipynb", "-p", "figure_dir", "/tmp"], "set by the renderer"),
    (["--only", "no-such-job"], "no job matches"),
])
def test_bad_requests_exit_2_with_a_message(argv, message, capsys, tmp_path):
    assert cli.main(["render", "--output", str(tmp_path / "r"), *argv]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "r" / "runs").exists() or not any((tmp_path / "r" / "runs").iterdir())


def test_unwritable_output_folder_is_a_bad_request(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert cli.main(["render", "--only", "00-data-audit--lang-zh", "--output", str(blocker / "reports")]) == 2
    assert "is not writable" in capsys.readouterr().err


def test_list_jobs_json_covers_every_notebook_in_both_languages(capsys):
    assert cli.main(["render", "--list-jobs", "--json"]) == 0
    jobs = json.loads(capsys.readouterr().out)
    notebooks = sorted(p.relative_to(paths.ROOT).as_posix() for p in (paths.ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    assert sorted({j["notebook"] for j in jobs}) == notebooks
    for nb in notebooks:
        assert {j["parameters"]["lang"] for j in jobs if j["notebook"] == nb} == {"zh", "en"}


# --- determinism ---------------------------------------------------------------------------------

def test_two_forced_renders_are_byte_identical(tmp_path):
    jobs = lambda: [render.Job("notebooks/00-data-audit.ipynb", {"lang": lang}) for lang in ("zh", "en")]  # noqa: E731
    kw = dict(root=paths.ROOT, workers=2, quiet=True, force=True, log=lambda *_: None)
    first, run1 = render.render(jobs(), reports=tmp_path / "a", **kw)
    second, run2 = render.render(jobs(), reports=tmp_path / "b", **kw)
    assert first["status"] == second["status"] == "ok"
    # Everything but the run's bookkeeping (manifest, index, kernel logs: they hold times and ports).
    files = sorted(p.relative_to(run1) for p in run1.rglob("*")
                   if p.is_file() and p.name not in ("manifest.json", "index.html") and p.relative_to(run1).parts[0] != "logs")
    assert any(f.suffix == ".html" for f in files) and any(f.suffix == ".png" for f in files)
    assert any(f.suffix == ".ipynb" for f in files)
    different = [str(f) for f in files if (run1 / f).read_bytes() != (run2 / f).read_bytes()]
    assert not different


def test_html_pages_fetch_nothing(tmp_path):
    manifest, run = render.render([render.Job("notebooks/00-data-audit.ipynb", {"lang": "en"})], reports=tmp_path,
                                  root=paths.ROOT, quiet=True, log=lambda *_: None)
    page = (run / "00-data-audit--lang-en" / "00-data-audit--lang-en.html").read_text(encoding="utf-8")
    for marker in ('src="http', "src='http", 'href="http', "url(http", "@import"):
        assert marker not in page
    assert "data:image/png;base64" in page
    assert manifest["jobs"][0]["results"]["checks_failed"] == 0


# --- failure: others finish, latest unchanged, failing cell named, non-zero exit ------------------

def test_failed_job_keeps_last_good_run_published(project, tmp_path):
    reports = tmp_path / "reports"
    good, good_run = _run(project, reports, ["notebooks/10-ok.ipynb"])
    assert good["status"] == "ok" and (reports / "latest").resolve() == good_run.resolve()

    _notebook(project / "notebooks" / "20-broken.ipynb", FAIL_BODY)
    messages = []
    bad, bad_run = render.render(
        [render.Job("notebooks/10-ok.ipynb", {"lang": "zh"}), render.Job("notebooks/20-broken.ipynb", {"lang": "zh"})],
        reports=reports, root=project, workers=2, force=True, quiet=True, log=messages.append)
    assert bad["status"] == "failed"
    assert (reports / "latest").resolve() == good_run.resolve()
    statuses = {j["id"]: j["status"] for j in bad["jobs"]}
    assert statuses == {"10-ok--lang-zh": "ok", "20-broken--lang-zh": "failed"}
    failure = next(m for m in messages if "[FAILED]" in m)
    assert "20-broken" in failure and "cell" in failure and "ValueError: the data says no" in failure
    kept = nbformat.read(bad_run / "20-broken--lang-zh" / "20-broken--lang-zh.ipynb", as_version=4)
    assert any(o.get("output_type") == "error" for c in kept.cells for o in c.get("outputs", []))


def test_cli_exit_code_is_non_zero_on_failure(project, tmp_path, monkeypatch):
    _notebook(project / "notebooks" / "20-broken.ipynb", FAIL_BODY)
    monkeypatch.setattr(paths, "ROOT", project)
    monkeypatch.setattr(render, "load_jobs", lambda *_: ([render.Job("notebooks/20-broken.ipynb", {"lang": "zh"})], {}))
    monkeypatch.setattr(render, "validate_jobs", lambda jobs, root=project: None)
    original = render.render
    monkeypatch.setattr(render, "render", lambda jobs, **kw: original(jobs, **{**kw, "root": project}))
    assert cli.main(["render", "--quiet", "--output", str(tmp_path / "r")]) == 1


# --- cache ---------------------------------------------------------------------------------------

def test_unchanged_inputs_reuse_the_last_good_run(project, tmp_path):
    reports = tmp_path / "reports"
    first, _ = _run(project, reports, ["notebooks/10-ok.ipynb"])
    second, run2 = _run(project, reports, ["notebooks/10-ok.ipynb"])
    assert {j["status"] for j in first["jobs"]} == {"ok"}
    assert {j["status"] for j in second["jobs"]} == {"cached"}
    assert (run2 / "10-ok--lang-zh" / "10-ok--lang-zh.html").is_file()
    assert second["jobs"][0]["results"] == first["jobs"][0]["results"]
    forced, _ = _run(project, reports, ["notebooks/10-ok.ipynb"], force=True)
    assert {j["status"] for j in forced["jobs"]} == {"ok"}


def test_a_changed_input_invalidates_the_cache(project, tmp_path):
    reports = tmp_path / "reports"
    _run(project, reports, ["notebooks/10-ok.ipynb"])
    (project / "data").mkdir()
    (project / "data" / "extra.csv").write_text("a\n1\n", encoding="utf-8")
    again, _ = _run(project, reports, ["notebooks/10-ok.ipynb"])
    assert {j["status"] for j in again["jobs"]} == {"ok"}


def test_old_runs_are_pruned_but_never_the_published_one(project, tmp_path):
    reports = tmp_path / "reports"
    for _ in range(3):
        _run(project, reports, ["notebooks/10-ok.ipynb"], keep=2)
    runs = sorted(p.name for p in (reports / "runs").iterdir())
    assert len(runs) == 2
    assert (reports / "latest").resolve().name == runs[-1]


# --- lock ----------------------------------------------------------------------------------------

def test_a_second_run_refuses_while_the_lock_is_held(project, tmp_path):
    reports = tmp_path / "reports"
    (reports / "runs").mkdir(parents=True)
    with render.RenderLock(reports, wait=False):
        with pytest.raises(RenderError, match="another render is running .*pid"):
            _run(project, reports, ["notebooks/10-ok.ipynb"])
    done, _ = _run(project, reports, ["notebooks/10-ok.ipynb"])
    assert done["status"] == "ok"


def test_manifest_records_inputs_versions_and_results(project, tmp_path):
    manifest, run = _run(project, tmp_path / "reports", ["notebooks/10-ok.ipynb"])
    on_disk = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk["run_id"] == manifest["run_id"] == run.name
    assert "notebooks/10-ok.ipynb" in on_disk["inputs"]
    assert {"pandas", "papermill", "python"} <= set(on_disk["versions"])
    assert on_disk["jobs"][0]["results"] == {"lang": "zh"}
    index = (run / "index.html").read_text(encoding="utf-8")
    assert "10-ok--lang-zh/10-ok--lang-zh.html" in index and "ok" in index


def test_render_refuses_a_parameter_the_notebook_does_not_declare(project, tmp_path):
    with pytest.raises(ParameterError, match="unknown parameter 'level'"):
        render.render([render.Job("notebooks/10-ok.ipynb", {"level": "city"})], reports=tmp_path, root=project,
                      quiet=True, log=lambda *_: None)
    assert not os.path.exists(tmp_path / "runs") or not os.listdir(tmp_path / "runs")


def test_code_is_hidden_by_default_and_shown_on_request(project, tmp_path):
    hidden, run1 = _run(project, tmp_path / "a", ["notebooks/10-ok.ipynb"])
    shown, run2 = _run(project, tmp_path / "b", ["notebooks/10-ok.ipynb"], show_code=True)
    page = "10-ok--lang-zh/10-ok--lang-zh.html"
    assert "application/json" not in (run1 / page).read_text(encoding="utf-8")
    assert "application/json" in (run2 / page).read_text(encoding="utf-8")
