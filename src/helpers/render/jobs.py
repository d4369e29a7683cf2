"""Jobs: a notebook × parameter set with its id; render.yaml read and checked; the navigation
links between a notebook's variants; a request validated before any kernel starts."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..data import paths
from ..data.edition import edition
from ..data.parsing import read_yaml
from ..errors import HelpersError, ParameterError
from ..report import words as W
from ..report.nb import ALLOWED
from . import runs

JOBS_FILE = paths.ROOT / "render.yaml"
RESERVED = {"figure_dir"}          # set by the renderer for every job
CONFIG_KEYS = ("default_parameter_sets", "notebooks", "editions", "keep_runs", "limits")
#: What one job may take (render.yaml `limits`): a cell running longer than cell_timeout_s, or a job
#: whose cells together run longer than job_timeout_s, fails its job (the kernel is stopped and the
#: lock freed); a page larger than max_page_mb is not published.
LIMIT_DEFAULTS = {"cell_timeout_s": 600, "job_timeout_s": 1800, "max_page_mb": 50}
ENTRY_KEYS = ("path", "parameter_sets")

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_ID = 120


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
