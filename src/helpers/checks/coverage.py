"""Coverage: every number the gazette prints in a report is accounted for.

A number token (as `parsing.numbers_in` reads it) on a report's lines is *curated* when it is the
printed number of a curated row (the last number of the row's quote, or the row's table cell), or
*excluded* by a rule of the edition's `checks/coverage.yaml` (years, list markers, table codes) or
by an entry of `checks/exclusions.csv` (line, context, token, reason). Anything else is
*unaccounted*, and the report's coverage check fails naming each such token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ..data import vocab
from ..data.parsing import numbers_in
from ..errors import EditionError, HelpersError
from .record import Check

REASONS = tuple(vocab.vocabulary("exclusion_reasons"))   # data/vocab/exclusion_reasons.csv


@dataclass(frozen=True)
class Token:
    line: int
    start: int
    text: str


def _rules(ed) -> list[tuple[str, re.Pattern]]:
    spec = ed.load_yaml("coverage") or {}
    out = []
    for k, rule in enumerate(spec.get("rules", [])):
        if rule.get("reason") not in REASONS:
            raise EditionError(f"{ed.data_file('coverage')}: rule {k + 1}: reason must be one of {REASONS}")
        try:
            out.append((rule["reason"], re.compile(rule["pattern"])))
        except (KeyError, re.error) as exc:
            raise EditionError(f"{ed.data_file('coverage')}: rule {k + 1}: bad pattern ({exc})") from None
    return out


def exclusions(ed, with_lines: bool = False):
    """The edition's listed exclusions (line, context, token, reason, note): the `exclusions` table
    of its datapackage.json, validated like every table (with_lines: also each row's file line)."""
    from ..data.load import load

    return load("exclusions", ed, with_lines=with_lines)


def classify(ed, lines: tuple[str, ...], curated: dict[tuple[int, int], str]) -> pd.DataFrame:
    """One row per number token of every report: document, line, start, token, status
    (curated | excluded | unaccounted), reason (the exclusion's), and the covering row id."""
    rules = _rules(ed)
    listed: dict[tuple[int, int], str] = {}
    problems = []
    listed_rows, file_lines = exclusions(ed, with_lines=True)
    for k, ex in zip(file_lines, listed_rows.to_dict("records"), strict=True):
        text = lines[ex["line"] - 1] if 1 <= ex["line"] <= len(lines) else ""
        at = text.find(ex["context"])
        hits = [n for n in numbers_in(ex["context"]) if n.text == ex["token"]]
        if at < 0 or text.count(ex["context"]) != 1 or len(hits) != 1 or ex["reason"] not in REASONS:
            problems.append(f"exclusions.csv line {k}: context must occur once on line {ex['line']}, hold token "
                            f"{ex['token']!r} once, and give a known reason")
            continue
        listed[(ex["line"], at + hits[0].start)] = ex["reason"]
    if problems:
        raise EditionError("; ".join(problems))
    records = []
    for document, (first, last) in ed.documents.items():
        for n in range(first, last + 1):
            text = lines[n - 1]
            ruled = {}
            for reason, pattern in rules:
                for m in pattern.finditer(text):
                    ruled.setdefault(m.start(1), reason)
            for token in numbers_in(text):
                key = (n, token.start)
                if key in curated:
                    status, reason, row = "curated", "", curated[key]
                elif key in listed or token.start in ruled:
                    status, reason, row = "excluded", listed.get(key) or ruled[token.start], ""
                else:
                    status, reason, row = "unaccounted", "", ""
                records.append({"document": document, "line": n, "start": token.start, "token": token.text,
                                "status": status, "reason": reason, "row_id": row})
    return pd.DataFrame(records, columns=["document", "line", "start", "token", "status", "reason", "row_id"])


def number_position(table: str, row: dict, lines: tuple[str, ...], ed) -> tuple[int, int] | None:
    """(line, character offset) of the number a verified row states: its quote's last number, or
    the number of its indicator-table cell."""
    n = int(row["line"])
    text = lines[n - 1]
    if table == "indicators":
        role = next((r for r, y in ed.years.items() if y == row["table_year"]), None)
        col = ed.meta["indicator_tables"].get(role, {}).get("columns", {}).get(row["basis"])
        cells = text.split("\t")
        if col is None or col >= len(cells):
            return None
        found = numbers_in(cells[col])
        return (n, sum(len(c) + 1 for c in cells[:col]) + found[0].start) if found else None
    found = numbers_in(row["quote"])
    at = text.find(row["quote"])
    return (n, at + found[-1].start) if found and at >= 0 else None


def coverage_checks(ed, lines, tables, passed: set[tuple[str, str]]):
    """One check per report (every token accounted for) and one on the exclusion list's honesty."""

    curated = {}
    for name, frame in tables.items():
        for row in frame.to_dict("records"):
            if (name, row["row_id"]) in passed and row.get("value") == row.get("value") and row.get("value") is not None:
                pos = number_position(name, row, lines, ed)
                if pos is not None:
                    curated.setdefault(pos, f"{name}.{row['row_id']}")
    try:
        tokens = classify(ed, lines, curated)
    except HelpersError as exc:            # a malformed exclusions table (SchemaError) or entry (EditionError)
        return [Check("coverage.exclusions", "coverage", "the exclusion list is well formed", "valid", str(exc), None, "fail",
                      description_zh="排除清单格式正确")], None
    checks = []
    for document in ed.documents:
        part = tokens[tokens["document"] == document]
        missing = part[part["status"] == "unaccounted"]
        shown = "; ".join(f"line {r.line}: {r.token}" for r in missing.head(20).itertuples())
        counts = part["status"].value_counts()
        checks.append(Check(
            f"coverage.{document}", "coverage",
            f"every number of the {document} is curated or excluded with a reason ({len(part)} numbers: "
            f"{counts.get('curated', 0)} curated, {counts.get('excluded', 0)} excluded)",
            0, len(missing), None, "pass" if missing.empty else "fail",
            f"unaccounted: {shown}" if len(missing) else "",
            description_zh=f"{document} 的每个数字都已整理或注明排除理由（共{len(part)}个：整理{counts.get('curated', 0)}个，排除{counts.get('excluded', 0)}个）", extra={"tokens": part.reset_index(drop=True)}))
    listed = exclusions(ed)
    double = []
    for ex in listed.to_dict("records"):
        text = lines[ex["line"] - 1]
        at = text.find(ex["context"])
        hit = next(n for n in numbers_in(ex["context"]) if n.text == ex["token"])
        if (ex["line"], at + hit.start) in curated:
            double.append(f"line {ex['line']}: {ex['token']}")
    checks.append(Check("coverage.exclusions", "coverage", f"no listed exclusion ({len(listed)}) hides a curated number",
                        0, len(double), None, "pass" if not double else "fail", "; ".join(double),
                        description_zh=f"排除清单（{len(listed)}项）不包含已整理的数字"))
    return checks, tokens
