"""Command line: `python -m helpers facts | check | render`."""

from __future__ import annotations

import argparse
import json
import sys

from . import catalog, loader
from . import checks as checks_mod
from .errors import HelpersError
from .loader import facts


def _facts(args) -> int:
    frame = facts(args.data_dir)
    frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0


def _check(args) -> int:
    results = checks_mod.run_checks(args.data_dir)
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
    return 1 if failed else 0


def table_list_markdown(data_dir=None) -> str:
    """One line per curated table, generated from the descriptor (the README embeds it)."""
    lines = []
    for name in catalog.table_names(data_dir):
        res = catalog.resource(name, data_dir)
        rows = len(loader.load(name, data_dir))
        lines.append(f"- `{name}` ({rows} rows) — {res['title']} / {res['x_title_zh']}: {res['description']}")
    return "\n".join(lines)


def _tables(args) -> int:
    print(table_list_markdown(args.data_dir))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__)
    parser.add_argument("--data-dir", help="folder with datapackage.json, curated/ and raw/ (default: the project's data/)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("facts", help="write every curated number as one long CSV table to stdout").set_defaults(func=_facts)
    sub.add_parser("tables", help="list the curated tables (markdown, from the descriptor)").set_defaults(func=_tables)
    p = sub.add_parser("check", help="run every data check; exit 1 if any fails")
    p.add_argument("--json", action="store_true", help="print every check as a JSON list of records")
    p.set_defaults(func=_check)
    try:
        from . import render  # noqa: F401  (the render command registers itself when present)
        render.add_parser(sub)
    except ImportError:
        pass
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except HelpersError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
