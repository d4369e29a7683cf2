"""One render at a time: an exclusive lock on `reports/.render.lock` that a dead owner cannot keep.

The lock is `flock` on the file, and the file records its owner: `pid N start T since DATE` (T is
the process's start time in clock ticks since boot, so a recycled pid is not mistaken for the owner).
`flock` belongs to an open file, and forked children share it; the renderer's workers close their
copy at once and die with their parent, but whatever still holds the file after its owner died
(`kill -9`) cannot keep it: when the recorded owner is gone, the next render says so, removes the
file and locks a new one. A live owner makes a second render refuse (`LockError`, exit 3) or, with
`wait=True`, wait until it finishes or dies.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import stat
import time
from datetime import UTC, datetime
from pathlib import Path

from ..errors import RenderError

LOCK_NAME = ".render.lock"
_HOLDER = re.compile(r"pid (\d+)(?: start (\d+))?")


def _open_regular(path: Path) -> int:
    """Open (creating) a lock file for reading and writing, never through a symbolic link and only
    if it is a regular file: the lock is written and truncated, and a link planted in a shared
    reports folder must not make the renderer empty the file it points to."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LockError(f"{path} is a symbolic link; the lock file must be a regular file (remove the link)") from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise LockError(f"{path} is not a regular file; the lock file must be one (remove it)")
    return fd


class LockError(RenderError):
    """Another render holds the lock (exit status 3)."""


def process_start(pid: int) -> int | None:
    """The start time of a live process in clock ticks since boot; None when it is gone (or a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return -1                        # cannot tell: not Linux /proc
    fields = stat[stat.rindex(")") + 2:].split()
    if fields[0] in ("Z", "X"):           # a zombie has exited; it only waits to be reaped
        return None
    return int(fields[19])


def is_alive(pid: int, start: int | None = None) -> bool:
    """Whether the process that wrote a lock (pid, start time) is still running."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    actual = process_start(pid)
    if actual is None:
        return False
    return start is None or actual == -1 or actual == start


def holder_of(text: str) -> tuple[int, int | None] | None:
    m = _HOLDER.search(text)
    return (int(m.group(1)), int(m.group(2)) if m.group(2) else None) if m else None


class RenderLock:
    """An exclusive lock on reports/.render.lock: a second run refuses (or waits with wait=True).

    `fd` is the locked file descriptor: a process forked while the lock is held must close it.
    """

    def __init__(self, reports: Path, wait: bool, log=print, poll: float = 0.2):
        self.path, self.wait, self.log, self.poll = Path(reports) / LOCK_NAME, wait, log, poll
        self.fd: int | None = None

    def _holder_text(self, fd: int) -> str:
        try:
            return os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
        except OSError:
            return ""

    def _take_over(self, fd: int, pid: int) -> None:
        """The recorded owner is dead; whatever still holds the lock is an orphan. Replace the file."""
        guard = _open_regular(Path(f"{self.path}.guard"))
        try:
            fcntl.flock(guard, fcntl.LOCK_EX)       # one taker at a time
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                os.unlink(self.path)
                self.log(f"warning: the render that held {self.path} (pid {pid}) is gone; taking the lock over")
        finally:
            os.close(guard)

    def __enter__(self):
        told = False
        while True:
            fd = _open_regular(self.path)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
                text = self._holder_text(fd)
                holder = holder_of(text)
                if holder is not None and not is_alive(*holder):
                    self._take_over(fd, holder[0])
                    os.close(fd)
                    continue
                os.close(fd)
                if not self.wait:
                    raise LockError(f"another render is running ({text or 'owner not yet recorded'}) and holds "
                                    f"{self.path}; wait for it to finish or pass --wait") from None
                if not told:
                    self.log(f"waiting for the render that holds {self.path} ({text or 'starting'})")
                    told = True
                time.sleep(self.poll)
                continue
            # Locked. The path must still name this file (a taker may have replaced it meanwhile).
            try:
                current = os.stat(self.path).st_ino
            except FileNotFoundError:
                current = None
            if current != os.fstat(fd).st_ino:
                os.close(fd)
                continue
            self.fd = fd
            break
        start = process_start(os.getpid())
        record = f"pid {os.getpid()}" + (f" start {start}" if start not in (None, -1) else "") + \
            f" since {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}\n"
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, record.encode(), 0)
        except OSError as exc:
            self.release()
            raise RenderError(f"cannot write the lock file {self.path}: {exc.strerror or exc}") from None
        return self

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            os.ftruncate(self.fd, 0)
        except OSError:
            pass
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = None

    def __exit__(self, *exc):
        self.release()
