"""No process a notebook starts outlives its render, not even one it detached.

A notebook may start processes of its own, and one that detaches (`subprocess.Popen(...,
start_new_session=True)`, a double fork, a daemon) escapes both the kernel's process group and the
kernels' lifelines (kernels.py): when its parent exits, Linux hands it to the nearest ancestor that is
a *child subreaper* (prctl PR_SET_CHILD_SUBREAPER), else to init. `Reaper` makes the renderer that
subreaper for the duration of a render, so every process started under it stays its descendant,
detached or not; when the render's jobs are over (or it is interrupted), `kill()` ends every
descendant that was not already there when the render began — workers, kernel server, kernels and
whatever they started — and reaps those that became the renderer's own children.

Processes are told apart by (pid, start time), so a recycled pid is never mistaken for one of them.
Where prctl is not available, detached processes whose parent exited cannot be found; the rest are.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import time
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36


def _set_subreaper(on: bool) -> bool:
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _processes() -> dict[int, tuple[int, int]]:
    """Every process of the system: pid -> (parent pid, start time in clock ticks)."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        out[int(entry.name)] = (int(fields[1]), int(fields[19]))
    return out


def descendants(pid: int, table: dict[int, tuple[int, int]] | None = None) -> set[tuple[int, int]]:
    """(pid, start time) of every descendant of `pid`."""
    table = _processes() if table is None else table
    children: dict[int, list[int]] = {}
    for child, (parent, _) in table.items():
        children.setdefault(parent, []).append(child)
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if (child, table[child][1]) not in found:
                found.add((child, table[child][1]))
                todo.append(child)
    return found


class Reaper:
    """`with Reaper() as reaper:` the renderer is a child subreaper; `reaper.kill()` (and leaving the
    block) ends every process started under it since it began, detached ones included."""

    def __init__(self):
        self.me = os.getpid()
        self.before: set[tuple[int, int]] = set()
        self.armed = False

    def __enter__(self):
        self.armed = _set_subreaper(True)
        # Processes already there (a test runner's servers, say) are not the render's: never killed.
        self.before = descendants(self.me)
        return self

    def kill(self, settle: float = 2.0) -> list[int]:
        """SIGKILL every process started under this one since it began; returns their pids. Repeats
        until none is left (a dying kernel's detached child is handed over a moment after the kernel
        dies) or `settle` seconds passed."""
        killed: list[int] = []
        deadline = time.monotonic() + settle
        while True:
            table = _processes()
            mine = descendants(self.me, table) - self.before
            # A process forked by one that was already there belongs to that one, not to the render.
            theirs = set()
            for pid, _start in self.before:
                theirs |= descendants(pid, table)
            mine -= theirs
            alive = [pid for pid, _ in mine if not _is_zombie(pid)]
            for pid in alive:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            self._reap({pid for pid, _ in mine})
            if not alive or time.monotonic() > deadline:
                return sorted(set(killed))
            time.sleep(0.02)

    def _reap(self, pids: set[int]) -> None:
        """Collect the exit status of those that are (now) this process's children, so no zombie stays.

        Not of a child that multiprocessing started (the render's pool workers): its owner must collect
        that one itself. multiprocessing takes a child whose status was taken from it for a live one
        (its poll() answers None on ECHILD), and a ProcessPoolExecutor shutting down then waits for it
        forever — a Ctrl-C'd render once hung at exit, spinning, that way. So multiprocessing collects
        its dead children first (active_children() polls them) and the ones it still tracks are left
        to it. (subprocess copes with a status taken from it: it reads ECHILD as exited.)"""
        import multiprocessing

        theirs = {p.pid for p in multiprocessing.active_children()}
        for pid in pids - theirs:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, os.WNOHANG)

    def __exit__(self, *exc):
        try:
            self.kill()
        finally:
            if self.armed:
                _set_subreaper(False)


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2] in "ZX"
