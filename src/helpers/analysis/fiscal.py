"""Fiscal balances: the four budgets' sources and uses, who pays for spending, fiscal and credit
measures, debt, municipal spending by function, and execution against budget.

Every function is pure: it takes the verified curated numbers (`helpers.verified_facts(ed)`, a
`Facts` object whose frame carries each printed number's rounding `half_unit`) and, where the
edition's own knowledge is needed, the edition's `analysis/fiscal.yaml` as a mapping (`spec`). It
returns a number, a dict or a DataFrame. Amounts are in 亿元 as published; ratios are fractions
(0.4726, not 47.26 %). Formulas are stated in each docstring. Metric names follow the curated
tables: `{level}_{budget}_{item}` (for example `city_general_revenue`) and `{level}_debt_{item}`.

What is generic (the same for every edition) is defined here:

- `SOURCE_CATEGORY`, `USE_CATEGORY`: how each line of sources and uses is grouped;
- `MEASURES`: the fiscal and credit-analyst measures, as numerator and denominator terms;
- a computed figure "matches" a printed one when it lies within the printed number's rounding
  plus the rounding the inputs carry (`_within_rounding`).

What is true of one edition (the debt-ratio denominators tried, including the one found post hoc
and its note; judgement thresholds) lives in the edition's `analysis/fiscal.yaml`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..data import vocab
from ..errors import DataError, EditionError, ParameterError

# Lines of a budget's two sides, in the order the reports print them (the same in every edition).
SOURCE_PARTS = ("revenue", "central_transfers", "debt_revenue", "carryover_in", "other_sources",
                "sources_beyond_revenue")
USE_PARTS = ("expenditure", "remittance_to_central", "transfers_to_districts", "debt_onlending",
             "debt_repayment", "transfer_out", "carryover_out", "other_uses", "uses_beyond_expenditure",
             "surplus")
LEVELS = ("city", "municipal")              # the levels that publish budgets
# The levels a page can show: the district level (区县) is derived, city-wide − municipal
# (`district_facts`); the reports print only its debt balance and debt service.
PAGE_LEVELS = (*LEVELS, "district")
BUDGETS = tuple(vocab.vocabulary("budgets"))



# How each line of sources and uses is grouped (for figures and the financing of expenditure).
SOURCE_CATEGORY = {
    "revenue": "own_revenue", "central_transfers": "central_transfers", "debt_revenue": "debt",
    "carryover_in": "other_sources", "other_sources": "other_sources", "sources_beyond_revenue": "beyond_revenue",
}
USE_CATEGORY = {
    "expenditure": "expenditure", "remittance_to_central": "remittance", "transfers_to_districts": "to_districts",
    "debt_onlending": "to_districts", "debt_repayment": "debt_repayment", "transfer_out": "other_uses",
    "carryover_out": "other_uses", "other_uses": "other_uses", "uses_beyond_expenditure": "beyond_expenditure",
    "surplus": "surplus",
}
FINANCING_COMPONENTS = ("own_revenue", "central_transfers", "net_borrowing", "to_districts", "remittance",
                        "other_net", "combined_net")


def _check_level(level: str) -> None:
    if level not in PAGE_LEVELS:
        raise ParameterError(f"level={level!r} is not allowed; allowed values: {', '.join(map(repr, PAGE_LEVELS))}")


def _check_budget(budget: str) -> None:
    if budget not in BUDGETS:
        raise ParameterError(f"budget={budget!r} is not allowed; allowed values: {', '.join(map(repr, BUDGETS))}")


def _row(facts, metric: str, period: int) -> dict:
    """The verified row of `metric` in `period`; DataError naming the metric if it is not stated."""
    if not facts.has(metric, period):
        raise DataError("verified facts", f"no verified figure for {metric!r} in {period}")
    return facts.get(metric, period)


def _value(facts, metric: str, period: int) -> float:
    return float(_row(facts, metric, period)["value"])


def _half(row: dict) -> float:
    """Rounding half-unit of a printed number (0.5 for 2285, 0.05 for 9.1)."""
    half = row.get("half_unit")
    return 0.0 if half is None or half != half else float(half)


def _years(facts) -> tuple[int, int]:
    """(review year, plan year) of the facts' edition."""
    return facts.year("review"), facts.year("plan")


def budget_name(budget: str, lang: str) -> str:
    """The budget's name in `lang`, from the shared vocabulary."""
    _check_budget(budget)
    return vocab.name("budgets", budget, lang)


# --- Years ----------------------------------------------------------------------------------------

def has_budget(facts, level: str, budget: str, period: int) -> bool:
    """True if the report states the revenue of this budget at this level for this period."""
    _check_level(level)
    _check_budget(budget)
    return facts.has(f"{level}_{budget}_revenue", period)


def budgets_at(facts, level: str, period: int) -> list[str]:
    """The budgets the report gives at `level` for `period` (municipal level has three)."""
    return [b for b in BUDGETS if has_budget(facts, level, b, period)]


# --- Sources and uses -----------------------------------------------------------------------------

def sources_and_uses(facts, level: str, budget: str, period: int) -> pd.DataFrame:
    """The lines of one budget's sources and uses, and whether each side adds to its total.

    Sources: own revenue + central transfers + debt revenue + other sources (or, where the report
    gives one combined figure, own revenue + "sources beyond revenue") = total sources. Uses:
    expenditure + remittances + transfers to districts + on-lending + debt repayment + other uses
    (or expenditure + "uses beyond expenditure") + surplus = total uses. The social insurance fund
    states no total sources: its total sources are its revenue.

    Returns one row per line with columns side ("sources"/"uses"), item, category, metric, name_zh,
    name_en, value, share (of the side's total), is_total, and the provenance columns document,
    line, quote. The total row of each side is last; its `gap` column holds stated total − Σ lines.
    """
    _check_level(level)
    _check_budget(budget)
    pre = f"{level}_{budget}_"
    if not facts.has(pre + "revenue", period):
        raise DataError("budget", f"the report gives no {budget} budget at level {level!r} for {period}"
                        + (" (the social insurance fund is reported city-wide only)" if budget == "social_insurance" else ""))
    records = []
    for side, parts, combined, categories, total in (
            ("sources", SOURCE_PARTS, "sources_beyond_revenue", SOURCE_CATEGORY, "total_sources"),
            ("uses", USE_PARTS, "uses_beyond_expenditure", USE_CATEGORY, "total_uses")):
        first = parts[0]
        items = (first, combined) if facts.has(pre + combined, period) else parts
        lines = [(i, _row(facts, pre + i, period)) for i in items if facts.has(pre + i, period)]
        total_metric = pre + total if facts.has(pre + total, period) else pre + "revenue"
        total_row = _row(facts, total_metric, period)
        for item, row in lines:
            records.append(_line(side, item, categories[item], row, total_row["value"], False))
        stated = float(total_row["value"])
        records.append(_line(side, total, "total", total_row, stated, True)
                       | {"gap": stated - sum(float(r["value"]) for _, r in lines)})
    return pd.DataFrame(records)


def _line(side: str, item: str, category: str, row: dict, total: float, is_total: bool) -> dict:
    return {"side": side, "item": item, "category": category, "metric": row["metric"],
            "name_zh": row["name_zh"], "name_en": row["name_en"], "value": float(row["value"]),
            "share": float(row["value"]) / float(total), "is_total": is_total, "gap": float("nan"),
            "document": row["document"], "line": int(row["line"]), "quote": row["quote"]}


def balances(table: pd.DataFrame, tolerance: float = 0.5) -> bool:
    """True if both sides of a `sources_and_uses` table add to their stated totals (within the
    rounding of 亿元 figures) and total sources equal total uses."""
    totals = table[table["is_total"]]
    sides_add = bool((totals["gap"].abs() <= tolerance + 1e-9).all())
    return sides_add and abs(totals["value"].iloc[0] - totals["value"].iloc[-1]) <= tolerance + 1e-9


# --- Who pays for spending ------------------------------------------------------------------------

def financing(facts, level: str, budget: str, period: int) -> pd.DataFrame:
    """How expenditure is paid for: the sources-and-uses identity solved for expenditure.

        expenditure = own revenue + central transfers
                      + net borrowing (debt revenue − debt repayment − on-lending to districts)
                      − transfers to districts − remittance to central government
                      + other, net (transfers in, carry-over, stabilisation fund drawn
                                    − transfers out, carry-over, stabilisation fund replenished)

    "to_districts" holds the transfers to districts only: debt on-lent to districts is inside net
    borrowing. Where the report gives only a combined figure on either side (the draft budget
    does), every line beyond own revenue and expenditure goes into one "combined, net" component
    (sources beyond revenue − uses beyond expenditure, itemised uses included).

    Returns rows: component, value (亿元, signed), share_of_expenditure, terms (the signed curated
    metrics the component adds up: a tuple of (metric, sign)); the last row is "expenditure"
    itself, and the frame's attrs["gap"] is expenditure − Σ components.
    """
    if budget == "social_insurance":
        raise ParameterError("financing() covers the general, fund and state capital budgets; the social "
                             "insurance fund is financed by contributions and subsidies (see social_insurance())")
    table = sources_and_uses(facts, level, budget, period)
    lines = table[~table["is_total"]]
    value = dict(zip(lines["item"], lines["value"], strict=True))
    metric = dict(zip(lines["item"], lines["metric"], strict=True))
    expenditure = value.pop("expenditure")
    revenue = value.pop("revenue")
    combined = "sources_beyond_revenue" in value or "uses_beyond_expenditure" in value
    sign = {i: (1 if i in SOURCE_CATEGORY else -1) for i in value}
    parts: dict[str, tuple[str, ...]] = {"own_revenue": ("revenue",)}
    if combined:
        parts["combined_net"] = tuple(value)
    else:
        parts["central_transfers"] = ("central_transfers",)
        parts["net_borrowing"] = ("debt_revenue", "debt_repayment", "debt_onlending")
        parts["to_districts"] = ("transfers_to_districts",)
        parts["remittance"] = ("remittance_to_central",)
        known = {i for items in parts.values() for i in items}
        parts["other_net"] = tuple(i for i in value if i not in known)
    records = []
    for component, items in parts.items():
        if component == "own_revenue":
            terms, total = ((metric["revenue"], 1),), revenue
        else:
            stated = [i for i in items if i in value]
            terms = tuple((metric[i], sign[i]) for i in stated)
            total = sum(sign[i] * value[i] for i in stated)
        if terms and (total != 0 or component == "own_revenue"):
            records.append({"component": component, "value": total, "terms": terms})
    records.append({"component": "expenditure", "value": expenditure, "terms": ((metric["expenditure"], 1),)})
    out = pd.DataFrame(records, columns=["component", "value", "terms"])
    out.insert(2, "share_of_expenditure", out["value"] / expenditure)
    out.attrs["gap"] = expenditure - float(out["value"].iloc[:-1].sum())
    return out


# --- Measures: fiscal ratios, land dependence, transfers, debt burden ----------------------------

Terms = tuple[tuple[str, int], ...]


def _t(*names: str) -> Terms:
    """Signed metric suffixes: _t("general_expenditure", "-general_revenue"). A suffix written
    "@metric" is a whole metric, the same at every level (`@city_debt_balance`)."""
    return tuple((n[1:], -1) if n.startswith("-") else (n, 1) for n in names)


def _metric(level: str, suffix: str) -> str:
    """The metric a term names at `level`: `{level}_{suffix}`, or the whole metric of an "@" term."""
    return suffix[1:] if suffix.startswith("@") else f"{level}_{suffix}"


@dataclass(frozen=True)
class Measure:
    """A measure at one level: Σ numerator ÷ Σ denominator (a ratio), or Σ numerator (an amount,
    when there is no denominator). A term is a metric suffix and a sign; the metric is
    `{level}_{suffix}`. `numerator` lists alternatives: the first the report states in full is
    used (the review year states total debt service, the draft states principal and interest)."""
    key: str
    numerator: tuple[Terms, ...]
    denominator: Terms = ()
    group: str = "revenue"
    scale: float = 1.0          # value = Σ numerator ÷ (Σ denominator ÷ scale): 12 for months of spending
    unit: str = ""              # "months" for a count of months; "" for a fraction or an amount

    @property
    def kind(self) -> str:
        if self.unit:
            return self.unit
        return "ratio" if self.denominator else "amount"


_GF_REVENUE = _t("general_revenue", "fund_revenue")
MEASURES = (
    Measure("self_sufficiency",
            (_t("general_revenue"),), _t("general_expenditure")),
    Measure("broad_self_sufficiency",
            (_GF_REVENUE,), _t("general_expenditure", "fund_expenditure")),
    Measure("tax_share", (_t("general_tax_revenue"),), _t("general_revenue")),
    Measure("expenditure_gap",
            (_t("general_expenditure", "-general_revenue"),)),
    Measure("broad_gap",
            (_t("general_expenditure", "fund_expenditure", "-general_revenue", "-fund_revenue"),)),
    Measure("central_transfers_to_expenditure",
            (_t("general_central_transfers"),), _t("general_expenditure"), "transfers"),
    Measure("central_transfers_to_resources",
            (_t("general_central_transfers"),), _t("general_revenue", "general_central_transfers"), "transfers"),
    Measure("central_transfers_to_revenue",
            (_t("general_central_transfers"),), _t("general_revenue"), "transfers"),
    Measure("land_dependence",
            (_t("fund_land_sale_revenue"),), _GF_REVENUE, "land"),
    Measure("land_to_general_revenue",
            (_t("fund_land_sale_revenue"),), _t("general_revenue"), "land"),
    Measure("land_sale_share_of_fund_revenue",
            (_t("fund_land_sale_revenue"),), _t("fund_revenue"), "land"),
    # Two debt measures built from the gazette's figures, named for what they divide by (neither is the
    # report's own 债务率, whose denominator, comprehensive fiscal capacity, is not all published).
    Measure("debt_to_revenue_and_transfers",
            (_t("debt_balance"),), _t("general_revenue", "general_central_transfers", "fund_revenue", "fund_central_transfers"), "debt"),
    Measure("debt_to_revenue",
            (_t("debt_balance"),), _GF_REVENUE, "debt"),
    Measure("general_debt_ratio", (_t("debt_general_balance"),),
            _t("general_revenue", "general_central_transfers", "-general_remittance_to_central"), "debt"),
    Measure("special_debt_ratio", (_t("debt_special_balance"),),
            _t("fund_revenue", "fund_central_transfers"), "debt"),
    Measure("interest_to_revenue",
            (_t("debt_service", "-general_debt_repayment", "-fund_debt_repayment"), _t("debt_interest")),
            _GF_REVENUE, "debt"),
    Measure("debt_service_net_of_refinancing_to_revenue",
            (_t("debt_service", "-debt_refinancing_bonds"), _t("debt_repayment", "debt_interest", "-debt_refinancing_bonds")),
            _GF_REVENUE, "debt"),
    # Printed debt service (or, in the draft, principal + interest) against own revenue, at every level
    # where the report prints it (the district level too: its debt service is printed).
    Measure("debt_service_to_revenue",
            (_t("debt_service"), _t("debt_repayment", "debt_interest")), _GF_REVENUE, "debt"),
    # City-wide structure of the debt (the same on every level's page).
    Measure("district_debt_share",
            (_t("@district_debt_balance"),), _t("@city_debt_balance"), "debt_structure"),
    Measure("refinancing_to_principal",
            (_t("@city_debt_refinancing_bonds"),), _t("@city_general_debt_repayment", "@city_fund_debt_repayment"),
            "debt_structure"),
    Measure("social_insurance_reserve_months",
            (_t("social_insurance_accumulated_balance"),), _t("social_insurance_expenditure"), "social_insurance",
            scale=12.0, unit="months"),
)
MEASURE_KEYS = tuple(m.key for m in MEASURES)
# Older name of central_transfers_to_expenditure, kept in the results for existing consumers.
ALIASES = {"central_transfer_dependence": "central_transfers_to_expenditure"}


def measure_spec(key: str) -> Measure:
    key = ALIASES.get(key, key)
    for m in MEASURES:
        if m.key == key:
            return m
    raise ParameterError(f"measure {key!r} is not defined; defined: {', '.join(MEASURE_KEYS)}")


@dataclass(frozen=True)
class Evaluated:
    """A measure at one level and period. `value` is None when a part is missing: `missing` then
    names the metrics the report does not state (for the alternative that lacks the fewest)."""
    key: str
    level: str
    period: int
    value: float | None
    numerator: tuple[tuple[dict, int], ...]
    denominator: tuple[tuple[dict, int], ...]
    numerator_terms: Terms
    missing: tuple[str, ...]

    def numbers(self) -> str:
        """In numbers: 2044 ÷ (2285 + 2358); "—" when a part is missing."""
        if self.value is None:
            return "—"
        numbers = [(_number(r), s) for r, s in self.numerator]
        if not self.denominator:
            return signed_terms(numbers)
        return _ratio(signed_group(numbers), [(_number(r), s) for r, s in self.denominator], measure_spec(self.key).scale)


def _ratio(numerator: str, denominator: list[tuple[str, int]], scale: float) -> str:
    """"a ÷ b", or "a ÷ (b ÷ 12)" for a measure with a scale."""
    if scale == 1:
        return f"{numerator} ÷ {signed_group(denominator)}"
    return f"{numerator} ÷ ({signed_terms(denominator)} ÷ {scale:g})"


def _number(row: dict) -> str:
    return f"{row['value']:g}"


def signed_terms(terms: list[tuple[str, int]]) -> str:
    """"a + b − c" from [(a, 1), (b, 1), (c, -1)] (the terms may be markup: they are joined as they are)."""
    text = " ".join(f"{'+' if s > 0 else '−'} {t}" for t, s in terms)
    return text[2:] if text.startswith("+ ") else text


def signed_group(terms: list[tuple[str, int]]) -> str:
    """signed_terms in brackets when there is more than one term."""
    text = signed_terms(terms)
    return f"({text})" if len(terms) > 1 else text


def _stated(facts, level: str, terms: Terms, period: int) -> tuple[list[tuple[dict, int]], list[str]]:
    rows, missing = [], []
    for suffix, sign in terms:
        metric = _metric(level, suffix)
        if facts.has(metric, period):
            rows.append((facts.get(metric, period), sign))
        else:
            missing.append(metric)
    return rows, missing


def evaluate(facts, level: str, key: str, period: int) -> Evaluated:
    """One measure of `MEASURES` at `level` in `period` (value None where a part is missing)."""
    _check_level(level)
    spec = measure_spec(key)
    options = [(terms, *_stated(facts, level, terms, period)) for terms in spec.numerator]
    complete = [o for o in options if not o[2]]
    terms, num_rows, num_missing = complete[0] if complete else min(options, key=lambda o: len(o[2]))
    den_rows, den_missing = _stated(facts, level, spec.denominator, period)
    missing = tuple(dict.fromkeys(num_missing + den_missing))
    value = None
    if not missing:
        num = sum(s * float(r["value"]) for r, s in num_rows)
        value = num / (sum(s * float(r["value"]) for r, s in den_rows) / spec.scale) if spec.denominator else num
    return Evaluated(spec.key, level, period, value, tuple(num_rows), tuple(den_rows), terms, missing)


def stated_at_some_level(facts, key: str, period: int) -> bool:
    """True if the report gives every part of the measure for `period` at one level at least."""
    return any(evaluate(facts, level, key, period).value is not None for level in LEVELS)


def measure(facts, level: str, key: str, period: int) -> float:
    """The value of one measure; DataError naming the missing figures if the report lacks one."""
    e = evaluate(facts, level, key, period)
    if e.value is None:
        raise DataError("verified facts", f"{key} at level {level!r} in {period}: no verified figure for "
                        + ", ".join(repr(m) for m in e.missing))
    return e.value


def measure_table(facts, level: str, keys, periods) -> pd.DataFrame:
    """The measures `keys` for each period: key, kind, group, period, numbers, value (NaN where a
    part is missing), missing (the metrics not stated), evaluated (the Evaluated)."""
    records = []
    for key in keys:
        spec = measure_spec(key)
        for period in periods:
            e = evaluate(facts, level, key, period)
            records.append({"key": spec.key, "kind": spec.kind, "group": spec.group, "period": period,
                            "numbers": e.numbers(), "value": float("nan") if e.value is None else e.value,
                            "missing": e.missing, "evaluated": e})
    return pd.DataFrame(records)


def ratio(facts, level: str, key: str, period: int) -> float:
    """One ratio of `MEASURES` (a fraction); DataError if the report does not state its inputs."""
    spec = measure_spec(key)
    if spec.kind != "ratio":
        raise ParameterError(f"{key!r} is an amount, not a ratio; ratios: "
                             + ", ".join(m.key for m in MEASURES if m.kind == "ratio"))
    _check_level(level)
    return measure(facts, level, key, period)


def self_sufficiency(facts, level: str, period: int) -> float:
    """Fiscal self-sufficiency = general budget revenue ÷ general budget expenditure."""
    return ratio(facts, level, "self_sufficiency", period)


def tax_share(facts, level: str, period: int) -> float:
    """Tax share = tax revenue ÷ general budget revenue."""
    return ratio(facts, level, "tax_share", period)


def central_transfer_dependence(facts, level: str, period: int) -> float:
    """Central-transfer dependence = central transfers (general budget) ÷ general budget expenditure
    (`central_transfers_to_expenditure`)."""
    return ratio(facts, level, "central_transfers_to_expenditure", period)


def land_sale_share(facts, level: str, period: int) -> float:
    """Land-sale share of fund revenue = land-use right sale revenue ÷ fund budget revenue (how the
    fund budget is made up, not how dependent the government is on land)."""
    return ratio(facts, level, "land_sale_share_of_fund_revenue", period)


def land_dependence(facts, level: str, period: int) -> float:
    """Land dependence = land-use right sale revenue ÷ (general budget revenue + fund budget revenue)."""
    return ratio(facts, level, "land_dependence", period)


def expenditure_gap(facts, level: str, period: int) -> float:
    """Gap = general budget expenditure − general budget revenue (亿元)."""
    _check_level(level)
    return measure(facts, level, "expenditure_gap", period)


def broad_gap(facts, level: str, period: int) -> float:
    """Broad gap = (general + fund expenditure) − (general + fund revenue) (亿元)."""
    _check_level(level)
    return measure(facts, level, "broad_gap", period)


CHANGE_LINES = (("general", "revenue"), ("general", "tax_revenue"), ("general", "expenditure"),
                ("general", "total_sources"), ("fund", "revenue"), ("fund", "land_sale_revenue"),
                ("fund", "expenditure"), ("state_capital", "revenue"), ("state_capital", "expenditure"),
                ("social_insurance", "revenue"), ("social_insurance", "expenditure"))


def year_on_year(facts, level: str, year: int, next_year: int) -> pd.DataFrame:
    """What the draft changes: each line of `CHANGE_LINES` stated in both years at `level`.

        change = draft − outturn (亿元);  change_pct = draft ÷ outturn − 1  (a fraction)

    `stated_growth` is the draft's own growth rate where the report gives one (%, else NaN); it
    may use another base than the outturn (see `growth_bases`). Where the report gives the line's
    completion rate, the like-for-like comparison is with the previous year's budget:

        budget_implied = outturn ÷ (completion rate ÷ 100);  vs_budget_pct = draft ÷ budget_implied − 1

    (NaN where no rate is published). Columns: budget, item, metric, outturn, draft, change,
    change_pct, stated_growth, completion_rate, budget_implied, vs_budget_pct."""
    _check_level(level)
    records = []
    for budget, item in CHANGE_LINES:
        m = f"{level}_{budget}_{item}"
        if not (facts.has(m, year) and facts.has(m, next_year)):
            continue
        a, b = _value(facts, m, year), _value(facts, m, next_year)
        g = _value(facts, m + "_growth", next_year) if facts.has(m + "_growth", next_year) else float("nan")
        rate = _value(facts, m + "_completion_rate", year) if facts.has(m + "_completion_rate", year) else float("nan")
        implied = a / (rate / 100) if rate == rate else float("nan")
        records.append({"budget": budget, "item": item, "metric": m, "outturn": a, "draft": b,
                        "change": b - a, "change_pct": b / a - 1, "stated_growth": g, "completion_rate": rate,
                        "budget_implied": implied, "vs_budget_pct": b / implied - 1 if implied == implied else float("nan")})
    return pd.DataFrame(records)


# --- The district level ---------------------------------------------------------------------------

#: Lines the district level is derived for: city-wide − municipal (全市 = 市级 + 区县).
DISTRICT_LINES = (("general", "revenue"), ("general", "tax_revenue"), ("general", "non_tax_revenue"),
                  ("general", "expenditure"), ("fund", "revenue"), ("fund", "land_sale_revenue"), ("fund", "expenditure"))
DERIVED_TABLE = "derived"      # the `table` of a derived row: it has no line of the gazette, only parts


def district_facts(facts):
    """The facts with the district level (区县) added, the one place where it is derived: for each
    line of `DISTRICT_LINES` in each year both levels state it,

        district value  = city-wide value − municipal value
        district growth = district value ÷ district previous − 1, where
        district previous = city value ÷ (1 + city growth) − municipal value ÷ (1 + municipal growth)

    (the growth only where both printed rates are of the same year). A derived row has `table`
    "derived", `derived` ("difference" or "growth"), `parts` (the printed rows it comes from) and no
    line of its own; its `half_unit` is the rounding its parts carry (for a growth, half the range the
    printed rates' rounding allows). The debt balance and debt service of districts are printed rows."""
    from ..data.facts import Facts

    if "table" in facts.frame and (facts.frame["table"] == DERIVED_TABLE).any():
        return facts                                   # derived already
    # Derived once per Facts (a page asks for them section by section; indexing ~1,100 rows each time
    # cost a 02 page about a second). A Facts is not changed once made, so neither is this.
    derived = facts.__dict__.get("_with_districts")
    if derived is not None:
        return derived
    rows = []
    for budget, item in DISTRICT_LINES:
        suffix = f"{budget}_{item}"
        for period in sorted({int(r["period"]) for r in facts.rows(f"city_{suffix}")}):
            if not facts.has(f"municipal_{suffix}", period):
                continue
            c, m = _row(facts, f"city_{suffix}", period), _row(facts, f"municipal_{suffix}", period)
            rows.append(_derived_row(f"district_{suffix}", period, c, float(c["value"]) - float(m["value"]),
                                     _half(c) + _half(m), "difference", (c, m)))
            grown = f"{suffix}_growth"
            if facts.has(f"city_{grown}", period) and facts.has(f"municipal_{grown}", period):
                cg, mg = _row(facts, f"city_{grown}", period), _row(facts, f"municipal_{grown}", period)
                growth, half = _district_growth(c, cg, m, mg)
                rows.append(_derived_row(f"district_{grown}", period, cg, growth, half, "growth", (c, cg, m, mg)))
    frame = pd.concat([facts.frame, pd.DataFrame(rows)], ignore_index=True) if rows else facts.frame
    facts._with_districts = Facts(frame, facts.edition)
    return facts._with_districts


def _derived_row(metric: str, period: int, like: dict, value: float, half: float, how: str, parts: tuple) -> dict:
    return {"table": DERIVED_TABLE, "row_id": f"{metric}.{period}", "metric": metric, "period": period,
            "basis": like["basis"], "level": "district", "value": value, "unit": like["unit"],
            "qualifier": like.get("qualifier"), "document": None, "line": None, "quote": None,
            "half_unit": half, "derived": how, "parts": parts}


def _previous(value: float, growth: float) -> float:
    return value / (1 + growth / 100)


def _district_growth(c: dict, cg: dict, m: dict, mg: dict) -> tuple[float, float]:
    """(district growth in %, half its range from the printed rates' rounding)."""
    cv, mv, g_c, g_m = float(c["value"]), float(m["value"]), float(cg["value"]), float(mg["value"])
    value, previous = cv - mv, _previous(cv, g_c) - _previous(mv, g_m)
    # the extremes of a difference: city low − municipal high, city high − municipal low
    low = _previous(cv, g_c + _half(cg)) - _previous(mv, g_m - _half(mg))
    high = _previous(cv, g_c - _half(cg)) - _previous(mv, g_m + _half(mg))
    return (value / previous - 1) * 100, (value / low - value / high) * 50


def facts_at(facts, level: str):
    """The facts a page at `level` reads: the district level's are derived (`district_facts`)."""
    _check_level(level)
    return district_facts(facts) if level == "district" else facts


def district_level(facts, year: int, next_year: int) -> dict:
    """The district level (区县), which the reports state only for debt: each line of
    `DISTRICT_LINES` (`district_facts`) in both years, and the debt the report states for districts
    (balance, debt service) against the district level's own revenue:

        district_debt_share = district debt balance ÷ city debt balance
        district_debt_to_own_revenue = district debt balance ÷ (district general + fund revenue)
        district_service_to_own_revenue = district debt service ÷ (district general + fund revenue)

    Returns {"lines": DataFrame(budget, item, period, city, municipal, district), "debt": {…}}; a
    value the report does not give is None."""
    derived = district_facts(facts)
    records = []
    for budget, item in DISTRICT_LINES:
        for period in (year, next_year):
            metric = f"district_{budget}_{item}"
            if derived.has(metric, period):
                c, m = derived.get(metric, period)["parts"]
                records.append({"budget": budget, "item": item, "period": period, "city": float(c["value"]),
                                "municipal": float(m["value"]), "district": float(derived.value(metric, period))})
    lines = pd.DataFrame(records, columns=["budget", "item", "period", "city", "municipal", "district"])

    def v(key):
        return evaluate(derived, "district", key, year).value

    own = evaluate(derived, "district", "debt_to_revenue", year)
    debt = {k: (_value(facts, f"{k}_debt_balance", year) if facts.has(f"{k}_debt_balance", year) else None)
            for k in ("city", "municipal", "district")}
    out = {"own_revenue": sum(float(r["value"]) for r, _ in own.denominator) if own.value is not None else None,
           "debt_balance": debt["district"],
           "debt_service": _value(facts, "district_debt_service", year) if facts.has("district_debt_service", year) else None,
           "debt_share": v("district_debt_share"),
           "balance_gap": (debt["city"] - debt["municipal"] - debt["district"]) if None not in debt.values() else None,
           "debt_to_own_revenue": own.value, "service_to_own_revenue": v("debt_service_to_revenue")}
    return {"lines": lines, "debt": out}


#: The lines whose growth rate the budget report prints for the review year, at both levels.
HISTORY_LINES = (("general", "revenue"), ("general", "tax_revenue"), ("general", "non_tax_revenue"),
                 ("general", "expenditure"), ("fund", "revenue"), ("fund", "land_sale_revenue"), ("fund", "expenditure"))


def history(facts, level: str, year: int) -> pd.DataFrame:
    """One year of history: each line of `HISTORY_LINES` in `year` with its printed growth rate and
    the previous year's level that rate implies (the report does not print it):

        previous = value ÷ (1 + growth/100)
        range from rounding: value ÷ (1 + (growth ± h)/100), h = half a unit of the printed rate
        change = value − previous

    The implied level is on the growth rate's own basis: where the report computes a rate on a
    comparable base (同口径), it is that base, not the previous year's published outturn.
    For `district`, the rows of `district_facts` (value city-wide − municipal, growth derived from
    the two printed rates, never printed itself).
    Columns: budget, item, value, growth, previous, previous_low, previous_high, change, derived
    (growth computed, not printed), value_row, growth_row (the rows, printed or derived)."""
    if level == "district" and not facts.has("district_general_revenue", year):
        facts = district_facts(facts)
    _check_level(level)
    records = []
    for budget, item in HISTORY_LINES:
        metric = f"{level}_{budget}_{item}"
        if not (facts.has(metric, year) and facts.has(f"{metric}_growth", year)):
            continue
        v, g = _row(facts, metric, year), _row(facts, f"{metric}_growth", year)
        value, growth, h = float(v["value"]), float(g["value"]), _half(g)
        previous = value / (1 + growth / 100)
        records.append({"budget": budget, "item": item, "value": value, "growth": growth, "previous": previous,
                        "previous_low": value / (1 + (growth + h) / 100), "previous_high": value / (1 + (growth - h) / 100),
                        "change": value - previous, "derived": g.get("table") == DERIVED_TABLE, "value_row": v, "growth_row": g})
    return pd.DataFrame(records, columns=["budget", "item", "value", "growth", "previous", "previous_low", "previous_high",
                                          "change", "derived", "value_row", "growth_row"])


def refinancing_shock(facts, year: int, level: str = "city", drops=(0.1, 0.2, 0.3)) -> pd.DataFrame:
    """What a lower refinancing coverage would leave to be paid from revenue in `year`, all else
    equal (a what-if on the report's own figures, not a forecast): coverage falls by each drop
    (in points of principal) from today's refinancing bonds ÷ principal (`debt_service`):

        coverage' = coverage − drop
        paid from revenue = interest + principal × (1 − coverage')
        paid from revenue ÷ (general + fund revenue)

    One row per drop (0 first: the figures as reported); empty where the report states no
    refinancing bonds for the level."""
    s = debt_service(facts, year, level)
    if s["refinancing"] is None:
        return pd.DataFrame(columns=["drop", "coverage", "paid_from_revenue", "to_revenue"])
    rows = []
    for drop in (0.0, *drops):
        coverage = max(s["refinancing_to_principal"] - drop, 0.0)
        paid = s["interest"] + s["principal"] * (1 - coverage)
        rows.append({"drop": drop, "coverage": coverage, "paid_from_revenue": paid, "to_revenue": paid / s["own_revenue"]})
    return pd.DataFrame(rows)


SHOCK_MEASURES = ("fund_revenue", "land_dependence", "special_debt_ratio", "debt_to_revenue")


def land_sale_shock(facts, level: str, next_year: int, year: int, falls=(0.1, 0.2, 0.3)) -> pd.DataFrame:
    """What land sales lower than the plan year's budget would do at `level`, all else equal (a
    what-if on the report's own figures, not a forecast). With land, fund and general revenue the
    plan year's budget, and the debt the review year's year-end balances (the draft prints none):

        land' = land × (1 − fall);  fund revenue' = fund revenue − land × fall
        land_dependence' = land' ÷ (general revenue + fund revenue')
        special_debt_ratio' = special debt ÷ (fund revenue' + fund central transfers of the review
                              year, the latest printed)
        debt_to_revenue' = debt balance ÷ (general revenue + fund revenue')

    One row per fall (0 first: the budget as printed), columns fall and `SHOCK_MEASURES` (None
    where the level lacks a part: the special debt balance is printed city-wide only);
    attrs["rows"]: the rows put in, by name (None where not stated)."""
    _check_level(level)
    facts = facts_at(facts, level)

    def row(metric, period):
        return facts.get(metric, period) if facts.has(metric, period) else None

    rows = {"land": row(f"{level}_fund_land_sale_revenue", next_year), "fund": row(f"{level}_fund_revenue", next_year),
            "general": row(f"{level}_general_revenue", next_year), "debt": row(f"{level}_debt_balance", year),
            "special": row(f"{level}_debt_special_balance", year),
            "fund_transfers": row(f"{level}_fund_central_transfers", year)}
    for need in ("land", "fund", "general"):
        if rows[need] is None:
            raise DataError("verified facts", f"land_sale_shock at level {level!r}: no {need} figure for {next_year}")
    v = {k: (None if r is None else float(r["value"])) for k, r in rows.items()}
    records = []
    for fall in (0.0, *falls):
        if not 0 <= fall < 1:
            raise ParameterError(f"fiscal.yaml sensitivity.land_sale_falls: {fall!r} must be a fraction in [0, 1)")
        cut = v["land"] * fall
        fund = v["fund"] - cut
        records.append({
            "fall": float(fall), "land_sale_revenue": v["land"] - cut, "fund_revenue": fund,
            "land_dependence": (v["land"] - cut) / (v["general"] + fund),
            "special_debt_ratio": (v["special"] / (fund + v["fund_transfers"])
                                   if v["special"] is not None and v["fund_transfers"] is not None else None),
            "debt_to_revenue": v["debt"] / (v["general"] + fund) if v["debt"] is not None else None})
    out = pd.DataFrame(records, columns=["fall", "land_sale_revenue", *SHOCK_MEASURES])
    out.attrs["rows"] = rows
    return out


# --- Social insurance fund ------------------------------------------------------------------------

def social_insurance(facts, period: int) -> dict:
    """The city-wide social insurance fund in one period (None where the report is silent):

    - balance = revenue − expenditure (the report's 本年收支结余);
    - fiscal_subsidy_share = fiscal subsidy ÷ revenue;
    - balance_without_subsidy = revenue − fiscal subsidy − expenditure;
    - reserve_months = accumulated balance ÷ (expenditure ÷ 12).
    """
    pre = "city_social_insurance_"
    if not facts.has(pre + "revenue", period):
        raise DataError("budget", f"no city-wide social insurance fund budget for {period}")

    def get(item):
        return float(facts.value(pre + item, period)) if facts.has(pre + item, period) else None

    revenue, expenditure = get("revenue"), get("expenditure")
    subsidy, accumulated = get("fiscal_subsidy"), get("accumulated_balance")
    return {
        "revenue": revenue, "expenditure": expenditure, "balance": revenue - expenditure,
        "stated_surplus": get("surplus"), "fiscal_subsidy": subsidy,
        "fiscal_subsidy_share": None if subsidy is None else subsidy / revenue,
        "balance_without_subsidy": None if subsidy is None else revenue - subsidy - expenditure,
        "accumulated_balance": accumulated,
        "reserve_months": None if accumulated is None else accumulated / (expenditure / 12),
    }


# --- Debt -----------------------------------------------------------------------------------------

def debt_summary(facts, period: int) -> pd.DataFrame:
    """Limit, balance and headroom (limit − balance), in total and by type (general, special), and
    the balance by level (municipal, district) with its share of the total balance.

    Columns: group ("type"/"level"), part ("total", "general", "special", "municipal", "district"),
    limit, balance, headroom, headroom_share (headroom ÷ limit), share_of_balance."""
    total = _value(facts, "city_debt_balance", period)
    records = []
    for part, limit_m, balance_m in (("total", "city_debt_limit", "city_debt_balance"),
                                     ("general", "city_debt_general_limit", "city_debt_general_balance"),
                                     ("special", "city_debt_special_limit", "city_debt_special_balance")):
        limit, balance = _value(facts, limit_m, period), _value(facts, balance_m, period)
        records.append({"group": "type", "part": part, "limit": limit, "balance": balance,
                        "headroom": limit - balance, "headroom_share": (limit - balance) / limit,
                        "share_of_balance": balance / total})
    for part in ("municipal", "district"):
        balance = _value(facts, f"{part}_debt_balance", period)
        records.append({"group": "level", "part": part, "limit": float("nan"), "balance": balance,
                        "headroom": float("nan"), "headroom_share": float("nan"), "share_of_balance": balance / total})
    return pd.DataFrame(records)


def debt_headroom(facts, period: int) -> float:
    """Headroom = debt limit − debt balance (亿元)."""
    return _value(facts, "city_debt_limit", period) - _value(facts, "city_debt_balance", period)


def bonds_and_debt_path(facts, year: int, next_year: int) -> dict:
    """The review year's bonds split by budget, the refinancing cross-check, the floor of the plan
    year's debt, the municipal stabilisation-fund drawing and the transfers the municipal level keeps.

        new general bonds      = new bonds − special bonds secured (plan report)
        refinancing, general   = general budget debt revenue − new general bonds
        refinancing, special   = fund budget debt revenue − special bonds secured
        cross-check gap        = (refinancing general + special) − refinancing bonds printed;
                                 tolerance: the rounding of the four integers it combines (± 2)
        debt floor (plan year) = balance + new bonds of the plan year (before any principal repaid
                                 from revenue), against the review year's limit and headroom
        stabilisation drawing  = fund drawn ÷ municipal general budget expenditure of the plan year
        net retained transfers = municipal central transfers − transfers to districts, per budget

    A part the report does not state is None."""
    def v(metric, period):
        return _value(facts, metric, period) if facts.has(metric, period) else None

    out: dict = {}
    new, special = v("city_debt_new_bonds", year), v("local_government_special_bonds_secured", year)
    gen_rev, fund_rev, refi = v("city_general_debt_revenue", year), v("city_fund_debt_revenue", year), v("city_debt_refinancing_bonds", year)
    if None not in (new, special, gen_rev, fund_rev, refi):
        new_general = new - special
        out.update(new_general=new_general, new_special=special, refinancing_general=gen_rev - new_general,
                   refinancing_special=fund_rev - special)
        out["refinancing_gap"] = out["refinancing_general"] + out["refinancing_special"] - refi
        out["refinancing_tolerance"] = 2.0
        out["refinancing_agrees"] = abs(out["refinancing_gap"]) <= out["refinancing_tolerance"] + 1e-9
    balance, limit, new_next = v("city_debt_balance", year), v("city_debt_limit", year), v("city_debt_new_bonds", next_year)
    if None not in (balance, limit, new_next):
        out.update(debt_floor=balance + new_next, headroom=limit - balance, new_bonds_next=new_next,
                   floor_over_limit=balance + new_next - limit)
    drawn, spending = v("municipal_general_stabilisation_fund_drawn", next_year), v("municipal_general_expenditure", next_year)
    if None not in (drawn, spending):
        out["stabilisation_drawn_to_expenditure"] = drawn / spending
    for budget in ("general", "fund"):
        got, passed = v(f"municipal_{budget}_central_transfers", year), v(f"municipal_{budget}_transfers_to_districts", year)
        if None not in (got, passed):
            out[f"net_retained_transfers_{budget}"] = got - passed
    return out


def gdp(facts, period: int) -> dict:
    """The verified GDP row of `period` from the economy table, in the unit of the debt it is set
    against (the city-wide debt balance)."""
    unit = _row(facts, "city_debt_balance", period)["unit"]
    rows = [r for r in facts.rows("gdp", period, "actual") if r["unit"] == unit]
    if not rows:
        raise DataError("economy", f"no verified GDP (metric 'gdp', unit {unit}) for {period}")
    return rows[0]


def debt_to_gdp(facts, period: int) -> float:
    """Debt to GDP = city-wide government debt balance ÷ GDP."""
    return _value(facts, "city_debt_balance", period) / float(gdp(facts, period)["value"])


def bonds(facts, periods) -> pd.DataFrame:
    """Bonds issued (or planned), new and refinancing, for each period; refinancing_share =
    refinancing ÷ issued. Columns: period, basis, issued, new, refinancing, refinancing_share."""
    records = []
    for period in periods:
        issued = _row(facts, "city_debt_bonds_issued", period)
        new, refi = _value(facts, "city_debt_new_bonds", period), _value(facts, "city_debt_refinancing_bonds", period)
        records.append({"period": period, "basis": issued["basis"], "issued": float(issued["value"]),
                        "new": new, "refinancing": refi, "refinancing_share": refi / float(issued["value"])})
    return pd.DataFrame(records)


def debt_service(facts, period: int, level: str = "city") -> dict:
    """Debt service at `level` in one period, and how much of the principal is rolled over.

    Execution year (the report states total debt service): principal = debt repayment of the
    general + fund budgets; interest (implied) = debt service − principal.
    Draft year (the report states principal and interest): debt service = principal + interest.
    Then: refinancing_to_principal = refinancing bonds ÷ principal (None where the report states
    no refinancing bonds for the level); service_to_own_revenue = debt service ÷ (general + fund
    budget revenue). `metrics` names the curated figures each part comes from.
    """
    _check_level(level)
    if facts.has(f"{level}_debt_service", period):
        service_m = f"{level}_debt_service"
        principal_m = [f"{level}_general_debt_repayment", f"{level}_fund_debt_repayment"]
        service = _value(facts, service_m, period)
        principal = sum(_value(facts, m, period) for m in principal_m)
        interest_m, interest, implied = None, service - principal, True
    else:
        service_m, principal_m, interest_m = None, [f"{level}_debt_repayment"], f"{level}_debt_interest"
        principal, interest = _value(facts, principal_m[0], period), _value(facts, interest_m, period)
        service, implied = principal + interest, False
    revenue_m = [f"{level}_general_revenue", f"{level}_fund_revenue"]
    own = sum(_value(facts, m, period) for m in revenue_m)
    refi_m = f"{level}_debt_refinancing_bonds"
    refinancing = _value(facts, refi_m, period) if facts.has(refi_m, period) else None
    return {"period": period, "level": level, "service": service, "principal": principal, "interest": interest,
            "interest_implied": implied, "refinancing": refinancing,
            "refinancing_to_principal": None if refinancing is None else refinancing / principal,
            "own_revenue": own, "service_to_own_revenue": service / own,
            "metrics": {"service": service_m, "principal": principal_m, "interest": interest_m,
                        "refinancing": refi_m if refinancing is not None else None, "revenue": revenue_m}}


@dataclass(frozen=True)
class DenominatorVariant:
    """A candidate denominator (综合财力) of the debt ratio: Σ sign × city-wide figure.
    A term is (budget, item, sign). `post_hoc` marks a variant found by searching combinations
    against the implied denominator rather than listed in advance: it can match by construction,
    so it does not count as reproducing the reported ratio."""
    key: str
    family: str          # "capacity": revenue-and-transfer based; "totals": built from total sources
    terms: tuple[tuple[str, str, int], ...]
    post_hoc: bool = False
    note: dict = field(default_factory=dict)      # language → why a post hoc variant is not credible


FAMILIES = ("capacity", "totals")


def _variant_term(text: str, where: str) -> tuple[str, str, int]:
    sign = -1 if text.startswith("-") else 1
    budget, _, item = text.lstrip("-").partition(".")
    if budget not in BUDGETS or not item:
        raise EditionError(f"{where}: term {text!r} must be '[-]budget.item' with a budget of {', '.join(BUDGETS)}")
    return budget, item, sign


def debt_ratio_variants(spec: dict) -> tuple[DenominatorVariant, ...]:
    """The denominators to try, from the edition's fiscal.yaml (`debt_ratio.variants`)."""
    try:
        items = spec["debt_ratio"]["variants"]
    except (KeyError, TypeError):
        raise EditionError("analysis/fiscal.yaml: needs debt_ratio.variants, a list of denominators") from None
    out = []
    for k, item in enumerate(items, start=1):
        where = f"analysis/fiscal.yaml, debt_ratio.variants entry {k}"
        try:
            note = item.get("note") or {}
            variant = DenominatorVariant(str(item["key"]), str(item["family"]),
                                         tuple(_variant_term(t, where) for t in item["terms"]),
                                         bool(item.get("post_hoc", False)), dict(note))
        except (KeyError, TypeError, AttributeError) as exc:
            raise EditionError(f"{where}: needs key, family and terms ({exc})") from None
        if variant.family not in FAMILIES:
            raise EditionError(f"{where}: family must be one of {', '.join(FAMILIES)}")
        if variant.post_hoc and not all(variant.note.get(lang) for lang in vocab.data_langs()):
            raise EditionError(f"{where}: a post hoc variant needs a note in {', '.join(vocab.data_langs())} saying why it is not credible")
        out.append(variant)
    return tuple(out)


def _within_rounding(computed: float, printed: dict, inputs: list[tuple[dict, int]], numerator: dict) -> tuple[float, bool]:
    """Tolerance (percentage points) for computed = 100 × numerator ÷ Σ inputs against a printed
    percentage: the printed number's half-unit plus the first-order effect of every input's."""
    den = sum(s * float(r["value"]) for r, s in inputs)
    num = float(numerator["value"])
    tol = _half(printed) + 100 * (_half(numerator) / den + num * sum(_half(r) for r, _ in inputs) / den ** 2)
    return tol, abs(computed - float(printed["value"])) <= tol + 1e-9


def debt_ratio_attempts(facts, period: int, variants) -> pd.DataFrame:
    """The reported debt ratio (债务率, %) against balance ÷ denominator for each variant
    (`debt_ratio_variants(spec)`).

        debt ratio (%) = 100 × city-wide debt balance ÷ denominator

    Columns: code (V1, V2, …), key, family, post_hoc, note (language → text), terms, numbers, rows (the signed
    curated rows of the denominator), denominator, ratio_pct, reported_pct, miss_pp (computed −
    reported, percentage points), tolerance_pp, matches (|miss| ≤ tolerance).
    attrs: implied_denominator = balance ÷ (reported ÷ 100), and its range from the rounding
    of the printed percentage (implied_low, implied_high)."""
    balance = _row(facts, "city_debt_balance", period)
    reported = _row(facts, "city_debt_ratio", period)
    records = []
    for number, variant in enumerate(variants, start=1):
        inputs = [(_row(facts, f"city_{b}_{i}", period), s) for b, i, s in variant.terms]
        den = sum(s * float(r["value"]) for r, s in inputs)
        pct = 100 * float(balance["value"]) / den
        tol, ok = _within_rounding(pct, reported, inputs, balance)
        records.append({"code": f"V{number}", "key": variant.key, "family": variant.family,
                        "post_hoc": variant.post_hoc, "note": variant.note, "terms": variant.terms,
                        "numbers": signed_terms([(_number(r), s) for r, s in inputs]),
                        "rows": tuple(inputs), "denominator": den, "ratio_pct": pct,
                        "reported_pct": float(reported["value"]), "miss_pp": pct - float(reported["value"]),
                        "tolerance_pp": tol, "matches": ok})
    out = pd.DataFrame(records)
    b, r, h = float(balance["value"]), float(reported["value"]), _half(reported)
    out.attrs.update(implied_denominator=b / (r / 100), implied_low=b / ((r + h) / 100), implied_high=b / ((r - h) / 100))
    return out


def debt_ratio_reproduced(attempts: pd.DataFrame) -> bool:
    """True if a variant listed in advance (not post hoc) matches the reported debt ratio within
    rounding, in a `debt_ratio_attempts` frame."""
    return bool((attempts["matches"] & ~attempts["post_hoc"]).any())


# --- Municipal spending by function ---------------------------------------------------------------

SPENDING_PREFIX = "municipal_spending_"
TOTAL_METRIC = "municipal_general_expenditure"


def spending_functions(facts, period: int) -> list[str]:
    """The functional lines (metric suffixes) the report lists for `period`, in report order."""
    frame = facts.frame
    rows = frame[(frame["table"] == "municipal_spending") & (frame["period"] == period)]
    metrics = [m for m in rows["metric"] if not m.endswith(("_growth", "_completion_rate"))]
    if not metrics:
        raise DataError("municipal_spending", f"no functional spending lines for {period}")
    return [m.removeprefix(SPENDING_PREFIX) for m in metrics]


def unlisted_spending(facts, period: int) -> dict:
    """Municipal general expenditure not covered by the listed functional lines:
    unlisted = total − Σ lines; share = unlisted ÷ total."""
    total = _value(facts, TOTAL_METRIC, period)
    listed = sum(_value(facts, SPENDING_PREFIX + f, period) for f in spending_functions(facts, period))
    return {"total": total, "listed": listed, "unlisted": total - listed, "share": (total - listed) / total}


def _interval(row: dict) -> tuple[float, float]:
    v, h = float(row["value"]), _half(row)
    return v - h, v + h


def growth_bases(facts, year: int, next_year: int) -> pd.DataFrame:
    """For each functional line and the municipal total: what base each next-year growth rate implies.

        implied base       = next-year budget ÷ (1 + growth ÷ 100)
        implied budget     = this-year spending ÷ (completion rate ÷ 100)  (the budget the rate refers to)
        base ÷ spending, base ÷ budget

    `base_matches_spending` / `base_matches_budget` are True when the intervals the printed
    roundings allow overlap (amounts ±0.5 亿元, rates ± half their last digit).

    Columns: function, metric, name_zh, name_en, spending, growth, completion_rate, budget_implied,
    next_budget, next_growth, base_implied, base_low, base_high, base_to_spending, base_to_budget,
    base_matches_spending, base_matches_budget. The total row has function "total".
    """
    records = []
    for function in spending_functions(facts, year) + ["total"]:
        m = TOTAL_METRIC if function == "total" else SPENDING_PREFIX + function
        spend, comp = _row(facts, m, year), _row(facts, m + "_completion_rate", year)
        nxt, g = _row(facts, m, next_year), _row(facts, m + "_growth", next_year)
        growth = _row(facts, m + "_growth", year)
        s_lo, s_hi = _interval(spend)
        c_lo, c_hi = _interval(comp)
        n_lo, n_hi = _interval(nxt)
        g_lo, g_hi = _interval(g)
        base = float(nxt["value"]) / (1 + float(g["value"]) / 100)
        base_lo, base_hi = n_lo / (1 + g_hi / 100), n_hi / (1 + g_lo / 100)
        budget = float(spend["value"]) / (float(comp["value"]) / 100)
        bud_lo, bud_hi = s_lo / (c_hi / 100), s_hi / (c_lo / 100)
        name_en = spend["name_en"].removeprefix("Municipal spending: ")
        records.append({
            "function": function, "metric": m, "name_zh": spend["name_zh"], "name_en": name_en,
            "spending": float(spend["value"]), "growth": float(growth["value"]), "completion_rate": float(comp["value"]),
            "budget_implied": budget, "next_budget": float(nxt["value"]), "next_growth": float(g["value"]),
            "base_implied": base, "base_low": base_lo, "base_high": base_hi,
            "base_to_spending": base / float(spend["value"]), "base_to_budget": base / budget,
            "base_matches_spending": base_lo <= s_hi and s_lo <= base_hi,
            "base_matches_budget": base_lo <= bud_hi and bud_lo <= base_hi,
        })
    return pd.DataFrame(records)


# --- Execution against budget ---------------------------------------------------------------------

def execution(facts, level: str, period: int) -> pd.DataFrame:
    """Completion rates of revenue and expenditure for each budget at `level`:

        implied budget = outturn ÷ (completion rate ÷ 100);  difference = outturn − implied budget

    Columns: budget, side ("revenue"/"expenditure"), metric, outturn, completion_rate (%), budget_implied,
    difference."""
    records = []
    for budget in budgets_at(facts, level, period):
        for side in ("revenue", "expenditure"):
            m = f"{level}_{budget}_{side}"
            if not facts.has(m + "_completion_rate", period):
                continue
            out, rate = _value(facts, m, period), _value(facts, m + "_completion_rate", period)
            implied = out / (rate / 100)
            records.append({"budget": budget, "side": side, "metric": m, "outturn": out, "completion_rate": rate,
                            "budget_implied": implied, "difference": out - implied})
    return pd.DataFrame(records)


RESERVE_ITEMS = ("reserve_fund_budgeted", "reserve_fund_used", "reserve_fund_to_stabilisation_fund",
                 "stabilisation_fund_opening", "stabilisation_fund_replenished", "stabilisation_fund_drawn",
                 "stabilisation_fund_closing")


def reserve_and_stabilisation(facts, uses=()) -> dict:
    """The municipal reserve fund (预备费) and budget stabilisation fund (预算稳定调节基金) flows, as
    verified rows keyed by item (`RESERVE_ITEMS`, plus `uses`: the items the reserve fund was drawn
    for, which the edition's fiscal.yaml lists), and two derived checks:

        reserve: budgeted − used − to stabilisation fund (should be 0)
        stabilisation: opening + replenished − drawn − closing (should be 0)
        uses_residual: used − Σ uses (0 when the uses listed are all of it)
    """
    pre = "municipal_general_"
    items = RESERVE_ITEMS + tuple(uses)
    rows = {}
    for item in items:
        found = facts.rows(pre + item)
        if not found:
            raise DataError("budget", f"no verified figure for {pre + item!r}")
        rows[item] = min(found, key=lambda r: r["period"])
    v = {k: float(r["value"]) for k, r in rows.items()}
    return {"rows": rows,
            "reserve_residual": v["reserve_fund_budgeted"] - v["reserve_fund_used"] - v["reserve_fund_to_stabilisation_fund"],
            "stabilisation_residual": (v["stabilisation_fund_opening"] + v["stabilisation_fund_replenished"]
                                       - v["stabilisation_fund_drawn"] - v["stabilisation_fund_closing"]),
            "uses_residual": v["reserve_fund_used"] - sum(v[u] for u in uses),
            "reserve_used_share": v["reserve_fund_used"] / v["reserve_fund_budgeted"]}


def growth_base_summary(bases: pd.DataFrame, thresholds: dict) -> dict:
    """What a `growth_bases` frame says about the base of the next-year growth rates.

    n: lines listed; match_spending / match_budget: lines whose implied base matches outturn /
    the implied budget; below_spending / below_budget: lines whose base (upper end of its rounding
    range) lies below them; far_above / far_below: functions whose base is more than
    `far_from_outturn` × outturn, or less than outturn ÷ `far_from_outturn` (a reclassification
    between lines, or one-off spending in the outturn year that the comparable base leaves out);
    neither: at most a `base_matches_minority` share of lines match either base and the total
    matches neither, so the growth rates use another base (the budget convention of a comparable
    base or the prior year's budget); total: the total row as a dict; growth_on_outturn = next
    budget ÷ outturn − 1 for the total."""
    far, minority = float(thresholds["far_from_outturn"]), float(thresholds["base_matches_minority"])
    lines = bases[bases["function"] != "total"]
    total = bases[bases["function"] == "total"].iloc[0].to_dict()
    n = len(lines)
    match_spending, match_budget = int(lines["base_matches_spending"].sum()), int(lines["base_matches_budget"].sum())
    return {
        "n": n, "match_spending": match_spending, "match_budget": match_budget,
        "below_spending": int((lines["base_high"] < lines["spending"] - 0.5).sum()),
        "below_budget": int((lines["base_high"] < lines["budget_implied"]).sum()),
        "far_above": list(lines.loc[lines["base_to_spending"] > far, "function"]),
        "far_below": list(lines.loc[lines["base_to_spending"] < 1 / far, "function"]),
        "far_from_outturn": far,
        "neither": (match_spending <= minority * n and match_budget <= minority * n
                    and not total["base_matches_spending"] and not total["base_matches_budget"]),
        "total": total, "growth_on_outturn": total["next_budget"] / total["spending"] - 1,
    }


# --- The register ---------------------------------------------------------------------------------

def fiscal_discrepancies(checks, spec: dict) -> list:
    """The known_discrepancy checks that concern the budget report: those whose topic is one of
    the edition's `register_topics` (debt, functional lines, growth bases), from `run_checks()`."""
    topics = set(spec.get("register_topics", ()))
    return [c for c in checks if c.kind == "known_discrepancy" and c.extra.get("topic") in topics]


def convention(checks, topic: str):
    """The known discrepancy of `topic` that the register classes as a budgeting convention
    (`extra["nature"] == "convention"`), or None."""
    return next((c for c in checks if c.kind == "known_discrepancy" and c.extra.get("topic") == topic
                 and c.extra.get("nature") == "convention"), None)


# --- Results ----------------------------------------------------------------------------------------

# Measures in the results, by key (the year suffix is added); the plan year is included where the
# draft gives the parts at one level at least (null at a level that lacks one).
RESULT_MEASURES = ("self_sufficiency", "tax_share", "land_sale_share_of_fund_revenue", "land_dependence",
                   "land_to_general_revenue", "central_transfers_to_expenditure", "central_transfers_to_resources",
                   "central_transfers_to_revenue", "expenditure_gap", "broad_gap", "debt_to_revenue",
                   "general_debt_ratio", "special_debt_ratio", "interest_to_revenue",
                   "debt_service_net_of_refinancing_to_revenue", "debt_service_to_revenue")


RISK_SIDES = ("strength", "weakness", "watch")


def risk_summary(facts, level: str, spec: dict, results_: dict | None = None) -> list[dict]:
    """The entries of the edition's `risk_summary` (fiscal.yaml) whose figure passes its threshold
    at `level`, in the file's order: side, key, kind (`result` or `metric`), period, value,
    threshold, when (above / below), and the entry itself. A figure the level lacks is skipped."""
    results_ = results(facts, level, spec) if results_ is None else results_
    facts = facts_at(facts, level)
    out = []
    for entry in spec.get("risk_summary", []):
        if entry["side"] not in RISK_SIDES or entry["when"] not in ("above", "below"):
            raise ParameterError(f"fiscal.yaml risk_summary: side must be one of {RISK_SIDES} and when above or below: {entry}")
        period = facts.year(entry["year"])
        if "result" in entry:
            kind, key = "result", entry["result"]
            value = results_.get(f"{key}_{period}")
        else:
            kind, key = "metric", entry["metric"]
            metric = f"{level}_{key}"
            value = _value(facts, metric, period) if facts.has(metric, period) else None
        if value is None:
            continue
        threshold = float(entry["threshold"])
        if (value > threshold) if entry["when"] == "above" else (value < threshold):
            out.append({"side": entry["side"], "key": key, "kind": kind, "period": period, "value": float(value),
                        "threshold": threshold, "when": entry["when"], "entry": entry})
    return out


def _r4(x):
    return None if x is None or x != x else round(float(x), 4)


def _r1(x):
    return None if x is None or x != x else round(float(x), 1)


def results(facts, level: str, spec: dict) -> dict:
    """The notebook's headline results as one JSON-ready dict (ratios as fractions rounded to 4
    places, amounts in 亿元 to 1 place; None where the report lacks a part at this level). At the
    district level the parts are city-wide − municipal (`district_facts`)."""
    _check_level(level)
    printed, facts = facts, facts_at(facts, level)
    y0, y1 = _years(facts)
    out: dict = {"level": level}
    for key in RESULT_MEASURES:
        kind = measure_spec(key).kind
        for period in (y0, y1):
            if period == y0 or stated_at_some_level(facts, key, period):
                value = evaluate(facts, level, key, period).value
                out[f"{key}_{period}"] = _r4(value) if kind == "ratio" else _r1(value)
    for old, new in ALIASES.items():
        for period in (y0, y1):
            if f"{new}_{period}" in out:
                out[f"{old}_{period}"] = out[f"{new}_{period}"]
    net = None
    if level in LEVELS:                       # the district level's budgets are not printed: no financing
        general = financing(facts, level, "general", y0).set_index("component")
        net = general["value"].get("net_borrowing", 0.0) / general.loc["expenditure", "value"]
    out[f"net_borrowing_share_of_expenditure_{y0}"] = _r4(net)
    out[f"debt_to_gdp_{y0}"] = _r4(debt_to_gdp(facts, y0))
    out[f"debt_headroom_{y0}"] = _r1(debt_headroom(facts, y0))
    attempts = debt_ratio_attempts(facts, y0, debt_ratio_variants(spec))
    out[f"debt_ratio_reported_{y0}"] = _r4(_value(facts, "city_debt_ratio", y0) / 100)
    out["debt_ratio_reproduced"] = debt_ratio_reproduced(attempts)
    matched = attempts[attempts["matches"]]
    out["debt_ratio_matching_variants"] = list(matched.loc[~matched["post_hoc"], "key"])
    out["debt_ratio_post_hoc_matches"] = list(matched.loc[matched["post_hoc"], "key"])
    out["debt_ratio_implied_denominator"] = _r1(attempts.attrs["implied_denominator"])
    # city-wide structure of the debt, the same on every level's page
    for key in ("refinancing_to_principal", "district_debt_share"):
        out[f"{key}_{y0}"] = _r4(evaluate(facts, "city", key, y0).value)
    shocks = spec.get("sensitivity", {})
    shock = land_sale_shock(printed, level, y1, y0, shocks.get("land_sale_falls", (0.1, 0.2, 0.3)))
    for r in shock.to_dict("records")[1:]:
        for key in SHOCK_MEASURES:
            rounded = _r1 if key == "fund_revenue" else _r4
            out[f"{key}_{y1}_land_sales_minus_{round(r['fall'] * 100)}pct"] = rounded(r[key])
    for r in refinancing_shock(facts, y0, "city", shocks.get("refinancing_drops", (0.1, 0.2, 0.3))).to_dict("records")[1:]:
        out[f"debt_service_from_revenue_to_revenue_{y0}_refinancing_minus_{round(r['drop'] * 100)}pts"] = _r4(r["to_revenue"])
    districts = district_level(printed, y0, y1)["debt"]          # the same at every level: a city-wide split
    out[f"district_debt_to_own_revenue_{y0}"] = _r4(districts["debt_to_own_revenue"])
    out[f"district_debt_service_to_own_revenue_{y0}"] = _r4(districts["service_to_own_revenue"])
    for r in history(facts, level, y0).to_dict("records"):   # e.g. general_revenue_2020_implied
        out[f"{r['budget']}_{r['item']}_{y0 - 1}_implied"] = _r1(r["previous"])
        if r["derived"]:                                      # a growth the report does not print
            out[f"{r['budget']}_{r['item']}_growth_{y0}_derived"] = _r4(r["growth"] / 100)
    months = evaluate(facts, level, "social_insurance_reserve_months", y0).value
    out[f"social_insurance_reserve_months_{y0}"] = None if months is None else round(months, 2)
    si = social_insurance(facts, y0) if facts.has(f"{level}_social_insurance_revenue", y0) else None
    out[f"social_insurance_fiscal_subsidy_share_{y0}"] = None if si is None else _r4(si["fiscal_subsidy_share"])
    for period in (y0, y1):
        out[f"municipal_spending_unlisted_share_{period}"] = _r4(unlisted_spending(facts, period)["share"])
    bases = growth_bases(facts, y0, y1)
    out[f"municipal_expenditure_growth_base_{y1}"] = _r1(bases.loc[bases["function"] == "total", "base_implied"].item())
    path = bonds_and_debt_path(facts, y0, y1)     # city-wide and municipal figures, the same at every level
    for key in ("new_general", "refinancing_general", "refinancing_special", "refinancing_gap"):
        out[f"bonds_{key}_{y0}"] = _r1(path.get(key))
    out[f"debt_floor_{y1}"] = _r1(path.get("debt_floor"))
    out[f"stabilisation_drawn_to_expenditure_{y1}"] = _r4(path.get("stabilisation_drawn_to_expenditure"))
    for budget in ("general", "fund"):
        out[f"municipal_net_retained_transfers_{budget}_{y0}"] = _r1(path.get(f"net_retained_transfers_{budget}"))
    summary = risk_summary(printed, level, spec, out)
    out["risk_summary"] = {side: [f"{r['key']}_{r['period']}" for r in summary if r["side"] == side] for side in RISK_SIDES}
    return out
