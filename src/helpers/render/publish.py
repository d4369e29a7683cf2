"""The output folder and its published run: checked before a render writes into it, read for what
a new run may reuse, reported truthfully after a run that was not published; the run folders an
orchestrator may write; the provenance a manifest records (git commit, versions)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from ..errors import ParameterError
from . import runs

PACKAGES = ("pandas", "matplotlib", "seaborn", "papermill", "nbconvert", "nbformat", "ipykernel", "numpy", "mplfonts")


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


def _check_published(reports: Path, log) -> None:
    """Before a render: say so when the published run no longer matches its manifest (its changed
    pages are then rendered again, not reused)."""
    published = runs.published(reports)
    if published is not None and (problem := runs.verify_run(published)) is not None:
        log(f"warning: the published run {published.name} does not match its manifest ({problem}); "
            "what changed is rendered again")


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
