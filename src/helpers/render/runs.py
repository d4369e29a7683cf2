"""Run folders, job records, manifests, the verified cache, publication and pruning.

Layout of a reports folder:

    reports/latest -> runs/<run-id>     the published run: always complete and verified
    reports/runs/<run-id>/              one run
        <job-id>/                       the job's files: <job-id>.ipynb, <job-id>.html, figures/
        .jobs/<job-id>.json             the job's record (status, key, sha256 of every file, results)
        logs/<job-id>.log               the kernel's stderr
        manifest.json, index.html       written when the run is assembled
    reports/.render.lock                see lock.py

Nothing is trusted that is not verified: a record or manifest that cannot be read counts as absent,
and a job's files are reused only when each one's sha256 matches its record.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import stat
import time
from datetime import UTC, datetime
from pathlib import Path

from ..errors import RenderError

RECORDS = ".jobs"
OWNER = ".owner"          # in a run made by `render`: the process that writes it
MANIFEST = "manifest.json"
MANIFEST_FORMAT = 2
_SHA256 = re.compile(r"[0-9a-f]{64}")
_RUN_ID = re.compile(r"[0-9]{8}T[0-9]{6}\.[0-9]{6}Z")
IN_PROGRESS_GRACE = 6 * 3600   # a run folder without a manifest younger than this may be in progress


class RunWriteError(RenderError):
    """The run could not be written (disk full, permissions): the run failed, nothing was published."""


def write_error(path: Path, exc: OSError) -> RunWriteError:
    reason = exc.strerror or str(exc)
    hint = " (the disk is full)" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else ""
    return RunWriteError(f"cannot write {exc.filename or path}: {reason}{hint}")


def write_atomic(target: Path, data: bytes) -> None:
    """Write `data` to `target` so that readers see the old file or the whole new one, never a part."""
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise


def sha256_file(path: Path) -> str:
    """The file's sha256, read without following a symbolic link (OSError ELOOP for one)."""
    h = hashlib.sha256()
    with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC), "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def hash_outputs(job_dir: Path) -> dict[str, str]:
    """sha256 of every regular file of a job folder, by path relative to it (links and special
    files are never followed or recorded: see `unsafe_outputs`)."""
    if not job_dir.is_dir():
        return {}
    return {p.relative_to(job_dir).as_posix(): sha256_file(p) for p in sorted(job_dir.rglob("*"))
            if not p.is_symlink() and p.is_file() and not p.name.startswith(".")}


def unsafe_outputs(job_dir: Path) -> list[str]:
    """What a job left in its folder that is neither a regular file nor a folder: a symbolic link
    (which could point anywhere, /etc/shadow included) or a special file (FIFO, device, socket).
    Such a job fails, and they are removed, so that nothing outside the run is ever recorded,
    copied or published."""
    if not job_dir.is_dir():
        return []
    found = []
    for p in sorted(job_dir.rglob("*")):
        st = p.lstat()
        if stat.S_ISLNK(st.st_mode) or not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
            found.append(p.relative_to(job_dir).as_posix())
    return found


def verify_outputs(job_dir: Path, outputs: dict[str, str]) -> str | None:
    """None when every recorded file is there with its recorded sha256; else what is wrong."""
    if not outputs:
        return "no files recorded"
    for rel, digest in outputs.items():
        path = job_dir / rel
        try:
            actual = sha256_file(path)
        except FileNotFoundError:
            return f"{rel} is missing"
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return f"{rel} is a symbolic link, not the file that was rendered"
            return f"{rel} cannot be read ({exc.strerror or exc})"
        if actual != digest:
            return f"{rel} has changed since it was rendered (sha256 {actual[:12]}…, recorded {digest[:12]}…)"
    return None


def hash_site(run_dir: Path, job_ids) -> dict[str, str]:
    """sha256 of the run's own pages (front pages, run log, downloads): every regular file of the run
    folder outside its jobs' folders, records and logs, the manifest excepted (it records these)."""
    skip = set(job_ids) | {RECORDS, "logs", MANIFEST}
    out = {}
    for entry in sorted(run_dir.iterdir()):
        if entry.name in skip or entry.name.startswith("."):
            continue
        if entry.is_symlink() or not (entry.is_file() or entry.is_dir()):
            continue
        if entry.is_file():
            out[entry.name] = sha256_file(entry)
        else:
            out.update({f"{entry.name}/{rel}": digest for rel, digest in hash_outputs(entry).items()})
    return out


def verify_run(run_dir: Path) -> str | None:
    """None when a run is complete and every file its manifest records (each job's files, the run's
    own pages) is there with its recorded sha256; else what is wrong, naming the file."""
    manifest = read_manifest(run_dir)
    if manifest is None:
        return f"{MANIFEST} is missing, unreadable or not in the current format"
    if not (manifest.get("status") == "ok" and manifest.get("complete") is True):
        return "its manifest says it is not complete"
    for job in manifest["jobs"]:
        problem = verify_outputs(run_dir / job["id"], job["outputs"])
        if problem:
            return f"{job['id']}/{problem}"
    site = manifest.get("site")
    if isinstance(site, dict) and site:
        if not all(isinstance(k, str) and isinstance(v, str) and _safe_relative(k) for k, v in site.items()):
            return f"{MANIFEST}: its list of the run's pages is malformed"
        problem = verify_outputs(run_dir, site)
        if problem:
            return problem
    return None


# --- records and manifests ------------------------------------------------------------------------

def _valid_job(entry) -> bool:
    return (isinstance(entry, dict) and isinstance(entry.get("id"), str) and isinstance(entry.get("key"), str)
            and isinstance(entry.get("status"), str) and isinstance(entry.get("outputs"), dict)
            and all(isinstance(k, str) and isinstance(v, str) and _SHA256.fullmatch(v) and _safe_relative(k)
                    for k, v in entry["outputs"].items()))


def missing_page(entry: dict) -> str | None:
    """A job that succeeded has its page and its executed notebook among its files: a record or
    manifest entry that lists neither (edited, or `outputs: {}`) describes no usable job."""
    for name in (f"{entry['id']}.html", f"{entry['id']}.ipynb"):
        if name not in entry["outputs"]:
            return f"its record lists no {name}"
    return None


def _safe_relative(rel: str) -> bool:
    parts = Path(rel).parts
    return bool(parts) and not Path(rel).is_absolute() and ".." not in parts


def read_json(path: Path):
    """A JSON file's content, or None when it is missing, unreadable, truncated or not JSON."""
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def read_record(run_dir: Path, job_id: str) -> dict | None:
    record = read_json(run_dir / RECORDS / f"{job_id}.json")
    return record if _valid_job(record) and record["id"] == job_id else None


def write_record(run_dir: Path, record: dict) -> None:
    folder = run_dir / RECORDS
    folder.mkdir(exist_ok=True)
    write_atomic(folder / f"{record['id']}.json", json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True).encode())


def read_manifest(run_dir: Path) -> dict | None:
    """A run's manifest when it is whole and well-formed (format 2, every job with its files' hashes)."""
    manifest = read_json(run_dir / MANIFEST)
    if not (isinstance(manifest, dict) and manifest.get("format") == MANIFEST_FORMAT
            and isinstance(manifest.get("jobs"), list) and all(_valid_job(j) for j in manifest["jobs"])):
        return None
    return manifest


def usable_jobs(run_dir: Path) -> tuple[list[dict], int] | None:
    """The well-formed job entries of a run's manifest that succeeded and list their page, and how many
    other entries it has (malformed, failed, without their page); None when the manifest itself is
    missing, unreadable or not in the current format. An entry described badly is no cache for its
    job only: the others may still be reused, each verified by hash."""
    manifest = read_json(run_dir / MANIFEST)
    if not (isinstance(manifest, dict) and manifest.get("format") == MANIFEST_FORMAT
            and isinstance(manifest.get("jobs"), list)):
        return None
    good = [j for j in manifest["jobs"] if _valid_job(j) and j["status"] in ("ok", "cached") and missing_page(j) is None]
    return good, len(manifest["jobs"]) - len(good)


def is_complete(run_dir: Path) -> bool:
    manifest = read_manifest(run_dir)
    return bool(manifest and manifest.get("status") == "ok" and manifest.get("complete") is True)


# --- the published run ----------------------------------------------------------------------------

def published(reports: Path) -> Path | None:
    """The run `reports/latest` points at, when it exists."""
    latest = reports / "latest"
    try:
        target = latest.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return target if target.is_dir() else None


def new_run_dir(reports: Path, owner: bool = True) -> Path:
    """A new, empty, uniquely named run folder (names sort by start time).

    With owner=True the folder records this process (`.owner`): once it is gone and the run has no
    manifest, the run was abandoned (killed) and may be pruned. A run made for an orchestrator
    (owner=False) is written by several processes and counts as in progress for a grace period.
    """
    runs = reports / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    while True:
        run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S.%f}Z"
        try:
            (runs / run_id).mkdir()
            break
        except FileExistsError:
            time.sleep(0.001)
    if owner:
        from .lock import process_start

        (runs / run_id / OWNER).write_text(f"pid {os.getpid()} start {process_start(os.getpid())}\n")
    return runs / run_id


def _abandoned(run: Path, now: float) -> bool:
    """A run without a manifest: abandoned when its owner is gone, or (no owner) when long untouched."""
    from .lock import holder_of, is_alive

    owner = run / OWNER
    try:
        holder = holder_of(owner.read_text()) if owner.exists() else None
        if holder is not None:
            return not is_alive(*holder)
        newest = max([run.stat().st_mtime] + [p.stat().st_mtime for p in run.iterdir()])
    except OSError:
        return False
    return now - newest > IN_PROGRESS_GRACE


def publish(reports: Path, run_dir: Path) -> None:
    """Point reports/latest at run_dir in one atomic step (readers see the old run or the new one)."""
    latest = reports / "latest"
    if latest.exists() and not latest.is_symlink():
        raise RenderError(f"{latest} is a folder, not the symlink the renderer maintains; move it away")
    tmp = reports / ".latest.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(Path("runs") / run_dir.name)
    os.replace(tmp, latest)
    try:
        fd = os.open(reports, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def clean_leftovers(reports: Path) -> None:
    """Remove what an interrupted render leaves behind outside its run folder."""
    tmp = reports / ".latest.tmp"
    if tmp.is_symlink() or tmp.exists():
        try:
            tmp.unlink()
        except OSError:
            pass
    runs = reports / "runs"
    if runs.is_dir():
        for trash in runs.glob(".trash-*"):
            shutil.rmtree(trash, ignore_errors=True)


def discard(reports: Path, run: Path) -> None:
    """Remove a run that will never be published (an interrupted render's): renamed first, so that a
    half-deleted run never looks like a run."""
    trash = reports / "runs" / f".trash-{run.name}"
    try:
        os.rename(run, trash)
    except OSError:
        return
    shutil.rmtree(trash, ignore_errors=True)


def restore_intact(reports: Path, bad: Path) -> Path | None:
    """Point reports/latest at the newest complete run, other than `bad`, whose every file matches its
    manifest; None (latest unchanged) when there is none."""
    runs_dir = reports / "runs"
    candidates = sorted((p for p in runs_dir.iterdir() if p.is_dir() and not p.name.startswith(".")
                         and p.resolve() != bad.resolve()), key=_order, reverse=True)
    for run in candidates:
        if verify_run(run) is None:
            publish(reports, run)
            return run
    return None


def _order(run: Path) -> tuple:
    return (0 if _RUN_ID.fullmatch(run.name) else 1, run.name)


def prune(reports: Path, keep: int, current: Path | None = None) -> list[str]:
    """Delete old runs beyond the `keep` newest, but never the published run, the last complete run,
    the current run, nor a run that may still be in progress (no manifest yet and recent)."""
    runs_dir = reports / "runs"
    if keep < 1 or not runs_dir.is_dir():
        return []
    runs = sorted((p for p in runs_dir.iterdir() if p.is_dir() and not p.name.startswith(".")), key=_order)
    protect = {p.resolve() for p in runs[-keep:]}
    if (pub := published(reports)) is not None:
        protect.add(pub)
    complete = [p for p in runs if is_complete(p)]
    if complete:
        protect.add(complete[-1].resolve())
    if current is not None:
        protect.add(current.resolve())
    removed = []
    now = time.time()
    for run in runs:
        if run.resolve() in protect:
            continue
        if not (run / MANIFEST).exists() and not _abandoned(run, now):
            continue
        trash = runs_dir / f".trash-{run.name}"
        try:
            os.rename(run, trash)          # a half-deleted run never looks like a run
        except OSError:
            continue
        shutil.rmtree(trash, ignore_errors=True)
        removed.append(run.name)
    return removed
