"""What happened next: the plan year's targets against the outcomes published later, the plan year's
budget against its outturn, and the review year's figures against their revisions (notebook 05).

No words here: every function returns tables and numbers; the page (`helpers.report.outcomes`) says
them. A verdict is one of `met`, `missed`, `not_assessable` (the plan states no number, e.g. a target
the State sets) and `no_outcome` (nothing published was found; `observations/unfound.csv` says why).

    >>> d = prepare()
    >>> card = scorecard(d)
    >>> row = card.set_index("metric").loc["gdp_growth"]
    >>> float(row["target"]), float(row["outcome"]), row["verdict"]
    (5.5, 2.6, 'missed')
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..checks.engine import CONVERSIONS, Check, checked, require
from ..data import load as loader
from ..data import observations as obs
from ..data.edition import Edition, edition
from ..data.facts import Facts
from ..errors import EditionError

VERDICTS = ("met", "missed", "not_assessable", "no_outcome")
MARKS = obs.MARKS
#: Where a target metric stands among the plan's lists. `listed`: an item of the plan's indicator
#: table or a target the work report states: the targets the counts are about. `sub_item`: only a
#: sub-item of an indicator (private investment under investment, tax under revenue, ...).
#: `plan_text`: stated only in the plan report's text. The scorecard shows all three.
SCOPES = ("listed", "sub_item", "plan_text")


@dataclass
class Config:
    tolerance_points: float
    tolerance_relative: float
    lower_is_better: tuple[str, ...]
    headline: tuple[str, ...]
    fiscal: tuple[str, ...]
    projects: dict
    reasons: tuple[dict, ...] = ()
    near: float = 0.0
    listing_documents: tuple[str, ...] = ("work_report",)


@dataclass
class Outcomes:
    edition: Edition
    facts: Facts
    targets: pd.DataFrame         # every plan-year target row of the indicator and economy tables
    observations: pd.DataFrame    # every observation with its source
    unfound: pd.DataFrame
    config: Config
    checks: list[Check]

    @property
    def review(self) -> int:
        return self.edition.year("review")

    @property
    def plan(self) -> int:
        return self.edition.year("plan")


def read_config(ed: Edition) -> Config:
    raw = ed.load_yaml("outcomes")
    path = ed.data_file("outcomes")
    try:
        tol = raw["about_tolerance"]
        projects = {k: str(raw["projects"][k]) for k in ("metric", "midyear_plan", "completion_rate")}
        reasons = tuple({k: str(r[k]) for k in ("metric", "source", "zh", "en")} for r in raw.get("reasons", ()))
        listing = raw.get("listing_documents", ["work_report"])
        if not isinstance(listing, list) or not all(isinstance(x, str) for x in listing):
            raise TypeError(f"listing_documents must be a list of document names, not {listing!r}")
        return Config(float(tol["percentage_points"]), float(tol["relative"]), tuple(raw.get("lower_is_better", ())),
                      tuple(raw["headline"]), tuple(raw["fiscal"]), projects, reasons, float(raw.get("near", 0.0)),
                      tuple(listing))
    except (KeyError, TypeError, ValueError) as exc:
        raise EditionError(f"{path}: expected about_tolerance (percentage_points, relative), headline and fiscal "
                           f"lists, projects (metric, midyear_plan, completion_rate) and optionally listing_documents "
                           f"(a list of document names); {type(exc).__name__}: {exc}") from None


def prepare(ed=None) -> Outcomes:
    """The edition's targets, observations and checks; stops (DataError) if any check on them failed."""
    ed = edition(ed)
    checks, facts = checked(ed)
    observations = obs.observations(ed)
    ours = require(checks, "the observations and their targets", tables={obs.OUTCOMES, *obs.TARGET_TABLES})
    parts = [loader.load(name, ed).assign(table=name) for name in obs.TARGET_TABLES]
    targets = pd.concat(parts, ignore_index=True)
    targets = targets[(targets["period"] == ed.year("plan")) & (targets["basis"] == "plan")].reset_index(drop=True)
    return Outcomes(ed, facts, targets, observations, obs.unfound(ed), read_config(ed), ours)


def _canonical(value: float, unit: str) -> tuple[float, str]:
    if unit in CONVERSIONS:
        to, convert, _ = CONVERSIONS[unit]
        return convert(value), to
    return value, unit


def _target_of(rows: pd.DataFrame, unit: str | None = None) -> dict:
    """The statement of a target the scorecard shows: one in the outcome's own unit where there is
    one (a CPI ceiling of 3% rather than an index of 103), then the indicator table's (the plan's
    own list), else the plan report's, else the work report's."""
    order = {"indicators": 0, "economy": 1}
    ranked = rows.assign(_u=(rows["unit"] != unit).astype(int), _t=rows["table"].map(order),
                         _d=(rows["document"] != "plan_report").astype(int))
    return ranked.sort_values(["_u", "_t", "_d", "row_id"]).iloc[0].to_dict()


def scope(rows: pd.DataFrame, listing_documents: tuple[str, ...]) -> str:
    """Where one metric's target rows stand (see SCOPES): `listed` if one is an item of the indicator
    table (not a sub-item) or is stated in the economy table by a listing document (the work report),
    else `sub_item` if one is a sub-item of the indicator table, else `plan_text`.

    >>> rows = pd.DataFrame({"table": ["indicators"], "sub_item": [True], "document": ["plan_report"]})
    >>> scope(rows, ("work_report",)), scope(rows.assign(sub_item=False), ("work_report",))
    ('sub_item', 'listed')
    >>> scope(pd.DataFrame({"table": ["economy"], "sub_item": [None], "document": ["plan_report"]}), ("work_report",))
    'plan_text'
    """
    table = rows[rows["table"] == "indicators"]
    is_sub = table["sub_item"].map(lambda v: v in (True, "true", "True"))
    if (~is_sub).any() or (rows[rows["table"] == "economy"]["document"].isin(listing_documents)).any():
        return "listed"
    return "sub_item" if is_sub.any() else "plan_text"


def verdict(target: float | None, qualifier: str, outcome: float | None, lower_is_better: bool, unit: str,
            config: Config) -> str:
    """met / missed / not_assessable / no_outcome; `target` and `outcome` in the same unit.

    A ceiling (at_most) or a lower-is-better target is met at or below it; any other target at or
    above it; an "about" target within the edition's tolerance band below it (above, if lower is better).

    >>> c = Config(0.5, 0.02, (), (), (), {})
    >>> verdict(5.5, "about", 5.1, False, "%", c), verdict(5.5, "about", 4.9, False, "%", c), verdict(3, "at_most", 2.1, False, "%", c)
    ('met', 'missed', 'met')
    """
    if target is None or pd.isna(target):
        return "not_assessable"
    if outcome is None or pd.isna(outcome):
        return "no_outcome"
    band = 0.0
    if qualifier == "about":
        band = config.tolerance_points if unit == "%" else abs(target) * config.tolerance_relative
    if qualifier == "at_most" or lower_is_better:
        return "met" if outcome <= target + band + 1e-9 else "missed"
    return "met" if outcome >= target - band - 1e-9 else "missed"


def scorecard(d: Outcomes) -> pd.DataFrame:
    """One row per target metric of the plan year: the target as the plan states it, the outcome
    (converted to the target's unit), outcome − target, the verdict and the outcome's marks.
    Made once per `Outcomes` (a page asks for it for its figure, sections and results); each caller
    gets its own copy."""
    card = d.__dict__.get("_scorecard")
    if card is None:
        card = d._scorecard = _scorecard(d)
    return card.copy()


def _scorecard(d: Outcomes) -> pd.DataFrame:
    outcomes = d.observations[d.observations["kind"] == "outcome"].set_index("metric")
    unfound = d.unfound.set_index("metric")
    rows = []
    for metric, group in d.targets.groupby("metric", sort=False):
        o = outcomes.loc[metric] if metric in outcomes.index else None
        t = _target_of(group, None if o is None else o["unit"])
        named = _target_of(group)          # the name of the plan's own list, whichever statement is compared
        target, unit = (None, t["unit"]) if pd.isna(t["value"]) else _canonical(t["value"], t["unit"])
        value = None
        if o is not None:
            value, o_unit = _canonical(o["value"], o["unit"])
            if o_unit != unit:
                raise EditionError(f"outcome {o['obs_id']}: unit {o['unit']!r} cannot be compared with the target's {t['unit']!r}")
        v = verdict(target, t["qualifier"], value, metric in d.config.lower_is_better, unit, d.config)
        rows.append({
            "metric": metric, "name_zh": named["name_zh"], "name_en": named["name_en"], "headline": metric in d.config.headline,
            "scope": scope(group, d.config.listing_documents),
            "target": target, "unit": unit, "qualifier": t["qualifier"], "target_row": t,
            "outcome": value, "gap": None if value is None or target is None else value - target,
            "verdict": v, "obs": None if o is None else {**o.to_dict(), "metric": metric},
            # a missed "about" target within the edition's near band (in points): said, never counted as met
            "near": bool(v == "missed" and t["qualifier"] == "about" and unit == "%" and abs(value - target) <= d.config.near + 1e-9),
            "marks": [] if o is None else obs.observation_marks(o),
            "unfound_reason": unfound.at[metric, "reason"] if metric in unfound.index else None,
        })
    return pd.DataFrame(rows)


def counts(card: pd.DataFrame) -> dict[str, int]:
    """How many of the listed targets (scope `listed`: the plan's indicator items and the work
    report's targets) have each verdict, with how many of their outcomes are estimates, proxies...;
    `further` counts the other target metrics the scorecard shows (sub-items and targets of the plan
    report's text), `further_<scope>` each kind of them and `further_with_outcome` those with an outcome."""
    listed, further = card[card["scope"] == "listed"], card[card["scope"] != "listed"]
    out = {v: int((listed["verdict"] == v).sum()) for v in VERDICTS}
    with_outcome = listed[listed["outcome"].notna()]
    out["targets"] = len(listed)
    out["near"] = int(listed["near"].sum())
    out["with_outcome"] = len(with_outcome)
    for mark in MARKS:
        out[f"marked_{mark}"] = int(with_outcome["marks"].map(lambda m, k=mark: k in m).sum())
    out["further"] = len(further)
    for s in SCOPES[1:]:
        out[f"further_{s}"] = int((further["scope"] == s).sum())
    out["further_with_outcome"] = int(further["outcome"].notna().sum())
    out["target_metrics"] = len(card)
    return out


def largest_misses(card: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The listed targets' misses furthest below their target, in percentage points (targets in %
    only: a gap in days or yuan is not comparable with one in points)."""
    missed = card[(card["verdict"] == "missed") & (card["unit"] == "%") & (card["scope"] == "listed")].copy()
    missed["shortfall"] = missed["gap"].abs()
    return missed.sort_values("shortfall", ascending=False).head(n)


def fiscal(d: Outcomes) -> pd.DataFrame:
    """Each fiscal line of the config: review-year outturn and plan-year budget (curated), the
    plan-year outcome (observed), outcome ÷ budget and the change on the review year."""
    out = []
    outcomes = d.observations[(d.observations["kind"] == "outcome") & (d.observations["period"] == d.plan)].set_index("metric")
    for metric in d.config.fiscal:
        budget = [r for r in d.facts.rows(metric, d.plan, "plan") if r.get("level") == "city"]
        outturn = [r for r in d.facts.rows(metric, d.review, "actual") if r.get("level") == "city"]
        if not budget or not outturn or metric not in outcomes.index:
            raise EditionError(f"{d.edition.data_file('outcomes')}: fiscal line {metric!r} needs a city-level budget of "
                               f"{d.plan}, an outturn of {d.review} and an outcome of {d.plan}")
        o = outcomes.loc[metric]
        by_id = d.observations.set_index("obs_id")
        reasons = [{**r, "obs": {**by_id.loc[r["source"]].to_dict(), "obs_id": r["source"]}} for r in d.config.reasons
                   if r["metric"] == metric]
        out.append({"metric": metric, "reasons": reasons, "outturn_row": outturn[0], "budget_row": budget[0], "obs": {**o.to_dict(), "metric": metric},
                     "outturn": outturn[0]["value"], "budget": budget[0]["value"], "outcome": o["value"],
                     "of_budget": o["value"] / budget[0]["value"], "change": o["value"] / outturn[0]["value"] - 1})
    return pd.DataFrame(out)


def projects(d: Outcomes) -> dict:
    """The major projects of the plan year: the planned investment (curated, with its flag), the
    investment completed (observed), completed ÷ planned, the plan implied mid-year (observed), and
    the review year's completed investment and completion rate (curated)."""
    cfg = d.config.projects
    obs_rows = d.observations.set_index("metric")
    plan = d.facts.rows(cfg["metric"], d.plan, "plan")
    done_before = d.facts.rows(cfg["metric"], d.review, "actual")
    rate_before = d.facts.rows(cfg["completion_rate"], d.review, "actual")
    outcome = d.observations[(d.observations["metric"] == cfg["metric"]) & (d.observations["kind"] == "outcome")]
    if not plan or not done_before or not rate_before or outcome.empty or cfg["midyear_plan"] not in obs_rows.index:
        raise EditionError(f"{d.edition.data_file('outcomes')}: projects needs a plan of {d.plan}, a completed investment "
                           f"and completion rate of {d.review} (curated) and an outcome and a mid-year plan (observations)")
    o = outcome.iloc[0].to_dict()
    mid = {**obs_rows.loc[cfg["midyear_plan"]].to_dict(), "metric": cfg["midyear_plan"]}
    return {"plan_row": plan[0], "outcome": o, "midyear": mid, "done_before_row": done_before[0], "rate_before_row": rate_before[0],
            "completed_share": o["value"] / plan[0]["value"], "completed_share_midyear": o["value"] / mid["value"]}


def revisions(d: Outcomes) -> pd.DataFrame:
    """Each revision of a review-year figure: the gazette's number (the first verified curated row of
    that metric and year, basis actual, in a unit that converts to the later one's), the later one
    and the change; `changed` where they differ by more than the rounding of either allows."""
    out = []
    for row in d.observations[d.observations["kind"] == "revision"].to_dict("records"):
        later, unit = _canonical(row["value"], row["unit"])
        mine = [f for f in d.facts.rows(row["metric"], d.review, "actual") if _canonical(f["value"], f["unit"])[1] == unit]
        # the statement to show: an estimate (预计) first, where the gazette states one — it is what a revision replaces
        first = sorted(mine, key=lambda f: (f.get("projected") not in (True, "true"), f["table"], f["document"] or "", f["row_id"]))[0]
        gazette = _canonical(first["value"], first["unit"])[0]
        tolerance = max(obs.half_unit(first["value"]) * (CONVERSIONS[first["unit"]][2] if first["unit"] in CONVERSIONS else 1),
                        obs.half_unit(later))
        out.append({"metric": row["metric"], "gazette_row": first, "obs": row, "gazette": gazette, "later": later, "unit": unit,
                    "change": later - gazette, "changed": abs(later - gazette) > tolerance + 1e-9,
                    # an estimate (预计) in any of the gazette's statements of it: the revision replaces an estimate
                    "projected": any(f.get("projected") in (True, "true") for f in mine)})
    return pd.DataFrame(out)


def sources(d: Outcomes) -> pd.DataFrame:
    """The sources the observations cite, with how many rows cite each, by kind of publisher."""
    used = d.observations.groupby("source_id").size().rename("rows")
    frame = loader.load(obs.SOURCES, d.edition).join(used, on="source_id")
    return frame[frame["rows"].notna()].astype({"rows": int})


def results(d: Outcomes) -> dict:
    """The notebook's headline results: counts of the scorecard's listed targets (`targets...`), of
    the further target metrics it shows (`targets_further...`, `target_metrics` for all) and one
    `outcome_<metric>` per target metric with an outcome, listed or not."""
    card = scorecard(d)
    c = counts(card)
    out = {
        "targets": c["targets"], "targets_with_outcome": c["with_outcome"], "targets_met": c["met"],
        "targets_missed": c["missed"], "targets_missed_near": c["near"], "targets_not_assessable": c["not_assessable"],
        "targets_no_outcome": c["no_outcome"],
        "target_metrics": c["target_metrics"], "targets_further": c["further"],
        "targets_further_with_outcome": c["further_with_outcome"],
        "outcomes_estimates": c["marked_estimate"], "outcomes_proxies": c["marked_proxy"],
        "outcomes_secondary_sources": c["marked_secondary"],
        "headline_without_outcome": sorted(card[card["headline"] & card["outcome"].isna()]["metric"]),
        "revisions": len(revisions(d)), "revisions_changed": int(revisions(d)["changed"].sum()),
    }
    for row in card[card["outcome"].notna()].to_dict("records"):
        out[f"outcome_{row['metric']}"] = round(float(row["outcome"]), 4)
    return out
