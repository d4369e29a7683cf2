"""Checks of the later-published figures (`observations/`), one per row, plus one of coverage.

A row passes when: its metric is a target of the plan year or a budgeted or planned amount of it (an outcome) or a curated number of the
review year (a revision); its unit is the unit of that number or converts to it; its period is the
plan year (outcome) or the review year (revision); a derived row's formula recomputes its value from
its input rows within the value's printed rounding; a proxy says what it stands for (in both languages); its source
exists; and a number taken from the gazette itself equals the verified curated number. The coverage
check: every target metric has an outcome or a row in `outcomes_unfound`, never both.
"""

from __future__ import annotations

import pandas as pd

from ..data import load as loader
from ..data import observations as obs
from ..data.edition import Edition
from ..data.facts import Facts
from ..errors import HelpersError
from .conversions import CONVERSIONS
from .record import Check

KIND = "observation"


def _canonical(unit: str) -> str:
    return CONVERSIONS[unit][0] if unit in CONVERSIONS else unit


def _problems(row: dict, by_id: dict, sources: set, targets: pd.DataFrame, review: pd.DataFrame,
              facts: Facts, years: dict) -> list[str]:
    out = []
    kind, metric, unit = row["kind"], row["metric"], row["unit"]
    if row["source_id"] not in sources:
        out.append(f"source_id {row['source_id']!r} is not in observations/sources.csv")
    expected_period = {"outcome": years["plan"], "revision": years["review"]}.get(kind)
    if expected_period is not None and row["period"] != expected_period:
        out.append(f"period {row['period']}, but {kind}s are about {expected_period}")
    against = targets if kind == "outcome" else review if kind == "revision" else None
    if against is not None:
        mine = against[against["metric"] == metric]
        if mine.empty:
            what = "a target of the plan year" if kind == "outcome" else "a curated number of the review year"
            out.append(f"metric {metric!r} is not {what}")
        elif not any(_canonical(u) == _canonical(unit) for u in mine["unit"]):
            out.append(f"unit {unit!r} does not match the curated unit(s) {sorted(set(mine['unit']))} of {metric!r}")
    if row["basis"] == "proxy":
        missing = [c for c in ("stands_for", "stands_for_zh") if not row.get(c)]
        if missing:
            out.append(f"a proxy must say what it stands for, in both languages (empty: {', '.join(missing)})")
    elif row.get("stands_for") or row.get("stands_for_zh"):
        out.append(f"a {row['basis']} row stands for nothing (only proxies have stands_for)")
    if row["basis"] == "derived":
        if not row.get("formula") or not row.get("inputs"):
            out.append("a derived row needs a formula and its inputs")
        else:
            try:
                names = obs.parse_inputs(row["inputs"])
                missing = [i for i in names.values() if i not in by_id]
                if missing:
                    out.append(f"inputs {missing} are not rows of outcomes.csv")
                else:
                    got = obs.evaluate(row["formula"], {n: by_id[i]["value"] for n, i in names.items()})
                    if abs(got - row["value"]) > obs.half_unit(row["value"]) + 1e-9:
                        out.append(f"{row['formula']} gives {got:.4g} from its inputs, not {row['value']:g}")
            except HelpersError as exc:
                out.append(str(exc))
    elif row.get("formula") or row.get("inputs"):
        out.append(f"a {row['basis']} row has no formula or inputs (only derived rows do)")
    if row["source_id"] == obs.GAZETTE_SOURCE:
        curated = [f for f in facts.rows(metric, row["period"]) if f["unit"] == unit]
        if not any(abs(f["value"] - row["value"]) < 1e-9 for f in curated):
            out.append(f"taken from the gazette, but no verified curated {metric} of {row['period']} equals {row['value']:g} {unit}")
    return out


def observation_checks(ed: Edition, facts: Facts) -> list:
    """One check per observation and one of target coverage (none for an edition without observations)."""

    if not obs.has_observations(ed):
        return []
    try:
        frame = loader.load(obs.OUTCOMES, ed)
        sources = set(loader.load(obs.SOURCES, ed)["source_id"])
        unfound = loader.load(obs.UNFOUND, ed)
        tables = {name: loader.load(name, ed) for name in obs.TARGET_TABLES + obs.OTHER_PLAN_TABLES}
    except HelpersError as exc:   # the schema checks name the file, line and column
        return [Check("observation.tables", KIND, "the observation tables can be read", "readable", str(exc), None, "fail",
                      description_zh="观测数据表可以读取")]
    years = ed.years
    targets = pd.concat([t.assign(table=n) for n, t in tables.items()])
    targets = targets[(targets["period"] == years["plan"]) & (targets["basis"] == "plan")]
    scored = targets[targets["table"].isin(obs.TARGET_TABLES)]
    review = facts.frame[(facts.frame["period"] == years["review"]) & (facts.frame["basis"] == "actual")]
    by_id = {r["obs_id"]: r for r in frame.to_dict("records")}
    checks = []
    for row in frame.to_dict("records"):
        row = {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in row.items()}
        problems = _problems(row, by_id, sources, targets, review, facts, years)
        desc = (f"outcomes {row['obs_id']}: {row['kind']} of {row['metric']} ({row['period']}), {row['basis']}, "
                f"source {row['source_id']}")
        desc_zh = f"outcomes {row['obs_id']}：{row['metric']}（{row['period']}年）的{row['kind']}，{row['basis']}，来源 {row['source_id']}"
        checks.append(Check(f"observation.{row['obs_id']}", KIND, desc, "consistent",
                            "; ".join(problems) if problems else "consistent", None, "fail" if problems else "pass",
                            description_zh=desc_zh, extra={"rows": [{"table": obs.OUTCOMES, "metric": row["metric"]}]}))
    target_metrics = set(scored["metric"])
    answered = set(frame.loc[frame["kind"] == "outcome", "metric"])
    listed = set(unfound["metric"])
    gaps = []
    if target_metrics - answered - listed:
        gaps.append(f"targets with neither an outcome nor a row in unfound.csv: {sorted(target_metrics - answered - listed)}")
    if answered & listed:
        gaps.append(f"targets with an outcome that unfound.csv also lists: {sorted(answered & listed)}")
    if listed - target_metrics:
        gaps.append(f"unfound.csv lists metrics that are not targets of the plan year: {sorted(listed - target_metrics)}")
    checks.append(Check("observation.coverage", KIND,
                        f"each of the {len(target_metrics)} target metrics of {years['plan']} has an outcome or is listed as unfound",
                        "complete", "; ".join(gaps) or f"{len(answered & target_metrics)} with an outcome, {len(listed)} unfound",
                        None, "fail" if gaps else "pass",
                        description_zh=f"{years['plan']}年的{len(target_metrics)}个目标指标，每个都有结果或列为未找到"))
    return checks
