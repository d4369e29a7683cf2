"""Notebook 00's computations: what was curated, what was checked, where the reports agree, and
where in the gazette the numbers come from.

Pure functions over one edition's tables, checks and verified facts. What is specific to one
gazette (how its section headings look, their English names) is read from the edition's
`analysis/audit.yaml` (edition.yaml, files.audit).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from ..checks.engine import CONVERSIONS, KINDS, Check, checks_frame
from ..data import provenance
from ..data.edition import Edition
from ..errors import EditionError, HelpersError

#: Statuses of a check, in the order a reader meets them.
STATUSES = ("pass", "accepted", "fail")
#: How a number token of the gazette is accounted for (helpers.checks.coverage; see `number_coverage`).
TOKEN_OUTCOMES = ("curated", "excluded", "unaccounted")


# --- The audit's inputs, once -------------------------------------------------------------------

@dataclass
class Audit:
    """One edition's curated tables, every check run on them, and the verified facts."""

    edition: Edition
    tables: dict
    checks: list
    facts: pd.DataFrame


def run(ed: Edition) -> Audit:
    """Load the tables, run every check and collect the verified facts of an edition."""
    from ..checks.engine import checked
    from ..data.load import load_all

    checks, facts = checked(ed)
    return Audit(ed, load_all(ed), checks, facts.frame)


# --- Sections of the gazette --------------------------------------------------------------------

def _stamp(ed: Edition) -> tuple:
    return tuple(p.stat().st_mtime_ns for p in (ed.raw_path, ed.data_file("audit")))


@lru_cache(maxsize=8)
def _sections(ed: Edition, stamp: tuple) -> tuple[tuple[str, int, str, str], ...]:
    config = ed.load_yaml("audit")["sections"]
    heading, appendix = re.compile(config["heading_pattern"]), re.compile(config["appendix_pattern"])
    names_en = config["names_en"]
    lines = provenance.raw_lines(ed)
    out = []
    for document, (first, last) in ed.documents.items():
        found, in_appendix = [], False
        for number in range(first, last + 1):
            text = lines[number - 1].strip()
            if not heading.match(text):
                continue
            if appendix.match(text):
                in_appendix = True
                title = next((t.strip() for t in lines[number:last] if t.strip()), "")
                text = f"{text} {title}".strip()
            elif in_appendix:
                continue
            found.append((number, text))
        en = names_en.get(document, [])
        if len(en) != len(found):
            raise EditionError(f"{ed.data_file('audit')}: sections.names_en.{document} lists {len(en)} names, but the "
                               f"report has {len(found)} top-level headings: {', '.join(t for _, t in found)}")
        out.append((document, first, config["preamble"]["zh"], config["preamble"]["en"]))
        out.extend((document, number, zh, ed.fill(name)) for (number, zh), name in zip(found, en, strict=True))
    return tuple(out)


def sections(ed: Edition) -> pd.DataFrame:
    """Top-level sections of every report: `document`, `first_line`, `name_zh` (the heading as
    printed; an appendix with its title), `name_en` (from audit.yaml). Each report starts with its
    preamble (the lines before its first heading)."""
    return pd.DataFrame(_sections(ed, _stamp(ed)), columns=["document", "first_line", "name_zh", "name_en"])


def section_of(line: int, ed: Edition, table: pd.DataFrame | None = None) -> dict:
    """The section a gazette line falls under: {document, first_line, name_zh, name_en}; a line
    outside every report raises HelpersError.

    >>> from helpers.data.edition import edition
    >>> section_of(1, edition())
    Traceback (most recent call last):
    ...
    helpers.errors.HelpersError: line 1 is in no report of edition 2022-02
    """
    found = None
    for document, (first, last) in ed.documents.items():
        if first <= line <= last:
            found = document
    if found is None:
        raise HelpersError(f"line {line} is in no report of edition {ed.id}")
    table = sections(ed) if table is None else table
    mine = table[(table["document"] == found) & (table["first_line"] <= line)]
    return mine.iloc[-1].to_dict()


def section_starts(lines, ed: Edition, table: pd.DataFrame | None = None) -> list[int]:
    """`section_of(line)["first_line"]` for many lines at once (one bisection per line instead of
    a table filter: notebook 00 places some 2,400 tokens and rows).

    >>> from helpers.data.edition import edition
    >>> ed = edition()
    >>> section_starts([65, 713], ed) == [section_of(65, ed)["first_line"], section_of(713, ed)["first_line"]]
    True
    """
    table = sections(ed) if table is None else table
    starts = {document: sorted(part["first_line"]) for document, part in table.groupby("document", sort=False)}
    ranges = list(ed.documents.items())
    out = []
    for line in lines:
        line = int(line)
        found = [document for document, (first, last) in ranges if first <= line <= last]
        if not found:
            raise HelpersError(f"line {line} is in no report of edition {ed.id}")
        firsts = starts[found[-1]]
        out.append(firsts[bisect.bisect_right(firsts, line) - 1])
    return out


def numbers_by_section(facts_frame: pd.DataFrame, ed: Edition) -> pd.DataFrame:
    """Curated numbers per report and top-level section, in document order: `document`,
    `first_line` (of the section), `name_zh`, `name_en`, `numbers`."""
    table = sections(ed)
    keys = section_starts(facts_frame["line"], ed, table)
    counts = Counter(keys)
    out = table.assign(numbers=[counts.get(n, 0) for n in table["first_line"]])
    return out[out["numbers"] > 0].sort_values("first_line", kind="stable").reset_index(drop=True)


# --- Curated rows and checks ------------------------------------------------------------------

def coverage(tables: dict[str, pd.DataFrame], checks: list[Check]) -> pd.DataFrame:
    """Rows per table and report, how many carry a number, and how many passed their provenance check."""
    passed = {c.id for c in checks if c.kind == "provenance" and c.status == "pass"}
    records = []
    for name, frame in tables.items():
        for document, part in frame.groupby("document", sort=False):
            verified = sum(f"provenance.{name}.{rid}" in passed for rid in part["row_id"])
            records.append({"table": name, "document": document, "rows": len(part),
                            "numbers": int(part["value"].notna().sum()), "verified": verified})
    out = pd.DataFrame(records, columns=["table", "document", "rows", "numbers", "verified"])
    out["verified_share"] = out["verified"] / out["rows"]
    return out


def check_summary(checks: list[Check]) -> pd.DataFrame:
    """Checks by kind (in KINDS order, then any other kind) and status: one row per kind, one
    column per status of STATUSES (counts, 0 where none), and `total`."""
    frame = checks_frame(checks)
    kinds = [k for k in KINDS if k in set(frame["kind"])] + sorted(set(frame["kind"]) - set(KINDS))
    table = (frame.pivot_table(index="kind", columns="status", values="id", aggfunc="count", fill_value=0)
             .reindex(index=kinds, columns=list(STATUSES), fill_value=0))
    table["total"] = table.sum(axis=1)
    return table.reset_index().rename_axis(columns=None)


def failed(checks: list[Check]) -> list[Check]:
    return [c for c in checks if c.status == "fail"]


def known_discrepancies(checks: list[Check]) -> list[Check]:
    """The document's own known discrepancies and conventions, as registered for the edition."""
    return [c for c in checks if c.kind == "known_discrepancy"]


def cross_document(facts_frame: pd.DataFrame, checks: list[Check]) -> pd.DataFrame:
    """Every metric stated in more than one report: one row per statement (all the fact's columns),
    with `canonical_value` / `canonical_unit` after unit conversion and the check's `verdict`."""
    status = {c.id: c.status for c in checks if c.kind == "cross_document"}
    keys = ["metric", "period", "basis"]
    # One pass over the frame (a per-group to_dict cost notebook 00 about a second).
    several = facts_frame.groupby(keys, sort=False)["document"].transform("nunique") >= 2
    rows = facts_frame[several].sort_values(keys, kind="stable")
    records = []
    for row in rows.to_dict("records"):
        unit, value = row["unit"], row["value"]
        canonical = CONVERSIONS[unit][1](value) if unit in CONVERSIONS else value
        records.append(row | {"canonical_value": canonical, "canonical_unit": CONVERSIONS.get(unit, (unit,))[0],
                              "verdict": status.get(f"cross_document.{row['metric']}.{row['period']}.{row['basis']}",
                                                    "unchecked")})
    columns = list(facts_frame.columns) + ["canonical_value", "canonical_unit", "verdict"]
    return pd.DataFrame(records, columns=columns)


def agreement_summary(agreement: pd.DataFrame) -> dict:
    """How many metrics are stated in more than one report, and how many of them disagree."""
    groups = agreement.groupby(["metric", "period", "basis"])["verdict"].first()
    return {"metrics": int(len(groups)), "disagreements": int((groups == "fail").sum())}


def conversion_examples(agreement: pd.DataFrame) -> list[tuple[dict, dict]]:
    """For each unit conversion the comparison needed, one (converted statement, statement already
    in the canonical unit) pair of the same metric, year and basis (the first metric in order)."""
    out, seen = [], set()
    for row in agreement.to_dict("records"):
        if row["unit"] == row["canonical_unit"] or row["unit"] in seen:
            continue
        peers = agreement[(agreement["metric"] == row["metric"]) & (agreement["period"] == row["period"])
                          & (agreement["basis"] == row["basis"]) & (agreement["unit"] == row["canonical_unit"])]
        if len(peers):
            seen.add(row["unit"])
            out.append((row, peers.iloc[0].to_dict()))
    return out


# --- The coverage check kind (every number token of the gazette accounted for) -------------------

def coverage_available(checks: list[Check] | None = None) -> bool:
    """Whether the checks engine knows the `coverage` kind (and, given checks, ran some)."""
    if "coverage" not in KINDS:
        return False
    return checks is None or any(c.kind == "coverage" for c in checks)


def coverage_tokens(audit: Audit) -> pd.DataFrame:
    """Every number token of the reports with how it is accounted for: `document`, `line`,
    `start`, `token`, `status` (one of TOKEN_OUTCOMES), `reason` (an exclusion's reason code) and
    `row_id` (the curated row that states it), as the coverage checks of the run classified them
    (each report's check carries its tokens) for the rows whose provenance check passed."""
    parts = [c.extra["tokens"] for c in audit.checks if c.kind == "coverage" and "tokens" in c.extra]
    if not parts:
        raise HelpersError("the coverage check could not classify the number tokens (see the failed coverage check)")
    tokens = pd.concat(parts, ignore_index=True)
    unknown = sorted(set(tokens["status"]) - set(TOKEN_OUTCOMES))
    if unknown:
        raise HelpersError(f"coverage tokens with status {unknown}; expected one of {', '.join(TOKEN_OUTCOMES)}")
    return tokens


def number_coverage(audit: Audit) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Coverage by report and section (one row per section with number tokens: `document`,
    `first_line`, `name_zh`, `name_en`, a count per status of TOKEN_OUTCOMES and `tokens`), and the
    exclusions by reason (`reason`, `tokens`, `examples`: up to three (line, start, token) of
    it; most frequent reason first)."""
    ed = audit.edition
    tokens = coverage_tokens(audit)
    table = sections(ed)
    tokens["first_line"] = section_starts(tokens["line"], ed, table)
    counts = tokens.groupby(["first_line", "status"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=list(TOKEN_OUTCOMES), fill_value=0)
    by_section = table.merge(counts, left_on="first_line", right_index=True, how="inner")
    by_section["tokens"] = by_section[list(TOKEN_OUTCOMES)].sum(axis=1)
    excluded = tokens[tokens["status"] == "excluded"]
    reasons = [{"reason": reason, "tokens": len(part),
                "examples": [(int(r.line), int(r.start), r.token) for r in part.head(3).itertuples()]}
               for reason, part in excluded.groupby("reason", sort=True)]
    reasons = pd.DataFrame(reasons, columns=["reason", "tokens", "examples"])
    reasons = reasons.sort_values(["tokens", "reason"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return by_section.reset_index(drop=True), reasons


# --- Results ------------------------------------------------------------------------------------

def results(audit: Audit) -> dict:
    """The notebook's headline results (keys as the tests and README know them)."""
    cov = coverage(audit.tables, audit.checks)
    agreement = agreement_summary(cross_document(audit.facts, audit.checks))
    kinds = Counter(c.kind for c in audit.checks)
    return {
        "curated_rows": int(cov["rows"].sum()),
        "curated_numbers": int(cov["numbers"].sum()),
        "verified_rows": int(cov["verified"].sum()),
        "checks_total": len(audit.checks),
        "checks_failed": len(failed(audit.checks)),
        "checks_by_kind": {k: kinds.get(k, 0) for k in KINDS},
        "known_discrepancies": len(known_discrepancies(audit.checks)),
        "cross_document_metrics": agreement["metrics"],
        "cross_document_disagreements": agreement["disagreements"],
    }
