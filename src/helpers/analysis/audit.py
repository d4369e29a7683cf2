"""Notebook 00's computations: what was curated, what was checked, where the reports agree."""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from ..checks.engine import CONVERSIONS, Check, checks_frame
from ..data import provenance
from ..data.edition import edition

DOCUMENTS = ("work_report", "plan_report", "budget_report")
# Top-level headings: 一、… in the reports, 附件（一） for the plan report's appendices.
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|附件（[一二三]）)")


@lru_cache(maxsize=4)
def _headings(ed=None) -> tuple[tuple[int, str], ...]:
    """Top-level headings with their line; inside an appendix, its own 一、二、 headings are not top-level."""
    ed = edition(ed)
    lines = provenance.raw_lines(ed)
    starts = {first for first, _ in ed.documents.values()}
    found, in_appendix = [], False
    for i, raw in enumerate(lines):
        number, text = i + 1, raw.strip()
        if number in starts:
            in_appendix = False
        if not _HEADING.match(text):
            continue
        if text.startswith("附件"):
            in_appendix = True
            text = f"{text} {lines[i + 2].strip()}"  # the appendix title follows after a blank line
        elif in_appendix:
            continue
        found.append((number, text))
    return tuple(found)


def section_of(line: int, ed=None) -> str:
    """The top-level heading a gazette line falls under (the latest heading at or before it).

    >>> section_of(1)
    ''
    """
    current = ""
    for number, text in _headings(edition(ed)):
        if number > line:
            break
        current = text
    return current


def coverage(tables: dict[str, pd.DataFrame], checks: list[Check]) -> pd.DataFrame:
    """Rows per table and report, and how many of them passed their provenance check."""
    passed = {c.id for c in checks if c.kind == "provenance" and c.status == "pass"}
    records = []
    for name, frame in tables.items():
        for document, part in frame.groupby("document", sort=False):
            verified = sum(f"provenance.{name}.{rid}" in passed for rid in part["row_id"])
            records.append({"table": name, "document": document, "rows": len(part),
                            "numbers": int(part["value"].notna().sum()), "verified": verified})
    out = pd.DataFrame(records)
    out["verified_share"] = out["verified"] / out["rows"]
    return out


def check_summary(checks: list[Check]) -> pd.DataFrame:
    """Checks by kind and status (counts), one row per kind."""
    frame = checks_frame(checks)
    table = frame.pivot_table(index="kind", columns="status", values="id", aggfunc="count", fill_value=0)
    return table.reset_index().rename_axis(columns=None)


def cross_document(facts_frame: pd.DataFrame, checks: list[Check]) -> pd.DataFrame:
    """Every metric stated in more than one report: its statements side by side and the verdict."""
    status = {c.id: c.status for c in checks if c.kind == "cross_document"}
    records = []
    for (metric, period, basis), rows in facts_frame.groupby(["metric", "period", "basis"], sort=True):
        if rows["document"].nunique() < 2:
            continue
        for row in rows.to_dict("records"):
            unit, value = row["unit"], row["value"]
            canonical = CONVERSIONS[unit][1](value) if unit in CONVERSIONS else value
            records.append({"metric": metric, "period": period, "basis": basis, "table": row["table"],
                            "row_id": row["row_id"], "document": row["document"],
                            "line": row["line"], "value": value, "unit": unit,
                            "canonical_value": canonical, "canonical_unit": CONVERSIONS.get(unit, (unit,))[0],
                            "verdict": status.get(f"cross_document.{metric}.{period}.{basis}", "unchecked")})
    return pd.DataFrame(records)


def numbers_by_section(facts_frame: pd.DataFrame, ed=None) -> pd.DataFrame:
    """Curated numbers per report and top-level section, in document order."""
    frame = facts_frame.assign(section=[section_of(int(n), ed) for n in facts_frame["line"]])
    first_line = frame.groupby(["document", "section"])["line"].min()
    counts = frame.groupby(["document", "section"]).size().rename("numbers").to_frame()
    counts["first_line"] = first_line
    return counts.reset_index().sort_values("first_line", kind="stable").reset_index(drop=True)
