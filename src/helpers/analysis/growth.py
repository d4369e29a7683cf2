"""Growth against targets: the 2021 scorecard, the 2022 targets beside the 2021 results, growth
by sector, and the levels behind the headline growth rates.

Every function is pure: it takes the curated tables (`helpers.load("indicators")`,
`helpers.load("economy")`, ...) and returns a DataFrame, a dict or a number. Formulas are stated
in each docstring. Rules of judgement that are not in the data are explicit constants here:

- a target is met when the result is on the target's side (face value, qualifiers ignored);
- `RENAMED_INDICATORS`: the 2021 indicators the 2022 table renamed;
- `DOCUMENT_VERDICT`: the plan report's own verdict on the 2021 targets (line 351);
- `GROWTH_BASIS`: which headline growth rates are nominal and which are real.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..data.parsing import last_number, parse_cell
from ..errors import DataError, ParameterError

DIRECTIONS = ("higher", "lower")
VERDICTS = ("met", "missed", "not_assessable")

# 2021 indicator (metric) -> the 2022 indicator that continues it under another name.
# Indicators whose metric is the same in both tables need no entry; they match by metric.
RENAMED_INDICATORS: dict[str, str] = {
    # 数字经济增加值增速 (2021 no. 6) -> 数字经济核心产业增加值增速 (2022 no. 6): the 2022 indicator
    # covers only the core industries of the digital economy, a narrower scope.
    "digital_economy_growth": "digital_economy_core_growth",
    # 新登记市场主体增速 (2021 no. 11) -> 新发展市场主体增速 (2022 no. 11): newly "registered"
    # becomes newly "developed" market entities.
    "new_registered_market_entities_growth": "new_market_entities_growth",
    # #民营经济占比 (2021 sub-item of no. 18) -> 民营经济增加值占地区生产总值的比重 (2022 no. 18): the
    # sub-item is promoted to a full indicator and replaces 非公经济增加值占地区生产总值比重, which
    # is no longer compiled (2021 legend ○). Same metric; listed to document the new name.
    "private_economy_share": "private_economy_share",
}


@dataclass(frozen=True)
class DocumentVerdict:
    """What the plan report itself says about the 2021 targets."""
    document: str
    line: int
    quote: str
    binding_total: int           # 7项约束性指标
    binding_without_data: int    # 4 of them: 暂不执行, 统筹考虑, 暂未下达目标值, 暂无统计数据
    expected_total: int          # 29项预期性指标
    expected_missed: tuple[str, ...]   # metrics of the expected indicators the report calls not met


# Plan report, line 351 (repeated almost word for word in appendix 1, line 489). The report names
# the missed indicator 民营经济增加值占地区生产总值的比重; appendix 1 lists it as the sub-item
# #民营经济占比 (metric private_economy_share). "其余指标全部完成" = all other binding indicators met.
DOCUMENT_VERDICT = DocumentVerdict(
    document="plan_report",
    line=351,
    quote=("7项约束性指标中，1项指标暂不执行，1项指标在“十四五”规划期间统筹考虑，1项指标国家暂未下达2021年目标值，"
           "1项指标暂无统计数据，其余指标全部完成。29项预期性指标除民营经济增加值占地区生产总值的比重外都能够完成。"),
    binding_total=7,
    binding_without_data=4,
    expected_total=29,
    expected_missed=("private_economy_share",),
)

# Whether a headline growth rate is nominal (current prices) or real (comparable prices). Only a
# nominal rate turns a level into the previous year's level: level / (1 + g/100).
GROWTH_BASIS: dict[str, str] = {
    # 地区生产总值增长: China's GDP growth is measured at comparable prices (按可比价格计算), i.e. real.
    "gdp": "real",
    # 社会消费品零售总额: a sales value at current prices; its growth is nominal.
    "retail_sales": "nominal",
    # 人均可支配收入 (all, urban, rural): headline income growth is nominal unless called 实际增长.
    "disposable_income": "nominal",
    "urban_disposable_income": "nominal",
    "rural_disposable_income": "nominal",
}

UNIT_EN = {
    "%": "%", "百分点": "pp", "index": "index points", "ratio": "ratio", "亿元": "100m yuan",
    "元": "yuan", "万元/人年": "10k yuan per person-year", "件": "patents", "家": "firms",
    "万人": "10k persons", "亿美元": "100m USD", "天": "days", "亿公斤": "100m kg", "人": "persons",
    "万吨": "10k tonnes",
}
UNIT_ZH = {"index": "指数点", "ratio": "比值"}


def unit_label(unit: str, lang: str = "zh") -> str:
    """A unit as a reader sees it: `百分点` / `pp`, `index` / `指数点`, `家` / `firms` ..."""
    if lang == "en":
        return UNIT_EN.get(unit, unit)
    return UNIT_ZH.get(unit, unit)


def margin_unit(unit: str) -> str:
    """The unit of a difference of two values in `unit`: percentage points for % and index."""
    return "百分点" if unit in ("%", "index") else unit


def _require(frame: pd.DataFrame, columns: list[str], table: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(table, f"missing columns {missing}; expected the curated {table} table (helpers.load({table!r}))")


def target_met(target: float, result: float, direction: str) -> bool:
    """Face-value rule: met when result >= target (direction higher) or result <= target (lower).

    Qualifiers (左右, 以上, 以内) are ignored: a target of "19.5左右" is 19.5.

    >>> target_met(19.5, 19.1, "higher"), target_met(5.5, 5.5, "lower")
    (False, True)
    """
    if direction not in DIRECTIONS:
        raise DataError("indicators", f"direction {direction!r} is not allowed; expected one of {DIRECTIONS}",
                        column="direction")
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (target, result)):
        raise DataError("indicators", f"target {target!r} and result {result!r} must both be numbers to be compared")
    return result >= target if direction == "higher" else result <= target


def years(indicators: pd.DataFrame) -> tuple[int, int]:
    """(review year, plan year): the year of the table holding results, and the latest table's year."""
    _require(indicators, ["table_year", "basis", "period"], "indicators")
    with_results = indicators.loc[indicators["basis"] == "actual", "table_year"]
    if with_results.empty:
        raise DataError("indicators", "no row has basis 'actual'; cannot tell which table holds results")
    return int(with_results.max()), int(indicators["table_year"].max())


def _reason(row: pd.Series | None, lang: str) -> str:
    if row is None:
        return "无此单元格" if lang == "zh" else "no cell"
    if row["status"] == "blank":
        return "空白" if lang == "zh" else "empty cell"
    meaning = row["meaning_zh"] if lang == "zh" else row["meaning_en"]
    if row["status"] == "text":
        return f"为文字“{row['cell']}”" if lang == "zh" else f"is text, {row['cell']} ({meaning})"
    return f"{row['cell']}：{meaning}" if lang == "zh" else f"{row['cell']}: {meaning}"


def scorecard(indicators: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """One row per indicator of the table of `year` (default: the table holding results).

    Target = the row with basis plan, result = the row with basis actual, matched by metric.
    An indicator is assessable when both cells are numbers (status number). Then
    margin = result - target (in percentage points for % and index, else in the indicator's
    unit); favourable_margin = margin for direction higher, -margin for lower; verdict = met
    when favourable_margin >= 0 (the face-value rule of `target_met`), else missed. Otherwise
    verdict = not_assessable and reason_zh / reason_en give the table's own legend meaning of
    each non-numeric cell.
    """
    cols = ["row_id", "metric", "table_year", "basis", "code", "sub_item", "name_zh", "name_en", "binding",
            "direction", "cell", "status", "meaning_zh", "meaning_en", "value", "unit", "qualifier"]
    _require(indicators, cols, "indicators")
    if year is None:
        year = years(indicators)[0]
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
            "direction": t["direction"], "unit": t["unit"],
            "target_cell": t["cell"], "result_cell": None if r is None else r["cell"],
            "target": t["value"] if t["status"] == "number" else math.nan,
            "result": r["value"] if r is not None and r["status"] == "number" else math.nan,
            "target_qualifier": t["qualifier"], "result_qualifier": None if r is None else r["qualifier"],
            "assessable": assessable, "margin": math.nan, "margin_unit": margin_unit(t["unit"]),
            "favourable_margin": math.nan, "verdict": "not_assessable", "reason_zh": "", "reason_en": "",
            "target_row_id": t["row_id"], "result_row_id": None if r is None else r["row_id"],
        }
        if assessable:
            met = target_met(t["value"], r["value"], t["direction"])
            margin = round(r["value"] - t["value"], 6)
            favourable = margin if t["direction"] == "higher" else 0.0 - margin
            rec.update(margin=margin, favourable_margin=favourable + 0.0,
                       verdict="met" if met else "missed")
        else:
            parts = [(lab, row) for lab, row in (("target", t), ("result", r)) if row is None or row["status"] != "number"]
            rec["reason_zh"] = "；".join(f"{'目标' if lab == 'target' else '结果'} {_reason(row, 'zh')}" for lab, row in parts)
            rec["reason_en"] = "; ".join(f"{lab} {_reason(row, 'en')}" for lab, row in parts)
        rows.append(rec)
    card = pd.DataFrame(rows)
    card["favourable_margin"] = card["favourable_margin"].astype("float64")
    return card


def assessed(card: pd.DataFrame) -> pd.DataFrame:
    """The indicators with a numeric target and a numeric result."""
    return card[card["assessable"]]


def missed_targets(card: pd.DataFrame) -> list[str]:
    """name_zh of the assessable indicators whose result is on the wrong side of the target, in table order."""
    return card.loc[card["verdict"] == "missed", "name_zh"].tolist()


def verdict_counts(card: pd.DataFrame) -> pd.DataFrame:
    """Counts of met / missed / not_assessable, for binding and expected indicators (rows) and in total."""
    kind = card["binding"].map({True: "binding", False: "expected"})
    counts = pd.crosstab(kind, card["verdict"]).reindex(index=["binding", "expected"], columns=list(VERDICTS), fill_value=0)
    counts.loc["total"] = counts.sum()
    return counts.astype(int)


def compare_with_document(card: pd.DataFrame, verdict: DocumentVerdict = DOCUMENT_VERDICT) -> pd.DataFrame:
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
    return a[["code", "metric", "name_zh", "name_en", "binding", "target_cell", "result_cell",
              "margin", "margin_unit", "document", "verdict", "agrees"]].reset_index(drop=True)


def document_counts(card: pd.DataFrame, verdict: DocumentVerdict = DOCUMENT_VERDICT) -> pd.DataFrame:
    """The counts the document states beside the same counts computed from the table.

    Counted over top-level indicators (sub-items excluded, as the report's 36 are numbered 1-36):
    binding_total = binding indicators; binding_without_data = binding indicators that are not
    assessable; expected_total = non-binding indicators. binding_met_of_assessed = whether every
    assessable binding indicator (sub-items included) was met (the document: 其余指标全部完成).
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
    _require(gaps, ["metric", "value", "unit", "qualifier", "document", "line", "quote"], "target_gaps")
    by_metric = card.set_index("metric")
    rows = []
    for g in gaps.to_dict("records"):
        base = g["metric"].removesuffix("_gap_to_target")
        if base not in by_metric.index:
            raise DataError("target_gaps", f"stated gap {g['metric']!r} has no indicator {base!r} in the scorecard", column="metric")
        c = by_metric.loc[base]
        half = last_number(g["quote"]).half_unit
        rows.append({"metric": base, "name_zh": c["name_zh"], "name_en": c["name_en"], "stated_gap": g["value"],
                     "unit": g["unit"], "qualifier": g["qualifier"], "line": g["line"], "margin": c["margin"],
                     "agrees": abs(g["value"] - c["margin"]) <= half + 1e-9})
    return pd.DataFrame(rows)


def _match_2021(metric_2022: str, metrics_2021: set[str], renamed: dict[str, str]) -> str | None:
    inverse = {v: k for k, v in renamed.items()}
    if len(inverse) != len(renamed):
        raise ParameterError("renamed maps two 2021 indicators to one 2022 indicator; each must map to its own")
    if metric_2022 in inverse:
        return inverse[metric_2022]
    return metric_2022 if metric_2022 in metrics_2021 else None


def targets_vs_results(indicators: pd.DataFrame, renamed: dict[str, str] = RENAMED_INDICATORS) -> pd.DataFrame:
    """Each target of the plan-year table beside the review-year target and result of the same indicator.

    Matching: by metric, or through `renamed` (2021 metric -> 2022 metric). For numeric cells:
    change_vs_result = target_2022 - result_2021 (how much faster or slower the plan expects
    things to move than they did); change_vs_target = target_2022 - target_2021; ambition =
    raised when the 2022 target asks for more than the 2021 target (higher for direction
    higher, lower for direction lower), lowered when less, unchanged when equal.
    The columns keep the generic names target_prev, result_prev, target_next.
    """
    review, plan = years(indicators)
    card = scorecard(indicators, review).set_index("metric")
    nxt = indicators[(indicators["table_year"] == plan) & (indicators["basis"] == "plan")]
    rows = []
    for _, t in nxt.iterrows():
        prev = _match_2021(t["metric"], set(card.index), renamed)
        c = card.loc[prev] if prev is not None else None
        if c is not None and c["unit"] != t["unit"]:
            raise DataError("indicators", f"{t['metric']} is in {t['unit']!r} in {plan} but {prev} in {c['unit']!r} in {review}", column="unit")
        target_next = t["value"] if t["status"] == "number" else math.nan
        target_prev = c["target"] if c is not None else math.nan
        result_prev = c["result"] if c is not None else math.nan
        change_t = round(target_next - target_prev, 6)
        sign = 1 if t["direction"] == "higher" else -1
        if math.isnan(change_t):
            ambition = "n/a"
        else:
            ambition = "raised" if sign * change_t > 0 else "lowered" if sign * change_t < 0 else "unchanged"
        rows.append({
            "code": t["code"], "sub_item": bool(t["sub_item"]), "metric": t["metric"], "metric_prev": prev,
            "renamed": prev is not None and prev in renamed and (renamed[prev] != prev or c["name_zh"] != t["name_zh"]),
            "name_zh": t["name_zh"], "name_en": t["name_en"],
            "name_zh_prev": None if c is None else c["name_zh"],
            "name_en_prev": None if c is None else c["name_en"], "binding": bool(t["binding"]),
            "direction": t["direction"], "unit": t["unit"],
            "target_prev_cell": None if c is None else c["target_cell"],
            "result_prev_cell": None if c is None else c["result_cell"], "target_next_cell": t["cell"],
            "target_prev": target_prev, "result_prev": result_prev, "target_next": target_next,
            "change_vs_result": round(target_next - result_prev, 6), "change_vs_target": change_t,
            "ambition": ambition, "target_next_row_id": t["row_id"],
        })
    return pd.DataFrame(rows)


def dropped_indicators(indicators: pd.DataFrame, renamed: dict[str, str] = RENAMED_INDICATORS) -> pd.DataFrame:
    """Indicators of the review-year table that no plan-year indicator continues."""
    review, plan = years(indicators)
    card = scorecard(indicators, review)
    nxt = indicators[(indicators["table_year"] == plan) & (indicators["basis"] == "plan")]
    continued = {_match_2021(m, set(card["metric"]), renamed) for m in nxt["metric"]}
    return card[~card["metric"].isin(continued)].reset_index(drop=True)


def growth_rate_targets(comparison: pd.DataFrame) -> pd.DataFrame:
    """The rows of `targets_vs_results` that are growth rates in % with numbers in all three cells."""
    c = comparison
    keep = (c["unit"] == "%") & c["metric"].str.endswith("_growth") & c[["target_prev", "result_prev", "target_next"]].notna().all(axis=1)
    return c[keep].reset_index(drop=True)


def _sector_name(name: str, lang: str) -> str:
    if lang == "zh":
        for suffix in ("增加值增长", "增长"):
            if name.endswith(suffix):
                return name.removesuffix(suffix)
        return name
    for suffix in (" value added growth", ", growth", " growth"):
        if name.endswith(suffix):
            name = name.removesuffix(suffix)
            break
    if name.startswith("Value added of "):
        name = name.removeprefix("Value added of ")
        name = name[0].upper() + name[1:]
    return name


def sector_growth(economy: pd.DataFrame, year: int, reference: str = "industrial_value_added_growth") -> pd.DataFrame:
    """Value-added growth of the sectors the reports name, ranked, against industry as a whole.

    Rows: topic sector, measure growth, basis actual, period `year`, whose name says 增加值 (value
    added; output, revenue, investment and volume growth are left out). A metric stated in both
    reports is kept once (first in file order; the cross-document checks make them agree).
    vs_reference = value - value of `reference` (industrial_value_added_growth: 规上工业增加值).
    rank = 1 for the fastest (ties share the rank). The reference row is kept, flagged is_reference.
    """
    _require(economy, ["metric", "period", "basis", "topic", "sector_group", "measure", "name_zh", "name_en",
                       "value", "unit", "qualifier", "document", "line", "quote"], "economy")
    rows = economy[(economy["topic"] == "sector") & (economy["measure"] == "growth") & (economy["basis"] == "actual")
                   & (economy["period"] == year) & economy["name_zh"].str.contains("增加值")]
    rows = rows.drop_duplicates("metric", keep="first").copy()
    if reference not in set(rows["metric"]):
        raise DataError("economy", f"no {year} value-added growth for the reference {reference!r}", column="metric")
    ref = float(rows.loc[rows["metric"] == reference, "value"].iloc[0])
    rows["sector_zh"] = [_sector_name(n, "zh") for n in rows["name_zh"]]
    rows["sector_en"] = [_sector_name(n, "en") for n in rows["name_en"]]
    rows["is_reference"] = rows["metric"] == reference
    rows["vs_reference"] = (rows["value"] - ref).round(6)
    rows = rows.sort_values("value", ascending=False, kind="stable")
    rows["rank"] = rows["value"].rank(ascending=False, method="min").astype(int)
    return rows[["rank", "metric", "sector_zh", "sector_en", "sector_group", "value", "unit", "qualifier",
                 "vs_reference", "is_reference", "name_zh", "document", "line", "quote"]].reset_index(drop=True)


def fastest(sectors: pd.DataFrame, group: str = "pillar_industry") -> dict:
    """The row (as a dict) of the fastest-growing sector of `group` in a `sector_growth` frame."""
    g = sectors[sectors["sector_group"] == group]
    if g.empty:
        groups = sorted(sectors["sector_group"].dropna().unique().tolist())
        raise ParameterError(f"no sector of group {group!r}; groups present: {', '.join(groups)}")
    return g.sort_values("value", ascending=False, kind="stable").iloc[0].to_dict()


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


def levels(economy: pd.DataFrame, year: int, basis: dict[str, str] = GROWTH_BASIS) -> pd.DataFrame:
    """The levels of `basis`'s metrics in `year`, each with its growth rate and, for a nominal
    rate only, the implied previous-year level (see `implied_previous_level`; h = half a unit of
    the printed rate). A real rate (GDP) gets none: level / (1 + real growth) is not the previous
    year's nominal level, the difference being the price change (deflator) the document omits.
    """
    _require(economy, ["metric", "period", "basis", "value", "unit", "name_zh", "name_en", "quote"], "economy")
    actual = economy[(economy["period"] == year) & (economy["basis"] == "actual")]
    rows = []
    for metric, kind in basis.items():
        if kind not in ("real", "nominal"):
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
                     "level_row_id": lv["row_id"] if "row_id" in lv else None,
                     "growth_row_id": gr["row_id"] if "row_id" in gr else None})
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


def format_change(value: float, unit: str | None = None, lang: str = "zh") -> str:
    """A difference as text with its sign and, given the unit of the values, the unit of the
    difference: `+2.3 百分点`, `-0.4 pp`, `+608 firms`, `+7.5` (no unit); `—` when missing.
    Zero is written `0` (never `-0`).

    >>> format_change(-0.4, "%", "en"), format_change(0.0), format_change(608.0, "家")
    ('-0.4 pp', '0', '+608 家')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    value = round(value, 6) + 0.0
    text = "0" if value == 0 else f"{value:+g}"
    return text if unit is None else f"{text} {unit_label(margin_unit(unit), lang)}"


def cell_text(cell: str, unit: str, lang: str = "zh") -> str:
    """A numeric table cell as prose writes it, with a % unit after its number.

    Chinese keeps the cell's own qualifier word (`6以上` -> `6%以上`); English translates it
    (`6以上` -> `6% or more`, `5.5左右` -> `about 5.5%`, `103.2以内` -> `103.2 or less`).
    Cells that are not numbers (symbols, text) are returned unchanged.

    >>> cell_text("5.5左右", "%"), cell_text("6以上", "%", "en"), cell_text("1.80:1以下", "ratio", "en")
    ('5.5%左右', '6% or more', '1.80:1 or less')
    """
    parsed = parse_cell(cell)
    if parsed.status != "number":
        return cell
    number = parsed.number.text + ("%" if unit == "%" else ":1" if unit == "ratio" else "")
    if lang == "zh":
        word = cell[parsed.number.end:].replace(":1", "").replace("：1", "")
        return number + word
    return {"at_least": f"{number} or more", "about": f"about {number}", "at_most": f"{number} or less"}.get(parsed.qualifier, number)


def require_checks(checks) -> pd.DataFrame:
    """Counts of the data checks by kind and status; raise DataError naming every failed check.

    `checks` is the list `helpers.run_checks(data_dir)` returns.
    """
    frame = pd.DataFrame([{"id": c.id, "kind": c.kind, "status": c.status} for c in checks])
    if frame.empty:
        raise DataError("checks", "no checks were run; expected the list helpers.run_checks() returns")
    failed = frame.loc[frame["status"] == "fail", "id"].tolist()
    if failed:
        raise DataError("checks", f"{len(failed)} data checks failed: {', '.join(failed)}; run `python -m helpers check` for details")
    counts = frame.groupby(["kind", "status"], sort=False).size().reset_index(name="n")
    return counts


def margin_html(indicator: dict, target_row: dict, result_row: dict, lang: str = "zh") -> str:
    """`name（目标 X，结果 Y，差额 Z）` / `name (target X, result Y, margin Z)` for one scorecard row,
    X and Y carrying their source as a hover title (`nb.sourced`); target_row and result_row are the
    curated indicator rows the scorecard row names (target_row_id, result_row_id)."""
    from ..report import nb

    name = indicator["name_zh" if lang == "zh" else "name_en"]
    target = nb.sourced(target_row, cell_text(target_row["cell"], indicator["unit"], lang), lang)
    result = nb.sourced(result_row, cell_text(result_row["cell"], indicator["unit"], lang), lang)
    margin = format_change(indicator["margin"], indicator["unit"], lang)
    if lang == "zh":
        return f"{name}（目标 {target}，结果 {result}，差额 {margin}）"
    return f"{name} (target {target}, result {result}, margin {margin})"
