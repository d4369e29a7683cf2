"""The gazette quotes the analysis files cite as evidence, checked on their lines.

An edition's analysis files (`analysis/*.yaml`, named under `files:` in edition.yaml) cite the
gazette where a page's reading rests on the text — the hidden-debt pledges, the drafts that hold
only advance-notified transfers, the report's own verdict on its targets. Every mapping in them with
`document`, `line` and `quote` is such a citation: the quote (with `{review}` / `{plan}` written as
the edition's years) must occur on that line, inside that report's lines. The tables of the reports'
statements (resources with `x_role: statements`, e.g. curated/risk_statements.csv: words, no number)
are citations too, one per row (`provenance.evidence.<table>.<row_id>`). `helpers check` runs these with the other provenance checks, so a
page never quotes a line the text does not hold.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..data import load as loader
from ..data.edition import Edition
from ..errors import HelpersError
from .record import Check

KIND = "provenance"


def citations(tree, path: str = "") -> Iterator[tuple[str, dict]]:
    """Every mapping with `document`, `line` and `quote` in a YAML tree, with its path (`a.b[2]`).

    >>> [p for p, _ in citations({"x": [{"document": "d", "line": 1, "quote": "q"}], "y": {"z": 1}})]
    ['x[0]']
    """
    if isinstance(tree, dict):
        if {"document", "line", "quote"} <= set(tree):
            yield path, tree
        for key, value in tree.items():
            yield from citations(value, f"{path}.{key}" if path else str(key))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            yield from citations(value, f"{path}[{i}]")


def analysis_files(ed: Edition) -> list[str]:
    """The keys under `files:` of the edition's analysis files (those kept in `analysis/`)."""
    return [key for key, rel in ed.meta.get("files", {}).items() if str(rel).startswith("analysis/")]


def evidence_checks(ed: Edition, lines: list[str]) -> list[Check]:
    checks = []
    for key in analysis_files(ed):
        rel = ed.meta["files"][key]
        try:
            tree = ed.load_yaml(key)
        except HelpersError as exc:
            checks.append(Check(f"provenance.evidence.{key}", KIND, f"{rel} can be read", "readable", str(exc), None, "fail",
                                description_zh=f"{rel} 可以读取"))
            continue
        for where, item in citations(tree):
            cid = f"provenance.evidence.{key}.{where}"
            desc = f"{rel} {where}: quote on line {item['line']} of the {item['document']}"
            desc_zh = f"{rel} {where}：引文在{item['document']}第{item['line']}行"
            problem = _problem(ed, lines, item)
            checks.append(Check(cid, KIND, desc, "found", problem or "found", None, "fail" if problem else "pass",
                                description_zh=desc_zh))
    return checks + statement_checks(ed, lines)


def statement_tables(ed: Edition) -> list[str]:
    """The edition's tables of the reports' statements (resources with `x_role: statements`)."""
    return [name for name in ed.support_table_names if ed.resource(name).get("x_role") == "statements"]


def statement_checks(ed: Edition, lines: list[str]) -> list[Check]:
    """One check per row of each statements table: its quote on its line of its report."""
    checks = []
    for name in statement_tables(ed):
        try:
            frame = loader.load(name, ed)
        except HelpersError as exc:            # its schema check names the problem too
            checks.append(Check(f"provenance.evidence.{name}", KIND, f"{name}.csv can be read", "readable", str(exc), None, "fail",
                                description_zh=f"{name}.csv 可以读取"))
            continue
        for row in frame.to_dict("records"):
            problem = _problem(ed, lines, row)
            checks.append(Check(f"provenance.evidence.{name}.{row['row_id']}", KIND,
                                f"{name} {row['row_id']}: quote on line {row['line']} of the {row['document']}", "found",
                                problem or "found", None, "fail" if problem else "pass",
                                description_zh=f"{name} {row['row_id']}：引文在{row['document']}第{row['line']}行"))
    return checks


def _problem(ed: Edition, lines: list[str], item: dict) -> str:
    """What is wrong with one citation ('' when its quote is on its line of its report)."""
    documents = ed.documents
    if item["document"] not in documents:
        return f"document {item['document']!r} is not a report of this edition ({', '.join(documents)})"
    try:
        n = int(item["line"])
    except (TypeError, ValueError):
        return f"line {item['line']!r} is not a line number"
    first, last = documents[item["document"]]
    if not first <= n <= last:
        return f"line {n} is outside the {item['document']} (lines {first}–{last})"
    quote = ed.fill(str(item["quote"])) if "{" in str(item["quote"]) else str(item["quote"])
    if quote not in lines[n - 1]:
        return f"the quote is not on line {n}"
    return ""
