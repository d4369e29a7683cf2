"""A render: papermill jobs (notebook × parameters), in parallel, verified, published atomically.

A render is two steps that the command line, the Python API and the Airflow DAG share:

1. **one job into a run folder** (`execute_job`, `cq-gazette render job ID --run-dir D`):
   the executed notebook (volatile metadata stripped), the offline HTML page and the figures in
   `D/<job-id>/`, and the job's record in `D/.jobs/<job-id>.json` (status, the key of its inputs, the
   sha256 of every file, the headline results). A job whose key matches the published run's record
   and whose files there still have their recorded hashes is copied instead (`--force` disables it).
2. **assemble and publish the run** (`assemble`, `cq-gazette render assemble D`): every job's
   record and files are verified, `manifest.json` and `index.html` written, and only a complete run
   (every job of the request verified) is published as `reports/latest` (an atomic symlink swap);
   old runs are pruned, never the published one nor the last complete one.

`render()` does both in one process: jobs run in a pool of worker processes whose kernels are forked
from a server that imported the analysis stack once (kernels.py). One run at a time (lock.py): a
second refuses (exit 3) or waits with `--wait`; a lock whose owner died is taken over. `--only TEXT`
renders the matching jobs and carries every other job over from the published run, verified by hash,
so `latest` always holds a complete run; a job that cannot be carried leaves the run unpublished.

The parts live beside this module: jobs.py (the jobs and render.yaml), keys.py (what an output
depends on), execute.py (one job in a kernel, the worker pool), export.py (the HTML page),
publish.py (the output folder and its published run), runs.py (run folders, records, manifests),
cli.py (`cq-gazette render …`). This module is the run and the Python API.

Exit status (cli.py): 0 published (or, for `render job`, the job succeeded), 1 a job failed or the run could not be
written or completed (nothing published), 2 a bad request (refused before any kernel starts),
3 another render is running.
"""

from __future__ import annotations

import contextlib
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from ..data import paths
from ..errors import ParameterError
from . import runs
from .execute import _execute, _missing, _record, _store, execute_job, refresh_notebooks, reuse
from .export import _write_atomic, export_html, strip_volatile
from .jobs import (
    JOBS_FILE,
    Job,
    check_unique,
    declared_parameters,
    link_jobs,
    load_jobs,
    read_config,
    resolve_edition,
    validate_jobs,
    with_edition,
)
from .keys import _keys_now, _sha256, _stale_records, environment, input_hashes, job_key
from .lock import RenderLock
from .publish import (
    _check_published,
    _check_run_dir,
    _check_writable,
    _git_commit,
    _previous,
    _published_now,
    _started,
    _versions,
)
from .reaper import Reaper

#: The Python API of a render, and what this module held before it was split (into jobs.py, keys.py,
#: export.py, execute.py, publish.py and cli.py): importable from here as before.
__all__ = ["JOBS_FILE", "OK_STATUSES", "Job", "_record", "_store", "assemble", "assemble_run", "check_unique",
           "declared_parameters", "environment", "execute_job", "export_html", "input_hashes", "job_key",
           "link_jobs", "load_jobs", "read_config", "refresh_notebooks", "render", "render_one", "resolve_edition",
           "reuse", "strip_volatile", "validate_jobs", "with_edition", "write_index"]

OK_STATUSES = ("ok", "cached")


def _skip_slow_optional_imports() -> None:
    """nbformat imports jsonschema, which imports the optional `rfc3987_syntax` (its "iri" format
    checker) if installed; that compiles a Lark grammar at import, ≈ 1.2 s of every render's start.
    nbformat never checks that format, so the renderer's process does without it."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def write_index(run_dir: Path, manifest: dict) -> None:
    """The reader's pages of a run (front page per language, run log, downloads): see render/site.py."""
    from .site import write_site

    write_site(run_dir, manifest, write=lambda path, data: _write_atomic(path, data))


def assemble(run_dir: Path, jobs: list[Job], *, reports: Path, root: Path = paths.ROOT, keep: int = 5,
             publish: bool = True, shared: dict | None = None, say=print, log=print) -> dict:
    """Verify every job's record and files, write manifest.json and index.html, and publish the run
    when it is complete (every job ok or cached, every file as recorded). The caller holds the lock."""
    run_dir = Path(run_dir)
    started = _started(run_dir)
    entries = []
    for job in jobs:
        record = runs.read_record(run_dir, job.id)
        if record is None:
            record = _missing(job, "no record: the job did not run, or did not finish")
        elif record["notebook"] != job.notebook or record["parameters"] != job.parameters:
            record = _missing(job, f"the record is of another job ({record['notebook']} {record['parameters']})")
        elif record["status"] in OK_STATUSES:
            problem = runs.missing_page(record) or runs.verify_outputs(run_dir / job.id, record["outputs"])
            if problem:
                record = {**record, "status": "failed", "error": f"its files do not match its record: {problem}"}
                log(f"[FAILED] {job.id}: {record['error']}")
        entries.append(record)
    complete = bool(entries) and all(e["status"] in OK_STATUSES for e in entries)
    manifest = {
        "format": runs.MANIFEST_FORMAT,
        "run_id": run_dir.name,
        "status": "ok" if complete else "failed",
        "complete": complete,
        "started": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seconds": round((datetime.now(UTC) - started).total_seconds(), 2),
        "git_commit": _git_commit(Path(root)),
        "inputs": {**(shared if shared is not None else input_hashes(root)),
                   **{j.notebook: _sha256(Path(root) / j.notebook) for j in jobs if (Path(root) / j.notebook).is_file()}},
        "environment": environment(),
        "versions": _versions(),
        "jobs": entries,
    }
    try:
        try:
            write_index(run_dir, manifest)
            manifest["site"] = runs.hash_site(run_dir, [j.id for j in jobs])   # verified like the jobs' files
        except OSError:
            raise
        except Exception as exc:  # noqa: BLE001  (the front page could not be made: the run is not complete)
            complete = False
            manifest.update(status="failed", complete=False,
                            error=f"the front page could not be written: {type(exc).__name__}: {exc}")
            log(f"[FAILED] {manifest['error']}")
        _write_atomic(run_dir / runs.MANIFEST,
                      json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))
        if complete and publish:
            runs.publish(reports, run_dir)
    except OSError as exc:
        raise runs.write_error(run_dir, exc) from None
    if complete and publish:
        removed = runs.prune(reports, keep, current=run_dir)
        stale = [e["id"] for e in entries if not e.get("current", True)]
        if stale:
            log(f"note: {len(stale)} job(s) carried over from the last good run were rendered from older inputs "
                f"({', '.join(stale)}); render without --only to bring them up to date")
        say(f"published {run_dir} as {reports / 'latest'}" + (f"; pruned {len(removed)} old run(s)" if removed else ""))
    elif complete:
        say(f"rendered {run_dir} (not published: an ad-hoc run)")
    else:
        bad = [f"{e['id']} ({e['status']})" for e in entries if e["status"] not in OK_STATUSES]
        log(f"run {run_dir.name} is not complete ({', '.join(bad)}); {_published_now(reports)}")
        if publish:
            runs.prune(reports, keep, current=run_dir)     # failed runs do not pile up either
    return manifest


def render(jobs: list[Job], *, reports: Path = paths.REPORTS_DIR, root: Path = paths.ROOT, workers: int | None = None,
           force: bool = False, quiet: bool = False, keep: int = 5, show_code: bool = False, wait: bool = False,
           log=print, only: list[str] | None = None, publish: bool = True, fork_kernels: bool = True) -> tuple[dict, Path]:
    """Render `jobs` (the whole request) into a new run folder; publish it as reports/latest when complete.

    only: ids of the jobs to render; every other job is carried over from the published run, verified
    by hash (a job that cannot be carried leaves the run unpublished). publish=False: never publish.
    """
    reports, root = Path(reports), Path(root)
    _skip_slow_optional_imports()
    validate_jobs(jobs, root)
    link_jobs(jobs)
    selected = set(only) if only is not None else {j.id for j in jobs}
    unknown = selected - {j.id for j in jobs}
    if unknown:
        raise ParameterError(f"--only: unknown job id(s) {sorted(unknown)}")
    if keep < 1:
        raise ParameterError(f"keep={keep}: keep at least the published run (1 or more)")
    _check_writable(reports)
    say = (lambda *_: None) if quiet else log
    from . import kernels

    editions = tuple(sorted({j.edition_state[0] for j in jobs if j.edition_state}))
    server = kernels.KernelServer(enabled=fork_kernels, editions=editions,
                                  stack=kernels.imports_stack(sorted({root / j.notebook for j in jobs})))
    # The lock is released last: after every process of the render (detached ones included) is gone.
    with RenderLock(reports, wait, log=log) as lock, Reaper() as reaper, contextlib.ExitStack() as stack:
        if force:
            stack.enter_context(server)   # every job runs: let the server import while keys are computed
        runs.clean_leftovers(reports)
        _check_published(reports, log)
        try:
            run_dir = runs.new_run_dir(reports)
        except OSError as exc:
            raise runs.write_error(reports / "runs", exc) from None
        try:
            manifest = _render_into(run_dir, jobs, reports=reports, root=root, workers=workers, force=force, keep=keep,
                                    show_code=show_code, log=log, say=say, selected=selected, publish=publish,
                                    server=server, stack=stack, lock=lock, reaper=reaper)
        except KeyboardInterrupt:
            # Ctrl-C: the processes are gone (_execute); the run is removed, nothing was published.
            stack.close()
            reaper.kill()
            runs.discard(reports, run_dir)
            raise
    return manifest, run_dir


def _render_into(run_dir: Path, jobs: list[Job], *, reports: Path, root: Path, workers, force: bool, keep: int,
                 show_code: bool, log, say, selected: set, publish: bool, server, stack, lock, reaper) -> dict:
    """The body of `render`, in its new run folder, under the lock."""
    shared, env = input_hashes(root), environment()
    for job in jobs:
        job.key = job_key(job, shared, root, show_code, env)
    source, previous = _previous(reports, log)
    to_run = []
    for job in jobs:
        old = previous.get(job.id)
        if job.id in selected:
            if not force and old is not None and old["key"] == job.key:
                got = reuse(job, source, old, run_dir)
                if isinstance(got, dict):
                    _store(run_dir, got)
                    say(f"[cached] {job.id}")
                    continue
                log(f"[stale ] {job.id}: in {source}, {got}; rendering it again")
            to_run.append(job)
            continue
        # --only: carried over from the published run
        got = reuse(job, source, old, run_dir) if old is not None else "it is not in the published run"
        if isinstance(got, dict):
            _store(run_dir, got)
            say(f"[kept  ] {job.id} (from run {got['from_run']})")
        else:
            log(f"[MISSING] {job.id}: cannot be carried over from the published run: {got}")
            _store(run_dir, _missing(job, f"not rendered (--only) and not carried over: {got}"))
    if to_run:
        # Longest first (by the last run's durations; new jobs first), so no long job starts last.
        to_run.sort(key=lambda job: -previous.get(job.id, {}).get("seconds", float("inf")))
        if server.enabled and server.process is None:
            stack.enter_context(server)
        _execute(to_run, run_dir, root, show_code, workers, say, log, lock_fd=lock.fd, reaper=reaper)
        stack.close()                 # the server is not needed to assemble
        reaper.kill()                 # what the notebooks started (detached or not) ends with their jobs
    _fail_if_inputs_changed(jobs, run_dir, root, show_code, env, log)
    return assemble(run_dir, jobs, reports=reports, root=root, keep=keep, publish=publish,
                    shared=shared, say=say, log=log)


def render_one(job_id: str, run_dir: Path, jobs: list[Job], *, reports: Path = paths.REPORTS_DIR,
               root: Path = paths.ROOT, force: bool = False, show_code: bool = False, say=print, log=print) -> dict:
    """Render (or reuse, verified) one job of the request into an existing run folder: one Airflow task."""
    reports, root, run_dir = Path(reports), Path(root), Path(run_dir)
    _check_run_dir(run_dir, reports)
    validate_jobs(jobs, root)
    link_jobs(jobs)
    job = next((j for j in jobs if j.id == job_id), None)
    if job is None:
        raise ParameterError(f"unknown job {job_id!r}; the jobs are: {', '.join(j.id for j in jobs)}")
    job.key = job_key(job, input_hashes(root), root, show_code)
    source, previous = _previous(reports, log)
    old = previous.get(job.id)
    record = None
    if not force and old is not None and old["key"] == job.key:
        got = reuse(job, source, old, run_dir)
        if isinstance(got, dict):
            record = got
            say(f"[cached] {job.id}")
        else:
            log(f"[stale ] {job.id}: in {source}, {got}; rendering it again")
    if record is None:
        say(f"[start ] {job.id}")
        with Reaper():                    # nothing the notebook started outlives the job
            record = execute_job(job, run_dir, root, show_code)
        if record["status"] == "ok":
            say(f"[done  ] {job.id} {record['seconds']:.1f} s")
        else:
            log(f"[FAILED] {job.id} ({job.notebook}) {record['seconds']:.1f} s: {record['error']}")
    _store(run_dir, record)
    return record


def _fail_if_inputs_changed(jobs: list[Job], run_dir: Path, root: Path, show_code: bool, env: dict, log) -> None:
    """A run is one snapshot of its inputs: a job whose key moved while the run was rendering fails,
    so that a run mixing old and new inputs is never published."""
    now = _keys_now(jobs, root, (show_code,), env)
    for job in jobs:
        if job.key not in now[job.id]:
            log(f"[FAILED] {job.id}: its inputs changed while the run was rendering; render again")
            _store(run_dir, {**(runs.read_record(run_dir, job.id) or {}), "id": job.id, "notebook": job.notebook,
                             "parameters": job.parameters, "key": job.key, "status": "failed", "outputs": {},
                             "error": "its inputs (notebook, edition, data, code or environment) changed while the run "
                                      "was rendering, so its page may mix old and new inputs; render again"})


def assemble_run(run_dir: Path, jobs: list[Job], *, reports: Path = paths.REPORTS_DIR, root: Path = paths.ROOT,
                 keep: int = 5, wait: bool = True, publish: bool = True, say=print, log=print) -> dict:
    """Assemble and publish a run folder whose jobs were rendered by `render_one` (the last Airflow task)."""
    reports, root, run_dir = Path(reports), Path(root), Path(run_dir)
    _check_run_dir(run_dir, reports)
    check_unique(jobs)
    link_jobs(jobs)
    with RenderLock(reports, wait, log=log):
        runs.clean_leftovers(reports)
        stale = _stale_records(run_dir, jobs, root)
        if stale:
            # An older run must never be published under the current inputs' name (its manifest would lie).
            raise ParameterError(f"run folder {run_dir}: {len(stale)} job(s) were rendered from other inputs than the "
                                 f"current ones ({', '.join(stale)}); render them again with --job, or render a new run")
        return assemble(run_dir, jobs, reports=reports, root=root, keep=keep, publish=publish, say=say, log=log)
