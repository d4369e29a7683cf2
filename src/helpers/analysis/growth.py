"""Growth against targets: the review-year scorecard, the plan-year targets beside the review-year
results, growth by sector, and the levels behind the headline growth rates.

Every function is pure: it takes curated tables (`helpers.load("indicators", ed)`, ...) and the
edition's analysis settings (`ed.load_yaml("growth")`, the renamed-indicator crosswalk) as
arguments and returns a DataFrame, a dict or a number. Formulas are stated in each docstring.
Nothing here knows a year, a line or a name of one edition: years are parameters, and what is
true of one gazette only (the document's own verdict, renamed indicators, the tolerance of an
"about" target, which growth rates are real, how a sector's name reads without its measure) is
edition data, see `data/editions/<id>/analysis/growth.yaml` and `crosswalks/renamed_indicators.csv`.
No words of any language are here: the pages say things (`helpers.report`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from ..data.parsing import last_number
from ..data.vocab import POINTS, data_langs
from ..errors import DataError, EditionError, ParameterError

DIRECTIONS = ("higher", "lower")
VERDICTS = ("met", "missed", "not_assessable")
GROWTH_BASES = ("real", "nominal")


def _require(frame: pd.DataFrame, columns: list[str], table: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(table, f"missing columns {missing}; expected the curated {table} table (helpers.load({table!r}))")


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def margin_unit(unit: str) -> str:
    """The unit of a difference of two values in `unit`: percentage points (`POINTS`, the unit code
    of data/vocab/units.csv) for % and a price index (previous year = 100), else `unit` itself.

    >>> margin_unit("%") == margin_unit("index") == POINTS, margin_unit("ratio")
    (True, 'ratio')
    """
    return POINTS if unit in ("%", "index") else unit


def target_met(target: float, result: float, direction: str, tolerance: float = 0.0) -> bool:
    """Met when result >= target - tolerance (direction higher) or result <= target + tolerance
    (lower). With tolerance 0 (the face-value rule) qualifiers are ignored: "about 19.5" is 19.5.

    >>> target_met(19.5, 19.1, "higher"), target_met(5.5, 5.5, "lower"), target_met(19.5, 19.1, "higher", 0.5)
    (False, True, True)
    """
    if direction not in DIRECTIONS:
        raise DataError("indicators", f"direction {direction!r} is not allowed; expected one of {DIRECTIONS}",
                        column="direction")
    if any(_missing(v) for v in (target, result)):
        raise DataError("indicators", f"target {target!r} and result {result!r} must both be numbers to be compared")
    favourable = (result - target) if direction == "higher" else (target - result)
    return round(favourable, 9) >= -tolerance


# --- edition settings --------------------------------------------------------------------------

def renamed(table: pd.DataFrame) -> dict[str, str]:
    """The renamed-indicator crosswalk (`helpers.load("renamed_indicators", ed)`: metric_review,
    metric_plan, note_zh, note_en) as {review-year metric: plan-year metric}."""
    _require(table, ["metric_review", "metric_plan"], "renamed_indicators")
    return dict(zip(table["metric_review"], table["metric_plan"], strict=True))


def inherit_binding(indicators: pd.DataFrame) -> pd.DataFrame:
    """A copy of the indicator table where each "#" sub-item is binding when the indicator it
    belongs to (same table_year and code, sub_item false) is binding.

    Keeps the printed mark as `binding_marked`; `binding_inherited` = binding and not marked.
    """
    _require(indicators, ["table_year", "code", "sub_item", "binding"], "indicators")
    out = indicators.copy()
    marked = out["binding"].astype(bool)
    sub = out["sub_item"].astype(bool)
    parents = out[~sub].groupby(["table_year", "code"])["binding"].agg(lambda s: bool(s.astype(bool).any()))
    parent = [bool(parents.get((y, c), False)) for y, c in zip(out["table_year"], out["code"], strict=True)]
    out["binding_marked"] = marked
    out["binding"] = marked | (sub & pd.Series(parent, index=out.index))
    out["binding_inherited"] = out["binding"] & ~marked
    return out


# --- the review-year scorecard -------------------------------------------------------------------

def scorecard(indicators: pd.DataFrame, year: int, about_tolerance: float = 0.0) -> pd.DataFrame:
    """One row per indicator of the table of `year` (the review year: the table holding results).

    Target = the row with basis plan, result = the row with basis actual, matched by metric.
    An indicator is assessable when both cells are numbers (status number). Then
    margin = result - target (in percentage points for % and index, else in the indicator's
    unit); favourable_margin = margin for direction higher, -margin for lower; verdict = met
    when favourable_margin >= -tolerance, where tolerance = `about_tolerance` for a target
    qualified "about" and 0 otherwise (the face-value rule of `target_met`), else missed.
    Otherwise verdict = not_assessable; the target and result row ids let the reader look up
    the legend meaning of the non-numeric cells.
    """
    cols = ["row_id", "metric", "table_year", "basis", "code", "sub_item", "name_zh", "name_en", "binding",
            "direction", "cell", "status", "meaning_zh", "meaning_en", "value", "unit", "qualifier"]
    _require(indicators, cols, "indicators")
    table = indicators[indicators["table_year"] == year]
    if table.empty:
        raise DataError("indicators", f"no indicator table for year {year}; tables: {sorted(indicators['table_year'].unique().tolist())}")
    targets = table[table["basis"] == "plan"]
    results = table[table["basis"] == "actual"]
    if results.empty:
        raise DataError("indicators", f"the {year} table has no results (basis 'actual'); a scorecard needs them")
    for part, label in ((targets, "target"), (results, "result")):
        dup = part["metric"][part["metric"].duplicated()].tolist()
        if dup:
            raise DataError("indicators", f"the {year} table has more than one {label} for {dup}", column="metric")
    orphans = sorted(set(results["metric"]) - set(targets["metric"]))
    if orphans:
        raise DataError("indicators", f"results without a target in the {year} table: {orphans}", column="metric")
    by_metric = results.set_index("metric")
    rows = []
    for _, t in targets.iterrows():
        r = by_metric.loc[t["metric"]] if t["metric"] in by_metric.index else None
        if r is not None and (r["direction"] != t["direction"] or r["unit"] != t["unit"]):
            raise DataError("indicators", f"target and result of {t['metric']} disagree on direction or unit: "
                            f"{t['direction']}/{t['unit']} vs {r['direction']}/{r['unit']}", column="direction")
        assessable = r is not None and t["status"] == "number" and r["status"] == "number"
        rec = {
            "code": t["code"], "sub_item": bool(t["sub_item"]), "metric": t["metric"],
            "name_zh": t["name_zh"], "name_en": t["name_en"], "binding": bool(t["binding"]),
            "binding_inherited": bool(t.get("binding_inherited", False)),
            "direction": t["direction"], "unit": t["unit"],
            "target_cell": t["cell"], "result_cell": None if r is None else r["cell"],
            "target": t["value"] if t["status"] == "number" else math.nan,
            "result": r["value"] if r is not None and r["status"] == "number" else math.nan,
            "target_qualifier": t["qualifier"], "result_qualifier": None if r is None else r["qualifier"],
            "assessable": assessable, "margin": math.nan, "margin_unit": margin_unit(t["unit"]),
            "favourable_margin": math.nan, "verdict": "not_assessable",
            "target_row_id": t["row_id"], "result_row_id": None if r is None else r["row_id"],
        }
        if assessable:
            tolerance = about_tolerance if t["qualifier"] == "about" else 0.0
            met = target_met(t["value"], r["value"], t["direction"], tolerance)
            margin = round(r["value"] - t["value"], 6)
            favourable = margin if t["direction"] == "higher" else 0.0 - margin
            rec.update(margin=margin, favourable_margin=favourable + 0.0, verdict="met" if met else "missed")
        rows.append(rec)
    card = pd.DataFrame(rows)
    card["favourable_margin"] = card["favourable_margin"].astype("float64")
    return card


def assessed(card: pd.DataFrame) -> pd.DataFrame:
    """The indicators with a numeric target and a numeric result."""
    return card[card["assessable"]]


def missed_targets(card: pd.DataFrame, name: str = "name_zh") -> list[str]:
    """Names (column `name`) of the assessable indicators whose result is on the wrong side of the target, in table order."""
    return card.loc[card["verdict"] == "missed", name].tolist()


def verdict_counts(card: pd.DataFrame) -> pd.DataFrame:
    """Counts of met / missed / not_assessable, for binding and expected indicators (rows) and in total."""
    kind = card["binding"].map({True: "binding", False: "expected"})
    counts = pd.crosstab(kind, card["verdict"]).reindex(index=["binding", "expected"], columns=list(VERDICTS), fill_value=0)
    counts.loc["total"] = counts.sum()
    return counts.astype(int)


# --- the document's own verdict ------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentVerdict:
    """What the plan report itself says about the review-year targets."""
    document: str
    line: int
    quote: str
    binding_total: int                 # the number of binding indicators the report states
    binding_without_data: int          # of which without data or not enforced
    expected_total: int                # the number of expected indicators the report states
    expected_missed: tuple[str, ...]   # metrics of the expected indicators the report calls not met

    @classmethod
    def from_settings(cls, settings: Mapping, fill=None) -> DocumentVerdict:
        """From the `document_verdict` mapping of the edition's growth.yaml; `fill` fills the
        {review} / {plan} placeholders of the quote (pass `ed.fill`; None keeps them)."""
        try:
            quote = settings["quote"] if fill is None else fill(settings["quote"])
            return cls(settings["document"], int(settings["line"]), quote,
                       int(settings["binding_total"]), int(settings["binding_without_data"]),
                       int(settings["expected_total"]), tuple(settings["expected_missed"]))
        except KeyError as exc:
            raise EditionError(f"growth.yaml: document_verdict needs {exc.args[0]!r}") from None


def compare_with_document(card: pd.DataFrame, verdict: DocumentVerdict) -> pd.DataFrame:
    """The document's verdict per indicator beside the computed one.

    The document says: binding indicators with data were all met; among the expected indicators
    only those in `verdict.expected_missed` were not met, all others were met. Only assessable
    indicators can be compared (document = met or missed; agrees = document == computed).
    """
    unknown = sorted(set(verdict.expected_missed) - set(card["metric"]))
    if unknown:
        raise DataError("indicators", f"the document's missed indicators {unknown} are not in the scorecard", column="metric")
    a = assessed(card).copy()
    a["document"] = ["missed" if m in verdict.expected_missed else "met" for m in a["metric"]]
    a["agrees"] = a["document"] == a["verdict"]
    return a[["code", "metric", "name_zh", "name_en", "binding", "target_cell", "result_cell", "target_qualifier",
              "margin", "margin_unit", "favourable_margin", "document", "verdict", "agrees",
              "target_row_id", "result_row_id"]].reset_index(drop=True)


def reconciling_tolerance(comparison: pd.DataFrame) -> float:
    """The smallest shortfall a target would have to be allowed for the document's "met" to hold
    wherever the face-value rule says missed: max(-favourable_margin) over the indicators the
    document calls met and the computation missed; 0 when there is none."""
    c = comparison[(comparison["document"] == "met") & (comparison["verdict"] == "missed")]
    return float((-c["favourable_margin"]).max()) if len(c) else 0.0


def document_counts(card: pd.DataFrame, verdict: DocumentVerdict) -> pd.DataFrame:
    """The counts the document states beside the same counts computed from the table.

    Counted over top-level indicators (sub-items excluded, as the report's indicators are
    numbered without them): binding_total = binding indicators; binding_without_data = binding
    indicators that are not assessable; expected_total = non-binding indicators.
    binding_met_of_assessed = whether every assessable binding indicator (sub-items included)
    was met (the document: "every other indicator was met"). expected_missed = metrics of the missed expected ones.
    """
    top = card[~card["sub_item"]]
    b = top[top["binding"]]
    computed = {
        "binding_total": len(b),
        "binding_without_data": int((~b["assessable"]).sum()),
        "expected_total": int((~top["binding"]).sum()),
        "binding_met_of_assessed": bool((assessed(card[card["binding"]])["verdict"] == "met").all()),
        "expected_missed": sorted(card.loc[(~card["binding"]) & (card["verdict"] == "missed"), "metric"]),
    }
    stated = {
        "binding_total": verdict.binding_total,
        "binding_without_data": verdict.binding_without_data,
        "expected_total": verdict.expected_total,
        "binding_met_of_assessed": True,
        "expected_missed": sorted(verdict.expected_missed),
    }
    return pd.DataFrame({"item": list(stated), "document": list(stated.values()), "computed": list(computed.values()),
                         "agrees": [stated[k] == computed[k] for k in stated]})


def stated_gaps(card: pd.DataFrame, gaps: pd.DataFrame) -> pd.DataFrame:
    """The gaps to target the report states in prose (target_gaps table) beside margin = result - target.

    agrees when |stated - margin| <= half a unit of the stated gap's last printed digit.
    """
    _require(gaps, ["row_id", "metric", "value", "unit", "qualifier", "document", "line", "quote"], "target_gaps")
    by_metric = card.set_index("metric")
    rows = []
    for g in gaps.to_dict("records"):
        base = g["metric"].removesuffix("_gap_to_target")
        if base not in by_metric.index:
            raise DataError("target_gaps", f"stated gap {g['metric']!r} has no indicator {base!r} in the scorecard", column="metric")
        c = by_metric.loc[base]
        half = last_number(g["quote"]).half_unit
        rows.append({"metric": base, "name_zh": c["name_zh"], "name_en": c["name_en"], "stated_gap": g["value"],
                     "unit": g["unit"], "indicator_unit": c["unit"], "qualifier": g["qualifier"], "line": g["line"],
                     "margin": c["margin"], "agrees": abs(g["value"] - c["margin"]) <= half + 1e-9,
                     "gap_row_id": g["row_id"]})
    return pd.DataFrame(rows)


# --- plan-year targets against review-year results ----------------------------------------------

def _match_previous(metric_plan: str, metrics_review: set[str], renamed: Mapping[str, str]) -> str | None:
    inverse = {v: k for k, v in renamed.items()}
    if len(inverse) != len(renamed):
        raise ParameterError("the renamed-indicator crosswalk maps two review-year indicators to one plan-year "
                             "indicator; each must map to its own")
    if metric_plan in inverse:
        return inverse[metric_plan]
    return metric_plan if metric_plan in metrics_review else None


def target_kind(direction: str, qualifier: str) -> str:
    """`ceiling` for a limit not to be exceeded (lower is better and the target says "at most"),
    `goal` for a level to reach or pass.

    >>> target_kind("lower", "at_most"), target_kind("lower", "about"), target_kind("higher", "at_least")
    ('ceiling', 'goal', 'goal')
    """
    return "ceiling" if direction == "lower" and qualifier == "at_most" else "goal"


def targets_vs_results(indicators: pd.DataFrame, review: int, plan: int,
                       renamed: Mapping[str, str] | None = None, about_tolerance: float = 0.0) -> pd.DataFrame:
    """Each target of the plan-year table beside the review-year target and result of the same indicator.

    Matching: by metric, or through `renamed` (review-year metric -> plan-year metric). For
    numeric cells: change_vs_result = target_next - result_prev (how much faster or slower the
    plan expects things to move than they did); change_vs_target = target_next - target_prev.
    stricter = the plan-year target asks for more than the review-year one (higher for
    direction higher, lower for direction lower). target_kind (see `target_kind`) tells a goal
    from a ceiling. ambition, for a goal: raised (stricter), lowered or unchanged; for a
    ceiling (a limit such as the consumer price index, where a lower ceiling is a tighter limit,
    not a bigger ambition): ceiling_lowered, ceiling_raised or ceiling_unchanged; n/a when a
    cell is not a number.
    """
    renamed = renamed or {}
    card = scorecard(indicators, review, about_tolerance).set_index("metric")
    nxt = indicators[(indicators["table_year"] == plan) & (indicators["basis"] == "plan")]
    if nxt.empty:
        raise DataError("indicators", f"no targets for the plan year {plan}", column="table_year")
    rows = []
    for _, t in nxt.iterrows():
        prev = _match_previous(t["metric"], set(card.index), renamed)
        c = card.loc[prev] if prev is not None else None
        if c is not None and c["unit"] != t["unit"]:
            raise DataError("indicators", f"{t['metric']} is in {t['unit']!r} in {plan} but {prev} in {c['unit']!r} in {review}", column="unit")
        target_next = t["value"] if t["status"] == "number" else math.nan
        target_next = math.nan if _missing(target_next) else float(target_next)
        target_prev = c["target"] if c is not None else math.nan
        result_prev = c["result"] if c is not None else math.nan
        change_t = round(target_next - target_prev, 6)
        sign = 1 if t["direction"] == "higher" else -1
        kind = target_kind(t["direction"], t["qualifier"])
        if math.isnan(change_t):
            stricter, ambition = None, "n/a"
        else:
            stricter = sign * change_t > 0
            looser = sign * change_t < 0
            step = "raised" if stricter else "lowered" if looser else "unchanged"
            if kind == "ceiling":
                ambition = {"raised": "ceiling_lowered", "lowered": "ceiling_raised", "unchanged": "ceiling_unchanged"}[step]
            else:
                ambition = step
        rows.append({
            "code": t["code"], "sub_item": bool(t["sub_item"]), "metric": t["metric"], "metric_prev": prev,
            "renamed": prev is not None and prev in renamed and (renamed[prev] != prev or c["name_zh"] != t["name_zh"]),
            "name_zh": t["name_zh"], "name_en": t["name_en"],
            "name_zh_prev": None if c is None else c["name_zh"],
            "name_en_prev": None if c is None else c["name_en"], "binding": bool(t["binding"]),
            "direction": t["direction"], "unit": t["unit"], "target_kind": kind,
            "target_prev_cell": None if c is None else c["target_cell"],
            "result_prev_cell": None if c is None else c["result_cell"], "target_next_cell": t["cell"],
            "target_prev": target_prev, "result_prev": result_prev, "target_next": target_next,
            "change_vs_result": round(target_next - result_prev, 6), "change_vs_target": change_t,
            "stricter": stricter, "ambition": ambition, "target_next_row_id": t["row_id"],
            "target_prev_row_id": None if c is None else c["target_row_id"],
            "result_prev_row_id": None if c is None else c["result_row_id"],
        })
    return pd.DataFrame(rows)


def dropped_indicators(indicators: pd.DataFrame, review: int, plan: int,
                       renamed: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Indicators of the review-year table that no plan-year indicator continues."""
    card = scorecard(indicators, review)
    nxt = indicators[(indicators["table_year"] == plan) & (indicators["basis"] == "plan")]
    continued = {_match_previous(m, set(card["metric"]), renamed or {}) for m in nxt["metric"]}
    return card[~card["metric"].isin(continued)].reset_index(drop=True)


def growth_rate_targets(comparison: pd.DataFrame) -> pd.DataFrame:
    """The rows of `targets_vs_results` that are growth rates in % with numbers in all three cells."""
    c = comparison
    keep = (c["unit"] == "%") & c["metric"].str.endswith("_growth") & c[["target_prev", "result_prev", "target_next"]].notna().all(axis=1)
    return c[keep].reset_index(drop=True)


def ambition_counts(comparison: pd.DataFrame) -> dict[str, int]:
    """How many comparable targets (ambition not n/a) fall in each ambition class, goals and
    ceilings apart: {'raised': …, 'unchanged': …, 'lowered': …, 'ceiling_lowered': …, …}."""
    classes = ["raised", "unchanged", "lowered", "ceiling_lowered", "ceiling_unchanged", "ceiling_raised"]
    counts = comparison["ambition"].value_counts()
    return {k: int(counts.get(k, 0)) for k in classes}


# --- growth by sector ------------------------------------------------------------------------------

def sector_name(name: str, suffixes=(), prefixes=()) -> str:
    """A sector's name without its measure: the first of `suffixes` the name ends with is cut, then
    the first of `prefixes` it starts with (and the rest starts with a capital). The affixes of each
    language are edition data (growth.yaml, `sector_names`).

    >>> sector_name("Value added of industry above designated size, growth", [", growth", " growth"], ["Value added of "])
    'Industry above designated size'
    >>> sector_name("Automobile industry value added growth", [" value added growth", " growth"])
    'Automobile industry'
    """
    for suffix in suffixes:
        if name.endswith(suffix):
            name = name.removesuffix(suffix)
            break
    for prefix in prefixes:
        if name.startswith(prefix):
            name = name.removeprefix(prefix)
            return name[:1].upper() + name[1:]
    return name


def sector_growth(economy: pd.DataFrame, year: int, reference: str, names: Mapping) -> pd.DataFrame:
    """Value-added growth of the sectors the reports name, ranked, against industry as a whole.

    Rows: kind sector, measure growth, basis actual, period `year`, whose Chinese name contains
    `names["value_added"]` (the edition's word for value added: output, revenue, investment and
    volume growth are left out). A metric stated in both reports is kept once (first in file order;
    the cross-document checks make them agree). sector_<lang> = the name without its measure
    (`sector_name` with `names["suffixes"][lang]` and `names["prefixes"][lang]`).
    vs_reference = value - value of `reference` (the edition's `sector_reference`).
    rank = 1 for the fastest (ties share the rank). The reference row is kept, flagged is_reference.
    """
    _require(economy, ["row_id", "metric", "period", "basis", "kind", "sector_group", "measure", "name_zh", "name_en",
                       "value", "unit", "qualifier", "document", "line", "quote"], "economy")
    try:
        marker, suffixes, prefixes = names["value_added"], names.get("suffixes", {}), names.get("prefixes", {})
    except (KeyError, TypeError):
        raise EditionError("growth.yaml: sector_names needs value_added (and suffixes, prefixes per language)") from None
    rows = economy[(economy["kind"] == "sector") & (economy["measure"] == "growth") & (economy["basis"] == "actual")
                   & (economy["period"] == year) & economy["name_zh"].str.contains(marker, regex=False)]
    rows = rows.drop_duplicates("metric", keep="first").copy()
    if reference not in set(rows["metric"]):
        raise DataError("economy", f"no {year} value-added growth for the reference {reference!r}", column="metric")
    ref = float(rows.loc[rows["metric"] == reference, "value"].iloc[0])
    for lang in data_langs():
        rows[f"sector_{lang}"] = [sector_name(n, suffixes.get(lang) or (), prefixes.get(lang) or ()) for n in rows[f"name_{lang}"]]
    rows["is_reference"] = rows["metric"] == reference
    rows["vs_reference"] = (rows["value"] - ref).round(6)
    rows = rows.sort_values("value", ascending=False, kind="stable")
    rows["rank"] = rows["value"].rank(ascending=False, method="min").astype(int)
    return rows[["rank", "metric", *(f"sector_{lang}" for lang in data_langs()), "sector_group", "value", "unit", "qualifier",
                 "vs_reference", "is_reference", "name_zh", "name_en", "row_id", "document", "line", "quote"]].reset_index(drop=True)


def fastest(sectors: pd.DataFrame, group: str = "pillar_industry") -> dict:
    """The row (as a dict) of the fastest-growing sector of `group` in a `sector_growth` frame."""
    g = sectors[sectors["sector_group"] == group]
    if g.empty:
        groups = sorted(sectors["sector_group"].dropna().unique().tolist())
        raise ParameterError(f"no sector of group {group!r}; groups present: {', '.join(groups)}")
    return g.sort_values("value", ascending=False, kind="stable").iloc[0].to_dict()


def slowest(sectors: pd.DataFrame, group: str = "pillar_industry") -> dict:
    """The row (as a dict) of the slowest-growing sector of `group` (the last one on ties)."""
    fastest(sectors, group)   # the same check of the group
    g = sectors[sectors["sector_group"] == group]
    return g.sort_values("value", ascending=False, kind="stable").iloc[-1].to_dict()


# --- levels ----------------------------------------------------------------------------------------

def implied_previous_level(level: float, growth: float, growth_half_unit: float = 0.0) -> tuple[float, float, float]:
    """Previous-year level implied by this year's level and its nominal growth rate g (%).

    previous = level / (1 + g/100); the interval uses g +/- growth_half_unit (the rounding of
    the printed rate): low = level / (1 + (g + h)/100), high = level / (1 + (g - h)/100).

    >>> [round(x, 1) for x in implied_previous_level(110.0, 10.0)]
    [100.0, 100.0, 100.0]
    """
    if growth <= -100:
        raise ParameterError(f"growth {growth}% would leave no previous level; it must be above -100")
    return (level / (1 + growth / 100), level / (1 + (growth + growth_half_unit) / 100),
            level / (1 + (growth - growth_half_unit) / 100))


def levels(economy: pd.DataFrame, year: int, basis: Mapping[str, str]) -> pd.DataFrame:
    """The levels of `basis`'s metrics in `year`, each with its growth rate and, for a nominal
    rate only, the implied previous-year level (see `implied_previous_level`; h = half a unit of
    the printed rate). A real rate (GDP) gets none: level / (1 + real growth) is not the previous
    year's nominal level, the difference being the price change (deflator) the document omits.
    `basis` maps a metric to `real` or `nominal` (the edition's growth.yaml, growth_basis).
    """
    _require(economy, ["row_id", "metric", "period", "basis", "value", "unit", "name_zh", "name_en", "quote"], "economy")
    actual = economy[(economy["period"] == year) & (economy["basis"] == "actual")]
    rows = []
    for metric, kind in basis.items():
        if kind not in GROWTH_BASES:
            raise ParameterError(f"growth basis {kind!r} for {metric}; allowed: 'real', 'nominal'")
        lv = actual[actual["metric"] == metric]
        gr = actual[actual["metric"] == f"{metric}_growth"]
        if lv.empty or gr.empty:
            raise DataError("economy", f"{year}: need both {metric} and {metric}_growth", column="metric")
        lv, gr = lv.iloc[0], gr.iloc[0]
        prev = (math.nan,) * 3
        if kind == "nominal":
            prev = implied_previous_level(lv["value"], gr["value"], last_number(gr["quote"]).half_unit)
        rows.append({"metric": metric, "name_zh": lv["name_zh"], "name_en": lv["name_en"], "level": lv["value"],
                     "unit": lv["unit"], "growth": gr["value"], "growth_basis": kind, "previous": prev[0],
                     "previous_low": prev[1], "previous_high": prev[2],
                     "level_row_id": lv["row_id"], "growth_row_id": gr["row_id"]})
    return pd.DataFrame(rows)


def income_ratio(levels_frame: pd.DataFrame, urban: str = "urban_disposable_income",
                 rural: str = "rural_disposable_income") -> dict:
    """Urban / rural per-capita disposable income: this year = urban / rural; previous year =
    implied previous urban / implied previous rural (nominal rates, see `levels`);
    change = this year - previous year (negative = the gap narrowed)."""
    idx = levels_frame.set_index("metric")
    for m in (urban, rural):
        if m not in idx.index:
            raise DataError("economy", f"no level for {m!r}", column="metric")
    now = idx.loc[urban, "level"] / idx.loc[rural, "level"]
    prev = idx.loc[urban, "previous"] / idx.loc[rural, "previous"]
    return {"ratio": float(now), "previous": float(prev), "change": float(now - prev)}


# --- checks ----------------------------------------------------------------------------------------

def require_checks(checks) -> pd.DataFrame:
    """Counts of the data checks by kind and status, after the shared gate (`checks.engine.require`:
    DataError naming every failed check)."""
    from ..checks.engine import require

    ours = require(checks, "the data")
    frame = pd.DataFrame([{"id": c.id, "kind": c.kind, "status": c.status} for c in ours])
    return frame.groupby(["kind", "status"], sort=False).size().reset_index(name="n")
