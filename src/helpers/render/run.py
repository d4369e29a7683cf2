"""`python -m helpers render`: papermill jobs (notebook × parameters), in parallel, verified, published atomically.

A render is two steps that the command line, the Python API and the Airflow DAG share:

1. **one job into a run folder** (`execute_job`, `python -m helpers render --job ID --run-dir D`):
   the executed notebook (volatile metadata stripped), the offline HTML page and the figures in
   `D/<job-id>/`, and the job's record in `D/.jobs/<job-id>.json` (status, the key of its inputs, the
   sha256 of every file, the headline results). A job whose key matches the published run's record
   and whose files there still have their recorded hashes is copied instead (`--force` disables it).
2. **assemble and publish the run** (`assemble`, `python -m helpers render --assemble D`): every job's
   record and files are verified, `manifest.json` and `index.html` written, and only a complete run
   (every job of the request verified) is published as `reports/latest` (an atomic symlink swap);
   old runs are pruned, never the published one nor the last complete one.

`render()` does both in one process: jobs run in a pool of worker processes whose kernels are forked
from a server that imported the analysis stack once (kernels.py). One run at a time (lock.py): a
second refuses (exit 3) or waits with `--wait`; a lock whose owner died is taken over. `--only TEXT`
renders the matching jobs and carries every other job over from the published run, verified by hash,
so `latest` always holds a complete run; a job that cannot be carried leaves the run unpublished.

Exit status: 0 published (or, for `--job`, the job succeeded), 1 a job failed or the run could not be
written or completed (nothing published), 2 a bad request (refused before any kernel starts),
3 another render is running.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import dataclasses
import errno
import hashlib
import html
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from ..data import paths
from ..data.edition import edition
from ..data.parsing import read_yaml
from ..errors import HelpersError, ParameterError, RenderError
from ..report import words as W
from ..report.nb import ALLOWED
from . import runs
from .lock import LockError, RenderLock
from .reaper import Reaper
from .runs import RunWriteError

JOBS_FILE = paths.ROOT / "render.yaml"
TEMPLATES = Path(__file__).parent / "templates"
RESERVED = {"figure_dir"}          # set by the renderer for every job
VOLATILE_CELL_KEYS = ("papermill", "execution")
PACKAGES = ("pandas", "matplotlib", "seaborn", "papermill", "nbconvert", "nbformat", "ipykernel", "numpy", "mplfonts")
EXIT_OK, EXIT_FAILED, EXIT_BAD_REQUEST, EXIT_LOCKED = 0, 1, 2, 3
CONFIG_KEYS = ("default_parameter_sets", "notebooks", "editions", "keep_runs", "limits")
#: What one job may take (render.yaml `limits`): a cell running longer than cell_timeout_s, or a job
#: whose cells together run longer than job_timeout_s, fails its job (the kernel is stopped and the
#: lock freed); a page larger than max_page_mb is not published.
LIMIT_DEFAULTS = {"cell_timeout_s": 600, "job_timeout_s": 1800, "max_page_mb": 50}
ENTRY_KEYS = ("path", "parameter_sets")
KEY_ENV_PREFIX = "CQ_GAZETTE_"    # environment variables a notebook may read: part of every job key
KEY_ENV_IGNORED = {paths.FIGURE_ENV_VAR, "CQ_GAZETTE_KERNEL_SERVER"}   # set per job by the renderer
OK_STATUSES = ("ok", "cached")

_write_atomic = runs.write_atomic

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_ID = 120
LANG_TAGS = {"zh": "lang-zh", "en": "lang-en"}    # markdown cells written for one language


@dataclass
class Job:
    notebook: str                   # path relative to the project root
    parameters: dict
    id: str = ""
    key: str = ""                   # sha256 of everything the output depends on
    links: list = field(default_factory=list, compare=False)   # (label, href) of the page's navigation bar
    edition_state: tuple | None = field(default=None, compare=False, repr=False)  # (folder, state) read
    limits: dict = field(default_factory=lambda: dict(LIMIT_DEFAULTS), compare=False, repr=False)

    def __post_init__(self):
        stem = Path(self.notebook).stem
        # Path-safe: a value such as an edition folder (/srv/x/2023-02) must not make a sub-folder.
        suffix = "--".join(f"{k}-{_SAFE.sub('_', str(v))}" for k, v in sorted(self.parameters.items()))
        job_id = f"{stem}--{suffix}" if suffix else stem
        job_id = _SAFE.sub("_", job_id)
        if job_id.startswith("."):            # a hidden folder would be skipped as a temporary file
            job_id = "_" + job_id
        if len(job_id) > _MAX_ID:             # a folder name has at most 255 bytes
            digest = hashlib.sha256(job_id.encode()).hexdigest()[:12]
            job_id = f"{job_id[:_MAX_ID - 14]}--{digest}"
        self.id = job_id


def _skip_slow_optional_imports() -> None:
    """nbformat imports jsonschema, which imports the optional `rfc3987_syntax` (its "iri" format
    checker) if installed; that compiles a Lark grammar at import, ≈ 1.2 s of every render's start.
    nbformat never checks that format, so the renderer's process does without it."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


# --- Jobs -----------------------------------------------------------------------------------------

def _kind(value) -> str:
    return {str: "a string", int: "a number", float: "a number", bool: "true/false", list: "a list",
            dict: "a mapping", type(None): "nothing"}.get(type(value), type(value).__name__)


def _parameter_sets(value, where: str) -> list[dict] | None:
    """A list of parameter mappings ({name: scalar}), or None when not given."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise ParameterError(f"{where}: expected a list of parameter sets (mappings such as {{lang: zh}}), got {_kind(value)}")
    for k, params in enumerate(value):
        if not isinstance(params, dict):
            raise ParameterError(f"{where}[{k}]: expected a mapping of parameter names to values, got {_kind(params)} {params!r}")
        for name, v in params.items():
            if not isinstance(name, str) or not name.isidentifier():
                raise ParameterError(f"{where}[{k}]: parameter name {name!r} is not a valid name")
            if not isinstance(v, str | int | float | bool | type(None)):
                raise ParameterError(f"{where}[{k}]: parameter {name!r}: expected a string, number, true/false or null, "
                                     f"got {_kind(v)}")
    return [dict(p) for p in value]


def read_config(jobs_file: Path | None) -> dict:
    """The jobs file, checked: every mistake is a ParameterError naming the file and the entry.
    None: no jobs file (every notebook of the project, with no parameters)."""
    import yaml

    if jobs_file is None:
        return {"default_parameter_sets": None, "notebooks": [], "editions": None, "keep_runs": 5,
                "limits": dict(LIMIT_DEFAULTS)}
    jobs_file = Path(jobs_file)
    try:
        if jobs_file.exists() and not jobs_file.is_file():     # a FIFO would block before any work
            raise ParameterError(f"{jobs_file}: is not a regular file; expected the YAML jobs file")
        text = jobs_file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ParameterError(f"{jobs_file}: cannot read the jobs file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ParameterError(f"{jobs_file}: not UTF-8 text (byte {exc.start})") from None
    try:
        config = read_yaml(text)
    except yaml.YAMLError as exc:
        raise ParameterError(f"{jobs_file}: not valid YAML: {exc}") from None
    config = {} if config is None else config
    if not isinstance(config, dict):
        raise ParameterError(f"{jobs_file}: expected a mapping with the keys {', '.join(CONFIG_KEYS)}; got {_kind(config)}")
    unknown = [k for k in config if k not in CONFIG_KEYS]
    if unknown:
        raise ParameterError(f"{jobs_file}: unknown key {unknown[0]!r}; known keys: {', '.join(CONFIG_KEYS)}")
    defaults = _parameter_sets(config.get("default_parameter_sets"), f"{jobs_file}: default_parameter_sets")
    listed = config.get("notebooks")
    if listed is None:
        listed = []
    if not isinstance(listed, list):
        raise ParameterError(f"{jobs_file}: notebooks: expected a list of entries (- path: notebooks/NN-x.ipynb), got {_kind(listed)}")
    entries = []
    for k, entry in enumerate(listed):
        where = f"{jobs_file}: notebooks[{k}]"
        if isinstance(entry, str):
            raise ParameterError(f"{where}: expected a mapping with a 'path', got the string {entry!r} "
                                 f"(write it as `- path: {entry}`)")
        if not isinstance(entry, dict):
            raise ParameterError(f"{where}: expected a mapping with a 'path', got {_kind(entry)}")
        if "path" not in entry:
            raise ParameterError(f"{where}: no 'path' (the notebook, relative to the project folder); got the keys "
                                 f"{', '.join(map(str, entry)) or 'none'}")
        if not isinstance(entry["path"], str) or not entry["path"].strip():
            raise ParameterError(f"{where}: path: expected the notebook's path as a string, got {_kind(entry['path'])}")
        extra = [key for key in entry if key not in ENTRY_KEYS]
        if extra:
            raise ParameterError(f"{where}: unknown key {extra[0]!r}; an entry has {', '.join(ENTRY_KEYS)}")
        entries.append({"path": entry["path"], "parameter_sets": _parameter_sets(entry.get("parameter_sets"),
                                                                                 f"{where}: parameter_sets")})
    editions = config.get("editions")
    if editions is not None:
        if not isinstance(editions, list) or not all(isinstance(e, str) and e.strip() for e in editions):
            raise ParameterError(f"{jobs_file}: editions: expected a list of edition ids or folders, got {editions!r}")
    keep = config.get("keep_runs", 5)
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        raise ParameterError(f"{jobs_file}: keep_runs: expected a whole number of completed runs to keep (1 or more), "
                             f"got {keep!r}")
    limits = config.get("limits") or {}
    if not isinstance(limits, dict):
        raise ParameterError(f"{jobs_file}: limits: expected a mapping of {', '.join(LIMIT_DEFAULTS)}, got {_kind(limits)}")
    for key, value in limits.items():
        if key not in LIMIT_DEFAULTS:
            raise ParameterError(f"{jobs_file}: limits: unknown key {key!r}; known keys: {', '.join(LIMIT_DEFAULTS)}")
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < float("inf"):
            raise ParameterError(f"{jobs_file}: limits: {key}: expected a positive number, got {value!r}")
    return {"default_parameter_sets": defaults, "notebooks": entries, "editions": editions, "keep_runs": keep,
            "limits": {**LIMIT_DEFAULTS, **limits}}


def load_jobs(jobs_file: Path | None = JOBS_FILE, root: Path = paths.ROOT) -> tuple[list[Job], dict]:
    """Read the jobs file; every notebook in notebooks/ not listed gets the default parameter sets."""
    config = read_config(jobs_file)
    defaults = config["default_parameter_sets"] or [{}]
    # editions: the edition ids (or folders) to render; with one (the default: the latest), jobs carry
    # no edition parameter and keep their ids; with several, every job names its edition.
    editions = config["editions"] or [None]
    jobs, seen = [], set()
    for entry in config["notebooks"]:
        rel = entry["path"]
        seen.add(rel)
        for params in entry["parameter_sets"] or defaults:
            jobs.append(Job(rel, dict(params)))
    for nb_path in sorted((Path(root) / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        rel = nb_path.relative_to(root).as_posix()
        if rel not in seen:
            jobs.extend(Job(rel, dict(p)) for p in defaults)
    if len(editions) > 1:
        jobs = [Job(j.notebook, {**j.parameters, "edition": e}) for e in editions for j in jobs]
    elif editions[0] is not None:
        jobs = with_edition(jobs, editions[0])
    for job in jobs:
        job.limits = dict(config["limits"])
    return jobs, config


def _variant_label(params: dict, lang: str) -> str:
    from ..data import vocab

    words = []
    variant_lang = params.get("lang", lang)
    if "lang" in params:
        words.append(vocab.autonym(params["lang"]))
    if "level" in params:
        words.append(vocab.name("levels", params["level"], variant_lang))   # named in the page it links to
    if "edition" in params:
        words.append(str(params["edition"]))
    return " · ".join(words) or params.get("lang", "")


def _title_variant(params: dict) -> str:
    """What tells a page apart from its siblings of the same language, for its <title> (the level)."""
    from ..data import vocab

    return vocab.name("levels", params["level"], params.get("lang", "zh")) if "level" in params else ""


def link_jobs(jobs: list[Job]) -> None:
    """Each page's navigation bar: the front page, then every other variant of the same notebook."""
    from .site import front_page_name

    for job in jobs:
        lang = job.parameters.get("lang", "zh")
        # (label, address, the label's language): a variant is named in the language of its page
        job.links = [(W.text("site.front_page", lang), f"../{front_page_name(lang)}", lang)]
        for other in jobs:
            if (other is not job and other.notebook == job.notebook
                    and other.parameters.get("edition") == job.parameters.get("edition")):
                job.links.append((_variant_label(other.parameters, lang), f"../{other.id}/{other.id}.html",
                                  other.parameters.get("lang", lang)))


def with_edition(jobs: list[Job], which: str) -> list[Job]:
    """The same jobs rendering edition `which` (an id or a folder)."""
    return [Job(j.notebook, {**j.parameters, "edition": which}) for j in jobs]


#: Names a run folder uses for itself: a job folder of one of these names would replace or hide it.
RESERVED_IDS = {"index.html", "index.en.html", "runlog.html", "manifest.json", "logs", "downloads", runs.RECORDS}


def check_unique(jobs: list[Job]) -> None:
    """Two jobs with one id would write one folder, and a job named like one of the run's own files
    (index.html, manifest.json, logs …) would replace it: both are bad requests."""
    first: dict[str, Job] = {}
    for job in jobs:
        if job.id.lower() in RESERVED_IDS:
            raise ParameterError(f"job id {job.id!r} ({job.notebook}) is a name the run folder uses for itself "
                                 f"({', '.join(sorted(RESERVED_IDS))}); rename the notebook")
        other = first.setdefault(job.id, job)
        if other is not job:
            same = other.notebook == job.notebook and other.parameters == job.parameters
            raise ParameterError(
                f"duplicate job id {job.id!r}: {other.notebook} {json.dumps(other.parameters, ensure_ascii=False)} and "
                f"{job.notebook} {json.dumps(job.parameters, ensure_ascii=False)} would write the same folder"
                + ("; the job is listed twice" if same else "; make their parameter values differ in letters, digits, '.', '_' or '-'"))


def _literal(text):
    try:
        return ast.literal_eval(text) if isinstance(text, str) else text
    except (ValueError, SyntaxError):
        return None


def resolve_edition(job: Job, declared: dict):
    """The edition a job's kernel will read: its `edition` parameter, else the notebook's default,
    else $CQ_GAZETTE_EDITION, else the latest. A bad value is a bad request naming where it came from."""
    from ..errors import EditionError

    if "edition" in job.parameters:
        value, source = job.parameters["edition"], f"{job.id}: parameter edition={job.parameters['edition']!r}"
    else:
        value = _literal(declared.get("edition", {}).get("default")) if "edition" in declared else None
        source = f"{job.notebook}: default edition={value!r}"
    if value in (None, ""):
        env = os.environ.get(paths.EDITION_ENV_VAR)
        value, source = (env, f"environment variable {paths.EDITION_ENV_VAR}={env!r}") if env else (None, "the latest edition")
    try:
        return edition(value)
    except HelpersError as exc:
        if isinstance(exc, EditionError):
            raise EditionError(f"{source}: {exc}") from None
        raise


def declared_parameters(path: Path) -> dict[str, dict]:
    """The parameters a notebook declares: {name: {"name", "default"}} from the cell tagged
    `parameters` (what papermill's inspect_notebook reads, without importing papermill: the
    renderer's start matters when every job is reused)."""
    try:
        nb = json.loads(Path(path).read_bytes())
        cells = nb["cells"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ParameterError(f"{path}: cannot read the notebook: {type(exc).__name__}: {exc}") from None
    for cell in cells:
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            try:
                tree = ast.parse(source)
            except SyntaxError as exc:
                raise ParameterError(f"{path}: the parameters cell is not valid Python: {exc}") from None
            out = {}
            for node in tree.body:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
                for target in targets:
                    if isinstance(target, ast.Name):
                        value = ast.get_source_segment(source, node.value) if node.value is not None else "None"
                        out[target.id] = {"name": target.id, "default": value}
            return out
    return {}


def validate_jobs(jobs: list[Job], root: Path = paths.ROOT) -> None:
    """Refuse bad requests before any kernel starts: a duplicate id, an unknown notebook, parameter or
    value, an edition that cannot be read."""
    check_unique(jobs)
    declared_cache, editions = {}, {}
    project = Path(root).resolve()
    for job in jobs:
        path = Path(root) / job.notebook
        # A job's notebook is the project's: a path that leaves the project folder (absolute, '..', a
        # symbolic link out of it) is refused, so no render runs or publishes code from elsewhere.
        if Path(job.notebook).is_absolute() or ".." in Path(job.notebook).parts or \
                not path.resolve().is_relative_to(project):
            raise ParameterError(f"notebook {job.notebook!r} is outside the project folder {project}; a job's notebook "
                                 "must be a path inside it (no leading '/', no '..', no link out of it)")
        if not path.is_file():
            raise ParameterError(f"unknown notebook {job.notebook!r} (no such file)")
        if job.notebook not in declared_cache:
            declared_cache[job.notebook] = declared_parameters(path)
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
        ed = resolve_edition(job, declared)
        # Two folders with one edition id would write one downloads folder and one set of page names.
        other = editions.setdefault(ed.id, ed.root)
        if other != ed.root:
            raise ParameterError(f"{job.id}: edition {ed.id!r} of {ed.root} has the id of the edition in {other}; "
                                 "two editions of one request must have different ids")
        job.edition_state = (str(ed.root), _edition_state(ed, job))


def _edition_state(ed, job: Job) -> str:
    from ..errors import EditionError

    try:
        return ed.state()
    except OSError as exc:
        raise EditionError(f"{job.id}: edition {ed.id} ({ed.root}): {exc.filename or ''}: cannot be read "
                           f"({exc.strerror or exc})") from None


# --- Keys: everything an output depends on ---------------------------------------------------------

def _sha256(path: Path) -> str:
    return runs.sha256_file(path)


def _package_files() -> list[tuple[str, Path]]:
    import helpers

    pkg = Path(helpers.__file__).parent
    return [(f"helpers/{p.relative_to(pkg).as_posix()}", p) for p in sorted(pkg.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith((".pyc", ".tmp"))]


def input_hashes(root: Path = paths.ROOT) -> dict[str, str]:
    """sha256 of every input a render depends on except the notebooks and the edition (keyed per job):
    the lock file, the project's data folder and the helpers package that the kernels import."""
    root = Path(root)
    files = [(p.relative_to(root).as_posix(), p) for p in sorted((root / "data").rglob("*"))] if (root / "data").is_dir() else []
    lock = root / "uv.lock" if (root / "uv.lock").is_file() else paths.ROOT / "uv.lock"
    files.append(("uv.lock", lock))
    files += _package_files()
    return {name: _sha256(p) for name, p in files if p.is_file()}


def environment() -> dict:
    """The interpreter, the platform and every installed distribution (name and version)."""
    dists = set()
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        dists.update(n[: -len(".dist-info")] for n in names if n.endswith(".dist-info"))
    env = {k: v for k, v in sorted(os.environ.items()) if k.startswith(KEY_ENV_PREFIX) and k not in KEY_ENV_IGNORED}
    return {"python": sys.version, "executable": sys.executable, "platform": platform.platform(),
            "distributions": hashlib.sha256("\n".join(sorted(dists)).encode()).hexdigest(), "variables": env}


def job_key(job: Job, shared: dict[str, str], root: Path, show_code: bool, env: dict | None = None) -> str:
    if job.edition_state is None:
        ed = resolve_edition(job, {})
        job.edition_state = (str(ed.root), _edition_state(ed, job))
    payload = json.dumps({"notebook": _sha256(Path(root) / job.notebook), "parameters": job.parameters,
                          "inputs": shared, "environment": env if env is not None else environment(),
                          "edition": list(job.edition_state), "show_code": show_code,
                          "links": job.links}, sort_keys=True, default=str)
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


def page_header(nb, lang: str, links: list[tuple[str, str, str]]) -> str:
    """Navigation bar (front page, the other variants) and a table of contents of the page's headings."""
    def link(label: str, href: str, label_lang: str) -> str:
        # A label in another language (中文 on an English page) is marked as such.
        mark = f' lang="{label_lang}"' if label_lang != lang else ""
        return f'<a href="{html.escape(href)}"{mark}>{html.escape(label)}</a>'

    nav = " | ".join(link(*item) for item in links)
    # The table of contents is filled in after export from the ids nbconvert gave the headings.
    return f'<nav class="page-nav" aria-label="{html.escape(W.text("site.navigation", lang))}">{nav}</nav>{TOC_MARK}'


def collapse_results(nb, lang: str) -> None:
    """On the published page the results JSON (the last cell's application/json) comes last and
    collapsed: a reader opens it on purpose. The executed notebook keeps it as it is."""
    for cell in reversed(nb.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "application/json" in data:
                text = json.dumps(data["application/json"], ensure_ascii=False, indent=1, sort_keys=True)
                summary = html.escape(W.text("site.results", lang))
                output["data"] = {"text/html": f'<details class="results"><summary>{summary}</summary>'
                                               f'<pre lang="{lang}">{html.escape(text)}</pre></details>'}
        return


TOC_MARK = "<!--cq-toc-->"
_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)


def fill_toc(body: str, lang: str) -> str:
    """Replace the contents mark with links to the page's second-level headings, by their real ids."""
    items = []
    for anchor, inner in _H2.findall(body):
        text = re.sub(r"<[^>]+>", "", inner).replace("¶", "").strip()
        items.append(f'<li><a href="#{anchor}">{text}</a></li>')
    contents = html.escape(W.text("site.contents", lang))
    toc = f'<details class="toc" open><summary>{contents}</summary><ul>{"".join(items)}</ul></details>' if items else ""
    return body.replace(TOC_MARK, toc, 1)


_EXPORTERS: dict = {}


def _exporter(show_code: bool):
    """One HTML exporter per process and setting (building one, with its templates, costs ~0.3 s)."""
    if show_code not in _EXPORTERS:
        from nbconvert import HTMLExporter

        _EXPORTERS[show_code] = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)],
                                             exclude_input=not show_code, exclude_input_prompt=True,
                                             exclude_output_prompt=True)
    return _EXPORTERS[show_code]


def warm_exporter(show_code: bool) -> None:
    """Build the exporter and compile its templates (before workers fork, so that they inherit them)."""
    import nbformat

    _exporter(show_code).from_notebook_node(nbformat.v4.new_notebook())


def export_html(nb, target: Path, show_code: bool, lang: str = "zh", links: list | None = None,
                variant: str = "") -> None:
    """The page's HTML; its <title> is its first heading and, when the notebook renders in several
    variants besides the language (02's levels), the variant's name."""
    nb = copy.deepcopy(nb)
    page_language(nb, lang)
    headings = _headings(nb)
    if headings:
        nb.metadata["title"] = re.sub(r"[*`]", "", headings[0][1]) + (f" · {variant}" if variant else "")
    nb.metadata["cq_header"] = page_header(nb, lang, links or [])
    collapse_results(nb, lang)
    exporter = _exporter(show_code)
    exporter.language_code = lang
    body, _ = exporter.from_notebook_node(nb)
    body = fill_toc(body, lang)
    _write_atomic(target, body.encode("utf-8"))


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


# --- Worker processes -----------------------------------------------------------------------------

_EVENTS = None


def _worker_init(parent: int, lock_fd: int | None, events) -> None:
    """In each worker: die with the renderer, drop its copy of the lock, keep the events queue."""
    from . import kernels

    kernels.die_with_parent(expected_parent=parent)
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
    with ProcessPoolExecutor(max_workers=size, mp_context=ctx, initializer=_worker_init,
                             initargs=(os.getpid(), lock_fd, events)) as pool:
        pending = {pool.submit(_pool_job, job, str(run_dir), str(root), show_code): job for job in jobs}
        # The workers are forked by now; while they run, this idle process reads and checks the
        # editions the front page needs (memoised), so that assembling the run does not wait for it.
        from .site import warm_site_data

        warming = threading.Thread(target=warm_site_data, args=(jobs,), daemon=True)
        warming.start()

        def drain():
            while not events.empty():
                say(f"[start ] {events.get()}")

        try:
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


# --- A run ----------------------------------------------------------------------------------------

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


def _started(run_dir: Path) -> datetime:
    try:
        return datetime.strptime(run_dir.name, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return datetime.fromtimestamp(run_dir.stat().st_mtime, UTC)


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


def _published_now(reports: Path, restore: bool = True) -> str:
    """What `reports/latest` holds after a run that was not published, said truthfully: the published
    run is verified against its manifest (a notebook may have written into it). One that changed is
    replaced by the newest complete run that is intact, when there is one (restore=True: the caller
    holds the lock)."""
    latest = reports / "latest"
    current = runs.published(reports)
    if current is None:
        return f"nothing is published ({latest} does not exist)"
    problem = runs.verify_run(current)
    if problem is None:
        return f"{latest} still points to the last good run ({current.name})"
    if not restore:
        return (f"the published run {current.name} no longer matches its manifest ({problem}): {latest} serves changed "
                "files; render again to replace it")
    restored = runs.restore_intact(reports, current)
    if restored is not None:
        return (f"the published run {current.name} no longer matches its manifest ({problem}), so {latest} now points "
                f"to {restored.name}, the newest complete run whose files all match its manifest")
    return (f"the published run {current.name} no longer matches its manifest ({problem}) and no other complete run is "
            f"intact: {latest} serves changed files; render again to replace it")


def _check_writable(reports: Path) -> None:
    latest = reports / "latest"
    if (latest.exists() or latest.is_symlink()) and not latest.is_symlink():
        # publishing replaces the link atomically; a file or folder there would be lost or block it
        raise ParameterError(f"{latest} is a {'folder' if latest.is_dir() else 'file'}, not the link to the published "
                             "run that the renderer keeps there; move it away first")
    try:
        (reports / "runs").mkdir(parents=True, exist_ok=True)
        # A probe of its own name, created exclusively (never through a link someone planted).
        fd, probe = tempfile.mkstemp(prefix=".write-test-", dir=reports)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ParameterError(f"output folder {reports} is not writable: {exc}") from None


def _previous(reports: Path, log) -> tuple[Path | None, dict]:
    """The published run and its jobs' records (id -> record), verified to be well-formed."""
    source = runs.published(reports)
    if source is None:
        return None, {}
    found = runs.usable_jobs(source)
    if found is None:
        log(f"warning: {source / runs.MANIFEST} is missing, unreadable or not in the current format; "
            "nothing is reused from that run")
        return None, {}
    good, bad = found
    if bad and not good:
        log(f"warning: no job entry of {source / runs.MANIFEST} is usable; nothing is reused from that run")
    elif bad:
        log(f"warning: {bad} job entr{'y' if bad == 1 else 'ies'} of {source / runs.MANIFEST} are malformed or list no "
            "page; those jobs are rendered again")
    return source, {j["id"]: j for j in good}


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
    server = kernels.KernelServer(enabled=fork_kernels, editions=editions)
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


def _check_published(reports: Path, log) -> None:
    """Before a render: say so when the published run no longer matches its manifest (its changed
    pages are then rendered again, not reused)."""
    published = runs.published(reports)
    if published is not None and (problem := runs.verify_run(published)) is not None:
        log(f"warning: the published run {published.name} does not match its manifest ({problem}); "
            "what changed is rendered again")


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


def _check_run_dir(run_dir: Path, reports: Path) -> None:
    """--job and --assemble work only on a run in progress: a folder of reports/runs made by
    --new-run, not yet complete (an incomplete one may take its missing jobs and be assembled again)
    and not the published run, which is immutable."""
    if not run_dir.is_dir():
        raise ParameterError(f"run folder {run_dir} does not exist (make one with --new-run)")
    if run_dir.resolve().parent != (reports / "runs").resolve():
        raise ParameterError(f"run folder {run_dir} is not in {reports / 'runs'} (pass the same --output)")
    published = runs.published(reports)
    if published is not None and run_dir.resolve() == published.resolve():
        raise ParameterError(f"run folder {run_dir} is the published run ({reports / 'latest'}), which is never written "
                             "to; make a new one with --new-run")
    if runs.is_complete(run_dir):
        raise ParameterError(f"run folder {run_dir} is complete (its {runs.MANIFEST} says so); a finished run is never "
                             "changed: make a new one with --new-run")
    if (run_dir / runs.OWNER).exists():
        # Made by a `render` (which records its process there), not by --new-run: that render writes it alone.
        raise ParameterError(f"run folder {run_dir} belongs to a `render` command, not to an orchestrator; make one "
                             "with --new-run")


def _keys_now(jobs: list[Job], root: Path, show_codes: tuple[bool, ...], env: dict) -> dict[str, set[str]]:
    """Each job's key computed again from the files as they are now (notebook, edition, data, code,
    environment), for each way of showing code asked for; each edition's files are hashed once. An
    edition that is gone or unreadable gets no state, so its jobs' keys move."""
    shared, states, out = input_hashes(root), {}, {}
    for job in jobs:
        folder = job.edition_state[0] if job.edition_state else str(resolve_edition(job, {}).root)
        if folder not in states:
            try:
                states[folder] = _edition_state(edition(folder), job)
            except HelpersError:
                states[folder] = None
        fresh = dataclasses.replace(job, edition_state=(folder, states[folder]))
        out[job.id] = {job_key(fresh, shared, root, show, env) for show in show_codes}
    return out


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


def _stale_records(run_dir: Path, jobs: list[Job], root: Path) -> list[str]:
    """The jobs whose record in a run was rendered from other inputs than the current ones (a record
    made showing code or not is current either way: the key includes it)."""
    now = _keys_now(jobs, root, (False, True), environment())
    return [job.id for job in jobs
            if (record := runs.read_record(run_dir, job.id)) is not None and record.get("key") not in now[job.id]]


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


# --- Command line ---------------------------------------------------------------------------------

def add_parser(sub, parents=()) -> None:
    p = sub.add_parser("render", parents=list(parents), help="render every notebook × parameter set into reports/ (see render.yaml)")
    p.add_argument("--jobs", type=int, default=None, metavar="N", help="parallel workers (default: one per CPU core)")
    p.add_argument("--force", action="store_true", help="re-render every job even if its inputs are unchanged")
    p.add_argument("--quiet", action="store_true", help="print only failures (for cron)")
    p.add_argument("--only", action="append", default=[], metavar="TEXT",
                   help="render only jobs whose id contains TEXT (repeatable); the others are carried over from the published run")
    p.add_argument("--notebook", action="append", default=[],
                   help="render this notebook (path) instead of the jobs file: an ad-hoc run, never published")
    p.add_argument("-p", "--parameter", action="append", default=[], nargs=2, metavar=("NAME", "VALUE"),
                   help="with --notebook: a parameter (repeatable)")
    p.add_argument("--root", default=None, help="the project folder holding the notebooks (default: this project)")
    p.add_argument("--jobs-file", default=None, help="the YAML list of jobs (default: render.yaml of the project folder)")
    p.add_argument("--output", default=str(paths.REPORTS_DIR), help="reports folder (default: reports/)")
    p.add_argument("--keep", type=int, default=None, help="completed runs to keep (default: keep_runs of the jobs file)")
    p.add_argument("--show-code", action="store_true", help="include the code cells in the HTML pages")
    p.add_argument("--wait", action="store_true", help="wait for a running render instead of refusing")
    p.add_argument("--fresh-kernels", action="store_true",
                   help="start every kernel as a new Python process instead of forking it from the pre-imported kernel server")
    p.add_argument("--list-jobs", action="store_true", help="print the jobs and exit")
    p.add_argument("--json", action="store_true", help="with --list-jobs: as JSON")
    p.add_argument("--new-run", action="store_true", help="make an empty run folder in OUTPUT/runs and print its path (for an orchestrator)")
    p.add_argument("--job", metavar="ID", help="render one job (an id from --list-jobs) into --run-dir (one orchestrator task)")
    p.add_argument("--run-dir", metavar="DIR", help="with --job: the run folder (from --new-run)")
    p.add_argument("--assemble", metavar="DIR", help="verify, assemble and publish a run folder whose jobs were rendered with --job")
    p.add_argument("--refresh-notebooks", action="store_true",
                   help="re-execute the committed notebooks in place (regenerates nbval references and figures/)")
    p.set_defaults(func=main)


def _request(args) -> tuple[list[Job], dict, Path, bool]:
    """The jobs of a command line request, its jobs-file settings, the project folder, and whether it is ad hoc."""
    root = Path(args.root).resolve() if args.root else paths.ROOT
    if not root.is_dir():
        raise ParameterError(f"--root {args.root}: no such folder")
    jobs_file = Path(args.jobs_file) if args.jobs_file else root / "render.yaml"
    if not args.jobs_file and not jobs_file.exists() and root != paths.ROOT:
        jobs_file = None                 # a project folder without render.yaml: its notebooks as they are
    jobs, config = load_jobs(jobs_file, root)
    adhoc = bool(args.notebook)
    if adhoc:
        jobs = [Job(n, {k: v for k, v in args.parameter}) for n in args.notebook]
    elif args.parameter:
        raise ParameterError("-p/--parameter needs --notebook (the jobs file sets the parameters of its jobs)")
    if getattr(args, "edition", None):
        edition(args.edition)            # an unknown edition is a bad request, before any kernel starts
        jobs = with_edition(jobs, args.edition)
    if not jobs:
        raise ParameterError(f"no jobs: {root} has no notebooks/NN-name.ipynb and {jobs_file or 'no render.yaml'} "
                             "lists none; pass the project folder with --root")
    return jobs, config, root, adhoc


def main(args) -> int:
    def err(message):
        print(message, file=sys.stderr)

    _skip_slow_optional_imports()
    try:
        if args.refresh_notebooks:
            refresh_notebooks(only=args.only)
            return EXIT_OK
        jobs, config, root, adhoc = _request(args)
        reports = Path(args.output)
        keep = args.keep if args.keep is not None else config["keep_runs"]
        if keep < 1:
            raise ParameterError(f"--keep {keep}: keep at least the published run (1 or more)")
        selected = None
        if args.only:
            selected = [j.id for j in jobs if any(t in j.id for t in args.only)]
            if not selected:
                raise ParameterError(f"no job matches --only {args.only}")
        say = (lambda *_: None) if args.quiet else print
        if args.list_jobs:
            validate_jobs(jobs, root)
            listing = [{"id": j.id, "notebook": j.notebook, "parameters": j.parameters}
                       for j in jobs if selected is None or j.id in selected]
            if args.json:
                print(json.dumps(listing, ensure_ascii=False, indent=1))
            else:
                for item in listing:
                    print(f"{item['id']}\t{item['notebook']}\t{json.dumps(item['parameters'], ensure_ascii=False)}")
            return EXIT_OK
        if args.new_run:
            validate_jobs(jobs, root)
            _check_writable(reports)
            print(runs.new_run_dir(reports, owner=False))
            return EXIT_OK
        if args.job:
            if not args.run_dir:
                raise ParameterError("--job needs --run-dir (a run folder made with --new-run)")
            record = render_one(args.job, Path(args.run_dir), jobs, reports=reports, root=root, force=args.force,
                                show_code=args.show_code, say=say, log=err)
            return EXIT_OK if record["status"] in OK_STATUSES else EXIT_FAILED
        if args.assemble:
            manifest = assemble_run(Path(args.assemble), jobs, reports=reports, root=root, keep=keep, wait=args.wait,
                                    publish=not adhoc, say=say, log=err)
            return EXIT_OK if manifest["complete"] else EXIT_FAILED
        manifest, _ = render(jobs, reports=reports, root=root, workers=args.jobs, force=args.force, quiet=args.quiet,
                             keep=keep, show_code=args.show_code, wait=args.wait, only=selected, publish=not adhoc,
                             fork_kernels=not args.fresh_kernels)
        return EXIT_OK if manifest["complete"] else EXIT_FAILED
    except LockError as exc:
        err(f"error: {exc}")
        return EXIT_LOCKED
    except RunWriteError as exc:
        err(f"error: {exc}; nothing was published; {_published_now(Path(args.output), restore=False)}")
        return EXIT_FAILED
    except RenderError as exc:
        err(f"error: {exc}")
        return EXIT_FAILED
    except HelpersError as exc:          # ParameterError, EditionError, DataError: a bad request
        err(f"error: {exc}")
        return EXIT_BAD_REQUEST
    except KeyboardInterrupt:
        err(f"interrupted; nothing was published; {_published_now(Path(args.output), restore=False)}")
        return 130
