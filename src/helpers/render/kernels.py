"""Pre-forked notebook kernels: start each job's kernel with the analysis stack already imported.

A fresh `python -m ipykernel_launcher` spends most of a short job starting Python and importing
IPython, pandas, matplotlib, seaborn and `helpers` (DESIGN §6: ≈ 1.1 s of a 2.6 s papermill job).
The renderer instead starts one *kernel server* per run: a single-threaded Python process that
imports that stack once and then, for every kernel a job asks for, forks a child that becomes an
ordinary ipykernel (`IPKernelApp`, the same code `ipykernel_launcher` runs) on the job's connection
file, in the job's folder, with the job's environment and standard streams.

papermill and jupyter_client are unchanged: `ForkingKernelManager.format_kernel_cmd` swaps the kernel
command for a tiny stub (`python -I -S -c …`, a few milliseconds) that hands its connection file,
folder, environment and file descriptors to the server, relays signals (interrupts) to the kernel
and exits when the kernel does. The stub's connection to the server is the kernel's lifeline: when
the stub dies (killed by jupyter_client, or with its worker), the kernel exits at once.

Lifetimes: the server dies with the renderer (PR_SET_PDEATHSIG), each kernel dies with the server
and with its stub, each stub dies with its worker. Nothing is left behind after a `kill -9`.

What a kernel sees that differs from a fresh one: the preloaded modules are already in
`sys.modules` (their import-time work is done once, before any notebook code), and the process's
hash seed is the server's. Everything a notebook does is still done by the notebook, in a new process.
`tests/test_render.py` checks that a forked and a fresh kernel give byte-identical notebooks.
"""

from __future__ import annotations

import ast
import ctypes
import hashlib
import json
import os
import pickle
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

PR_SET_PDEATHSIG = 1
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
# Imported once by the server. matplotlib_inline's backend must NOT be among them: importing it
# hooks matplotlib into the running IPython shell, and there is none yet.
PRELOAD = ("numpy", "pandas", "matplotlib", "matplotlib.pyplot", "matplotlib.font_manager", "seaborn",
           "IPython", "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "zmq", "tornado.ioloop",
           "frictionless", "pandera.pandas", "pandera.io.pandas_io", "helpers")
# What every kernel needs, whatever its notebook imports (≈ 0.25 s). The rest of PRELOAD, the analysis
# stack (≈ 3 s with every helpers module and the editions' checks), is preloaded only for a run whose
# notebooks import some of it (`imports_stack`): a run of notebooks that never touch it must not pay.
KERNEL_ONLY = ("IPython", "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "zmq", "tornado.ioloop")
STACK_ROOTS = frozenset(name.split(".")[0] for name in PRELOAD if name not in KERNEL_ONLY)
_IMPORT_LINE = re.compile(r"^\s*(?:from|import)\s+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)
MAX_REQUEST = 1 << 20


def die_with_parent(sig: int = signal.SIGKILL, expected_parent: int | None = None, watchdog: bool = True) -> None:
    """Ask Linux to send `sig` to this process when its parent exits (PR_SET_PDEATHSIG); exit now if it
    already has. Where prctl is not available, a watchdog thread checks the parent every half second
    (watchdog=False: the caller checks itself, e.g. a process that must stay single-threaded to fork)."""
    parent = expected_parent if expected_parent is not None else os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        armed = libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        armed = False
    if os.getppid() != parent:
        os._exit(1)
    if not armed and watchdog:
        import threading

        def watch():
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


# --- the stub that jupyter_client launches as "the kernel" --------------------------------------

# Runs under `python -I -S`: standard library only, no site, no project code.
STUB = r"""
import ctypes, json, os, signal, socket, struct, sys, time
try:
    ctypes.CDLL(None).prctl(1, 9, 0, 0, 0)
except Exception:
    pass
server, connection_file, parent = sys.argv[1], sys.argv[2], int(sys.argv[3])
server_pid = int(sys.argv[4])
if os.getppid() != parent:
    sys.exit(1)
def fallback():
    # No server (it failed, or was stopped): become an ordinary kernel instead.
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file])
def server_alive():
    try:
        with open(f"/proc/{server_pid}/stat") as fh:
            stat = fh.read()
        return stat[stat.rindex(")") + 2] not in "ZX"    # a zombie has exited
    except OSError:
        try:
            os.kill(server_pid, 0)
            return True
        except OSError:
            return False
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
deadline = time.monotonic() + 120
while True:
    try:
        s.connect(server)
        break
    except (FileNotFoundError, ConnectionRefusedError):
        if not server_alive() or time.monotonic() > deadline:
            fallback()
        time.sleep(0.01)               # still importing: wait for it
    except OSError:
        fallback()
body = json.dumps({"connection_file": connection_file, "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
socket.send_fds(s, [struct.pack("!I", len(body)) + body], [0, 1, 2])
reply = b""
while not reply.endswith(b"\n"):
    chunk = s.recv(64)
    if not chunk:
        sys.exit(1)
    reply += chunk
pid = int(reply)
def relay(signum, frame):
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"):
    signal.signal(getattr(signal, name), relay)
while True:
    try:
        if not s.recv(64):
            break
    except InterruptedError:
        continue
sys.exit(0)
"""


def stub_command(server: str, connection_file: str) -> list[str]:
    pid, _, address = server.partition(":")
    return [sys.executable, "-I", "-S", "-c", STUB, address, connection_file, str(os.getpid()), pid]


SERVER_ENV = "CQ_GAZETTE_KERNEL_SERVER"    # "PID:ADDRESS" of the running server, for the workers
_CLASSES: dict = {}


def _classes():
    """ForkingKernelManager and QuickKernelClient, defined on first use (they import jupyter_client)."""
    if _CLASSES:
        return _CLASSES
    import asyncio
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.utils import ensure_async
    from traitlets import CaselessStrEnum, DottedObjectName, Type, default

    class QuickKernelClient(AsyncKernelClient):
        """jupyter_client's wait_for_ready with short waits on IOPub. A kernel's IOPub subscription
        takes a moment to connect and a status sent before is lost; jupyter_client then waits 0.2 s
        before asking again, and 0.2 s more to flush. Here: 20 ms and 10 ms. The extra kernel_info
        replies and status messages this may cause have no parent request of nbclient's, which
        ignores them, so the executed notebook is the same."""

        async def wait_for_ready(self, timeout=None):
            deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
            while True:
                self.kernel_info()
                try:
                    msg = await ensure_async(self.shell_channel.get_msg(timeout=1))
                except Empty:
                    msg = None
                if msg is not None and msg["msg_type"] == "kernel_info_reply":
                    try:          # IOPub is connected when the kernel_info request's status arrives
                        await ensure_async(self.iopub_channel.get_msg(timeout=0.02))
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(msg)
                        break
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
                await asyncio.sleep(0)
            while True:
                try:
                    await ensure_async(self.iopub_channel.get_msg(timeout=0.01))
                except Empty:
                    break

    class ForkingKernelManager(AsyncKernelManager):
        """An AsyncKernelManager whose kernel process is forked by the kernel server (when one runs).

        Kernels talk over Unix sockets with unique names (transport "ipc"), not TCP: with TCP the
        manager picks free ports and the kernel binds them a moment later, and two jobs starting at
        once can pick the same port ("Address already in use": the kernel dies before it replies)."""

        client_class = DottedObjectName("helpers.render.kernels.QuickKernelClient")
        client_factory = Type(QuickKernelClient, klass=AsyncKernelClient)
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        @default("ip")
        def _unique_ip(self):
            if self.transport != "ipc":
                return "127.0.0.1"
            return str(ipc_folder() / f"kernel-{uuid.uuid4().hex[:16]}-ipc")

        def format_kernel_cmd(self, extra_arguments=None):
            server = os.environ.get(SERVER_ENV)
            if not server:
                return super().format_kernel_cmd(extra_arguments)
            return stub_command(server, os.path.realpath(self.connection_file))

    _CLASSES.update(ForkingKernelManager=ForkingKernelManager, QuickKernelClient=QuickKernelClient)
    return _CLASSES


def __getattr__(name):
    if name in ("ForkingKernelManager", "QuickKernelClient"):
        return _classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def ipc_folder() -> Path:
    """Where kernels' Unix sockets go. jupyter_client removes them when a kernel shuts down; those of
    kernels killed with their render (kill -9) are swept once they are six hours old."""
    folder = Path(tempfile.gettempdir()) / f"cq-kernels-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def sweep_ipc_files(age: float = 6 * 3600) -> None:
    """Remove kernels' sockets and kernel servers' folders left by killed renders (older than `age`)."""
    now = time.time()
    for path in ipc_folder().glob("kernel-*-ipc-*"):
        try:
            if now - path.lstat().st_mtime > age:
                path.unlink()
        except OSError:
            pass
    for folder in Path(tempfile.gettempdir()).glob("cq-kernels-*"):
        try:
            if folder != ipc_folder() and folder.is_dir() and now - folder.lstat().st_mtime > age and \
                    {p.name for p in folder.iterdir()} <= {"server.sock"}:
                shutil.rmtree(folder)
        except OSError:
            pass


def kernel_manager_class():
    """The kernel manager class papermill should use (forking when a server is running)."""
    return _classes()["ForkingKernelManager"]


# --- the server -----------------------------------------------------------------------------------

def _recv_exact(conn: socket.socket, n: int, fds: list[int]) -> bytes:
    data = b""
    while len(data) < n:
        msg, got, _flags, _addr = socket.recv_fds(conn, n - len(data), 3)
        fds.extend(got)
        if not msg:
            raise ConnectionError("stub hung up")
        data += msg
    return data


def _child(conn: socket.socket, request: dict, fds: list[int], server_pid: int) -> None:
    """In the forked child: become the job's kernel. Never returns."""
    try:
        die_with_parent(signal.SIGKILL, server_pid, watchdog=False)   # and its lifeline thread, below
        for target, fd in enumerate(fds[:3]):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ.pop(SERVER_ENV, None)
        import random

        random.seed()                       # a fresh process would not share the server's state
        numpy = sys.modules.get("numpy")      # preloaded: reseed; not preloaded: it will seed itself on import
        if numpy is not None:
            numpy.random.seed()
        # Lifeline: the stub's end of `conn` closes when the stub dies; then this kernel must too.
        import threading

        def lifeline():
            try:
                while conn.recv(64):
                    pass
            except OSError:
                pass
            os._exit(1)

        threading.Thread(target=lifeline, name="lifeline", daemon=True).start()
        sys.argv = [sys.argv[0], "-f", request["connection_file"]]
        sys.stdout.flush()
        # as `python -m ipykernel_launcher` in the job's folder: the folder is put back on sys.path
        # by the shell (InteractiveShellApp.init_path)
        from ipykernel import kernelapp

        argv = ["-f", request["connection_file"]]
        # IPKernelApp read JPY_PARENT_PID when the server imported it; give it the job's value.
        if request["env"].get("JPY_PARENT_PID", "").isdigit():
            argv.append(f"--IPKernelApp.parent_handle={request['env']['JPY_PARENT_PID']}")
        kernelapp.launch_new_instance(argv=argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:  # noqa: BLE001  (report and exit: this is a child process)
        import traceback

        traceback.print_exc()
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def imported_roots(source: str) -> set[str]:
    r"""The top-level names of the modules a cell's code imports (any depth: inside an `if` too).

    >>> sorted(imported_roots("import os, numpy as np\nif x:\n    from helpers.report import open_page"))
    ['helpers', 'numpy', 'os']
    >>> sorted(imported_roots("%matplotlib inline\nimport pandas"))    # not Python: read line by line
    ['pandas']
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):        # IPython syntax (magics, !shell): the import lines still read
        return set(_IMPORT_LINE.findall(source))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def imports_stack(notebooks) -> bool:
    """Whether any of these notebooks (paths) imports part of the analysis stack (STACK_ROOTS).

    A notebook that cannot be read counts as importing it: it is then preloaded as before, and the
    notebook's own error is left for its job to report."""
    for path in notebooks:
        try:
            cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
            sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                       for c in cells if c.get("cell_type") == "code"]
        except (OSError, ValueError, KeyError, TypeError):
            return True
        if any(imported_roots(source) & STACK_ROOTS for source in sources):
            return True
    return False


def serve(address: str, parent: int, editions: tuple[str, ...] = ()) -> None:
    """The server's main loop (run as `python -P …/render/kernels.py ADDRESS PARENT_PID [EDITION …]`).

    With KERNEL_ONLY_MARK in its folder (the address's), it preloads what a kernel needs and nothing
    of the analysis stack, and checks no edition (the renderer reads the same mark: nothing to take)."""
    stack = not (Path(address).parent / KERNEL_ONLY_MARK).exists()
    die_with_parent(signal.SIGKILL, parent, watchdog=False)     # single-threaded: it checks in its loop
    os.environ["MPLBACKEND"] = os.environ.get("MPLBACKEND") or INLINE_BACKEND
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    import importlib

    for name in PRELOAD if stack else KERNEL_ONLY:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001,S112  (a module that fails here fails again, visibly, in the notebook)
            continue
    if stack:
        _preload_helpers()
        _warm(editions, handoff=Path(address).parent)
    if "matplotlib_inline.backend_inline" in sys.modules:
        # Something imported the inline backend without a shell: forked kernels would show no figures.
        sys.stderr.write("kernel server: matplotlib_inline was imported while preloading; not serving\n")
        os._exit(3)                  # the stubs see the server gone and start ordinary kernels
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)       # kernels are reaped automatically
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(16)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    me = os.getpid()
    listener.settimeout(1.0)
    while True:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            if os.getppid() != parent:      # the renderer is gone (where PR_SET_PDEATHSIG is not had)
                os._exit(0)
            continue
        conn.settimeout(None)
        fds: list[int] = []
        try:
            (size,) = struct.unpack("!I", _recv_exact(conn, 4, fds))
            if size > MAX_REQUEST:
                raise ConnectionError("request too large")
            request = json.loads(_recv_exact(conn, size, fds))
        except (OSError, ValueError, ConnectionError):
            for fd in fds:
                os.close(fd)
            conn.close()
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            listener.close()
            _child(conn, request, fds, me)
        for fd in fds:
            os.close(fd)
        try:
            conn.sendall(f"{pid}\n".encode())
        except OSError:
            pass
        conn.close()


HANDOFF_PREFIX = "checks-"
KERNEL_ONLY_MARK = "kernel-only"     # in the server's folder: it preloads no analysis stack, checks no edition



def handoff_file(folder: Path, root: str) -> Path:
    """Where the server leaves an edition's check results for the renderer (its private folder)."""
    return Path(folder) / f"{HANDOFF_PREFIX}{hashlib.sha256(str(root).encode()).hexdigest()[:16]}.pickle"


def take_checks(root: str, state: str, timeout: float = 20.0) -> bool:
    """In the renderer: wait for the running server's check results of the edition at `root` and,
    when they were made from the same state of its files, put them in the checks' memo, so that the
    front page does not run the 1,350 checks a second time. False when there is none to take."""
    from ..checks import engine
    from .lock import is_alive

    server = os.environ.get(SERVER_ENV)
    if not server:
        return False
    pid, _, address = server.partition(":")
    if (Path(address).parent / KERNEL_ONLY_MARK).exists():    # this server checks no edition: nothing to wait for
        return False
    path = handoff_file(Path(address).parent, root)
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline or not is_alive(int(pid)):
            return False
        time.sleep(0.05)
    try:
        found = pickle.loads(path.read_bytes())  # noqa: S301  (written by our own server, in its private folder)
    except Exception:  # noqa: BLE001
        return False
    if found.get("root") != root or found.get("state") != state:
        return False
    from ..data import load as loader

    engine.adopt(root, state, found["checks"], found["frame"])
    loader.adopt_tables(found.get("tables", {}))
    return True


def _warm(editions: tuple[str, ...], handoff: Path | None = None) -> None:
    """Read, validate and check the jobs' editions once, before any fork, and open the bundled fonts.

    What this leaves behind is memoised by content: tables by the sha256 of the bytes read
    (`helpers.data.load`), verified facts by the edition's state (`helpers.checks.engine`), font files
    by path. A notebook still runs every check itself; when its edition's files are byte-identical
    to what the server read, it gets the same validated tables without parsing them again, and when
    they are not (edited meanwhile), the keys differ and it reads them afresh. A failure here is
    left for the notebook to meet and report."""
    try:
        from matplotlib import font_manager

        import helpers
        from helpers.report import figures

        for path in (figures.cjk_font_path(), figures.latin_font_path()):
            font_manager.get_font(str(path))
    except Exception:  # noqa: BLE001
        return
    from helpers.checks import engine
    from helpers.data import load as loader

    for root in editions:
        try:
            helpers.run_checks(root)
        except Exception:  # noqa: BLE001,S112
            continue
        if handoff is None:
            continue
        ed = helpers.edition(root)
        memo = engine.memo_entry(ed)
        if memo is not None:        # written whole, then renamed: the renderer never reads half a file
            state, checks, frame = memo
            target = handoff_file(handoff, str(ed.root))
            tmp = target.with_suffix(".tmp")
            # The validated tables too, keyed by the sha256 of their bytes: the renderer's loader takes
            # them only for files byte-identical to what the server read.
            tmp.write_bytes(pickle.dumps({"root": str(ed.root), "state": state, "checks": checks, "frame": frame,
                                          "tables": loader.memo_items()}, pickle.HIGHEST_PROTOCOL))
            os.replace(tmp, target)


def _preload_helpers() -> None:
    """Import every module of the helpers package (a module that fails is left to the notebook)."""
    import importlib
    import pkgutil

    try:
        import helpers
    except Exception:  # noqa: BLE001
        return
    for info in pkgutil.walk_packages(helpers.__path__, "helpers."):
        if info.name.startswith(("helpers.render", "helpers.__main__", "helpers.cli")):
            continue
        try:
            importlib.import_module(info.name)
        except Exception:  # noqa: BLE001,S112
            continue


class KernelServer:
    """Start the kernel server for the lifetime of a `with` block and tell child processes where it is.

    Kernels may be asked for at once: a stub waits while the server is still importing, and becomes
    an ordinary kernel if the server is gone.
    """

    def __init__(self, enabled: bool = True, editions: tuple[str, ...] = (), stack: bool = True):
        self.enabled, self.process, self.folder, self.address = enabled, None, None, None
        self.editions = tuple(editions)     # edition folders the jobs read: checked once before forking
        self.stack = stack                  # False: the notebooks import none of the analysis stack

    def __enter__(self):
        if not self.enabled:
            return self
        sweep_ipc_files()
        self.folder = tempfile.mkdtemp(prefix="cq-kernels-")
        self.address = str(Path(self.folder) / "server.sock")
        if not self.stack:
            (Path(self.folder) / KERNEL_ONLY_MARK).touch()
        env = dict(os.environ)
        env.pop(SERVER_ENV, None)
        self.process = subprocess.Popen(
            # Run as a file, not `-m helpers.render.kernels`: importing the package would import helpers
            # (and with it pandas) even for a server that must preload nothing of the stack. -P: the
            # file's folder (render/: lock.py, site.py, …) must not shadow other modules.
            [sys.executable, "-P", __file__, self.address, str(os.getpid()),
             *self.editions],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=env, start_new_session=True)
        os.environ[SERVER_ENV] = f"{self.process.pid}:{self.address}"
        return self

    def wait_ready(self) -> bool:
        """Block until the server has imported its stack (False: it failed; kernels start normally)."""
        if self.process is None:
            return False
        line = self.process.stdout.readline()
        if line.strip() != b"ready":
            self.close()
            return False
        return True

    def close(self) -> None:
        os.environ.pop(SERVER_ENV, None)
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
            self.process.stdout.close()
            self.process = None
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __exit__(self, *exc):
        self.close()


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]), tuple(sys.argv[3:]))
