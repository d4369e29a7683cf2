"""Fiscal balances: the four budgets' sources and uses, who pays for spending, fiscal ratios, debt,
municipal spending by function, and execution against budget.

Every function is pure: it takes the verified curated numbers (`helpers.checks.verified_facts()`,
a `Facts` object whose frame carries each printed number's rounding `half_unit`) and returns a
number, a dict or a DataFrame. Amounts are in 亿元 as published; ratios are fractions (0.4726, not
47.26 %). Formulas are stated in each docstring. Metric names follow the curated tables:
`{level}_{budget}_{item}`, for example `city_general_revenue`.

Rules of judgement that are not in the data are explicit constants here:

- `SOURCE_CATEGORY`, `USE_CATEGORY`: how each line of sources and uses is grouped;
- `RATIOS`, `GAPS`: the fiscal ratios and gaps, as numerator and denominator terms;
- `DEBT_RATIO_VARIANTS`: the denominators tried for the reported debt ratio (债务率);
- a computed figure "matches" a printed one when it lies within the printed number's rounding
  plus the rounding the inputs carry (`_within_rounding`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..data import vocab
from ..errors import DataError, ParameterError

# Lines of a budget's two sides, in the order the reports print them (the same in every edition).
SOURCE_PARTS = ("revenue", "central_transfers", "debt_revenue", "carryover_in", "other_sources",
                "sources_beyond_revenue")
USE_PARTS = ("expenditure", "remittance_to_central", "transfers_to_districts", "debt_onlending",
             "debt_repayment", "transfer_out", "carryover_out", "other_uses", "uses_beyond_expenditure",
             "surplus")
LEVELS = ("city", "municipal")              # the levels that publish budgets
BUDGETS = tuple(vocab.vocabulary("budgets"))

BUDGET_NAMES = {
    "general": ("一般公共预算", "general public budget"),
    "fund": ("政府性基金预算", "government fund budget"),
    "state_capital": ("国有资本经营预算", "state capital operation budget"),
    "social_insurance": ("社会保险基金预算", "social insurance fund budget"),
}
# Short budget names used to compose formula terms ("政府性基金" + "收入").
_BUDGET_SHORT = {
    "general": ("一般公共预算", "general budget"),
    "fund": ("政府性基金", "fund budget"),
    "state_capital": ("国有资本经营", "state capital budget"),
    "social_insurance": ("社会保险基金", "social insurance fund"),
}
ITEM_NAMES = {
    "revenue": ("收入", "revenue"),
    "tax_revenue": ("税收收入", "tax revenue"),
    "land_sale_revenue": ("国有土地使用权出让收入", "land-sale revenue"),
    "expenditure": ("支出", "expenditure"),
    "central_transfers": ("中央补助", "central transfers"),
    "debt_revenue": ("债务收入", "debt revenue"),
    "other_sources": ("调入资金、上年结转等", "transfers in, carry-over etc."),
    "total_sources": ("收入总量", "total sources"),
    "remittance_to_central": ("上解中央", "remittance to central government"),
    "transfer_out": ("调出资金", "transfers out"),
    "fiscal_subsidy": ("财政补助", "fiscal subsidy"),
    "accumulated_balance": ("历年滚存结余", "accumulated balance"),
}

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
    if level not in LEVELS:
        raise ParameterError(f"level={level!r} is not allowed; allowed values: {', '.join(map(repr, LEVELS))}")


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


def term_name(budget: str, item: str, lang: str) -> str:
    """A formula term in words: ("fund", "revenue") -> 政府性基金收入 / fund budget revenue."""
    b_zh, b_en = _BUDGET_SHORT[budget]
    i_zh, i_en = ITEM_NAMES.get(item, (item, item.replace("_", " ")))
    return f"{b_zh}{i_zh}" if lang == "zh" else f"{b_en} {i_en}"


# --- Years ----------------------------------------------------------------------------------------

def budget_years(facts) -> tuple[int, int]:
    """(execution year, draft year): the latest period of the budget table with basis `actual`,
    and the latest with basis `plan`."""
    frame = facts.frame[facts.frame["table"] == "budget"]
    actual = frame.loc[frame["basis"] == "actual", "period"]
    plan = frame.loc[frame["basis"] == "plan", "period"]
    if actual.empty or plan.empty:
        raise DataError("budget", "needs rows with basis 'actual' and with basis 'plan'")
    return int(actual.max()), int(plan.max())


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

    Where the report gives only a combined figure on either side (the draft budget does), every
    line beyond own revenue and expenditure goes into one "combined, net" component
    (sources beyond revenue − uses beyond expenditure, itemised uses included).

    Returns rows: component, value (亿元, signed), share_of_expenditure; the last row is
    "expenditure" itself, and the frame's attrs["gap"] is expenditure − Σ components.
    """
    if budget == "social_insurance":
        raise ParameterError("financing() covers the general, fund and state capital budgets; the social "
                             "insurance fund is financed by contributions and subsidies (see social_insurance())")
    table = sources_and_uses(facts, level, budget, period)
    lines = table[~table["is_total"]]
    value = dict(zip(lines["item"], lines["value"], strict=True))
    expenditure = value.pop("expenditure")
    revenue = value.pop("revenue")
    combined = "sources_beyond_revenue" in value or "uses_beyond_expenditure" in value
    sign = {i: (1 if i in SOURCE_CATEGORY else -1) for i in value}
    parts = {"own_revenue": revenue}
    if combined:
        parts["combined_net"] = sum(sign[i] * v for i, v in value.items())
    else:
        parts["central_transfers"] = value.get("central_transfers", 0.0)
        parts["net_borrowing"] = (value.get("debt_revenue", 0.0) - value.get("debt_repayment", 0.0)
                                  - value.get("debt_onlending", 0.0))
        parts["to_districts"] = -value.get("transfers_to_districts", 0.0)
        parts["remittance"] = -value.get("remittance_to_central", 0.0)
        known = {"central_transfers", "debt_revenue", "debt_repayment", "debt_onlending",
                 "transfers_to_districts", "remittance_to_central"}
        parts["other_net"] = sum(sign[i] * v for i, v in value.items() if i not in known)
    parts = {k: v for k, v in parts.items() if v != 0 or k == "own_revenue"}
    out = pd.DataFrame({"component": list(parts) + ["expenditure"],
                        "value": list(parts.values()) + [expenditure]})
    out["share_of_expenditure"] = out["value"] / expenditure
    out.attrs["gap"] = expenditure - sum(parts.values())
    return out


# --- Ratios ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ratio:
    """value = Σ numerator terms ÷ Σ denominator terms; a term is (budget, item)."""
    key: str
    name: tuple[str, str]
    numerator: tuple[tuple[str, str], ...]
    denominator: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Gap:
    """value = Σ plus terms − Σ minus terms (亿元)."""
    key: str
    name: tuple[str, str]
    plus: tuple[tuple[str, str], ...]
    minus: tuple[tuple[str, str], ...]


GEN_REV, GEN_EXP = ("general", "revenue"), ("general", "expenditure")
FUND_REV, FUND_EXP = ("fund", "revenue"), ("fund", "expenditure")
RATIOS = (
    Ratio("self_sufficiency", ("财政自给率", "fiscal self-sufficiency"), (GEN_REV,), (GEN_EXP,)),
    Ratio("tax_share", ("税收收入占比", "tax share of revenue"), (("general", "tax_revenue"),), (GEN_REV,)),
    Ratio("central_transfer_dependence", ("中央补助依赖度", "central-transfer dependence"),
          (("general", "central_transfers"),), (GEN_EXP,)),
    Ratio("land_sale_share_of_fund_revenue", ("土地出让收入占基金收入比重", "land-sale share of fund revenue"),
          (("fund", "land_sale_revenue"),), (FUND_REV,)),
    Ratio("broad_self_sufficiency", ("广义自给率（含基金预算）", "broad self-sufficiency (with the fund budget)"),
          (GEN_REV, FUND_REV), (GEN_EXP, FUND_EXP)),
)
GAPS = (
    Gap("expenditure_gap", ("支出与本级收入之差", "gap between expenditure and own revenue"), (GEN_EXP,), (GEN_REV,)),
    Gap("broad_gap", ("广义缺口（含基金预算）", "broad gap (with the fund budget)"), (GEN_EXP, FUND_EXP), (GEN_REV, FUND_REV)),
)


def _terms(facts, level: str, terms, period: int) -> list[dict] | None:
    metrics = [f"{level}_{b}_{i}" for b, i in terms]
    if not all(facts.has(m, period) for m in metrics):
        return None
    return [facts.get(m, period) for m in metrics]


def _formula(terms, lang: str) -> str:
    names = [term_name(b, i, lang) for b, i in terms]
    return f"({' + '.join(names)})" if len(names) > 1 else names[0]


def _numbers(rows: list[dict]) -> str:
    text = " + ".join(f"{r['value']:g}" for r in rows)
    return f"({text})" if len(rows) > 1 else text


def ratio(facts, level: str, key: str, period: int) -> float:
    """One ratio of `RATIOS` (a fraction); DataError if the report does not state its inputs."""
    _check_level(level)
    spec = {r.key: r for r in RATIOS}.get(key)
    if spec is None:
        raise ParameterError(f"ratio {key!r} is not defined; defined: {', '.join(r.key for r in RATIOS)}")
    num = [_value(facts, f"{level}_{b}_{i}", period) for b, i in spec.numerator]
    den = [_value(facts, f"{level}_{b}_{i}", period) for b, i in spec.denominator]
    return sum(num) / sum(den)


def self_sufficiency(facts, level: str, period: int) -> float:
    """Fiscal self-sufficiency = general budget revenue ÷ general budget expenditure."""
    return ratio(facts, level, "self_sufficiency", period)


def tax_share(facts, level: str, period: int) -> float:
    """Tax share = tax revenue ÷ general budget revenue."""
    return ratio(facts, level, "tax_share", period)


def central_transfer_dependence(facts, level: str, period: int) -> float:
    """Central-transfer dependence = central transfers (general budget) ÷ general budget expenditure."""
    return ratio(facts, level, "central_transfer_dependence", period)


def land_sale_share(facts, level: str, period: int) -> float:
    """Land-sale share = state land-use right sale revenue ÷ government fund budget revenue."""
    return ratio(facts, level, "land_sale_share_of_fund_revenue", period)


def expenditure_gap(facts, level: str, period: int) -> float:
    """Gap = general budget expenditure − general budget revenue (亿元)."""
    return _value(facts, f"{level}_general_expenditure", period) - _value(facts, f"{level}_general_revenue", period)


def broad_gap(facts, level: str, period: int) -> float:
    """Broad gap = (general + fund expenditure) − (general + fund revenue) (亿元)."""
    return expenditure_gap(facts, level, period) + (_value(facts, f"{level}_fund_expenditure", period)
                                                   - _value(facts, f"{level}_fund_revenue", period))


def ratio_table(facts, level: str, periods, lang: str = "en") -> pd.DataFrame:
    """Every ratio of `RATIOS` and gap of `GAPS` for each period, with its formula in words and in
    numbers. Columns: key, kind ("ratio"/"gap"), period, name, formula, numbers, value (fraction or
    亿元; NaN where the report does not state an input, for example central transfers in the draft)."""
    _check_level(level)
    records = []
    for spec in RATIOS + GAPS:
        is_ratio = isinstance(spec, Ratio)
        first, second = (spec.numerator, spec.denominator) if is_ratio else (spec.plus, spec.minus)
        op = "÷" if is_ratio else "−"
        for period in periods:
            a, b = _terms(facts, level, first, period), _terms(facts, level, second, period)
            value = float("nan")
            numbers = "—"
            if a is not None and b is not None:
                sa, sb = sum(r["value"] for r in a), sum(r["value"] for r in b)
                value = sa / sb if is_ratio else sa - sb
                numbers = f"{_numbers(a)} {op} {_numbers(b)}"
            records.append({"key": spec.key, "kind": "ratio" if is_ratio else "gap", "period": period,
                            "name": spec.name[0] if lang == "zh" else spec.name[1],
                            "formula": f"{_formula(first, lang)} {op} {_formula(second, lang)}",
                            "numbers": numbers, "value": value})
    return pd.DataFrame(records)


CHANGE_LINES = (("general", "revenue"), ("general", "tax_revenue"), ("general", "expenditure"),
                ("general", "total_sources"), ("fund", "revenue"), ("fund", "land_sale_revenue"),
                ("fund", "expenditure"), ("state_capital", "revenue"), ("state_capital", "expenditure"),
                ("social_insurance", "revenue"), ("social_insurance", "expenditure"))


def year_on_year(facts, level: str, year: int, next_year: int) -> pd.DataFrame:
    """What the draft changes: each line of `CHANGE_LINES` stated in both years at `level`.

        change = draft − outturn;  change_pct = draft ÷ outturn − 1  (a fraction)

    `stated_growth` is the draft's own growth rate where the report gives one (%, else NaN); it
    may use another base than the outturn (see `growth_bases`). Columns: budget, item, metric,
    outturn, draft, change, change_pct, stated_growth."""
    _check_level(level)
    records = []
    for budget, item in CHANGE_LINES:
        m = f"{level}_{budget}_{item}"
        if not (facts.has(m, year) and facts.has(m, next_year)):
            continue
        a, b = _value(facts, m, year), _value(facts, m, next_year)
        g = _value(facts, m + "_growth", next_year) if facts.has(m + "_growth", next_year) else float("nan")
        records.append({"budget": budget, "item": item, "metric": m, "outturn": a, "draft": b,
                        "change": b - a, "change_pct": b / a - 1, "stated_growth": g})
    return pd.DataFrame(records)


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


def gdp(facts, period: int) -> dict:
    """The verified GDP row (亿元) of `period` from the economy table."""
    rows = [r for r in facts.rows("gdp", period, "actual") if r["unit"] == "亿元"]
    if not rows:
        raise DataError("economy", f"no verified GDP (metric 'gdp', 亿元) for {period}")
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


def debt_service(facts, period: int) -> dict:
    """City-wide debt service in one period, and how much of the principal is rolled over.

    Execution year (the report states total debt service): principal = debt repayment of the
    general + fund budgets; interest (implied) = debt service − principal.
    Draft year (the report states principal and interest): debt service = principal + interest.
    Then: refinancing_to_principal = refinancing bonds ÷ principal;
    service_to_own_revenue = debt service ÷ (general + fund budget revenue).
    """
    if facts.has("city_debt_service", period):
        service = _value(facts, "city_debt_service", period)
        principal = _value(facts, "city_general_debt_repayment", period) + _value(facts, "city_fund_debt_repayment", period)
        interest, implied = service - principal, True
    else:
        principal, interest = _value(facts, "city_debt_repayment", period), _value(facts, "city_debt_interest", period)
        service, implied = principal + interest, False
    own = _value(facts, "city_general_revenue", period) + _value(facts, "city_fund_revenue", period)
    refinancing = _value(facts, "city_debt_refinancing_bonds", period)
    return {"period": period, "service": service, "principal": principal, "interest": interest,
            "interest_implied": implied, "refinancing": refinancing,
            "refinancing_to_principal": refinancing / principal, "own_revenue": own,
            "service_to_own_revenue": service / own}


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
    note: tuple[str, str] = ("", "")


_GR, _GCT = ("general", "revenue", 1), ("general", "central_transfers", 1)
_FR, _FCT = ("fund", "revenue", 1), ("fund", "central_transfers", 1)
_SR, _SCT = ("state_capital", "revenue", 1), ("state_capital", "central_transfers", 1)
_REMIT = ("general", "remittance_to_central", -1)
_GTS, _FTS = ("general", "total_sources", 1), ("fund", "total_sources", 1)
_GDEBT, _FDEBT = ("general", "debt_revenue", -1), ("fund", "debt_revenue", -1)
_STS, _SOUT = ("state_capital", "total_sources", 1), ("state_capital", "transfer_out", -1)

DEBT_RATIO_VARIANTS = (
    DenominatorVariant("general_revenue_transfers", "capacity", (_GR, _GCT)),
    DenominatorVariant("plus_fund_revenue", "capacity", (_GR, _GCT, _FR)),
    DenominatorVariant("plus_fund_transfers", "capacity", (_GR, _GCT, _FR, _FCT)),
    DenominatorVariant("plus_state_capital", "capacity", (_GR, _GCT, _FR, _FCT, _SR, _SCT)),
    DenominatorVariant("plus_state_capital_minus_remittance", "capacity", (_GR, _GCT, _FR, _FCT, _SR, _SCT, _REMIT)),
    DenominatorVariant("plus_fund_transfers_minus_remittance", "capacity", (_GR, _GCT, _FR, _FCT, _REMIT)),
    DenominatorVariant("total_sources", "totals", (_GTS, _FTS)),
    DenominatorVariant("total_sources_less_debt", "totals", (_GTS, _FTS, _GDEBT, _FDEBT)),
    DenominatorVariant("total_sources_less_debt_remittance", "totals", (_GTS, _FTS, _GDEBT, _FDEBT, _REMIT)),
    DenominatorVariant("all_three_total_sources_less_debt_remittance_transfers_out", "totals",
                       (_GTS, _FTS, _STS, _GDEBT, _FDEBT, _REMIT, _SOUT)),
    # Found after V1-V10 had all missed, by searching for a combination near balance ÷ 109%.
    DenominatorVariant("general_total_less_debt_remittance_plus_fund_revenue_transfers", "totals",
                       (_GTS, _GDEBT, _REMIT, _FR, _FCT), post_hoc=True,
                       note=("这一口径计入一般公共预算的调入资金、上年结转和动用预算稳定调节基金，却不计政府性基金预算的同类来源；"
                             "而一般公共预算的调入资金通常包括政府性基金和国有资本经营预算调出的资金，与全额计入的基金收入部分重复。",
                             "It counts the general budget's transfers in, carry-over and stabilisation-fund drawing but not the fund "
                             "budget's; and the general budget's transfers in usually include money moved out of the fund and state "
                             "capital budgets, so it partly double-counts the fund revenue it also includes in full.")),
)


def variant_formula(variant: DenominatorVariant, lang: str) -> str:
    """The denominator in words: 一般公共预算收入 + 一般公共预算中央补助 − …"""
    return _signed([(term_name(b, i, lang), s) for b, i, s in variant.terms])


def _signed(terms: list[tuple[str, int]]) -> str:
    """"a + b − c" from [(a, 1), (b, 1), (c, -1)]."""
    text = " ".join(f"{'+' if s > 0 else '−'} {t}" for t, s in terms)
    return text[2:] if text.startswith("+ ") else text


def _within_rounding(computed: float, printed: dict, inputs: list[tuple[dict, int]], numerator: dict) -> tuple[float, bool]:
    """Tolerance (percentage points) for computed = 100 × numerator ÷ Σ inputs against a printed
    percentage: the printed number's half-unit plus the first-order effect of every input's."""
    den = sum(s * float(r["value"]) for r, s in inputs)
    num = float(numerator["value"])
    tol = _half(printed) + 100 * (_half(numerator) / den + num * sum(_half(r) for r, _ in inputs) / den ** 2)
    return tol, abs(computed - float(printed["value"])) <= tol + 1e-9


def debt_ratio_attempts(facts, period: int, lang: str = "en") -> pd.DataFrame:
    """The reported debt ratio (债务率, %) against balance ÷ denominator for each variant of
    `DEBT_RATIO_VARIANTS`.

        debt ratio (%) = 100 × city-wide debt balance ÷ denominator

    Columns: code (V1, V2, …), key, family, post_hoc, note, formula, numbers, denominator, ratio_pct, reported_pct, miss_pp
    (computed − reported, percentage points), tolerance_pp, matches (|miss| ≤ tolerance).
    attrs: implied_denominator = balance ÷ (reported ÷ 100), and its range from the rounding
    of the printed percentage (implied_low, implied_high)."""
    balance = _row(facts, "city_debt_balance", period)
    reported = _row(facts, "city_debt_ratio", period)
    records = []
    for number, variant in enumerate(DEBT_RATIO_VARIANTS, start=1):
        inputs = [(_row(facts, f"city_{b}_{i}", period), s) for b, i, s in variant.terms]
        den = sum(s * float(r["value"]) for r, s in inputs)
        pct = 100 * float(balance["value"]) / den
        tol, ok = _within_rounding(pct, reported, inputs, balance)
        numbers = _signed([(f"{r['value']:g}", s) for r, s in inputs])
        records.append({"code": f"V{number}", "key": variant.key, "family": variant.family,
                        "post_hoc": variant.post_hoc, "note": variant.note[0] if lang == "zh" else variant.note[1], "formula": variant_formula(variant, lang),
                        "numbers": numbers, "denominator": den, "ratio_pct": pct,
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

    Columns: function, name_zh, name_en, spending, growth, completion_rate, budget_implied,
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
            "function": function, "name_zh": spend["name_zh"], "name_en": name_en,
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

    Columns: budget, side ("revenue"/"expenditure"), outturn, completion_rate (%), budget_implied,
    difference."""
    records = []
    for budget in budgets_at(facts, level, period):
        for side in ("revenue", "expenditure"):
            m = f"{level}_{budget}_{side}"
            if not facts.has(m + "_completion_rate", period):
                continue
            out, rate = _value(facts, m, period), _value(facts, m + "_completion_rate", period)
            implied = out / (rate / 100)
            records.append({"budget": budget, "side": side, "outturn": out, "completion_rate": rate,
                            "budget_implied": implied, "difference": out - implied})
    return pd.DataFrame(records)


def reserve_and_stabilisation(facts) -> dict:
    """The municipal reserve fund (预备费) and budget stabilisation fund (预算稳定调节基金) flows, as
    verified rows keyed by item, plus two derived checks:

        reserve: budgeted − used − to stabilisation fund (should be 0)
        stabilisation: opening + replenished − drawn − closing (should be 0)
    """
    pre = "municipal_general_"
    items = ("reserve_fund_budgeted", "reserve_fund_used", "reserve_fund_used_power_coal_subsidy",
             "reserve_fund_used_disaster_relief", "reserve_fund_to_stabilisation_fund",
             "stabilisation_fund_opening", "stabilisation_fund_replenished", "stabilisation_fund_drawn",
             "stabilisation_fund_closing")
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
            "reserve_used_share": v["reserve_fund_used"] / v["reserve_fund_budgeted"]}


# --- The register ---------------------------------------------------------------------------------

FISCAL_DISCREPANCY_TOPICS = ("debt", "functional_lines", "growth_base")


def fiscal_discrepancies(checks) -> list:
    """The known_discrepancy checks that concern the budget report (debt, functional lines,
    growth bases), from `helpers.run_checks()`."""
    return [c for c in checks if c.kind == "known_discrepancy"
            and any(t in c.id for t in FISCAL_DISCREPANCY_TOPICS)]
