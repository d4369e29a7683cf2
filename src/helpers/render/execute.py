"""Execute: one job run by papermill in a kernel (within its limits) into a run folder, or reused
verified from an earlier run; jobs in a pool of worker processes; the committed notebooks refreshed
in place."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import threading
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

from ..data import paths
from ..errors import ParameterError, RenderError
from . import runs
from .export import _write_atomic, export_html, results_of, strip_volatile, warm_exporter
from .jobs import Job, _title_variant
from .reaper import Reaper


def _failure_message(nb, exc) -> str:
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return f"cell {index} (execution count {cell.get('execution_count')}): {output['ename']}: {output['evalue']}"
    return f"{type(exc).__name__}: {exc}"


def _engine_name() -> str:
    """A papermill engine that keeps the executing notebook (so nothing is written until the end)."""
    from papermill.engines import NBClientEngine, papermill_engines

    if "cq-render" not in papermill_engines._engines:

        class KeepingEngine(NBClientEngine):
            last = None

            @classmethod
            def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
                cls.last = nb_man
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

        papermill_engines.register("cq-render", KeepingEngine)
    return "cq-render"


class _StderrTo:
    """Send this process's stderr (fd 2: the kernel's start-up notices) to a log file for a while."""

    def __init__(self, path: Path):
        self.path, self.saved = path, None

    def __enter__(self):
        self.handle = open(self.path, "w")  # noqa: SIM115
        self.saved = os.dup(2)
        os.dup2(self.handle.fileno(), 2)
        return self

    def __exit__(self, *exc):
        os.dup2(self.saved, 2)
        os.close(self.saved)
        self.handle.close()


def _record(job: Job, status: str, start: float, **extra) -> dict:
    return {"id": job.id, "notebook": job.notebook, "parameters": job.parameters, "key": job.key,
            "status": status, "seconds": round(time.perf_counter() - start, 2), "results": extra.get("results"),
            "error": extra.get("error", ""), "outputs": extra.get("outputs", {}), "current": True}


def execute_job(job: Job, run_dir: Path, root: Path, show_code: bool) -> dict:
    """Execute one job with papermill in the notebook's folder; write notebook, HTML and figures into
    `run_dir/<job-id>/`; return its record (the caller stores it with `runs.write_record`)."""
    import nbformat
    import papermill

    from . import kernels

    start = time.perf_counter()
    run_dir = Path(run_dir).resolve()      # the kernel runs in the notebook's folder: absolute paths only
    out = run_dir / job.id
    source = Path(root).resolve() / job.notebook
    executed = out / f"{job.id}.ipynb"
    try:
        if out.exists():                 # a retried job (an orchestrator's retry) starts clean
            shutil.rmtree(out)
        figures = out / "figures"
        figures.mkdir(parents=True)
        # The kernel's own stderr (start-up notices) goes to the run's logs/, not to the console.
        logs = run_dir / "logs"
        logs.mkdir(exist_ok=True)
        log_path = logs / f"{job.id}.log"
        open(log_path, "w").close()
    except OSError as exc:
        return _record(job, "failed", start, error=str(runs.write_error(out, exc)))
    params = dict(job.parameters, figure_dir=str(figures))
    engine = _engine_name()
    from papermill.engines import papermill_engines

    papermill_engines.get_engine(engine).last = None
    failed = None
    nb = None
    cell_limit, job_limit = job.limits["cell_timeout_s"], job.limits["job_timeout_s"]
    deadline = time.monotonic() + job_limit

    def cell_timeout(cell) -> float:
        # Each cell may take cell_timeout_s, and no more than what is left of the job's job_timeout_s:
        # nbclient stops the cell (and papermill the kernel) at whichever comes first.
        return max(0.01, min(cell_limit, deadline - time.monotonic()))

    try:
        with _StderrTo(log_path):
            nb = papermill.execute_notebook(str(source), None, parameters=params, cwd=str(source.parent),
                                            kernel_name="python3", progress_bar=False, log_output=False,
                                            engine_name=engine, request_save_on_cell_execute=False,
                                            shutdown_kernel="immediate", execution_timeout=cell_limit,
                                            timeout_func=cell_timeout,
                                            kernel_manager_class=kernels.kernel_manager_class())
    except Exception as exc:  # noqa: BLE001  (papermill raises many types; the message is kept)
        failed = exc
        if type(exc).__name__ == "CellTimeoutError":      # nbclient's; the kernel is stopped by papermill
            if time.monotonic() >= deadline - 0.05:
                failed = RenderError(f"the job ran longer than limits.job_timeout_s of render.yaml ({job_limit:g} s); "
                                     "it was stopped")
            else:
                failed = RenderError(f"a cell ran longer than limits.cell_timeout_s of render.yaml ({cell_limit:g} s); "
                                     "the job was stopped")
        manager = papermill_engines.get_engine(engine).last
        nb = manager.nb if manager is not None else None
    if nb is None:
        return _record(job, "failed", start, error=f"{type(failed).__name__}: {failed}" if failed else "no output notebook")
    strip_volatile(nb)
    try:
        _write_atomic(executed, nbformat.writes(nb).encode("utf-8"))
        if failed is None:
            with warnings.catch_warnings():
                # nbconvert notes that it shows no application/json output (the results): expected.
                warnings.filterwarnings("ignore", message="Your element with mimetype", category=UserWarning)
                export_html(nb, out / f"{job.id}.html", show_code, job.parameters.get("lang", "zh"), job.links,
                            _title_variant(job.parameters))
    except OSError as exc:
        return _record(job, "failed", start, error=str(runs.write_error(out, exc)), outputs=runs.hash_outputs(out))
    except Exception as exc:  # noqa: BLE001  (nbformat and nbconvert raise many types)
        what = "the HTML page could not be made" if executed.exists() else "the executed notebook could not be written"
        return _record(job, "failed", start, error=f"{what}: {type(exc).__name__}: {exc}",
                       outputs=runs.hash_outputs(out))
    unsafe = runs.unsafe_outputs(out)
    if unsafe:
        for rel in unsafe:
            with contextlib.suppress(OSError):
                (out / rel).unlink()
        return _record(job, "failed", start, outputs=runs.hash_outputs(out),
                       error=f"the notebook left {', '.join(unsafe)} in its folder, which is a symbolic link or a special "
                             "file; a job's outputs must be regular files (removed; nothing of it is published)")
    page = out / f"{job.id}.html"
    cap = job.limits["max_page_mb"] * 1_000_000
    if failed is None and page.is_file() and page.stat().st_size > cap:
        size = page.stat().st_size
        page.unlink()
        return _record(job, "failed", start, outputs=runs.hash_outputs(out),
                       error=f"the page is {size / 1e6:.1f} MB, above limits.max_page_mb of render.yaml "
                             f"({job.limits['max_page_mb']:g} MB); it is not published")
    outputs = runs.hash_outputs(out)
    if failed is not None:
        if isinstance(failed, RenderError):
            return _record(job, "failed", start, error=str(failed), outputs=outputs)
        return _record(job, "failed", start, error=_failure_message(nb, failed), outputs=outputs)
    return _record(job, "ok", start, results=results_of(nb), outputs=outputs)


def reuse(job: Job, source_run: Path, old: dict, run_dir: Path) -> dict | str:
    """Copy a job's files from an earlier run, each verified against its recorded sha256 as it is read;
    the new record, or why the files cannot be reused (then nothing is left in run_dir)."""
    target = run_dir / job.id
    for rel, digest in old["outputs"].items():
        source = source_run / job.id / rel
        try:
            with os.fdopen(os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC), "rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            problem = f"{rel} is missing"
        except OSError as exc:
            problem = (f"{rel} is a symbolic link, not the file that was rendered" if exc.errno == errno.ELOOP
                       else f"{rel} cannot be read ({exc.strerror or exc})")
        else:
            actual = hashlib.sha256(data).hexdigest()
            problem = None if actual == digest else \
                f"{rel} has changed since it was rendered (sha256 {actual[:12]}…, recorded {digest[:12]}…)"
        if problem:
            shutil.rmtree(target, ignore_errors=True)
            return problem
        dest = target / rel
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        except OSError as exc:
            shutil.rmtree(target, ignore_errors=True)
            raise runs.write_error(dest, exc) from None
    return {**{k: old.get(k) for k in ("results", "error")}, "id": job.id, "notebook": job.notebook,
            "parameters": job.parameters, "key": old["key"], "status": "cached", "seconds": 0.0,
            "outputs": dict(old["outputs"]), "from_run": old.get("from_run") or source_run.name,
            "current": old["key"] == job.key}


def _store(run_dir: Path, record: dict) -> None:
    try:
        runs.write_record(run_dir, record)
    except OSError as exc:
        raise runs.write_error(run_dir / runs.RECORDS, exc) from None


def _missing(job: Job, error: str) -> dict:
    return {"id": job.id, "notebook": job.notebook, "parameters": job.parameters, "key": job.key, "status": "missing",
            "seconds": 0.0, "results": None, "error": error, "outputs": {}, "current": False}


_EVENTS = None


def _worker_init(parent: int, lock_fd: int | None, events) -> None:
    """In each worker: die with the renderer, drop its copy of the lock, keep the events queue."""
    import signal

    from . import kernels

    kernels.die_with_parent(expected_parent=parent)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)   # the renderer's SIGTERM-as-Ctrl-C is for it alone
    if lock_fd is not None:
        try:
            os.close(lock_fd)
        except OSError:
            pass
    global _EVENTS
    _EVENTS = events


def _pool_job(job: Job, run_dir: str, root: str, show_code: bool) -> dict:
    if _EVENTS is not None:
        _EVENTS.put(job.id)            # tells the parent the job has started (a worker picked it up)
    return execute_job(job, Path(run_dir), Path(root), show_code)


def _execute(jobs: list[Job], run_dir: Path, root: Path, show_code: bool, workers: int | None, say, log,
             lock_fd: int | None = None, reaper: Reaper | None = None) -> dict[str, dict]:
    """Run jobs in worker processes; store each record as it ends; report each as it starts and ends.
    Interrupted (Ctrl-C): queued jobs are cancelled and every process of the render is killed at
    once (`reaper`), instead of waiting for the queue to drain; the interrupt goes on to the caller."""
    import multiprocessing

    import jupyter_client.manager  # noqa: F401  (imported once here: the forked workers inherit them)
    import nbformat  # noqa: F401
    import papermill  # noqa: F401

    from . import kernels

    kernels.kernel_manager_class()
    warm_exporter(show_code)
    _engine_name()
    ctx = multiprocessing.get_context("fork")
    records: dict[str, dict] = {}
    events = ctx.SimpleQueue()
    size = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    from .site import warm_site_data

    def drain():
        while not events.empty():
            say(f"[start ] {events.get()}")

    with ProcessPoolExecutor(max_workers=size, mp_context=ctx, initializer=_worker_init,
                             initargs=(os.getpid(), lock_fd, events)) as pool:
        # Everything from the first submit on is inside the try: a Ctrl-C that lands while jobs are being
        # handed out (their kernels can start before this thread gets here) must not wait for them.
        try:
            pending = {pool.submit(_pool_job, job, str(run_dir), str(root), show_code): job for job in jobs}
            # The workers are forked by now; while they run, this idle process reads and checks the
            # editions the front page needs (memoised), so that assembling the run does not wait for it.
            warming = threading.Thread(target=warm_site_data, args=(jobs,), daemon=True)
            warming.start()
            while pending:
                done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                drain()
                for future in done:
                    job = pending.pop(future)
                    try:
                        record = future.result()
                    except Exception as exc:  # noqa: BLE001  (a crashed worker is a failed job, not a crashed run)
                        record = _record(job, "failed", time.perf_counter(),
                                         error=f"the worker died: {type(exc).__name__}: {exc}")
                    records[job.id] = record
                    _store(run_dir, record)
                    if record["status"] == "ok":
                        say(f"[done  ] {job.id} {record['seconds']:.1f} s")
                    else:
                        log(f"[FAILED] {job.id} ({job.notebook}) {record['seconds']:.1f} s: {record['error']}")
            drain()
        except BaseException:
            # Ctrl-C (or any error here): no queued job starts, and the running ones end now — leaving
            # the pool's block would otherwise wait for every queued job to finish.
            pool.shutdown(wait=False, cancel_futures=True)
            if reaper is not None:
                reaper.kill()
            raise
    warming.join()
    return records


@contextlib.contextmanager
def _environ(values: dict[str, str]):
    """Set environment variables for the kernels started inside the block, then restore them."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def refresh_notebooks(root: Path = paths.ROOT, only: list[str] | None = None, log=print) -> None:
    """Re-execute each committed notebook with its default parameters, in place, and its figures.

    This is how nbval's reference outputs and the figure references in figures/ are regenerated:
    deliberately, by this command only.
    """
    import nbformat
    import papermill

    from ..lab import lab_view

    if not paths.IS_CHECKOUT:
        raise ParameterError("--refresh-notebooks rewrites the committed notebooks and figures/ of a source checkout; "
                             f"this helpers is an installed package ({paths.PACKAGE_DIR})")
    for path in sorted((root / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        if only and not any(text in path.name for text in only):
            continue
        tmp = path.with_name(f".{path.stem}.tmp.ipynb")
        log(f"[refresh] {path.relative_to(root)}")
        # The notebooks' figure_dir is None (an interactive run draws into scratch/): the kernel is told
        # the reference folder through the environment, so no parameter cell is injected into the notebook.
        with _environ({paths.FIGURE_ENV_VAR: str(root / "figures")}):
            papermill.execute_notebook(str(path), str(tmp), cwd=str(path.parent), kernel_name="python3",
                                       progress_bar=False, log_output=False)
        nb = nbformat.read(tmp, as_version=4)
        strip_volatile(nb)
        lab_view(nb)           # opened in Lab, the notebook shows its default language (helpers/lab.py)
        nbformat.write(nb, tmp)
        os.replace(tmp, path)
