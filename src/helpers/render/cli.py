"""`cq-gazette render …`: the command line of the renderer (subcommands, the old mode flags mapped
onto them, exit statuses)."""

from __future__ import annotations

import json
import sys
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
