"""Every check on the curated data, as records: schema, provenance, identity, cross-document
agreement and the document's own known discrepancies.

A check is data: `Check(id, kind, description, expected, actual, tolerance, status, reason)`.
`status` is `pass`, `fail`, or `accepted` (a known discrepancy whose size is exactly what the
register says; if the gap changes, it fails).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import asdict, dataclass
from itertools import combinations

import pandas as pd

from . import catalog, loader, paths, provenance, register
from .errors import HelpersError

KINDS = ("schema", "provenance", "identity", "cross_document", "known_discrepancy")

# Unit conversions used to compare the same metric stated in different units.
# Each maps a unit to (canonical unit, function, factor applied to the rounding half-unit).
CONVERSIONS = {
    "万吨": ("亿公斤", lambda v: v / 10, 0.1),     # 1 万吨 = 10^7 kg = 0.1 亿公斤
    "index": ("%", lambda v: v - 100, 1.0),        # price index, previous year = 100 -> % change
}


@dataclass
class Check:
    id: str
    kind: str
    description: str
    expected: object
    actual: object
    tolerance: float | None
    status: str
    reason: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


class Facts:
    """Curated numbers indexed by metric, with the rounding each printed number implies."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self._by_metric = defaultdict(list)
        for row in frame.to_dict("records"):
            self._by_metric[row["metric"]].append(row)

    def rows(self, metric: str, period: int | None = None, basis: str | None = None) -> list[dict]:
        return [r for r in self._by_metric.get(metric, [])
                if (period is None or r["period"] == period) and (basis is None or r["basis"] == basis)]

    def get(self, metric: str, period: int | None = None, basis: str | None = None) -> dict:
        found = self.rows(metric, period, basis)
        if not found:
            raise KeyError(f"no curated number for metric {metric!r} (period {period}, basis {basis})")
        return found[0]

    def value(self, metric: str, period: int | None = None, basis: str | None = None) -> float:
        return self.get(metric, period, basis)["value"]

    def has(self, metric: str, period: int | None = None, basis: str | None = None) -> bool:
        return bool(self.rows(metric, period, basis))


def schema_checks(data_dir=None) -> tuple[list[Check], dict[str, pd.DataFrame]]:
    checks, tables = [], {}
    raw_hash = provenance.raw_sha256(data_dir)
    checks.append(Check("raw.sha256", "schema", "the gazette text is byte-identical to the published source",
                        paths.RAW_SHA256, raw_hash, None, "pass" if raw_hash == paths.RAW_SHA256 else "fail"))
    for name in catalog.table_names(data_dir):
        try:
            tables[name] = loader.load(name, data_dir)
            checks.append(Check(f"schema.{name}", "schema", f"{name}.csv matches its descriptor (types, vocabularies, keys)",
                                "valid", f"{len(tables[name])} rows", None, "pass"))
        except HelpersError as exc:
            checks.append(Check(f"schema.{name}", "schema", f"{name}.csv matches its descriptor", "valid", str(exc), None, "fail"))
    return checks, tables


def provenance_checks(tables: dict[str, pd.DataFrame], data_dir=None) -> tuple[list[Check], pd.DataFrame]:
    """One check per curated row; returns the facts with each printed number's rounding half-unit."""
    lines = provenance.raw_lines(data_dir)
    checks, half_units = [], {}
    for name, frame in tables.items():
        for row in frame.to_dict("records"):
            cid = f"provenance.{name}.{row['row_id']}"
            desc = f"{name} {row['row_id']}: quote on line {row['line']} and value {row['value']} inside it"
            try:
                number = provenance.verify_row(name, row, lines)
            except HelpersError as exc:
                checks.append(Check(cid, "provenance", desc, "found", str(exc), None, "fail"))
                continue
            if number is not None:
                half_units[(name, row["row_id"])] = number.half_unit
            checks.append(Check(cid, "provenance", desc, "found", "found", None, "pass"))
    facts = loader.facts(tables=tables)
    facts["half_unit"] = [half_units.get((t, r)) for t, r in zip(facts["table"], facts["row_id"], strict=True)]
    # Numbers that failed provenance take no part in the other checks: they are not trusted.
    return checks, facts[facts["half_unit"].notna()].reset_index(drop=True)


def _canonical(row: dict) -> tuple[str, float, float]:
    unit, value, half = row["unit"], row["value"], row["half_unit"]
    if unit in CONVERSIONS:
        target, convert, factor = CONVERSIONS[unit]
        return target, convert(value), half * factor
    return unit, value, half


def cross_document_checks(facts: Facts) -> list[Check]:
    """Every metric stated more than once for the same year and basis must agree after conversion."""
    checks = []
    groups = defaultdict(list)
    for row in facts.frame.to_dict("records"):
        groups[(row["metric"], row["period"], row["basis"])].append(row)
    for (metric, period, basis), rows in sorted(groups.items(), key=lambda kv: str(kv[0])):
        if len(rows) < 2:
            continue
        units, worst = set(), None  # worst = (excess over tolerance, gap, tolerance)
        for a, b in combinations(rows, 2):
            ua, va, ha = _canonical(a)
            ub, vb, hb = _canonical(b)
            units |= {ua, ub}
            gap, tol = abs(va - vb), ha + hb
            if worst is None or gap - tol > worst[0]:
                worst = (gap - tol, gap, tol)
        _, gap, tol = worst
        ok = len(units) == 1 and gap <= tol + 1e-9
        statements = "; ".join(f"{r['value']:g} {r['unit']} ({r['document']} line {r['line']})" for r in rows)
        docs = sorted({r["document"] for r in rows})
        checks.append(Check(
            f"cross_document.{metric}.{period}.{basis}", "cross_document",
            f"{metric} {period} ({basis}) stated {len(rows)} times in {', '.join(docs)}: {statements}",
            "agree", f"largest gap {round(gap, 6):g}" + ("" if len(units) == 1 else f", units {sorted(units)}"),
            round(tol, 6), "pass" if ok else "fail"))
    return checks


def identity_checks(facts: Facts, data_dir=None) -> list[Check]:
    checks = []
    for ident in register.identities(facts):
        try:
            expected, actual, tolerance, ok = ident.evaluate(facts)
            checks.append(Check(ident.id, "identity", ident.description, round(expected, 6), round(actual, 6),
                                tolerance, "pass" if ok else "fail"))
        except KeyError as exc:
            checks.append(Check(ident.id, "identity", ident.description, None, None, None, "fail", str(exc)))
    return checks


def known_discrepancy_checks(facts: Facts) -> list[Check]:
    checks = []
    for kd in register.KNOWN_DISCREPANCIES:
        try:
            gap = kd.gap(facts)
            ok = abs(gap - kd.expected_gap) <= kd.tolerance + 1e-9
            checks.append(Check(kd.id, "known_discrepancy", kd.description, kd.expected_gap, round(gap, 6),
                                kd.tolerance, "accepted" if ok else "fail", kd.reason))
        except KeyError as exc:
            checks.append(Check(kd.id, "known_discrepancy", kd.description, kd.expected_gap, None,
                                kd.tolerance, "fail", f"{kd.reason} [cannot evaluate: {exc}]"))
    return checks


# The verified facts of the last check run, keyed by the state of its input files, so that a notebook
# calling run_checks() then verified_facts() verifies the provenance once, not twice.
_last_verified: tuple[tuple, pd.DataFrame] | None = None


def _inputs_state(data_dir=None) -> tuple:
    root = paths.data_dir(data_dir)
    files = sorted(root.glob("curated/*.csv")) + [paths.descriptor_path(data_dir), paths.raw_text_path(data_dir)]
    # Contents, not modification times: an edit within the same clock tick must still count.
    return tuple((str(f), hashlib.sha256(f.read_bytes()).hexdigest() if f.exists() else None) for f in files)


def run_checks(data_dir=None) -> list[Check]:
    """Run every check on the curated data and return them all, passing or not."""
    global _last_verified
    state = _inputs_state(data_dir)
    checks, tables = schema_checks(data_dir)
    prov, facts_frame = provenance_checks(tables, data_dir)
    _last_verified = (state, facts_frame)
    facts = Facts(facts_frame)
    return (checks + prov + identity_checks(facts, data_dir) + cross_document_checks(facts)
            + known_discrepancy_checks(facts))


def checks_frame(checks: list[Check]) -> pd.DataFrame:
    return pd.DataFrame([c.as_dict() for c in checks],
                        columns=["id", "kind", "description", "expected", "actual", "tolerance", "status", "reason"])


def verified_facts(data_dir=None) -> Facts:
    """The curated numbers whose quote and value were verified against the gazette (reusing the last
    check run's verification when no input file has changed since)."""
    if _last_verified is not None and _last_verified[0] == _inputs_state(data_dir):
        return Facts(_last_verified[1].copy())
    _, tables = schema_checks(data_dir)
    return Facts(provenance_checks(tables, data_dir)[1])
