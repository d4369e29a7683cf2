"""Fault cases, tried as an attacker would: each gives a named error (exit 2 for a bad request before any
kernel starts, 1 for a failed job or run), and leaves the last good report and every earlier run intact.

Renders use tiny synthetic notebooks in a temporary project (`--root`), so they do not depend on the
analysis notebooks; the data cases use a private copy of the edition (`data_copy`, conftest.py).
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

import helpers.cli as cli
from helpers.data import load as loader
from helpers.data import parsing, paths
from helpers.errors import SchemaError
from helpers.render import run as render
from helpers.render import runs
from helpers.render.lock import RenderLock, is_alive, process_start

pytestmark = pytest.mark.slow

PARAMS = ('lang: str = "zh"  # "zh" or "en"\nfigure_dir: str = "."  # folder for figures\n'
          'tag: str = ""  # a free label\nedition: str = None  # an edition id or folder; None: the latest')
BODY = """import os, time
marker = os.environ.get("CQ_TEST_MARKER")
if marker:
    with open(marker, "a") as fh:
        fh.write(lang + "\\n")
time.sleep(float(os.environ.get("CQ_TEST_SLEEP", "0")))
from IPython.display import display
display({'application/json': {'lang': lang, 'tag': tag}}, raw=True)"""
# A notebook that reads its edition (and so imports helpers: the kernel server preloads the analysis
# stack and checks the edition for it, as for the real notebooks).
READS_EDITION = BODY + """
import helpers
helpers.load("budget", edition)"""


def _notebook(path: Path, body: str = BODY) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell(PARAMS)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# A page"), cell, nbformat.v4.new_code_cell(body)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def _project(root: Path, body: str = BODY) -> Path:
    _notebook(root / "notebooks" / "10-first.ipynb", body)
    _notebook(root / "notebooks" / "20-second.ipynb", body)
    (root / "render.yaml").write_text("default_parameter_sets:\n  - {lang: zh}\n  - {lang: en}\nkeep_runs: 5\n",
                                      encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path):
    """A project with two notebooks, rendered in zh and en (four jobs)."""
    return _project(tmp_path / "project")


@pytest.fixture(scope="session")
def _first_render(made_once_dir) -> Path:
    """A reports folder holding one good render of the project, made once per test run."""
    def make(folder: Path) -> None:
        assert _main(_project(folder / "project"), folder / "reports") == 0

    return made_once_dir("faults-first-render", make)


@pytest.fixture
def rendered(project, tmp_path, _first_render) -> Path:
    """tmp_path/reports after one good render of `project` (four jobs, published): a copy of the one
    made once per test run, with that render's project files copied over `project` (their cell ids
    are random), so that the render's keys (content hashes) find it this project's own. The renders a
    test then makes are its own."""
    shutil.copytree(_first_render / "project", project, dirs_exist_ok=True)
    reports = tmp_path / "reports"
    shutil.copytree(_first_render / "reports", reports, symlinks=True)
    return reports


def _main(root: Path, reports: Path, *args) -> int:
    return cli.main(["render", "--quiet", "--jobs", "2", "--root", str(root), "--output", str(reports), *map(str, args)])


def _cli(root: Path, reports: Path, *args, env=None, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpers", "render", "--jobs", "2", "--root", str(root),
                           "--output", str(reports), *map(str, args)],
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=timeout)


def _latest(reports: Path) -> Path:
    return (reports / "latest").resolve()


def _snapshot(reports: Path) -> dict[str, str]:
    """sha256 of every file of every run: 'every earlier run intact' is this staying the same."""
    return {p.relative_to(reports).as_posix(): runs.sha256_file(p)
            for p in sorted((reports / "runs").rglob("*")) if p.is_file()}


def _statuses(manifest: dict) -> dict[str, str]:
    return {j["id"]: j["status"] for j in manifest["jobs"]}


def _manifest(run: Path) -> dict:
    return json.loads((run / "manifest.json").read_text(encoding="utf-8"))


# --- kill -9, the lock, workers that outlive their parent -------------------------------------------

def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


@pytest.mark.parametrize("moment", ["starting", "mid-job"])
def test_kill_9_at_any_moment_leaves_a_state_the_next_render_recovers_from(project, tmp_path, moment):
    reports, marker = tmp_path / "reports", tmp_path / "started"
    first = subprocess.Popen([sys.executable, "-m", "helpers", "render", "--jobs", "2", "--root", str(project),
                              "--output", str(reports)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env={**os.environ, "CQ_TEST_SLEEP": "60", "CQ_TEST_MARKER": str(marker)})
    deadline = time.monotonic() + 120
    if moment == "starting":
        time.sleep(1.0)
    else:       # both workers' kernels are inside the notebook's sleeping cell
        while not (marker.exists() and len(marker.read_text().split()) >= 2):
            assert time.monotonic() < deadline and first.poll() is None, "the render did not start its jobs"
            time.sleep(0.1)
    family = {(p, process_start(p)) for p in _descendants(first.pid)}
    if moment == "mid-job":
        assert len(family) >= 5          # workers, kernel server, stubs, kernels
    first.send_signal(signal.SIGKILL)
    first.wait()
    deadline = time.monotonic() + 15
    while any(is_alive(p, s) for p, s in family) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p, s in family if is_alive(p, s)], "processes of the killed render outlived it"
    nxt = _cli(project, reports, "--wait", env={"CQ_TEST_SLEEP": "0"}, timeout=180)
    assert nxt.returncode == 0, nxt.stdout + nxt.stderr
    assert _manifest(_latest(reports))["complete"] is True


def _hold_lock(reports: Path, pid_text: str) -> subprocess.Popen:
    """Another process holding reports/.render.lock (as a killed render's orphan would) that records `pid_text`."""
    reports.mkdir(parents=True, exist_ok=True)
    code = ("import fcntl, os, sys, time\nfd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\nfcntl.flock(fd, fcntl.LOCK_EX)\n"
            "os.ftruncate(fd, 0)\nos.write(fd, sys.argv[2].encode())\nprint('held', flush=True)\ntime.sleep(float(sys.argv[3]))")
    holder = subprocess.Popen([sys.executable, "-c", code, str(reports / ".render.lock"), pid_text,
                               "1.5" if pid_text == "self" else "120"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def _dead_pid() -> int:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    return gone.pid


@pytest.mark.parametrize("wait", [False, True])
def test_a_lock_kept_by_the_orphans_of_a_dead_render_is_taken_over(project, tmp_path, capsys, wait):
    reports = tmp_path / "reports"
    dead = _dead_pid()
    holder = _hold_lock(reports, f"pid {dead} start 1 since 2026-01-01T00:00:00Z\n")
    try:
        start = time.monotonic()
        assert _main(project, reports, *(["--wait"] if wait else [])) == 0
        assert time.monotonic() - start < 120
        out = capsys.readouterr().out
        assert f"(pid {dead}) is gone; taking the lock over" in out
    finally:
        holder.kill()
        holder.wait()
    assert _manifest(_latest(reports))["complete"] is True


def test_a_live_render_makes_another_refuse_or_wait(project, tmp_path, capsys):
    reports = tmp_path / "reports"
    holder = _hold_lock(reports, "self")       # the holder is alive: its pid is not recorded, it may be starting
    try:
        assert _main(project, reports) == 3
        assert "another render is running" in capsys.readouterr().err
        assert _main(project, reports, "--wait") == 0        # returns once the holder is done (1.5 s)
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_is_not_held_by_forked_workers(project, tmp_path):
    """Workers close their copy of the lock at once: only the renderer holds it."""
    code = ("import os, sys, time\nfrom pathlib import Path\nfrom helpers.render import run as r\n"
            "jobs, _ = r.load_jobs(Path(sys.argv[1]) / 'render.yaml', Path(sys.argv[1]))\n"
            "r.render(jobs, reports=Path(sys.argv[2]), root=Path(sys.argv[1]), workers=2, quiet=True)\n")
    reports = tmp_path / "reports"
    proc = subprocess.Popen([sys.executable, "-c", code, str(project), str(reports)],
                            env={**os.environ, "CQ_TEST_SLEEP": "60", "CQ_TEST_MARKER": str(tmp_path / "m")})
    try:
        while not ((tmp_path / "m").exists() and len((tmp_path / "m").read_text().split()) >= 2):
            assert proc.poll() is None
            time.sleep(0.1)
        lock = (reports / ".render.lock").stat().st_ino
        holders = set()
        for pid in _descendants(proc.pid) | {proc.pid}:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    if os.stat(fd).st_ino == lock:
                        holders.add(pid)
                except OSError:
                    pass
        assert holders == {proc.pid}
    finally:
        proc.kill()
        proc.wait()


# --- the cache trusts nothing unverified --------------------------------------------------------------

@pytest.mark.parametrize("tamper", ["edit", "delete", "corrupt-notebook"])
def test_a_page_changed_in_the_published_run_is_rendered_again(project, rendered, tmp_path, capsys, tamper):
    reports = rendered
    page = _latest(reports) / "10-first--lang-en" / "10-first--lang-en.html"
    original = page.read_bytes()
    if tamper == "edit":
        page.write_bytes(original.replace(b"<body", b"<body data-evil='1'"))
    elif tamper == "delete":
        page.unlink()
    else:
        (page.parent / "10-first--lang-en.ipynb").write_bytes(b"{")
    capsys.readouterr()
    assert _main(project, reports) == 0
    out = capsys.readouterr().out
    assert "[stale ] 10-first--lang-en" in out and "rendering it again" in out
    manifest = _manifest(_latest(reports))
    assert _statuses(manifest) == {"10-first--lang-zh": "cached", "10-first--lang-en": "ok",
                                   "20-second--lang-zh": "cached", "20-second--lang-en": "cached"}
    fresh = (_latest(reports) / "10-first--lang-en" / "10-first--lang-en.html").read_bytes()
    assert fresh == original


def test_a_file_added_to_a_published_job_is_not_carried_forward(project, rendered, tmp_path):
    reports = rendered
    (_latest(reports) / "10-first--lang-zh" / "evil.html").write_text("<script>alert(1)</script>")
    assert _main(project, reports) == 0
    assert not (_latest(reports) / "10-first--lang-zh" / "evil.html").exists()


@pytest.mark.parametrize("damage", [b"", b'{"format": 2, "jobs": [', b"[]", b'{"format": 2, "jobs": "x"}',
                                    b'{"format": 2, "jobs": [{"id": "10-first--lang-zh", "key": "k", "status": "ok", "outputs": {"../../x": "0"}}]}'])
def test_a_missing_or_corrupt_manifest_counts_as_no_cache(project, rendered, tmp_path, capsys, damage):
    reports = rendered
    (_latest(reports) / "manifest.json").write_bytes(damage)
    capsys.readouterr()
    assert _main(project, reports) == 0
    assert "nothing is reused from that run" in capsys.readouterr().out
    assert set(_statuses(_manifest(_latest(reports))).values()) == {"ok"}
    if damage == b"":
        (_latest(reports) / "manifest.json").write_bytes(damage)
        assert _main(project, reports, "--force") == 0
        (_latest(reports) / "manifest.json").unlink()
        assert _main(project, reports) == 0


def test_the_key_covers_the_edition_actually_read(tmp_path, data_copy):
    project, reports = _project(tmp_path / "project", READS_EDITION), tmp_path / "reports"
    assert _main(project, reports, "--edition", data_copy) == 0
    assert set(_statuses(_manifest(_latest(reports))).values()) == {"ok"}
    assert _main(project, reports, "--edition", data_copy) == 0
    assert set(_statuses(_manifest(_latest(reports))).values()) == {"cached"}
    (data_copy / "raw" / "README.md").write_text("edited\n", encoding="utf-8")    # any change of the edition
    assert _main(project, reports, "--edition", data_copy) == 0
    assert set(_statuses(_manifest(_latest(reports))).values()) == {"ok"}


def test_the_edition_named_by_the_environment_is_part_of_the_key(tmp_path, data_copy, monkeypatch):
    project, reports = _project(tmp_path / "project", READS_EDITION), tmp_path / "reports"
    monkeypatch.setenv(paths.EDITION_ENV_VAR, str(data_copy))
    assert _main(project, reports) == 0
    (data_copy / "crosswalks" / "notes.txt").write_text("a new file of the edition\n", encoding="utf-8")
    assert _main(project, reports) == 0
    assert set(_statuses(_manifest(_latest(reports))).values()) == {"ok"}


def test_a_nonexistent_edition_in_the_environment_is_a_bad_request(project, rendered, tmp_path, capsys, monkeypatch):
    reports = rendered
    before = _snapshot(reports)
    monkeypatch.setenv(paths.EDITION_ENV_VAR, "/nonexistent")
    assert _main(project, reports) == 2
    err = capsys.readouterr().err
    assert "environment variable CQ_GAZETTE_EDITION='/nonexistent'" in err and "unknown edition" in err
    assert _snapshot(reports) == before


@pytest.mark.parametrize("argv, message", [
    (["--edition", "/nonexistent"], "unknown edition '/nonexistent'"),
    (["--edition", "1999-01"], "unknown edition '1999-01'"),
])
def test_a_nonexistent_edition_option_is_a_bad_request(project, tmp_path, capsys, argv, message):
    assert _main(project, tmp_path / "reports", *argv) == 2
    assert message in capsys.readouterr().err


# --- --only: latest always holds a complete run --------------------------------------------------------

def test_only_merges_the_fresh_jobs_with_the_verified_rest_of_the_last_good_run(project, rendered, tmp_path, capsys):
    reports = rendered
    first = _latest(reports)
    _notebook(project / "notebooks" / "20-second.ipynb", BODY + "\nprint('changed')")
    capsys.readouterr()
    assert _main(project, reports, "--only", "20-second") == 0
    merged = _latest(reports)
    assert merged != first
    manifest = _manifest(merged)
    assert manifest["complete"] is True
    assert _statuses(manifest) == {"10-first--lang-zh": "cached", "10-first--lang-en": "cached",
                                   "20-second--lang-zh": "ok", "20-second--lang-en": "ok"}
    for job in ("10-first--lang-zh", "10-first--lang-en"):
        for rel, digest in next(j for j in manifest["jobs"] if j["id"] == job)["outputs"].items():
            assert runs.sha256_file(merged / job / rel) == digest == runs.sha256_file(first / job / rel)
    assert first.is_dir()                # the previous run is kept


def test_only_says_which_carried_jobs_were_rendered_from_older_inputs(project, rendered, tmp_path, capsys, monkeypatch):
    reports = rendered
    monkeypatch.setenv("CQ_GAZETTE_SOMETHING", "changed")       # every key changes
    capsys.readouterr()
    assert _main(project, reports, "--only", "20-second") == 0
    assert "were rendered from older inputs (10-first--lang-zh, 10-first--lang-en)" in capsys.readouterr().out
    manifest = _manifest(_latest(reports))
    assert {j["id"]: j["current"] for j in manifest["jobs"]} == {
        "10-first--lang-zh": False, "10-first--lang-en": False, "20-second--lang-zh": True, "20-second--lang-en": True}
    assert _main(project, reports) == 0                          # a full render brings them up to date
    assert _statuses(_manifest(_latest(reports))) == {
        "10-first--lang-zh": "ok", "10-first--lang-en": "ok", "20-second--lang-zh": "cached", "20-second--lang-en": "cached"}


def test_only_with_a_tampered_job_to_carry_publishes_nothing(project, rendered, tmp_path, capsys):
    reports = rendered
    good = _latest(reports)
    (good / "10-first--lang-zh" / "10-first--lang-zh.html").write_text("defaced")
    before = _snapshot(reports)
    capsys.readouterr()
    assert _main(project, reports, "--only", "20-second") == 1
    out = capsys.readouterr().out
    assert "[MISSING] 10-first--lang-zh" in out and "10-first--lang-zh.html has changed" in out
    assert _latest(reports) == good
    assert {k: v for k, v in _snapshot(reports).items() if k.startswith(f"runs/{good.name}/")} == \
        {k: v for k, v in before.items() if k.startswith(f"runs/{good.name}/")}


def test_only_before_any_published_run_publishes_nothing(project, tmp_path, capsys):
    reports = tmp_path / "reports"
    assert _main(project, reports, "--only", "10-first") == 1
    assert "not in the published run" in capsys.readouterr().out
    assert not (reports / "latest").exists()


def _fake_run(reports: Path, name: str, status: str | None) -> Path:
    run = reports / "runs" / name
    (run / "job").mkdir(parents=True)
    (run / "job" / "page.html").write_text(name)
    if status is not None:
        digest = runs.sha256_file(run / "job" / "page.html")
        manifest = {"format": runs.MANIFEST_FORMAT, "status": status, "complete": status == "ok", "jobs": [
            {"id": "job", "key": "k", "status": "ok" if status == "ok" else "failed", "outputs": {"page.html": digest}}]}
        (run / "manifest.json").write_text(json.dumps(manifest))
    return run


def test_pruning_never_deletes_the_published_run_nor_the_last_complete_one(tmp_path):
    reports = tmp_path / "reports"
    names = [f"2026010{i}T000000.000000Z" for i in range(1, 8)]
    published = _fake_run(reports, names[0], "ok")               # old, but published
    last_complete = _fake_run(reports, names[1], "ok")           # newer, complete, not published
    for name in names[2:6]:
        _fake_run(reports, name, "failed")
    abandoned = _fake_run(reports, names[6], None)               # killed: no manifest, owner gone
    (abandoned / ".owner").write_text(f"pid {_dead_pid()} start 1\n")
    runs.publish(reports, published)
    removed = runs.prune(reports, keep=1)
    left = sorted(p.name for p in (reports / "runs").iterdir())
    assert published.name in left and last_complete.name in left
    assert names[6] in left                      # the newest is kept (keep=1) even if abandoned
    assert sorted(removed) == names[2:6]
    current = _fake_run(reports, "20260201T000000.000000Z", "failed")
    runs.prune(reports, keep=1, current=current)
    assert names[6] not in [p.name for p in (reports / "runs").iterdir()]   # abandoned and old: gone
    assert {published.name, last_complete.name, current.name} <= {p.name for p in (reports / "runs").iterdir()}


def test_a_run_without_a_manifest_whose_owner_lives_is_not_pruned(tmp_path):
    reports = tmp_path / "reports"
    running = _fake_run(reports, "20260101T000000.000000Z", None)
    (running / ".owner").write_text(f"pid {os.getpid()} start {process_start(os.getpid())}\n")
    orchestrated = _fake_run(reports, "20260102T000000.000000Z", None)     # no owner: an Airflow run
    for i in range(3):
        _fake_run(reports, f"2026010{3 + i}T000000.000000Z", "failed")
    runs.prune(reports, keep=1)
    left = {p.name for p in (reports / "runs").iterdir()}
    assert running.name in left and orchestrated.name in left


def test_failed_renders_with_keep_1_never_prune_the_published_run(project, tmp_path):
    reports = tmp_path / "reports"
    assert _main(project, reports, "--keep", "1") == 0
    good = _latest(reports)
    _notebook(project / "notebooks" / "20-second.ipynb", "raise RuntimeError('broken')")
    for _ in range(2):
        assert _main(project, reports, "--keep", "1") == 1
    assert _latest(reports) == good and good.is_dir()
    assert _manifest(good)["complete"] is True


# --- job ids: unique and path-safe ------------------------------------------------------------------

@pytest.mark.parametrize("jobs_yaml, message", [
    ("notebooks:\n  - path: notebooks/10-first.ipynb\n  - path: notebooks/10-first.ipynb\n", "the job is listed twice"),
    ("notebooks:\n  - path: notebooks/10-first.ipynb\n    parameter_sets:\n      - {tag: a/b}\n      - {tag: a_b}\n",
     "make their parameter values differ"),
])
def test_duplicate_job_ids_are_a_bad_request(project, tmp_path, capsys, jobs_yaml, message):
    (project / "jobs.yaml").write_text(jobs_yaml, encoding="utf-8")
    assert _main(project, tmp_path / "reports", "--jobs-file", project / "jobs.yaml") == 2
    err = capsys.readouterr().err
    assert "duplicate job id" in err and message in err
    assert not (tmp_path / "reports" / "runs").exists() or not any((tmp_path / "reports" / "runs").iterdir())


def test_render_itself_refuses_duplicate_ids(project, tmp_path):
    jobs = [render.Job("notebooks/10-first.ipynb", {"lang": "zh"}), render.Job("notebooks/10-first.ipynb", {"lang": "zh"})]
    with pytest.raises(render.ParameterError, match="duplicate job id '10-first--lang-zh'"):
        render.render(jobs, reports=tmp_path / "r", root=project, quiet=True, log=lambda *_: None)


def test_a_slash_in_a_parameter_value_does_not_make_a_folder(project, tmp_path):
    (project / "jobs.yaml").write_text("notebooks:\n  - path: notebooks/10-first.ipynb\n    parameter_sets:\n"
                                       "      - {tag: ../../escape/a b}\n      - {tag: /srv/x/2023-02}\n", encoding="utf-8")
    reports = tmp_path / "reports"
    assert _main(project, reports, "--jobs-file", project / "jobs.yaml") == 0
    latest = _latest(reports)
    ids = [j["id"] for j in _manifest(latest)["jobs"]]
    assert ids[:2] == ["10-first--tag-.._.._escape_a_b", "10-first--tag-_srv_x_2023-02"]
    for job_id in ids[:2]:
        assert "/" not in job_id and (latest / job_id / f"{job_id}.html").is_file()
    assert not (tmp_path / "escape").exists()
    assert render.Job("notebooks/.hidden.ipynb", {}).id == "_.hidden"
    assert len(render.Job("notebooks/10-first.ipynb", {"tag": "x" * 500}).id) <= 120


# --- a full disk ------------------------------------------------------------------------------------

def _enospc_on(monkeypatch, module, name: str, when):
    original = getattr(module, name)

    def failing(*args, **kwargs):
        if when(*args):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(args[0]))
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, failing)


@pytest.mark.parametrize("where", ["manifest", "record", "page", "cache-copy", "publish"])
def test_a_full_disk_fails_the_run_with_a_message_and_the_next_render_succeeds(project, rendered, tmp_path, capsys, monkeypatch, where):
    reports = rendered
    good = _latest(reports)
    if where != "cache-copy":
        _notebook(project / "notebooks" / "20-second.ipynb", BODY + "\nprint('new')")   # something to render
    before = _snapshot(reports)
    with monkeypatch.context() as m:
        if where == "manifest":
            _enospc_on(m, render, "_write_atomic", lambda target, *a: Path(target).name == "manifest.json")
        elif where == "record":
            _enospc_on(m, runs, "write_atomic", lambda target, *a: Path(target).parent.name == runs.RECORDS)
        elif where == "page":        # in the workers (forked: they inherit the patch)
            _enospc_on(m, render, "_write_atomic", lambda target, *a: Path(target).suffix == ".html")
        elif where == "cache-copy":      # copying the reused jobs' files into the new run
            _enospc_on(m, Path, "write_bytes", lambda target, *a: Path(target).suffix in (".html", ".ipynb"))
        else:
            _enospc_on(m, os, "symlink", lambda *a: True)
        capsys.readouterr()
        assert _main(project, reports) == 1
        captured = capsys.readouterr()
        text = captured.out + captured.err
        assert "No space left on device" in text and "Traceback" not in text
        if where != "page":
            assert "the disk is full" in captured.err and "still points to the last good run" in captured.err
    assert _latest(reports) == good
    after = _snapshot(reports)
    assert {k: v for k, v in after.items() if k in before} == before      # every earlier run intact
    assert _main(project, reports) == 0                                    # and the next render works
    assert _manifest(_latest(reports))["complete"] is True


# --- a bad jobs file ------------------------------------------------------------------------------------

@pytest.mark.parametrize("content, message", [
    ("notebooks:\n  - notebooks/10-first.ipynb\n", "notebooks[0]: expected a mapping with a 'path', got the string 'notebooks/10-first.ipynb'"),
    ("notebooks:\n  - parameter_sets: [{lang: zh}]\n", "notebooks[0]: no 'path'"),
    ("keep_runs: many\n", "keep_runs: expected a whole number of completed runs to keep (1 or more), got 'many'"),
    ("keep_runs: 0\n", "keep_runs: expected a whole number"),
    ("editions: 2022-02\n", "editions: expected a list of edition ids or folders"),
    ("notebooks:\n  - path: notebooks/10-first.ipynb\n    parameter_sets: {lang: zh}\n", "notebooks[0]: parameter_sets: expected a list"),
    ("notebooks:\n  - path: notebooks/10-first.ipynb\n    parameter_sets: [zh]\n", "parameter_sets[0]: expected a mapping"),
    ("notebooks:\n  - path: notebooks/10-first.ipynb\n    parameter_sets: [{lang: [zh, en]}]\n", "parameter 'lang': expected a string"),
    ("notebooks:\n  - {path: notebooks/10-first.ipynb, params: {}}\n", "unknown key 'params'"),
    ("- notebooks/10-first.ipynb\n", "expected a mapping with the keys"),
    ("notebook:\n  - path: x\n", "unknown key 'notebook'"),
    ("notebooks: [\n", "not valid YAML"),
    ("notebooks:\n  - path: notebooks/99-missing.ipynb\n", "unknown notebook 'notebooks/99-missing.ipynb'"),
])
def test_a_bad_jobs_file_is_a_bad_request_naming_the_entry(project, tmp_path, capsys, content, message):
    jobs = project / "jobs.yaml"
    jobs.write_text(content, encoding="utf-8")
    assert _main(project, tmp_path / "reports", "--jobs-file", jobs) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    if "YAML" not in message and "unknown notebook" not in message:
        assert str(jobs) in err


def test_a_bad_jobs_file_from_the_command_line_has_no_traceback(project, tmp_path):
    (project / "render.yaml").write_text("notebooks:\n  - notebooks/10-first.ipynb\n", encoding="utf-8")
    done = _cli(project, tmp_path / "reports")
    assert done.returncode == 2 and "Traceback" not in done.stderr and "notebooks[0]" in done.stderr


# --- broken editions: named errors from `helpers check` and `helpers render` ----------------------------

def _descriptor(copy: Path, edit) -> None:
    path = copy / "datapackage.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def _check(copy: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpers", "check", "--edition", str(copy)], capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.pop("resources"), "column 'resources': expected 'resources': a non-empty list"),
    (lambda d: d["resources"][1]["schema"].__setitem__("fields", "value,unit"), "column 'fields'"),
    (lambda d: d["resources"][1].pop("path"), "needs a 'name' and a 'path'"),
])
def test_a_broken_descriptor_is_a_bad_request_for_check_and_render(data_copy, project, tmp_path, capsys, edit, message):
    _descriptor(data_copy, edit)
    done = _check(data_copy)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert "datapackage.json" in done.stderr
    assert _main(project, tmp_path / "reports", "--edition", data_copy) == 2
    assert message in capsys.readouterr().err


def _set_cell(copy: Path, table: str, column: str, value: str) -> None:
    path = copy / "curated" / f"{table}.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[1][rows[0].index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


@pytest.mark.parametrize("column, value, message", [
    ("line", "9" * 4300, "integer '9999999999999999999999999999999999999999'… (4,300 characters) (4,300 digits) is out of range"),
    ("line", "9" * 4301, "(4,301 digits) is out of range"),
    ("line", "9" * 20, "(20 digits) is out of range"),
    ("line", "１２", "expected an integer, got '１２' (digits must be ASCII 0-9"),
    ("value", "２２８５", "expected a number, got '２２８５' (digits must be ASCII 0-9"),
    ("value", "9" * 4300, "is too large (not a finite number)"),
])
def test_a_bad_number_in_a_curated_csv_is_named_by_file_line_and_column(data_copy, column, value, message):
    _set_cell(data_copy, "budget", column, value)
    with pytest.raises(SchemaError) as err:
        loader.load("budget", data_copy)
    assert f"budget.csv, line 2, column '{column}'" in str(err.value) and message in str(err.value)
    done = _check(data_copy)                      # the check fails, by name, without a traceback
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "FAIL schema.budget [schema]" in done.stdout and f"budget.csv, line 2, column '{column}'" in done.stdout


def test_a_huge_line_number_reaching_provenance_is_a_provenance_error(data_copy):
    from helpers.data import provenance
    from helpers.data.edition import edition
    from helpers.errors import ProvenanceError

    ed = edition(data_copy)
    row = loader.load("budget", ed).to_dict("records")[0]
    lines = provenance.raw_lines(ed)
    for bad in (10 ** 4300, "12", None, float("nan")):
        with pytest.raises(ProvenanceError, match=r"curated/budget.csv, row_id .*line|cannot be checked"):
            provenance.verify_row("budget", {**row, "line": bad}, lines, ed)


def _raw(copy: Path) -> Path:
    from helpers.data.edition import edition

    return edition(copy).raw_path


@pytest.mark.parametrize("damage, message", [
    ("directory", "is a folder; expected the raw gazette text file"),
    ("gbk", "not valid UTF-8 at byte"),
])
def test_a_broken_raw_text_is_named_by_check(data_copy, damage, message):
    raw = _raw(data_copy)
    if damage == "directory":
        raw.unlink()
        raw.mkdir()
    else:
        raw.write_bytes(raw.read_text(encoding="utf-8").encode("gbk", errors="replace"))
    done = _check(data_copy)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert message in done.stdout and raw.name in done.stdout


def test_an_unreadable_raw_text_is_named_by_check(data_copy, capsys, monkeypatch):
    raw = _raw(data_copy)          # permissions do not stop root: make reading it fail as it would for a user
    original = Path.read_bytes

    def read_bytes(self):
        if self == raw:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    code = cli.main(["check", "--edition", str(data_copy)])
    out = capsys.readouterr().out
    assert code == 1 and "cannot be read (permission denied)" in out and raw.name in out


def test_an_unreadable_edition_file_is_a_bad_request_for_render(data_copy, project, tmp_path, capsys, monkeypatch):
    raw = _raw(data_copy)
    original = Path.read_bytes

    def read_bytes(self):
        if self == raw:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert _main(project, tmp_path / "reports", "--edition", data_copy) == 2
    err = capsys.readouterr().err
    assert "cannot be read (Permission denied)" in err and raw.name in err


def test_full_width_digits_are_not_numbers():
    assert parsing.numbers_in("全市一般公共预算收入２２８５亿元") == []
    assert [n.text for n in parsing.numbers_in("收入2285亿元，增长９.1%")] == ["2285", "1"]
    with pytest.raises(ValueError, match="not a known indicator-table cell"):
        parsing.parse_cell("２２８５")
    assert parsing.last_number("增长１０%") is None


def test_a_front_page_that_cannot_be_made_leaves_the_run_unpublished(project, rendered, tmp_path, capsys, monkeypatch):
    reports = rendered
    good = _latest(reports)

    def broken(run_dir, manifest):
        raise ValueError("no edition for the front page")

    monkeypatch.setattr(render, "write_index", broken)
    capsys.readouterr()
    assert _main(project, reports) == 1
    assert "the front page could not be written: ValueError: no edition for the front page" in capsys.readouterr().out
    assert _latest(reports) == good
    newest = sorted((reports / "runs").iterdir())[-1]
    assert _manifest(newest)["complete"] is False


def test_a_notebook_that_leaves_a_link_in_its_folder_fails_and_publishes_nothing(tmp_path, capsys):
    """Issue 24: a figure that is a symbolic link to a file outside the run (/etc/hostname here) is
    never recorded, copied or published: the job fails naming it, and the link is removed."""
    root = tmp_path / "project"
    _notebook(root / "notebooks" / "10-link.ipynb", BODY + "\nimport os\nos.makedirs(figure_dir, exist_ok=True)\n"
              "os.symlink('/etc/hostname', os.path.join(figure_dir, 'evil.png'))")
    (root / "render.yaml").write_text("default_parameter_sets:\n  - {lang: zh}\n", encoding="utf-8")
    reports = tmp_path / "reports"
    assert _main(root, reports) == 1
    assert "evil.png" in capsys.readouterr().err + "".join(
        json.dumps(r) for r in (p.read_text() for p in (reports / "runs").rglob("*.json")))
    assert not (reports / "latest").exists()
    assert not any(p.is_symlink() for p in (reports / "runs").rglob("*"))


def test_job_and_assemble_never_write_into_a_finished_or_published_run(project, rendered, tmp_path, capsys):
    """Issue 24: `--job X --run-dir reports/latest --force` once removed a published page; a finished
    run is now refused by --job and --assemble alike, and every earlier run stays as it was."""
    reports, before = rendered, _snapshot(rendered)
    latest = _latest(reports)
    assert _main(project, reports, "--job", "10-first--lang-zh", "--run-dir", latest, "--force") == 2
    assert "is the published run" in capsys.readouterr().err
    assert _main(project, reports, "--assemble", latest) == 2
    assert _snapshot(reports) == before


def test_job_and_assemble_refuse_a_run_that_a_render_command_writes(project, tmp_path, capsys):
    """--job and --assemble take only a run made for them (--new-run), never one a `render` writes."""
    reports = tmp_path / "reports"
    run_dir = runs.new_run_dir(reports)            # as `render` makes it: with its owner recorded
    assert _main(project, reports, "--job", "10-first--lang-zh", "--run-dir", run_dir) == 2
    assert _main(project, reports, "--assemble", run_dir) == 2
    assert capsys.readouterr().err.count("belongs to a `render` command") == 2
    assert [p.name for p in run_dir.iterdir()] == [".owner"]


def test_assemble_refuses_a_run_rendered_from_older_inputs(project, tmp_path, capsys):
    """Issue 24: after a notebook changed, assembling a run whose jobs were rendered before the change
    would publish old pages under the new notebook's sha256; it is a bad request instead."""
    reports = tmp_path / "reports"
    assert _main(project, reports, "--new-run") == 0
    run_dir = Path(capsys.readouterr().out.strip().splitlines()[-1])
    for job in ("10-first--lang-zh", "10-first--lang-en", "20-second--lang-zh", "20-second--lang-en"):
        assert _main(project, reports, "--job", job, "--run-dir", run_dir) == 0
    _notebook(project / "notebooks" / "20-second.ipynb", BODY + "\nx = 1")
    capsys.readouterr()
    assert _main(project, reports, "--assemble", run_dir) == 2
    err = capsys.readouterr().err
    assert "rendered from other inputs than the current ones" in err and "20-second--lang-zh" in err
    assert not (reports / "latest").exists()


def test_inputs_edited_during_a_render_fail_the_run_instead_of_mixing_it(tmp_path, capsys):
    """Issue 24: an input edited while the run renders (here the notebook itself edits a file of the
    project's data folder) once published a "complete" run of old and new pages; the keys are now
    computed again before assembling, and every job whose inputs moved fails: nothing is published."""
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    notes = root / "data" / "notes.txt"
    notes.write_text("before\n", encoding="utf-8")
    _notebook(root / "notebooks" / "10-edit.ipynb", BODY + "\nimport os\nif lang == 'en':\n"
              "    open(os.environ['CQ_TEST_EDIT'], 'a').write('edited during the render\\n')")
    (root / "render.yaml").write_text("default_parameter_sets:\n  - {lang: zh}\n  - {lang: en}\n", encoding="utf-8")
    reports = tmp_path / "reports"
    done = _cli(root, reports, env={"CQ_TEST_EDIT": str(notes)})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "changed while the run was rendering" in done.stdout + done.stderr
    assert not (reports / "latest").exists()


def test_a_hung_cell_fails_its_job_at_the_cell_timeout_and_frees_the_lock(project, tmp_path):
    """Issue 24: a notebook that hangs once held the lock forever; limits.cell_timeout_s of
    render.yaml stops it with a named error, and the next render can take the lock."""
    (project / "render.yaml").write_text("default_parameter_sets:\n  - {lang: zh}\nlimits: {cell_timeout_s: 1}\n",
                                         encoding="utf-8")
    reports = tmp_path / "reports"
    started = time.monotonic()
    done = _cli(project, reports, env={"CQ_TEST_SLEEP": "120"}, timeout=100)
    assert done.returncode == 1 and time.monotonic() - started < 60
    assert "ran longer than limits.cell_timeout_s of render.yaml (1 s)" in done.stdout + done.stderr
    assert not (reports / "latest").exists()
    with RenderLock(reports, False):          # the lock is free again (a live holder would make this refuse)
        pass


def test_a_page_above_the_size_limit_is_not_published(tmp_path):
    root = tmp_path / "project"
    _notebook(root / "notebooks" / "10-big.ipynb", BODY + "\nprint('x' * 3_000_000)")
    (root / "render.yaml").write_text("default_parameter_sets:\n  - {lang: zh}\nlimits: {max_page_mb: 1}\n", encoding="utf-8")
    done = _cli(root, tmp_path / "reports")
    assert done.returncode == 1 and "above limits.max_page_mb of render.yaml (1 MB)" in done.stdout + done.stderr
    assert not (tmp_path / "reports" / "latest").exists()


@pytest.mark.parametrize("limits, message", [
    ("{cell_timeout_s: 0}", "limits: cell_timeout_s: expected a positive number"),
    ("{timeout: 5}", "limits: unknown key 'timeout'"),
    ("[1]", "limits: expected a mapping"),
])
def test_a_bad_limit_is_a_bad_request(project, tmp_path, capsys, limits, message):
    (project / "render.yaml").write_text(f"limits: {limits}\n", encoding="utf-8")
    assert _main(project, tmp_path / "reports") == 2
    assert message in capsys.readouterr().err


def test_a_job_longer_than_the_job_timeout_fails_and_frees_the_lock(tmp_path):
    """Issue 24: no cell is long, but together they are: limits.job_timeout_s stops the job."""
    root = tmp_path / "project"
    _notebook(root / "notebooks" / "10-slow.ipynb", BODY + "\nfor _ in range(40):\n    time.sleep(0.5)")
    (root / "render.yaml").write_text("default_parameter_sets:\n  - {lang: zh}\n"
                                      "limits: {cell_timeout_s: 60, job_timeout_s: 1}\n", encoding="utf-8")
    reports = tmp_path / "reports"
    started = time.monotonic()
    done = _cli(root, reports, timeout=100)
    assert done.returncode == 1 and time.monotonic() - started < 40, done.stdout + done.stderr
    assert "the job ran longer than limits.job_timeout_s of render.yaml (1 s)" in done.stdout + done.stderr
    assert not (reports / "latest").exists()
    with RenderLock(reports, False):
        pass


DETACH = """
import subprocess, sys
folder = os.environ['CQ_TEST_PIDS']
# a child in a session of its own, and an orphan (its parent, the shell, exits at once)
child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'], start_new_session=True)
open(os.path.join(folder, 'session-' + lang), 'w').write(str(child.pid))
subprocess.run(['sh', '-c', 'setsid sleep 300 >/dev/null 2>&1 & echo $! > ' + os.path.join(folder, 'orphan-' + lang)])
"""


def test_the_reaper_leaves_multiprocessing_its_own_children_to_collect():
    """A Ctrl-C'd render once hung at exit, spinning: the reaper had collected the exit status of a pool
    worker it killed, and multiprocessing, finding no status, took the worker for alive forever (its
    ProcessPoolExecutor then waited for it at interpreter exit). The reaper kills the render's
    multiprocessing children but leaves their status to multiprocessing."""
    import multiprocessing

    from helpers.render.reaper import Reaper

    with Reaper() as reaper:
        worker = multiprocessing.get_context("fork").Process(target=time.sleep, args=(60,))
        worker.start()
        assert worker.pid in reaper.kill()
        worker.join(timeout=10)
        assert not worker.is_alive() and worker.exitcode == -signal.SIGKILL


def test_processes_a_notebook_detaches_do_not_outlive_the_render(tmp_path):
    """Issue 24: a child in its own session and an orphan of a double fork once survived the render;
    the renderer is their subreaper and ends them with their jobs."""
    root, pids = tmp_path / "project", tmp_path / "pids"
    pids.mkdir()
    _notebook(root / "notebooks" / "10-detach.ipynb", BODY + DETACH)
    (root / "render.yaml").write_text("default_parameter_sets:\n  - {lang: zh}\n  - {lang: en}\n", encoding="utf-8")
    done = _cli(root, tmp_path / "reports", env={"CQ_TEST_PIDS": str(pids)}, timeout=120)   # the old code hung here
    assert done.returncode == 0, done.stdout + done.stderr
    found = {p.name: int(p.read_text()) for p in pids.iterdir()}
    assert sorted(found) == ["orphan-en", "orphan-zh", "session-en", "session-zh"]
    deadline = time.monotonic() + 5
    while any(is_alive(pid) for pid in found.values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [name for name, pid in found.items() if is_alive(pid)], "a detached process outlived the render"


@pytest.mark.parametrize(("sig", "code", "said"), [(signal.SIGINT, 130, "interrupted"),
                                                    (signal.SIGTERM, 143, "terminated (SIGTERM)")], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_stops_queued_jobs_at_once_and_publishes_nothing(project, rendered, tmp_path, sig, code, said):
    """Issue 24: Ctrl-C once waited for every queued job (53 s), and SIGTERM (a scheduler's timeout, `kill`)
    killed the renderer without its cleanup; now either stops the render at once, its run folder is
    removed, the lock is free and the last good run stays published, unchanged."""
    reports, marker = rendered, tmp_path / "started"
    before, good = _snapshot(reports), _latest(reports)
    proc = subprocess.Popen([sys.executable, "-m", "helpers", "render", "--jobs", "2", "--force", "--root", str(project),
                             "--output", str(reports)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "CQ_TEST_SLEEP": "60", "CQ_TEST_MARKER": str(marker)})
    deadline = time.monotonic() + 120
    while not (marker.exists() and len(marker.read_text().split()) >= 2):      # two jobs run, two are queued
        assert time.monotonic() < deadline and proc.poll() is None, "the render did not start its jobs"
        time.sleep(0.1)
    family = {(p, process_start(p)) for p in _descendants(proc.pid)}
    proc.send_signal(sig)
    started = time.monotonic()
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - started < 15, f"{said}: waited for the queued jobs"
    assert proc.returncode == code, err
    assert f"{said}; nothing was published" in err and "still points to the last good run" in err
    assert len(marker.read_text().split()) == 2                 # no queued job started
    assert _latest(reports) == good and _snapshot(reports) == before   # the interrupted run is gone
    assert not [p for p, s in family if is_alive(p, s)], "processes of the interrupted render outlived it"
    with RenderLock(reports, False):
        pass


@pytest.mark.parametrize("target", ["10-first--lang-zh/10-first--lang-zh.html", "index.html"])
def test_a_notebook_that_overwrites_the_published_page_is_not_covered_up(project, rendered, tmp_path, capsys, target):
    """Issue 24: a notebook that wrote into the published run and then raised left latest serving its
    content while the message said "latest still points to the last good run". The published run is
    verified against its manifest after the render: latest goes back to the newest intact complete run,
    and the message says what happened."""
    reports = rendered
    first = _latest(reports)
    assert _main(project, reports) == 0                       # a second complete run (every job reused)
    second = _latest(reports)
    assert second != first
    page = second / target
    _notebook(project / "notebooks" / "30-evil.ipynb", BODY + "\nopen(os.environ['CQ_TEST_TAMPER'], 'w').write('pwned')"
              "\nraise RuntimeError('after the damage')")
    os.environ["CQ_TEST_TAMPER"] = str(page)
    try:
        capsys.readouterr()
        assert _main(project, reports) == 1
    finally:
        del os.environ["CQ_TEST_TAMPER"]
    out = capsys.readouterr()
    said = out.out + out.err
    assert page.read_text() == "pwned"
    assert "still points to the last good run" not in said
    assert f"the published run {second.name} no longer matches its manifest ({target} has changed since it was " \
           "rendered" in said
    assert f"now points to {first.name}" in said
    assert _latest(reports) == first and runs.verify_run(first) is None


def test_failed_runs_are_pruned_with_the_rest(project, rendered, tmp_path, monkeypatch):
    """Issue 24: failed runs once piled up until the next publish; they are pruned like the others
    (keep the newest --keep runs, the published one and the last complete one). The jobs fail here
    without a kernel: what is tested is what happens to the runs."""
    reports = rendered
    good = _latest(reports)

    def failing(jobs, run_dir, *args, **kwargs):
        for job in jobs:
            render._store(run_dir, render._record(job, "failed", time.perf_counter(), error="RuntimeError: no"))

    monkeypatch.setattr(render, "_execute", failing)
    for _ in range(2):
        assert _main(project, reports, "--keep", "1", "--force", "--fresh-kernels") == 1
    left = sorted(p.name for p in (reports / "runs").iterdir() if not p.name.startswith("."))
    assert len(left) == 2 and good.name in left            # the newest failed run and the published one
    assert _latest(reports) == good


@pytest.mark.parametrize("damage", ["no-page", "no-outputs", "malformed"])
def test_a_manifest_entry_without_its_page_is_no_cache_for_that_job(project, rendered, tmp_path, capsys, damage):
    """Issue 24: a well-formed manifest whose job lacks its .html once published a complete-looking
    run without that page, and `outputs: {}` made every render fail until --force. Such an entry (or
    a malformed one) is no cache for its job: that job is rendered again, the others are reused."""
    reports, job = rendered, "10-first--lang-en"
    path = _latest(reports) / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    entry = next(j for j in manifest["jobs"] if j["id"] == job)
    if damage == "no-page":
        del entry["outputs"][f"{job}.html"]
        (_latest(reports) / job / f"{job}.html").unlink()
    elif damage == "no-outputs":
        entry["outputs"] = {}
    else:
        entry["outputs"] = {"../../x": "0"}
    path.write_text(json.dumps(manifest), encoding="utf-8")
    assert _main(project, reports) == 0
    statuses = _statuses(_manifest(_latest(reports)))
    assert statuses[job] == "ok" and {s for i, s in statuses.items() if i != job} == {"cached"}
    assert (_latest(reports) / job / f"{job}.html").is_file()
