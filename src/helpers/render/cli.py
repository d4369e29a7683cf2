"""`cq-gazette render …`: the command line of the renderer (subcommands, the old mode flags mapped
onto them, exit statuses)."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
from pathlib import Path

from ..data import paths
from ..data.edition import edition
from ..errors import HelpersError, ParameterError, RenderError
from . import runs
from .execute import refresh_notebooks
from .jobs import Job, load_jobs, validate_jobs, with_edition
from .lock import LockError
from .publish import _check_writable, _published_now
from .run import OK_STATUSES, _skip_slow_optional_imports, assemble_run, render, render_one
from .runs import RunWriteError

EXIT_OK, EXIT_FAILED, EXIT_BAD_REQUEST, EXIT_LOCKED = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_TERMINATED = 128 + signal.SIGINT, 128 + signal.SIGTERM      # 130, 143: as a shell reports


class Terminated(KeyboardInterrupt):
    """SIGTERM (a scheduler's timeout, `kill`, a service stopped), handled exactly as Ctrl-C is: queued
    jobs never start, every process of the render is killed, its run folder is removed, the lock is
    released and nothing is published. Without this, SIGTERM killed the renderer on the spot and left
    the cleanup to the next render."""


def _raise_terminated(signum, frame):
    raise Terminated()


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM raises Terminated in this (main) thread for the duration of a command; the previous
    handler is restored after, for a caller that runs commands in-process."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


#: The subcommands of `cq-gazette render` and the mode flag each one replaces (the flags keep working:
#: `render --list-jobs` is `render list`, and so on). `run` is the default when none is given.
SUBCOMMANDS = {
    "run": ("render every job of the jobs file into a new run and publish it when complete (the default)", None),
    "list": ("print the jobs (id, notebook, parameters) and exit", "--list-jobs"),
    "new-run": ("make an empty run folder in OUTPUT/runs and print its path (for an orchestrator)", "--new-run"),
    "job": ("render one job (an id from `render list`) into a run folder made by `render new-run` "
            "(one orchestrator task)", "--job ID --run-dir DIR"),
    "assemble": ("verify, assemble and publish a run folder whose jobs were rendered by `render job`", "--assemble DIR"),
    "refresh-notebooks": ("re-execute the committed notebooks in place (regenerates nbval references and figures/)",
                          "--refresh-notebooks"),
    "notebook": ("render these notebooks (paths) instead of the jobs file: an ad-hoc run, never published",
                 "--notebook PATH"),
}
#: The mode each old flag asks for (its dest in the namespace → the subcommand).
MODE_FLAGS = {"list_jobs": "list", "new_run": "new-run", "job": "job", "assemble": "assemble",
              "refresh_notebooks": "refresh-notebooks", "notebook": "notebook"}


def _options(p, names: tuple[str, ...], sub: bool) -> None:
    """Add the options `names` to `p`. On a subcommand (sub=True) an option that is not given leaves
    the value given before the subcommand as it is (`render --output X job …` keeps X)."""
    def add(*flags, **kw):
        if sub:
            kw["default"] = argparse.SUPPRESS
        p.add_argument(*flags, **kw)

    for name in names:
        if name == "jobs":
            add("--jobs", type=int, default=None, metavar="N", help="parallel workers (default: one per CPU core)")
        elif name == "force":
            add("--force", action="store_true", help="re-render every job even if its inputs are unchanged")
        elif name == "quiet":
            add("--quiet", action="store_true", help="print only failures (for cron)")
        elif name == "only":
            add("--only", action="append", default=[], metavar="TEXT",
                help="render only jobs whose id contains TEXT (repeatable); the others are carried over from the published run")
        elif name == "parameter":
            add("-p", "--parameter", action="append", default=[], nargs=2, metavar=("NAME", "VALUE"),
                help="a parameter of the notebooks (repeatable)" if sub else "with --notebook: a parameter (repeatable)")
        elif name == "root":
            add("--root", default=None, help="the project folder holding the notebooks (default: this project)")
        elif name == "jobs-file":
            add("--jobs-file", default=None, help="the YAML list of jobs (default: render.yaml of the project folder)")
        elif name == "output":
            add("--output", default=str(paths.REPORTS_DIR), help="reports folder (default: reports/)")
        elif name == "keep":
            add("--keep", type=int, default=None, help="completed runs to keep (default: keep_runs of the jobs file)")
        elif name == "show-code":
            add("--show-code", action="store_true", help="include the code cells in the HTML pages")
        elif name == "wait":
            add("--wait", action="store_true", help="wait for a running render instead of refusing")
        elif name == "fresh-kernels":
            add("--fresh-kernels", action="store_true",
                help="start every kernel as a new Python process instead of forking it from the pre-imported kernel server")
        elif name == "json":
            add("--json", action="store_true", help="as JSON" if sub else "with --list-jobs: as JSON")
        else:
            raise ValueError(name)


_WHERE = ("root", "jobs-file", "output")
_RUN = ("jobs", "force", "quiet", "only", "keep", "show-code", "wait", "fresh-kernels")


def add_parser(sub, parents=()) -> None:
    flags = "\n".join(f"  {flag:24} = render {name}" for name, (_, flag) in SUBCOMMANDS.items() if flag)
    p = sub.add_parser("render", parents=list(parents), formatter_class=argparse.RawDescriptionHelpFormatter,
                       help="render every notebook × parameter set into reports/ (see render.yaml); "
                            "subcommands run (the default), list, new-run, job, assemble, refresh-notebooks, notebook",
                       description="Render the notebooks into reports/ (see render.yaml); `run` is the default subcommand.",
                       epilog=f"the mode flags of earlier versions still work, as these subcommands:\n{flags}")
    _options(p, _RUN + ("parameter",) + _WHERE, sub=False)
    p.add_argument("--notebook", action="append", default=[],
                   help="render this notebook (path) instead of the jobs file: an ad-hoc run, never published "
                        "(the same as `render notebook PATH`)")
    _options(p, ("json",), sub=False)
    p.add_argument("--list-jobs", action="store_true", help="print the jobs and exit (the same as `render list`)")
    p.add_argument("--new-run", action="store_true",
                   help="make an empty run folder in OUTPUT/runs and print its path (the same as `render new-run`)")
    p.add_argument("--job", metavar="ID", help="render one job into --run-dir (the same as `render job ID --run-dir DIR`)")
    p.add_argument("--run-dir", metavar="DIR", help="with --job: the run folder (from --new-run)")
    p.add_argument("--assemble", metavar="DIR",
                   help="verify, assemble and publish a run folder (the same as `render assemble DIR`)")
    p.add_argument("--refresh-notebooks", action="store_true",
                   help="re-execute the committed notebooks in place (the same as `render refresh-notebooks`)")
    p.set_defaults(func=main, render_command=None)

    subs = p.add_subparsers(dest="render_command", metavar="SUBCOMMAND", required=False)
    common = list(parents)

    def add(name, *options):
        q = subs.add_parser(name, parents=common, help=SUBCOMMANDS[name][0], description=SUBCOMMANDS[name][0])
        _options(q, options + _WHERE, sub=True)
        return q

    add("run", *_RUN)
    add("list", "only", "json").set_defaults(list_jobs=True)
    add("new-run", "quiet").set_defaults(new_run=True)
    q = add("job", "force", "quiet", "show-code")
    q.add_argument("job", metavar="ID", help="the job's id (from `render list`)")
    q.add_argument("--run-dir", metavar="DIR", required=True, help="the run folder (from `render new-run`)")
    q = add("assemble", "quiet", "keep", "wait")
    q.add_argument("assemble", metavar="DIR", help="the run folder (from `render new-run`)")
    add("refresh-notebooks", "only").set_defaults(refresh_notebooks=True)
    q = add("notebook", *_RUN, "parameter")
    q.add_argument("notebook", metavar="PATH", nargs="+", help="a notebook, relative to the project folder")


def _check_mode(args) -> None:
    """A subcommand and the mode flag of another one (`render list --new-run`) is a bad request."""
    command = args.render_command
    if command is None:
        return
    for dest, mode in MODE_FLAGS.items():
        if getattr(args, dest) and mode != command:
            flag = "--" + dest.replace("_", "-")
            raise ParameterError(f"render {command}: {flag} asks for `render {mode}`; give one subcommand")


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
    with _sigterm_as_interrupt():
        return _command(args)


def _command(args) -> int:
    def err(message):
        print(message, file=sys.stderr)

    _skip_slow_optional_imports()
    try:
        _check_mode(args)
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
    except KeyboardInterrupt as exc:     # Ctrl-C, or SIGTERM (Terminated): the render has cleaned up
        what, code = ("terminated (SIGTERM)", EXIT_TERMINATED) if isinstance(exc, Terminated) else ("interrupted", EXIT_INTERRUPTED)
        err(f"{what}; nothing was published; {_published_now(Path(args.output), restore=False)}")
        return code
