"""Keys: everything a job's output depends on (notebook, parameters, edition state, data, code,
environment, links) as one sha256, and the same keys computed again to tell whether a run is still
one snapshot of its inputs."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import platform
import sys
from pathlib import Path

from ..data import paths
from ..data.edition import edition
from ..errors import HelpersError
from . import runs
from .jobs import Job, _edition_state, resolve_edition

KEY_ENV_PREFIX = "CQ_GAZETTE_"    # environment variables a notebook may read: part of every job key
# Set per job by the renderer, or only where check runs are kept (checks.store: the same results either way).
KEY_ENV_IGNORED = {paths.FIGURE_ENV_VAR, "CQ_GAZETTE_KERNEL_SERVER", "CQ_GAZETTE_CACHE"}


def _sha256(path: Path) -> str:
    return runs.sha256_file(path)


def input_hashes(root: Path = paths.ROOT) -> dict[str, str]:
    """sha256 of every input a render depends on except the notebooks and the edition (keyed per job):
    the lock file, the project's data folder and the helpers package that the kernels import."""
    root = Path(root)
    files = [(p.relative_to(root).as_posix(), p) for p in sorted((root / "data").rglob("*"))] if (root / "data").is_dir() else []
    lock = root / "uv.lock" if (root / "uv.lock").is_file() else paths.ROOT / "uv.lock"
    files.append(("uv.lock", lock))
    files += paths.package_files()
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


def _stale_records(run_dir: Path, jobs: list[Job], root: Path) -> list[str]:
    """The jobs whose record in a run was rendered from other inputs than the current ones (a record
    made showing code or not is current either way: the key includes it)."""
    now = _keys_now(jobs, root, (False, True), environment())
    return [job.id for job in jobs
            if (record := runs.read_record(run_dir, job.id)) is not None and record.get("key") not in now[job.id]]
