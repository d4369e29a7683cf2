"""The render pipeline: bad requests, determinism, atomic publish on failure, the cache, the lock, forked
kernels, and the two-step API (one job into a run folder; assemble and publish) that Airflow uses.

The fault cases an attacker would try (kill -9, tampered pages, a full disk, broken inputs …) are in
test_faults.py. Most tests use tiny synthetic notebooks in a temporary project (render(root=…)), so
they do not depend on the analysis notebooks that others are editing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import helpers.cli as cli
from helpers.data import paths
from helpers.errors import ParameterError
from helpers.render import kernels, runs
from helpers.render import run as render
from helpers.render.lock import LockError

pytestmark = pytest.mark.slow


def _notebook(path: Path, body: str, params: str = "") -> None:
    """A small notebook following the project's conventions (parameters cell, figure_dir)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell('lang: str = "zh"  # "zh" or "en"\nfigure_dir: str = "."  # folder for figures' + params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# A page\n\n## Findings"), cell, nbformat.v4.new_code_cell(body)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


OK_BODY = "from IPython.display import display\ndisplay({'application/json': {'lang': lang}}, raw=True)"
FIGURE_BODY = """import matplotlib
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(2, 1.5))
ax.plot([1, 3, 2])
plt.show()
fig.savefig(figure_dir + "/line.png", metadata={"Software": None})
print("rows", 3)
from IPython.display import display
display({'application/json': {'lang': lang, 'backend': matplotlib.get_backend()}}, raw=True)"""
FAIL_BODY = "raise ValueError('the data says no')"


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    _notebook(root / "notebooks" / "10-ok.ipynb", OK_BODY)
    return root


def _run(root, reports, notebooks, **kw):
    jobs = [render.Job(nb, {"lang": lang}) for nb in notebooks for lang in ("zh", "en")]
    return render.render(jobs, reports=reports, root=root, workers=2, quiet=True, log=lambda *_: None, **kw)


def _files(run: Path, job_id: str) -> dict[str, bytes]:
    folder = run / job_id
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- bad requests: refused before any kernel starts, exit code 2 -----------------------------------

@pytest.mark.parametrize("argv, message", [
    (["--notebook", "notebooks/99-missing.ipynb"], "unknown notebook"),
    (["--notebook", "notebooks/00-data-audit.ipynb", "-p", "colour", "red"], "unknown parameter 'colour'"),
    (["--notebook", "notebooks/00-data-audit.ipynb", "-p", "lang", "fr"], "lang='fr' is not allowed; allowed values: 'zh', 'en'"),
    (["--notebook", "notebooks/00-data-audit.ipynb", "-p", "figure_dir", "/tmp"], "set by the renderer"),
    (["--only", "no-such-job"], "no job matches"),
    (["--keep", "0"], "keep at least the published run"),
    (["--job", "00-data-audit--lang-zh"], "--job needs --run-dir"),
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
    assert len({j["id"] for j in jobs}) == len(jobs)


def test_declared_parameters_read_like_papermill(project):
    import papermill

    path = project / "notebooks" / "10-ok.ipynb"
    ours = {k: v["default"] for k, v in render.declared_parameters(path).items()}
    theirs = {k: v["default"] for k, v in papermill.inspect_notebook(str(path)).items()}
    assert ours == theirs == {"lang": '"zh"', "figure_dir": '"."'}


def test_render_refuses_a_parameter_the_notebook_does_not_declare(project, tmp_path):
    with pytest.raises(ParameterError, match="unknown parameter 'level'"):
        render.render([render.Job("notebooks/10-ok.ipynb", {"level": "city"})], reports=tmp_path, root=project,
                      quiet=True, log=lambda *_: None)
    assert not os.path.exists(tmp_path / "runs") or not os.listdir(tmp_path / "runs")


# --- determinism ---------------------------------------------------------------------------------

def test_two_forced_renders_are_byte_identical(published, tmp_path):
    """The same job twice gives the same bytes: the shared render (forked kernels, two workers, with
    every other job) and a render of its own here (fresh kernels, alone)."""
    manifest, latest = published
    jobs = [render.Job("notebooks/00-data-audit.ipynb", {"lang": lang}) for lang in ("zh", "en")]
    again, run = render.render(jobs, reports=tmp_path / "b", root=paths.ROOT, workers=2, quiet=True, force=True,
                               fork_kernels=False, log=lambda *_: None)
    assert again["status"] == "ok"
    for job in again["jobs"]:
        files = _files(run, job["id"])
        assert any(f.endswith(".html") for f in files) and any(f.endswith(".png") for f in files)
        assert files == _files(latest, job["id"])


def test_html_pages_fetch_nothing(published):
    manifest, latest = published
    page = (latest / "00-data-audit--lang-en" / "00-data-audit--lang-en.html").read_text(encoding="utf-8")
    for marker in ('src="http', "src='http", 'href="http', "url(http", "@import"):
        assert marker not in page
    assert "data:image/png;base64" in page
    assert next(j for j in manifest["jobs"] if j["id"] == "00-data-audit--lang-en")["results"]["checks_failed"] == 0


def test_the_front_page_shows_every_notebooks_findings_as_its_page_does(published):
    """Each notebook's entry on each front page lists the findings its page shows (read from the
    findings the notebook displays as data, not from its HTML: 02's page once had none there)."""
    import re

    from helpers.report.page import FINDINGS_MIME

    manifest, latest = published
    for lang, front in (("zh", "index.html"), ("en", "index.en.html")):
        page = (latest / front).read_text(encoding="utf-8")
        for notebook in sorted({j["notebook"] for j in manifest["jobs"]}):
            job = next(j for j in manifest["jobs"] if j["notebook"] == notebook and j["parameters"].get("lang") == lang)
            nb = nbformat.read(latest / job["id"] / f"{job['id']}.ipynb", as_version=4)
            items = [o["data"][FINDINGS_MIME]["items"] for c in nb.cells for o in c.get("outputs", [])
                     if FINDINGS_MIME in o.get("data", {})]
            assert len(items) == 1 and 3 <= len(items[0]) <= 5, (job["id"], items)
            entry = page.split(f'<h3><a href="{job["id"]}/')[1].split("<h3>")[0]
            shown = re.findall(r"<li>", entry.split('<ul class="findings">')[1].split("</ul>")[0])
            assert len(shown) == len(items[0]), (front, job["id"])
            assert f'href="{job["id"]}/{job["id"]}.html#src-' in entry, (front, job["id"])


def test_every_estimate_provisional_figure_and_advance_quota_carries_its_mark_on_every_page(published):
    """A curated number the report states as a projection (预计), flags provisional (暂列) or an
    advance quota reads with that mark wherever a page shows it (in both languages)."""
    import html as _html
    import re

    from helpers.data.load import load_all
    from helpers.report import words
    from helpers.report.page import marks_of

    marked = {}
    for frame in load_all().values():
        for row in frame.to_dict("records"):
            if marks_of(row):
                marked[row["row_id"]] = marks_of(row)
    assert len(marked) >= 30
    manifest, latest = published
    shown, missing = 0, []
    for job in manifest["jobs"]:
        lang = job["parameters"]["lang"]
        page = (latest / job["id"] / f"{job['id']}.html").read_text(encoding="utf-8")
        for ident, inner in re.findall(r'<span class="sourced" data-row="([^"]*)"[^>]*>(.*?)<sup class="src">', page):
            row_id = _html.unescape(ident).split(":", 1)[1]
            if row_id in marked:
                shown += 1
                text = _html.unescape(re.sub(r"<[^>]+>", "", inner))
                if not all(words.name("mark", code, lang) in text for code in marked[row_id]):
                    missing.append((job["id"], row_id, text))
    assert shown >= 20 and missing == [], missing[:10]


def test_the_downloaded_data_package_is_complete_and_validates_where_it_is(published):
    """Every file the downloaded datapackage.json lists is in the download, and frictionless validates
    it there; facts.csv carries each number's meaning (qualifier, projected, flag)."""
    import csv as _csv

    manifest, latest = published
    for folder in sorted((latest / "downloads").iterdir()):
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        assert all((folder / r["path"]).is_file() for r in descriptor["resources"])
        done = subprocess.run([str(Path(sys.executable).parent / "frictionless"), "validate", "datapackage.json"],
                              cwd=folder, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-2000:]
        with open(folder / "facts.csv", encoding="utf-8", newline="") as fh:
            rows = list(_csv.DictReader(fh))
        assert {"qualifier", "projected", "flag"} <= set(rows[0])
        assert any(r["projected"] == "True" for r in rows) and any(r["flag"] == "provisional" for r in rows)


def test_a_counted_number_names_what_it_counts_on_english_pages(published):
    """Issue 21: a counter's English is the noun of what its row counts (count_noun), never the
    counter's generic word when that is another noun ('1,020 proposals', not '1,020 patents')."""
    import html as _html
    import re

    from helpers.data import vocab
    from helpers.data.load import load_all

    rows = {r["row_id"]: r for frame in load_all().values() if "count_noun" in frame
            for r in frame.to_dict("records") if isinstance(r.get("count_noun"), str) and r["count_noun"]}
    assert len(rows) >= 300
    manifest, latest = published
    checked, wrong = 0, []
    for job in manifest["jobs"]:
        if job["parameters"]["lang"] != "en":
            continue
        page = (latest / job["id"] / f"{job['id']}.html").read_text(encoding="utf-8")
        for ident, inner in re.findall(r'<span class="sourced" data-row="([^"]*)"[^>]*>(.*?)<sup class="src">', page):
            row = rows.get(_html.unescape(ident).split(":", 1)[1])
            if row is None:
                continue
            text = _html.unescape(re.sub(r"<[^>]+>", "", inner))
            generic = re.sub(r"^[\d,.]+\s*(million\s*)?", "", vocab.unit(row["unit"], "en"))
            if not re.search(r"[A-Za-z]", text):
                continue                                  # a bare number (a table cell under its own header)
            checked += 1
            named = row["count_noun"] in text or row["count_noun_one"] in text
            if not named and re.search(rf"\b{re.escape(generic)}\b", text):
                wrong.append((job["id"], row["row_id"], text))
    assert checked >= 50 and wrong == [], wrong[:10]
    for unit, entry in vocab.vocabulary("units").items():
        assert "{n}" not in entry["en"] or unit == "万亿元", unit      # the one template unit, filled by Page.amount


def test_forked_and_fresh_kernels_give_identical_outputs(tmp_path):
    """The kernel server changes how a kernel starts, not what a notebook gives."""
    root = tmp_path / "project"
    _notebook(root / "notebooks" / "10-fig.ipynb", FIGURE_BODY)
    jobs = lambda: [render.Job("notebooks/10-fig.ipynb", {"lang": lang}) for lang in ("zh", "en")]  # noqa: E731
    kw = dict(root=root, workers=2, quiet=True, log=lambda *_: None)
    forked, run1 = render.render(jobs(), reports=tmp_path / "a", fork_kernels=True, **kw)
    fresh, run2 = render.render(jobs(), reports=tmp_path / "b", fork_kernels=False, **kw)
    assert forked["complete"] and fresh["complete"]
    for job in forked["jobs"]:
        assert _files(run1, job["id"]) == _files(run2, job["id"])
        assert job["results"]["backend"] == "module://matplotlib_inline.backend_inline"
    nb = nbformat.read(run1 / "10-fig--lang-zh" / "10-fig--lang-zh.ipynb", as_version=4)
    kinds = [o.get("output_type") for c in nb.cells for o in c.get("outputs", [])]
    assert "display_data" in kinds and "stream" in kinds     # the inline figure and the print


def test_the_kernel_server_preloads_the_analysis_stack_only_for_notebooks_that_import_it(tmp_path):
    """A run whose notebooks import none of the stack gets kernels without it (they start in a
    fraction of a second); once one notebook of the run imports it, every kernel of the run has it
    preloaded, and the outputs are the same either way."""
    root = tmp_path / "project"
    probe = ("import sys\nfrom IPython.display import display\n"
             "display({'application/json': {'preloaded': 'pandas' in sys.modules}}, raw=True)")
    _notebook(root / "notebooks" / "10-probe.ipynb", probe)
    assert not kernels.imports_stack([root / "notebooks" / "10-probe.ipynb"])
    kw = dict(root=root, workers=2, quiet=True, log=lambda *_: None, force=True)
    light, _ = render.render([render.Job("notebooks/10-probe.ipynb", {"lang": "zh"})], reports=tmp_path / "r", **kw)
    assert light["complete"] and light["jobs"][0]["results"]["preloaded"] is False
    _notebook(root / "notebooks" / "20-uses.ipynb", "if lang:\n    import pandas as pd\nprint(pd.__name__)")
    assert kernels.imports_stack(sorted((root / "notebooks").glob("*.ipynb")))
    jobs = [render.Job(f"notebooks/{n}.ipynb", {"lang": "zh"}) for n in ("10-probe", "20-uses")]
    heavy, _ = render.render(jobs, reports=tmp_path / "r", **kw)
    assert heavy["complete"] and heavy["jobs"][0]["results"]["preloaded"] is True


def test_the_kernel_server_dies_with_its_owner(tmp_path):
    code = ("import os, sys, time\nfrom helpers.render import kernels\n"
            "s = kernels.KernelServer().__enter__()\nprint(s.process.pid, flush=True)\ntime.sleep(60)")
    owner = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    server = int(owner.stdout.readline())
    owner.kill()
    owner.wait()
    for _ in range(100):
        if not _alive(server):
            break
        import time
        time.sleep(0.1)
    assert not _alive(server)


def test_a_stub_whose_server_is_gone_starts_an_ordinary_kernel(monkeypatch):
    import asyncio

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    import time
    time.sleep(0.3)                    # exited but not reaped: a zombie, as a crashed server would be
    monkeypatch.setenv(kernels.SERVER_ENV, f"{gone.pid}:/nonexistent/server.sock")

    async def run():
        km = kernels.kernel_manager_class()(kernel_name="python3")
        await km.start_kernel(cwd=str(paths.ROOT))
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            reply = await kc.execute_interactive("x = 1 + 1")
            return reply["content"]["status"]
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    try:
        assert asyncio.run(run()) == "ok"
    finally:
        gone.wait()


def _alive(pid: int) -> bool:
    from helpers.render.lock import is_alive

    return is_alive(pid)


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
    assert bad["status"] == "failed" and bad["complete"] is False
    assert (reports / "latest").resolve() == good_run.resolve()
    statuses = {j["id"]: j["status"] for j in bad["jobs"]}
    assert statuses == {"10-ok--lang-zh": "ok", "20-broken--lang-zh": "failed"}
    failure = next(m for m in messages if "[FAILED]" in m)
    assert "20-broken" in failure and "cell" in failure and "ValueError: the data says no" in failure
    kept = nbformat.read(bad_run / "20-broken--lang-zh" / "20-broken--lang-zh.ipynb", as_version=4)
    assert any(o.get("output_type") == "error" for c in kept.cells for o in c.get("outputs", []))


def test_cli_exit_code_is_non_zero_on_failure(project, tmp_path, capsys):
    _notebook(project / "notebooks" / "20-broken.ipynb", FAIL_BODY)
    (project / "render.yaml").write_text("default_parameter_sets:\n  - {lang: zh}\n", encoding="utf-8")
    assert cli.main(["render", "--quiet", "--root", str(project), "--output", str(tmp_path / "r")]) == 1
    out = capsys.readouterr().out
    assert "[FAILED] 20-broken--lang-zh" in out and "ValueError: the data says no" in out
    assert not (tmp_path / "r" / "latest").exists()


# --- cache ---------------------------------------------------------------------------------------

def test_unchanged_inputs_reuse_the_last_good_run(project, tmp_path):
    reports = tmp_path / "reports"
    first, run1 = _run(project, reports, ["notebooks/10-ok.ipynb"])
    second, run2 = _run(project, reports, ["notebooks/10-ok.ipynb"])
    assert {j["status"] for j in first["jobs"]} == {"ok"}
    assert {j["status"] for j in second["jobs"]} == {"cached"}
    assert {j["from_run"] for j in second["jobs"]} == {run1.name}
    assert (run2 / "10-ok--lang-zh" / "10-ok--lang-zh.html").is_file()
    assert second["jobs"][0]["results"] == first["jobs"][0]["results"]
    assert _files(run1, "10-ok--lang-zh") == _files(run2, "10-ok--lang-zh")
    forced, _ = _run(project, reports, ["notebooks/10-ok.ipynb"], force=True)
    assert {j["status"] for j in forced["jobs"]} == {"ok"}


def test_a_changed_input_invalidates_the_cache(project, tmp_path):
    reports = tmp_path / "reports"
    _run(project, reports, ["notebooks/10-ok.ipynb"])
    (project / "data").mkdir()
    (project / "data" / "extra.csv").write_text("a\n1\n", encoding="utf-8")
    again, _ = _run(project, reports, ["notebooks/10-ok.ipynb"])
    assert {j["status"] for j in again["jobs"]} == {"ok"}


def test_a_notebook_variable_of_the_environment_is_part_of_the_key(project, tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    _run(project, reports, ["notebooks/10-ok.ipynb"])
    monkeypatch.setenv("CQ_GAZETTE_SOMETHING", "1")
    again, _ = _run(project, reports, ["notebooks/10-ok.ipynb"])
    assert {j["status"] for j in again["jobs"]} == {"ok"}


def test_manifest_records_inputs_versions_hashes_and_results(project, tmp_path):
    manifest, run = _run(project, tmp_path / "reports", ["notebooks/10-ok.ipynb"])
    on_disk = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk["run_id"] == manifest["run_id"] == run.name
    assert on_disk["complete"] is True and on_disk["status"] == "ok"
    assert "notebooks/10-ok.ipynb" in on_disk["inputs"] and any(k.startswith("helpers/") for k in on_disk["inputs"])
    assert {"pandas", "papermill", "python"} <= set(on_disk["versions"])
    job = on_disk["jobs"][0]
    assert job["results"] == {"lang": "zh"}
    assert set(job["outputs"]) == {"10-ok--lang-zh.ipynb", "10-ok--lang-zh.html"}
    for rel, digest in job["outputs"].items():
        assert runs.sha256_file(run / job["id"] / rel) == digest


def test_old_runs_are_pruned_but_never_the_published_one(project, tmp_path):
    reports = tmp_path / "reports"
    for _ in range(3):
        _run(project, reports, ["notebooks/10-ok.ipynb"], keep=2)
    names = sorted(p.name for p in (reports / "runs").iterdir())
    assert len(names) == 2
    assert (reports / "latest").resolve().name == names[-1]


def test_code_is_hidden_by_default_and_shown_on_request(project, tmp_path):
    hidden, run1 = _run(project, tmp_path / "a", ["notebooks/10-ok.ipynb"])
    shown, run2 = _run(project, tmp_path / "b", ["notebooks/10-ok.ipynb"], show_code=True)
    page = "10-ok--lang-zh/10-ok--lang-zh.html"
    assert "application/json" not in (run1 / page).read_text(encoding="utf-8")
    assert "application/json" in (run2 / page).read_text(encoding="utf-8")


def test_an_ad_hoc_notebook_run_is_never_published(project, tmp_path, capsys):
    code = cli.main(["render", "--quiet", "--root", str(project), "--notebook", "notebooks/10-ok.ipynb",
                     "-p", "lang", "en", "--output", str(tmp_path / "r")])
    assert code == 0
    assert not (tmp_path / "r" / "latest").exists()
    (run,) = (tmp_path / "r" / "runs").iterdir()
    assert json.loads((run / "manifest.json").read_text())["complete"] is True


# --- lock ----------------------------------------------------------------------------------------

def test_a_second_run_refuses_while_the_lock_is_held(project, tmp_path):
    reports = tmp_path / "reports"
    (reports / "runs").mkdir(parents=True)
    with render.RenderLock(reports, wait=False):
        with pytest.raises(LockError, match="another render is running .*pid"):
            _run(project, reports, ["notebooks/10-ok.ipynb"])
    done, _ = _run(project, reports, ["notebooks/10-ok.ipynb"])
    assert done["status"] == "ok"


# --- two steps: one job into a run folder, then assemble and publish (what Airflow runs) ----------

def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "helpers", "render", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_jobs_then_assemble_publish_the_same_run_as_render(tmp_path):
    root = tmp_path / "project"
    _notebook(root / "notebooks" / "10-fig.ipynb", FIGURE_BODY)
    (root / "render.yaml").write_text("default_parameter_sets:\n  - {lang: zh}\n  - {lang: en}\nkeep_runs: 3\n", encoding="utf-8")
    common = ["--root", root, "--output", tmp_path / "steps"]
    listing = json.loads(_cli(*common, "--list-jobs", "--json").stdout)
    assert [j["id"] for j in listing] == ["10-fig--lang-zh", "10-fig--lang-en"]
    made = _cli(*common, "--new-run")
    assert made.returncode == 0, made.stderr
    run_dir = Path(made.stdout.strip().splitlines()[-1])
    assert run_dir.parent.resolve() == (tmp_path / "steps" / "runs").resolve() and not any(run_dir.iterdir())
    early = _cli(*common, "--assemble", run_dir)
    assert early.returncode == 1 and "not complete" in early.stderr
    assert not (tmp_path / "steps" / "latest").exists()
    for job in listing:
        done = _cli(*common, "--job", job["id"], "--run-dir", run_dir)
        assert done.returncode == 0, done.stderr
    unknown = _cli(*common, "--job", "nope", "--run-dir", run_dir)
    assert unknown.returncode == 2 and "unknown job 'nope'" in unknown.stderr
    assembled = _cli(*common, "--assemble", run_dir)
    assert assembled.returncode == 0, assembled.stderr
    assert (tmp_path / "steps" / "latest").resolve() == run_dir.resolve()

    whole = _cli("--root", root, "--output", tmp_path / "whole")
    assert whole.returncode == 0, whole.stderr
    a = json.loads((tmp_path / "steps" / "latest" / "manifest.json").read_text())
    b = json.loads((tmp_path / "whole" / "latest" / "manifest.json").read_text())
    keep = ("id", "key", "outputs", "results", "status")
    assert [{k: j[k] for k in keep} for j in a["jobs"]] == [{k: j[k] for k in keep} for j in b["jobs"]]
    for job in listing:
        assert _files(tmp_path / "steps" / "latest", job["id"]) == _files(tmp_path / "whole" / "latest", job["id"])
    # A job already rendered with the same inputs is reused by the next orchestrated run, verified.
    second = Path(_cli(*common, "--new-run").stdout.strip())
    again = _cli(*common, "--job", "10-fig--lang-zh", "--run-dir", second)
    assert again.returncode == 0 and "[cached] 10-fig--lang-zh" in again.stdout


def test_a_run_folder_outside_the_reports_is_refused(project, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    done = _cli("--root", project, "--output", tmp_path / "r", "--assemble", tmp_path / "elsewhere")
    assert done.returncode == 2 and "is not in" in done.stderr


def test_kernel_manager_class_uses_the_server_only_when_one_runs(monkeypatch):
    monkeypatch.delenv(kernels.SERVER_ENV, raising=False)
    km = kernels.kernel_manager_class()(kernel_name="python3")
    km._launch_args = {}
    assert "ipykernel_launcher" in " ".join(km.format_kernel_cmd())
    monkeypatch.setenv(kernels.SERVER_ENV, "123:/tmp/x.sock")
    cmd = km.format_kernel_cmd()
    assert cmd[:3] == [sys.executable, "-I", "-S"] and cmd[-1] == "123"


def test_two_editions_render_side_by_side_with_distinct_ids(tmp_path):
    """render.yaml `editions:` with two entries: every job names its edition, ids stay unique and
    path-safe, and each page's navigation links only to variants of its own edition's notebook."""
    from support.synthetic import shift_edition

    import helpers

    nxt = shift_edition(helpers.edition().root, tmp_path)
    jobs_file = tmp_path / "render.yaml"
    jobs_file.write_text(f"editions: ['{helpers.edition().id}', '{nxt}']\ndefault_parameter_sets: [{{lang: zh}}, {{lang: en}}]\nnotebooks:\n  - path: notebooks/00-data-audit.ipynb\n",
                         encoding="utf-8")
    jobs, _ = render.load_jobs(jobs_file)
    ids = [j.id for j in jobs]
    assert len(ids) == len(set(ids)) == 2 * len([j for j in jobs if j.parameters["edition"] == helpers.edition().id])
    assert all("/" not in i for i in ids)
    assert {j.parameters["edition"] for j in jobs} == {helpers.edition().id, str(nxt)}
    render.link_jobs(jobs)
    for job in jobs:
        linked = {href.split("/")[1] for _, href, _ in job.links[1:]}
        assert linked and all(dict(j.parameters)["edition"] == job.parameters["edition"] for j in jobs if j.id in linked)


@pytest.mark.parametrize("show_code", [False, True])
def test_the_page_exporter_writes_the_document_nbconverts_html_exporter_writes(show_code):
    """export.py skips HTMLExporter's re-parsing of the finished page (85 % of an export) and makes its
    two changes itself: the same document, tag for tag (both read back by BeautifulSoup)."""
    import base64

    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from helpers.render import export

    png = base64.b64encode(Path(paths.FIGURES_DIR / "01-scorecard.zh.png").read_bytes()[:2000]).decode()
    nb = nbformat.v4.new_notebook()
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A page & its <title>\n\n## First section ¶ \"quoted\"\n\ntext with `code`"),
        nbformat.v4.new_code_cell("print('a < b')", outputs=[nbformat.v4.new_output("stream", name="stdout", text="a < b\n")]),
        nbformat.v4.new_code_cell("display(image)", outputs=[
            nbformat.v4.new_output("display_data", data={"image/png": png}),                              # no alt text
            nbformat.v4.new_output("display_data", data={"image/png": png}, metadata={"image/png": {"alt": "A chart"}}),
            nbformat.v4.new_output("display_data", data={"text/html": '<div class="jp-OutputArea-output-like">x</div>'})]),
        nbformat.v4.new_markdown_cell("## Second section\n\n<img src=\"data:image/png;base64,AAAA\">"),
    ]
    mine = export._exporter(show_code).from_notebook_node(nb)[0]
    theirs = HTMLExporter(template_name="offline", extra_template_basedirs=[str(export.TEMPLATES)],
                          exclude_input=not show_code, exclude_input_prompt=True,
                          exclude_output_prompt=True).from_notebook_node(nb)[0]
    assert str(BeautifulSoup(mine, "html.parser")) == str(BeautifulSoup(theirs, "html.parser"))
    assert mine.count(f'alt="{export.NO_ALT}"') == 2 and 'tabindex="0"' in mine
    toc = export.fill_toc('<!--cq-toc--><h2 id="s">First &amp; last<a class="anchor-link" href="#s">&#182;</a></h2>', "en")
    assert '<a href="#s">First &amp; last</a>' in toc
