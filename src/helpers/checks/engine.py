"""Every check on an edition's curated data, as records: schema, provenance, identity,
cross-document agreement, the document's own known discrepancies, and the later-published
observations (`checks.observations`).

A check is data: `Check(id, kind, description, expected, actual, tolerance, status, reason)`.
`status` is `pass`, `fail`, or `accepted` (a known discrepancy whose size is exactly what the
edition registers; if the gap changes, it fails).
"""

from __future__ import annotations

import pickle
from collections import defaultdict
from itertools import combinations

import pandas as pd

from ..data import load as loader
from ..data import provenance
from ..data.edition import Edition, edition
from ..data.facts import Facts
from ..errors import HelpersError
from . import coverage, discrepancies, identities, meaning, store
from .conversions import CONVERSIONS  # noqa: F401  (part of this module's interface)
from .evidence import evidence_checks
from .observations import observation_checks
from .record import Check, checks_frame  # noqa: F401  (part of this module's interface)

KINDS = ("schema", "provenance", "coverage", "identity", "cross_document", "known_discrepancy", "observation")



def schema_checks(ed: Edition) -> tuple[list[Check], dict[str, pd.DataFrame]]:
    checks, tables = [], {}
    try:
        raw_hash = provenance.raw_sha256(ed)
    except HelpersError as exc:
        raw_hash = str(exc)
    checks.append(Check("raw.sha256", "schema", "the gazette text is byte-identical to the published source",
                        ed.raw_sha256, raw_hash, None, "pass" if raw_hash == ed.raw_sha256 else "fail",
                        description_zh="公报原文与公布的来源逐字节相同"))
    # The crosswalks and check lists are validated too; only the curated tables feed the other checks.
    for name in ed.table_names + ed.support_table_names:
        try:
            frame = loader.load(name, ed)
            checks.append(Check(f"schema.{name}", "schema", f"{name}.csv matches its descriptor (types, vocabularies, keys)",
                                "valid", f"{len(frame)} rows", None, "pass",
                                description_zh=f"{name}.csv 符合其描述文件（类型、取值、主键）"))
            if name in ed.table_names:
                tables[name] = frame
        except HelpersError as exc:
            checks.append(Check(f"schema.{name}", "schema", f"{name}.csv matches its descriptor", "valid", str(exc), None, "fail",
                                description_zh=f"{name}.csv 符合其描述文件"))
    return checks, tables


def provenance_checks(tables: dict[str, pd.DataFrame], ed: Edition) -> tuple[list[Check], pd.DataFrame]:
    """One check per curated row; returns the facts with each printed number's rounding half-unit."""
    try:
        lines = provenance.raw_lines(ed)
    except HelpersError as exc:
        lines, error = None, str(exc)
    checks, half_units = [], {}
    sections = meaning.section_map(ed)
    units = provenance.known_units(ed)
    try:    # read once for every row; a broken checks/units.yaml is met again, and named, at each row
        implied = provenance.implied_units(str(ed.root))
    except HelpersError:
        implied = None
    for name, frame in tables.items():
        for row in frame.to_dict("records"):
            cid = f"provenance.{name}.{row['row_id']}"
            desc = f"{name} {row['row_id']}: quote on line {row['line']} and value {row['value']} inside it"
            desc_zh = f"{name} {row['row_id']}：引文在第{row['line']}行，数值 {row['value']} 在引文中"
            if lines is None:
                checks.append(Check(cid, "provenance", desc, "found", error, None, "fail", description_zh=desc_zh))
                continue
            try:
                number = provenance.verify_row(name, row, lines, ed, units, implied)
            except HelpersError as exc:
                checks.append(Check(cid, "provenance", desc, "found", str(exc), None, "fail", description_zh=desc_zh))
                continue
            wrong = meaning.mismatches(row, sections, ed, lines) if name != "indicators" else []
            if wrong:
                said = "; ".join(f"{col} {mine!r} but the text says {theirs!r}" for col, mine, theirs in wrong)
                checks.append(Check(cid, "provenance", desc, "found", f"curated/{name}.csv, row_id {row['row_id']}: {said}",
                                    None, "fail", description_zh=desc_zh))
                continue
            if number is not None:
                half_units[(name, row["row_id"])] = number.half_unit
            checks.append(Check(cid, "provenance", desc, "found", "found", None, "pass", description_zh=desc_zh))
    facts = loader.facts(tables=tables) if tables else pd.DataFrame(columns=loader.FACT_COLUMNS)
    facts["half_unit"] = [half_units.get((t, r)) for t, r in zip(facts["table"], facts["row_id"], strict=True)]
    if lines is not None:
        checks += evidence_checks(ed, lines)
        passed = {(t, r) for t, r in half_units}
        cov, _ = coverage.coverage_checks(ed, lines, tables, passed)
        checks += cov
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
            round(tol, 6), "pass" if ok else "fail",
            description_zh=f"{metric} {period}（{basis}）在 {', '.join(docs)} 中表述 {len(rows)} 次：{statements}"))
    return checks


def identity_checks(facts: Facts) -> list[Check]:
    checks = []
    for ident in identities.expand(facts.edition) + identities.target_gap_identities(facts):
        d = ident.description
        try:
            expected, actual, tolerance, ok = ident.evaluate(facts)
            checks.append(Check(ident.id, "identity", d["en"], round(expected, 6), round(actual, 6), tolerance,
                                "pass" if ok else "fail", description_zh=d.get("zh", ""), extra={"rows": ident.rows}))
        except KeyError as exc:
            checks.append(Check(ident.id, "identity", d["en"], None, None, None, "fail",
                                f"cannot evaluate: {exc.args[0]}", description_zh=d.get("zh", ""),
                                reason_zh=f"无法计算：{exc.args[0]}"))
    return checks


def known_discrepancy_checks(facts: Facts) -> list[Check]:
    checks = []
    for kd in discrepancies.load(facts.edition):
        kid = facts.edition.fill(kd.id_template)
        try:
            r = kd.evaluate(facts)
        except KeyError as exc:
            checks.append(Check(kid, "known_discrepancy", kd.description["en"], kd.expected_gap, None, kd.tolerance, "fail",
                                f"cannot evaluate: {exc.args[0]}", extra={"nature": kd.nature, "topic": kd.topic}))
            continue
        ok = abs(r["gap"] - kd.expected_gap) <= kd.tolerance + 1e-9
        checks.append(Check(kid, "known_discrepancy", r["description"]["en"], kd.expected_gap, round(r["gap"], 6),
                            kd.tolerance, "accepted" if ok else "fail", r["reason"]["en"],
                            description_zh=r["description"]["zh"], reason_zh=r["reason"]["zh"],
                            extra={"nature": kd.nature, "topic": kd.topic, "rows": r["rows"]}))
    return checks


# The verified facts of the last check run, keyed by the state of the edition's files, so that a
# notebook calling run_checks() then verified_facts() verifies the provenance once, not twice.
_last_verified: dict[str, tuple[str, pd.DataFrame]] = {}


def state_of(ed: Edition) -> str | None:
    """The edition's state for the cache; None when a file cannot be read (then the checks name it)."""
    from ..errors import EditionError

    try:
        return ed.state()
    except EditionError:
        return None


def _verify(ed: Edition, state: str | None) -> tuple[list[Check], Facts]:
    checks, tables = schema_checks(ed)
    prov, frame = provenance_checks(tables, ed)
    if state is not None:
        _last_verified[str(ed.root)] = (state, frame)
    return checks + prov, Facts(frame.copy(), ed)


# The checks of the last editions run, by (folder, content state): every notebook of a render runs
# all checks, and a kernel forked from the render's kernel server inherits the server's run. Keyed
# by the sha256 of every input file, so an edited file (even within a clock tick) is checked afresh.
_RUN_MEMO: dict[tuple[str, str], tuple[list[Check], pd.DataFrame]] = {}
_RUN_MEMO_SIZE = 4


def run_checks(which: str | Edition | None = None, *, kept: bool = True) -> list[Check]:
    """Run every check on an edition's curated data (default: the latest edition) and return them all
    (a private copy: a caller may change what it gets). kept=False: run them even when another
    process kept a run of the same inputs (`checks.store`), as `helpers check` does; a run this
    process made itself is still reused."""
    return checked(which, kept=kept)[0]


def checked(which: str | Edition | None = None, *, kept: bool = True) -> tuple[list[Check], Facts]:
    """Every check of an edition and its verified facts, from one reading of the edition's state: the
    one call a page makes (run_checks then verified_facts would hash every file twice)."""
    ed = edition(which)
    state = state_of(ed)
    key = (str(ed.root), state)
    if state is not None and key not in _RUN_MEMO and kept:
        found = store.read(ed.root, state)
        if found is not None:
            found_checks, frame, tables = found
            loader.adopt_tables(tables)
            _remember(key, found_checks, frame)
    if state is None or key not in _RUN_MEMO:
        checks, facts = _verify(ed, state)
        checks = (checks + identity_checks(facts) + cross_document_checks(facts) + known_discrepancy_checks(facts)
                  + observation_checks(ed, facts))
        if state is None:
            return checks, facts
        _remember(key, checks, facts.frame)
        store.write(ed.root, state, checks, facts.frame, loader.memo_items())
    checks, frame = _RUN_MEMO[key]
    _last_verified[str(ed.root)] = (state, frame)
    copy = pickle.loads(pickle.dumps(checks, pickle.HIGHEST_PROTOCOL))  # noqa: S301  (a deep copy of our own objects, 5× faster than copy.deepcopy)
    return copy, Facts(frame.copy(), ed)


def _remember(key: tuple[str, str], checks: list[Check], frame: pd.DataFrame) -> None:
    _RUN_MEMO.pop(key, None)
    if len(_RUN_MEMO) >= _RUN_MEMO_SIZE:
        _RUN_MEMO.pop(next(iter(_RUN_MEMO)))
    _RUN_MEMO[key] = (checks, frame)


def memo_entry(ed: Edition) -> tuple[str, list[Check], pd.DataFrame] | None:
    """(state, checks, verified facts frame) of the last check run of `ed` on its files as they are
    now, or None: what a kernel server hands to the renderer (`helpers.render.kernels`)."""
    state = state_of(ed)
    found = _RUN_MEMO.get((str(ed.root), state)) if state is not None else None
    return None if found is None else (state, *found)


def adopt(root: str, state: str, checks: list[Check], frame: pd.DataFrame) -> None:
    """Take another process's check run of the edition at `root` made from the files in `state`:
    `run_checks` then returns it while the files stay in that state (the key is checked there)."""
    _RUN_MEMO[(root, state)] = (checks, frame)


def verified_facts(which: str | Edition | None = None) -> Facts:
    """The curated numbers whose quote and value were verified against the gazette (reusing the last
    check run's verification when no file of the edition has changed since)."""
    ed = edition(which)
    state = state_of(ed)
    cached = _last_verified.get(str(ed.root))
    if cached is not None and cached[0] == state:
        return Facts(cached[1].copy(), ed)
    return _verify(ed, state)[1]


def concerns(check: Check, tables: set[str], metrics: set[str]) -> bool:
    """Whether a check is about numbers of `tables` / `metrics`: their schema or provenance, their
    metrics' agreement between reports, or an identity or discrepancy that reads one of their rows."""
    kind_table = check.id.split(".")[1] if check.id.count(".") else ""
    if check.kind in ("schema", "provenance") and kind_table in tables:
        return True
    if check.kind == "cross_document":
        return kind_table in metrics
    return any(r.get("table") in tables or r.get("metric") in metrics for r in check.extra.get("rows", []))


def require(checks: list[Check], what: str, tables: set[str] | None = None, metrics: set[str] | None = None) -> list[Check]:
    """The one gate every page uses: the checks that concern its numbers (all checks when no tables
    or metrics are given). Raises DataError if none ran or any of them failed, naming each failure —
    a page never shows a number whose checks failed."""
    from ..errors import DataError

    ours = checks if tables is None and metrics is None else [c for c in checks if concerns(c, tables or set(), metrics or set())]
    if not ours:
        raise DataError("checks", f"no checks of {what} were run; expected the list helpers.run_checks() returns")
    failed = [c for c in ours if c.status == "fail"]
    if failed:
        raise DataError("checks", f"{len(failed)} checks of {what} failed: " + "; ".join(f"{c.id}: {c.actual}" for c in failed[:10])
                        + "; run `python -m helpers check` for details")
    return ours
