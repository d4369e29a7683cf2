"""The check runs of the project's own editions, kept on disk between processes.

Every notebook, kernel server, Lab kernel and render checks its edition before it shows a number
(1,447 checks: about 1.5 s of a cold process, most of it reading and validating the tables). When
nothing the checks read has changed since a process ran them, another process takes that run from
here instead of running it again.

- **Key**: the sha256 of everything the checks depend on — the edition's folder and the state of
  its files (`Edition.state()`, a sha256 of every file), every file of the `helpers` package, the
  project's vocabulary (`data/vocab/`), the Python version and the versions of pandas, numpy,
  pandera and frictionless. Content, never modification times: one cache-key policy for the package.
- **What is kept**: the checks, the verified facts and the validated tables (keyed by the sha256 of
  their bytes, so only byte-identical files take them).
- **Where**: `.cache/checks/` in a checkout (git-ignored), or the folder `CQ_GAZETTE_CACHE` names;
  `CQ_GAZETTE_CACHE=off` turns it off. An installed package keeps nothing unless the variable is
  set: it never writes into a user's working folder. Only the editions under `data/editions/` are
  kept (a copy of an edition elsewhere, such as the tests' broken copies, is always checked afresh),
  and only the newest few runs.
- **`helpers check` never reads it**: the command a person or CI runs to verify the data runs every
  check. Its run is written for the others to take.

The files are pickles written by this package into the project's own folder, trusted as its code
is; one that cannot be read is ignored and the checks run.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from ..data import paths

CACHE_ENV_VAR = "CQ_GAZETTE_CACHE"
KEEP = 8                                   # runs kept: an edition or two, in a few states
_LIBRARIES = ("pandas", "numpy", "pandera", "frictionless")


def folder() -> Path | None:
    """Where check runs are kept, or None when they are not (turned off, or an installed package).
    The default folder must lie inside the project: a `.cache` that is a link out of it keeps nothing."""
    chosen = os.environ.get(CACHE_ENV_VAR)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "false", "no") else Path(chosen) / "checks"
    if not paths.IS_CHECKOUT:
        return None
    default = paths.ROOT / ".cache" / "checks"
    try:
        inside = default.resolve().is_relative_to(paths.ROOT.resolve())
    except OSError:
        return None
    return default if inside else None


def _kept(root: Path) -> bool:
    """Only the project's own editions (data/editions/<id>/) are kept."""
    try:
        return root.resolve().parent == paths.EDITIONS_DIR.resolve()
    except OSError:
        return False


@lru_cache(maxsize=1)
def _package_state() -> str:
    """sha256 of the package's files, read once per process: the code this process runs is the code
    it loaded, so a file edited later must not key the runs this process makes."""
    digest = hashlib.sha256()
    for name, p in paths.package_files():
        digest.update(name.encode() + b"\0" + str(paths.content_key(p)).encode() + b"\0")
    return digest.hexdigest()


def _code_state() -> str:
    """sha256 of the package, the vocabulary (data, read afresh) and the versions of what the checks run on."""
    digest = hashlib.sha256(_package_state().encode())
    if paths.VOCAB_DIR.is_dir():
        for p in sorted(paths.VOCAB_DIR.rglob("*")):
            if p.is_file():
                digest.update(p.relative_to(paths.VOCAB_DIR).as_posix().encode() + b"\0" + str(paths.content_key(p)).encode() + b"\0")
    versions = {}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    digest.update(json.dumps({"python": sys.version, **versions}, sort_keys=True).encode())
    return digest.hexdigest()


def _path(root: Path, state: str) -> Path | None:
    where = folder()
    if where is None or not _kept(root):
        return None
    key = hashlib.sha256(json.dumps([str(root), state, _code_state()]).encode()).hexdigest()
    return where / f"{key}.pickle"


def read(root: Path, state: str) -> tuple[list, object, dict] | None:
    """(checks, verified facts frame, validated tables) of a kept run of this edition in this state
    with this code, or None."""
    path = _path(root, state)
    if path is None or not path.is_file():
        return None
    try:
        found = pickle.loads(path.read_bytes())  # noqa: S301  (written by this package, in the project's folder)
        return found["checks"], found["frame"], found["tables"]
    except Exception:  # noqa: BLE001  (a damaged or foreign file: the checks run instead)
        return None


def write(root: Path, state: str, checks: list, frame, tables: dict) -> None:
    """Keep a run (whole or not at all: written to a temporary file, then renamed); best effort —
    a folder that cannot be written only means the next process runs the checks itself."""
    path = _path(root, state)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        data = pickle.dumps({"checks": checks, "frame": frame, "tables": tables}, pickle.HIGHEST_PROTOCOL)
        try:
            # A new file of our own: never through a link or into a file someone left under that name.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        finally:
            if tmp.is_file() and not tmp.is_symlink():
                tmp.unlink(missing_ok=True)
        runs = sorted(path.parent.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in runs[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        return
