"""`python -m helpers render`: papermill jobs (notebook × parameters), in parallel, published atomically.

A run renders into `reports/runs/<run-id>/<job-id>/` (executed notebook with volatile metadata
stripped, offline HTML page, figures), writes `index.html` and `manifest.json`, and only when every
job succeeded points `reports/latest` at it (an atomic symlink swap). A job whose inputs are
unchanged since the last published run is copied from it instead of executed (`--force` disables
that). One run at a time: a second one refuses, or waits with `--wait`, on `reports/.render.lock`.
"""

from __future__ import annotations

import copy
import fcntl
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from ..data import paths
from ..data.edition import edition
from ..errors import DataError, EditionError, ParameterError, RenderError
from ..report.nb import ALLOWED

JOBS_FILE = paths.ROOT / "render.yaml"
TEMPLATES = Path(__file__).parent / "templates"
RESERVED = {"figure_dir"}          # set by the renderer for every job
VOLATILE_CELL_KEYS = ("papermill", "execution")
PACKAGES = ("pandas", "matplotlib", "seaborn", "papermill", "nbconvert", "nbformat", "ipykernel", "numpy", "mplfonts")
EXIT_BAD_REQUEST, EXIT_LOCKED = 2, 3


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
LANG_TAGS = {"zh": "lang-zh", "en": "lang-en"}    # markdown cells written for one language


@dataclass
class Job:
    notebook: str                   # path relative to the project root
    parameters: dict
    id: str = ""
    key: str = ""                   # sha256 of everything the output depends on
    links: list = field(default_factory=list, compare=False)   # (label, href) of the page's navigation bar

    def __post_init__(self):
        stem = Path(self.notebook).stem
        # Path-safe: a value such as an edition folder (/srv/x/2023-02) must not make a sub-folder.
        suffix = "--".join(f"{k}-{_SAFE.sub('_', str(v))}" for k, v in sorted(self.parameters.items()))
        self.id = f"{stem}--{suffix}" if suffix else stem


@dataclass
class Outcome:
    job: str
    status: str                     # ok | cached | failed
    seconds: float
    results: dict | None = None
    error: str = ""
    outputs: list[str] = field(default_factory=list)


# --- Jobs -----------------------------------------------------------------------------------------

def load_jobs(jobs_file: Path = JOBS_FILE, root: Path = paths.ROOT) -> tuple[list[Job], dict]:
    """Read the jobs file; every notebook in notebooks/ not listed gets the default parameter sets."""
    import yaml

    try:
        config = yaml.safe_load(Path(jobs_file).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ParameterError(f"{jobs_file}: cannot read the jobs file: {exc}") from None
    defaults = config.get("default_parameter_sets") or [{}]
    listed = config.get("notebooks") or []
    # editions: the edition ids (or folders) to render; with one (the default: the latest), jobs carry
    # no edition parameter and keep their ids; with several, every job names its edition.
    editions = config.get("editions") or [None]
    jobs, seen = [], set()
    for entry in listed:
        rel = entry["path"]
        seen.add(rel)
        for params in entry.get("parameter_sets") or defaults:
            jobs.append(Job(rel, dict(params)))
    for nb_path in sorted((root / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        rel = nb_path.relative_to(root).as_posix()
        if rel not in seen:
            jobs.extend(Job(rel, dict(p)) for p in defaults)
    if len(editions) > 1:
        jobs = [Job(j.notebook, {**j.parameters, "edition": e}) for e in editions for j in jobs]
    return jobs, config


def _variant_label(params: dict, lang: str) -> str:
    from ..data import vocab

    words = []
    if "lang" in params:
        words.append({"zh": "中文", "en": "English"}[params["lang"]])
    if "level" in params:
        words.append(vocab.name("levels", params["level"], lang))
    if "edition" in params:
        words.append(str(params["edition"]))
    return " · ".join(words) or params.get("lang", "")


def link_jobs(jobs: list[Job]) -> None:
    """Each page's navigation bar: the front page, then every other variant of the same notebook."""
    for job in jobs:
        lang = job.parameters.get("lang", "zh")
        job.links = [("首页" if lang == "zh" else "Front page", "../index.html")]
        for other in jobs:
            if other is not job and other.notebook == job.notebook:
                job.links.append((_variant_label(other.parameters, lang), f"../{other.id}/{other.id}.html"))


def with_edition(jobs: list[Job], which: str) -> list[Job]:
    """The same jobs rendering edition `which` (an id or a folder)."""
    return [Job(j.notebook, {**j.parameters, "edition": which}) for j in jobs]


def validate_jobs(jobs: list[Job], root: Path = paths.ROOT) -> None:
    """Refuse bad requests before any kernel starts: unknown notebook, parameter or value."""
    import papermill

    declared_cache = {}
    for job in jobs:
        path = root / job.notebook
        if not path.is_file():
            raise ParameterError(f"unknown notebook {job.notebook!r} (no such file)")
        if job.notebook not in declared_cache:
            declared_cache[job.notebook] = papermill.inspect_notebook(str(path))
        declared = declared_cache[job.notebook]
        for name, value in job.parameters.items():
            if name in RESERVED:
                raise ParameterError(f"{job.id}: parameter {name!r} is set by the renderer")
            if name not in declared:
                raise ParameterError(f"{job.id}: unknown parameter {name!r} for {job.notebook}; "
                                     f"declared: {', '.join(n for n in declared if n not in RESERVED)}")
            if name in ALLOWED and value not in ALLOWED[name]:
                raise ParameterError(f"{job.id}: {name}={value!r} is not allowed; allowed values: "
                                     f"{', '.join(map(repr, ALLOWED[name]))}")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def input_hashes(root: Path = paths.ROOT) -> dict[str, str]:
    """sha256 of every input a render depends on except the notebooks themselves."""
    files = [root / "uv.lock", root / "render.yaml"] + sorted((root / "data").rglob("*"))
    files += sorted(p for p in (root / "src" / "helpers").rglob("*") if "__pycache__" not in p.parts)
    return {p.relative_to(root).as_posix(): _sha256(p) for p in files if p.is_file()}


def job_key(job: Job, shared: dict[str, str], root: Path, show_code: bool) -> str:
    from ..data.edition import edition

    # The edition actually read, wherever it lives (a folder outside the project included).
    ed = edition(job.parameters.get("edition"))
    payload = json.dumps({"notebook": _sha256(root / job.notebook), "parameters": job.parameters,
                          "inputs": shared, "edition": [str(ed.root), ed.state()], "show_code": show_code}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


# --- One job --------------------------------------------------------------------------------------

def strip_volatile(nb) -> None:
    """Remove what changes between identical runs: papermill timings and paths, cell timings, random
    ids, and the run folder in the injected figure_dir (figures sit next to the notebook)."""
    nb.metadata.pop("papermill", None)
    for index, cell in enumerate(nb.cells):
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        cell["id"] = f"cell-{index:03d}"
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = "\n".join('figure_dir = "figures"  # set by the renderer: figures/ beside this notebook'
                                    if line.startswith("figure_dir = ") else line for line in cell.source.split("\n"))


def results_of(nb) -> dict | None:
    """The headline results: the application/json output of the last code cell."""
    for cell in reversed(nb.cells):
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if "application/json" in data:
                    return data["application/json"]
            return None
    return None


def page_language(nb, lang: str) -> None:
    """Keep the markdown cells of `lang` only (cells tagged for the other language are dropped)."""
    drop = {tag for code, tag in LANG_TAGS.items() if code != lang}
    nb.cells = [c for c in nb.cells if not drop & set(c.get("metadata", {}).get("tags", []))]


def _headings(nb) -> list[tuple[int, str]]:
    out = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                m = re.match(r"(#{1,3})\s+(.+)", line)
                if m:
                    out.append((len(m.group(1)), m.group(2).strip()))
    return out


def page_header(nb, lang: str, links: list[tuple[str, str]]) -> str:
    """Navigation bar (front page, the other variants) and a table of contents of the page's headings."""
    nav = " · ".join(f'<a href="{html.escape(href)}">{html.escape(label)}</a>' for label, href in links)
    toc = "".join(f'<li><a href="#{html.escape(text.replace(" ", "-"))}">{html.escape(text)}</a></li>'
                  for level, text in _headings(nb) if level == 2)
    contents = "目录" if lang == "zh" else "Contents"
    return (f'<nav class="page-nav" aria-label="{"导航" if lang == "zh" else "navigation"}">{nav}</nav>'
            + (f'<details class="toc" open><summary>{contents}</summary><ol>{toc}</ol></details>' if toc else ""))


def export_html(nb, target: Path, show_code: bool, lang: str = "zh", links: list | None = None) -> None:
    from nbconvert import HTMLExporter

    nb = copy.deepcopy(nb)
    page_language(nb, lang)
    headings = _headings(nb)
    if headings:
        nb.metadata["title"] = re.sub(r"[*`]", "", headings[0][1])
    nb.metadata["cq_header"] = page_header(nb, lang, links or [])
    exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input=not show_code, exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.language_code = lang
    body, _ = exporter.from_notebook_node(nb)
    _write_atomic(target, body.encode("utf-8"))


def _write_atomic(target: Path, data: bytes) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def _failure_message(nb, exc) -> str:
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return f"cell {index} (execution count {cell.get('execution_count')}): {output['ename']}: {output['evalue']}"
    return f"{type(exc).__name__}: {exc}"


def run_job(job: Job, job_dir: str, root: str, show_code: bool, events=None) -> Outcome:
    """Execute one job with papermill in the notebook's folder; write notebook, HTML and figures."""
    import nbformat
    import papermill

    if events is not None:
        events.put(job.id)            # tells the parent the job has started (a worker picked it up)
    start = time.perf_counter()
    out = Path(job_dir)
    figures = out / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    source = Path(root) / job.notebook
    executed = out / f"{job.id}.ipynb"
    params = dict(job.parameters, figure_dir=str(figures))
    error = ""
    # The kernel's own stderr (start-up notices) goes to the run's logs/, not to the console.
    logs = out.parent / "logs"
    logs.mkdir(exist_ok=True)
    saved_stderr = os.dup(2)
    try:
        with open(logs / f"{job.id}.log", "w") as log_file:
            os.dup2(log_file.fileno(), 2)
            papermill.execute_notebook(str(source), str(executed), parameters=params, cwd=str(source.parent),
                                       kernel_name="python3", progress_bar=False, log_output=False)
    except Exception as exc:  # noqa: BLE001  (papermill raises many types; the message is kept)
        error = str(exc)
        failed = exc
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
    nb = nbformat.read(executed, as_version=4) if executed.exists() else None
    if nb is None:
        return Outcome(job.id, "failed", time.perf_counter() - start, error=error or "no output notebook")
    strip_volatile(nb)
    _write_atomic(executed, nbformat.writes(nb).encode("utf-8"))
    if error:
        return Outcome(job.id, "failed", time.perf_counter() - start, error=_failure_message(nb, failed))
    export_html(nb, out / f"{job.id}.html", show_code, job.parameters.get("lang", "zh"), job.links)
    outputs = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    return Outcome(job.id, "ok", time.perf_counter() - start, results=results_of(nb), outputs=outputs)


# --- A run ----------------------------------------------------------------------------------------

class RenderLock:
    """An exclusive lock on reports/.render.lock: a second run refuses (or waits with wait=True)."""

    def __init__(self, reports: Path, wait: bool):
        self.path, self.wait, self.handle = reports / ".render.lock", wait, None

    def __enter__(self):
        self.handle = open(self.path, "a+")  # noqa: SIM115
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | (0 if self.wait else fcntl.LOCK_NB))
        except BlockingIOError:
            self.handle.seek(0)
            holder = self.handle.read().strip() or "another process"
            self.handle.close()
            raise RenderError(f"another render is running ({holder}) and holds {self.path}; "
                              "wait for it to finish or pass --wait") from None
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}\n")
        self.handle.flush()
        return self

    def __exit__(self, *exc):
        self.handle.seek(0)
        self.handle.truncate()
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def _git_commit(root: Path) -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def _previous_manifest(reports: Path) -> tuple[Path | None, dict]:
    latest = reports / "latest"
    manifest = latest / "manifest.json"
    if manifest.is_file():
        return latest.resolve(), json.loads(manifest.read_text(encoding="utf-8"))
    return None, {}


def _publish(reports: Path, run_dir: Path) -> None:
    tmp = reports / ".latest.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(Path("runs") / run_dir.name)
    os.replace(tmp, reports / "latest")     # atomic: readers see the old run or the new one


def _prune(reports: Path, keep: int) -> list[str]:
    published = (reports / "latest").resolve() if (reports / "latest").exists() else None
    runs = sorted((p for p in (reports / "runs").iterdir() if p.is_dir()), key=lambda p: p.name)
    removed = []
    for old in runs[:-keep] if keep > 0 else []:
        if old.resolve() != published:
            shutil.rmtree(old)
            removed.append(old.name)
    return removed


def write_index(run_dir: Path, manifest: dict) -> None:
    rows = []
    for job in manifest["jobs"]:
        link = f'<a href="{html.escape(job["id"])}/{html.escape(job["id"])}.html">{html.escape(job["id"])}</a>' \
            if job["status"] in ("ok", "cached") else html.escape(job["id"])
        results = html.escape(json.dumps(job.get("results") or {}, ensure_ascii=False, sort_keys=True))
        rows.append(f"<tr><td>{link}</td><td>{html.escape(job['notebook'])}</td>"
                    f"<td>{html.escape(json.dumps(job['parameters'], ensure_ascii=False, sort_keys=True))}</td>"
                    f"<td class='{job['status']}'>{job['status']}</td><td>{job['seconds']:.1f} s</td>"
                    f"<td><code>{results}</code>{'<pre>' + html.escape(job['error']) + '</pre>' if job.get('error') else ''}</td></tr>")
    page = f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>重庆市人民政府公报2022年第2期 · reports</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px;vertical-align:top}}
.failed{{color:#c0504d;font-weight:bold}}.ok,.cached{{color:#2c8c6e}}code{{font-size:85%;white-space:pre-wrap}}</style></head>
<body><h1>重庆市人民政府公报 2022年第2期 — rendered reports</h1>
<p>Run <code>{html.escape(manifest['run_id'])}</code>, commit <code>{html.escape(str(manifest['git_commit']))}</code>,
status <b>{html.escape(manifest['status'])}</b>.</p>
<table><tr><th>job</th><th>notebook</th><th>parameters</th><th>status</th><th>duration</th><th>headline results</th></tr>
{chr(10).join(rows)}
</table></body></html>
"""
    _write_atomic(run_dir / "index.html", page.encode("utf-8"))


def _execute(jobs: list[Job], run_dir: Path, root: Path, show_code: bool, workers: int | None, say, log) -> dict[str, Outcome]:
    """Run jobs in worker processes; report each as it starts and as it ends."""
    import multiprocessing

    import nbconvert  # noqa: F401  (imported once here: the forked workers inherit it)
    import papermill  # noqa: F401

    outcomes = {}
    with multiprocessing.Manager() as manager, ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        events = manager.Queue()
        pending = {pool.submit(run_job, job, str(run_dir / job.id), str(root), show_code, events): job for job in jobs}

        def drain():
            while not events.empty():
                say(f"[start ] {events.get()}")

        while pending:
            done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            drain()
            for future in done:
                job = pending.pop(future)
                try:
                    outcome = future.result()
                except Exception as exc:  # noqa: BLE001  (a crashed worker is a failed job, not a crashed run)
                    outcome = Outcome(job.id, "failed", 0.0, error=f"{type(exc).__name__}: {exc}")
                outcomes[job.id] = outcome
                if outcome.status == "ok":
                    say(f"[done  ] {job.id} {outcome.seconds:.1f} s")
                else:
                    log(f"[FAILED] {job.id} ({job.notebook}) {outcome.seconds:.1f} s: {outcome.error}")
    return outcomes


def render(jobs: list[Job], *, reports: Path = paths.REPORTS_DIR, root: Path = paths.ROOT, workers: int | None = None,
           force: bool = False, quiet: bool = False, keep: int = 5, show_code: bool = False, wait: bool = False,
           log=print) -> tuple[dict, Path]:
    """Render `jobs` into a new run folder; publish it as reports/latest when every job succeeded."""
    validate_jobs(jobs, root)
    ids = [j.id for j in jobs]
    clashes = sorted({i for i in ids if ids.count(i) > 1})
    if clashes:
        raise ParameterError(f"duplicate job ids {clashes}: two jobs would write the same folder")
    link_jobs(jobs)
    try:
        (reports / "runs").mkdir(parents=True, exist_ok=True)
        probe = reports / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise ParameterError(f"output folder {reports} is not writable: {exc}") from None
    say = (lambda *_: None) if quiet else log
    with RenderLock(reports, wait):
        started = datetime.now(UTC)
        run_id = f"{started:%Y%m%dT%H%M%S.%f}Z"   # sortable; unique because runs hold the lock
        run_dir = reports / "runs" / run_id
        run_dir.mkdir(parents=True)
        shared = input_hashes(root)
        for job in jobs:
            job.key = job_key(job, shared, root, show_code)
        previous_dir, previous = _previous_manifest(reports)
        previous_keys = {j["id"]: j for j in previous.get("jobs", []) if j["status"] in ("ok", "cached")}
        outcomes: dict[str, Outcome] = {}
        to_run = []
        for job in jobs:
            old = previous_keys.get(job.id)
            if not force and old and old["key"] == job.key and (previous_dir / job.id).is_dir():
                shutil.copytree(previous_dir / job.id, run_dir / job.id)
                outcomes[job.id] = Outcome(job.id, "cached", 0.0, results=old.get("results"), outputs=old.get("outputs", []))
                say(f"[cached] {job.id}")
            else:
                to_run.append(job)
        if to_run:
            outcomes.update(_execute(to_run, run_dir, root, show_code, workers, say, log))
        ok = all(o.status in ("ok", "cached") for o in outcomes.values())
        manifest = {
            "run_id": run_id,
            "status": "ok" if ok else "failed",
            "started": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "seconds": round((datetime.now(UTC) - started).total_seconds(), 2),
            "git_commit": _git_commit(root),
            "inputs": {**shared, **{j.notebook: _sha256(root / j.notebook) for j in jobs}},
            "versions": _versions(),
            "jobs": [{"id": j.id, "notebook": j.notebook, "parameters": j.parameters, "key": j.key,
                      **{k: v for k, v in asdict(outcomes[j.id]).items() if k != "job"}} for j in jobs],
        }
        for job in manifest["jobs"]:
            job["seconds"] = round(job["seconds"], 2)
        _write_atomic(run_dir / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))
        write_index(run_dir, manifest)
        if ok:
            _publish(reports, run_dir)
            removed = _prune(reports, keep)
            say(f"published {run_dir} as {reports / 'latest'}" + (f"; pruned {len(removed)} old run(s)" if removed else ""))
        else:
            log(f"run {run_id} failed; {reports / 'latest'} still points to the last good run")
    return manifest, run_dir


def refresh_notebooks(root: Path = paths.ROOT, only: list[str] | None = None, log=print) -> None:
    """Re-execute each committed notebook with its default parameters, in place, and its figures.

    This is how nbval's reference outputs and the figure references in figures/ are regenerated:
    deliberately, by this command only.
    """
    import nbformat
    import papermill

    for path in sorted((root / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        if only and not any(text in path.name for text in only):
            continue
        tmp = path.with_name(f".{path.stem}.tmp.ipynb")
        log(f"[refresh] {path.relative_to(root)}")
        papermill.execute_notebook(str(path), str(tmp), cwd=str(path.parent), kernel_name="python3",
                                   progress_bar=False, log_output=False)
        nb = nbformat.read(tmp, as_version=4)
        strip_volatile(nb)
        nbformat.write(nb, tmp)
        os.replace(tmp, path)


# --- Command line ---------------------------------------------------------------------------------

def add_parser(sub, parents=()) -> None:
    p = sub.add_parser("render", parents=list(parents), help="render every notebook × parameter set into reports/ (see render.yaml)")
    p.add_argument("--jobs", type=int, default=None, metavar="N", help="parallel workers (default: one per CPU core)")
    p.add_argument("--force", action="store_true", help="re-render every job even if its inputs are unchanged")
    p.add_argument("--quiet", action="store_true", help="print only failures (for cron)")
    p.add_argument("--only", action="append", default=[], metavar="TEXT", help="only jobs whose id contains TEXT (repeatable)")
    p.add_argument("--notebook", action="append", default=[], help="render this notebook (path) instead of the jobs file")
    p.add_argument("-p", "--parameter", action="append", default=[], nargs=2, metavar=("NAME", "VALUE"),
                   help="with --notebook: a parameter (repeatable)")
    p.add_argument("--jobs-file", default=str(JOBS_FILE), help="the YAML list of jobs (default: render.yaml)")
    p.add_argument("--output", default=str(paths.REPORTS_DIR), help="reports folder (default: reports/)")
    p.add_argument("--keep", type=int, default=None, help="completed runs to keep (default: keep_runs of the jobs file)")
    p.add_argument("--show-code", action="store_true", help="include the code cells in the HTML pages")
    p.add_argument("--wait", action="store_true", help="wait for a running render instead of refusing")
    p.add_argument("--list-jobs", action="store_true", help="print the jobs and exit")
    p.add_argument("--json", action="store_true", help="with --list-jobs: as JSON")
    p.add_argument("--refresh-notebooks", action="store_true",
                   help="re-execute the committed notebooks in place (regenerates nbval references and figures/)")
    p.set_defaults(func=main)


def main(args) -> int:
    try:
        if args.refresh_notebooks:
            refresh_notebooks(only=args.only)
            return 0
        jobs, config = load_jobs(Path(args.jobs_file))
        if args.notebook:
            jobs = [Job(n, {k: v for k, v in args.parameter}) for n in args.notebook]
        if getattr(args, "edition", None):
            edition(args.edition)            # an unknown edition is a bad request, before any kernel starts
            jobs = with_edition(jobs, args.edition)
        if args.only:
            jobs = [j for j in jobs if any(t in j.id for t in args.only)]
            if not jobs:
                raise ParameterError(f"no job matches --only {args.only}")
        if args.list_jobs:
            validate_jobs(jobs)
            listing = [{"id": j.id, "notebook": j.notebook, "parameters": j.parameters} for j in jobs]
            if args.json:
                print(json.dumps(listing, ensure_ascii=False, indent=1))
            else:
                for item in listing:
                    print(f"{item['id']}\t{item['notebook']}\t{json.dumps(item['parameters'], ensure_ascii=False)}")
            return 0
        keep = args.keep if args.keep is not None else int(config.get("keep_runs", 5))
        manifest, _ = render(jobs, reports=Path(args.output), workers=args.jobs, force=args.force, quiet=args.quiet,
                             keep=keep, show_code=args.show_code, wait=args.wait)
        return 0 if manifest["status"] == "ok" else 1
    except (ParameterError, EditionError, DataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_REQUEST
    except RenderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_LOCKED
