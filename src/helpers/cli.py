"""Command line: `cq-gazette check | facts | find | tables | render | lab` (or `python -m helpers …`)."""

from __future__ import annotations

import argparse
import json
import os
import sys

from . import checks as checks_mod
from .data import load as loader
from .data.edition import edition
from .errors import HelpersError


def _facts(args) -> int:
    from .data.observations import with_observations

    frame = with_observations(args.edition)
    frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0


def _check(args) -> int:
    results = checks_mod.run_checks(args.edition, kept=False)   # the command verifies: never another process's run
    failed = [c for c in results if c.status == "fail"]
    if args.json:
        json.dump([c.as_dict() for c in results], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for c in failed:
            print(f"FAIL {c.id} [{c.kind}]: {c.description} — expected {c.expected}, got {c.actual}"
                  + (f" (tolerance {c.tolerance})" if c.tolerance is not None else "")
                  + (f"; {c.reason}" if c.reason else ""))
        by_kind = {}
        for c in results:
            by_kind.setdefault(c.kind, {}).setdefault(c.status, 0)
            by_kind[c.kind][c.status] += 1
        for kind in checks_mod.KINDS:
            counts = ", ".join(f"{n} {s}" for s, n in sorted(by_kind.get(kind, {}).items()))
            print(f"{kind:18} {counts or 'none'}")
        print(f"{len(results)} checks, {len(failed)} failed")
        _print_register(results)
    return 1 if failed else 0


def _print_register(results) -> None:
    """The register of known discrepancies: each entry's nature, size (as found and as registered)
    and reason, so that `helpers check` says what an accepted gap is, not only that it is accepted."""
    entries = [c for c in results if c.kind == "known_discrepancy"]
    if not entries:
        return
    print(f"\nregister ({len(entries)} entries; only the nature 'discrepancy' is an error of the document):")
    for c in entries:
        size = f"{c.actual:g}" if isinstance(c.actual, int | float) else str(c.actual)
        registered = f"{c.expected:g}" if isinstance(c.expected, int | float) else str(c.expected)
        print(f"- {c.id} [{c.extra.get('nature', '?')}] {c.status}: size {size} (registered {registered}"
              + (f" ± {c.tolerance:g}" if c.tolerance else "") + f") — {c.reason}")


def _find(args) -> int:
    from .data.find import find

    find(args.text, args.edition).to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0


def _lab(args) -> int:
    from . import lab

    return lab.main(args)


def _prog() -> str:
    """The name the user typed: `cq-gazette` for the console script, else `python -m helpers`."""
    return "cq-gazette" if os.path.basename(sys.argv[0] or "").startswith("cq-gazette") else "python -m helpers"


def table_list_markdown(which=None) -> str:
    """One line per curated table, generated from the descriptor (the README embeds it)."""
    ed = edition(which)
    lines = []
    for name in ed.table_names:
        res = ed.resource(name)
        rows = len(loader.load(name, ed))
        lines.append(f"- `{name}` ({rows} rows) — {res['title']} / {res['x_title_zh']}: {res['description']}")
    return "\n".join(lines)


def _tables(args) -> int:
    print(table_list_markdown(args.edition))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The whole command line (a test parses every command the README shows with it)."""
    from . import __version__

    parser = argparse.ArgumentParser(prog=_prog(), description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--edition", help="an edition id under data/editions/ or a path to an edition folder (default: the latest)")
    # --edition is accepted before or after the command (`cq-gazette check --edition 2022-02`).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--edition", default=argparse.SUPPRESS, help="an edition id or folder (default: the latest)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("facts", parents=[common], help="write every curated number, then every later-published observation with its source, as one long CSV table to stdout").set_defaults(func=_facts)
    sub.add_parser("tables", parents=[common], help="list the curated tables (markdown, from the descriptor)").set_defaults(func=_tables)
    p = sub.add_parser("find", parents=[common], help="every curated number and observation whose name, quote, metric or topic contains TEXT, with its source, as CSV")
    p.add_argument("text", metavar="TEXT")
    p.set_defaults(func=_find)
    p = sub.add_parser("check", parents=[common], help="run every data check; exit 1 if any fails")
    p.add_argument("--json", action="store_true", help="print every check as a JSON list of records")
    p.set_defaults(func=_check)
    from .render import cli as render_cli

    render_cli.add_parser(sub, parents=[common])
    from . import lab

    lab.add_parser(sub).set_defaults(func=_lab)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
    except HelpersError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:          # `cq-gazette facts | head`: the reader stopped; not an error of ours
        sys.stderr.close()
        return 0
    from .render.cli import EXIT_INTERRUPTED, EXIT_TERMINATED  # a render stopped, after its cleanup

    if argv is None and code in (EXIT_INTERRUPTED, EXIT_TERMINATED):
        # Run as the command and stopped: the render has killed its processes, removed its run folder,
        # released the lock and said so. End here, without the interpreter's shutdown, which would wait
        # for (or tear down mid-call) the threads the interrupted render leaves — the front page's
        # warming thread, the worker pool's — and once ended a stopped render with SIGABRT instead of 130.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code

