"""What the curated numbers must satisfy: the document's accounting identities, and the register
of discrepancies the document itself does not reconcile (each with its reason and its size).

Identities are written once here as data; `checks.py` evaluates them.
"""

from __future__ import annotations

from dataclasses import dataclass

# Term of an identity: (metric, period, sign) or (metric, period, sign, basis).
# period None = whichever period the metric is stated for (it is stated once).
Term = tuple


def _fetch(facts, term: Term) -> tuple[dict, int]:
    metric, period, sign, *basis = term
    return facts.get(metric, period, basis[0] if basis else None), sign

SOURCE_PARTS = ("revenue", "central_transfers", "debt_revenue", "carryover_in", "other_sources",
                "sources_beyond_revenue")
USE_PARTS = ("expenditure", "remittance_to_central", "transfers_to_districts", "debt_onlending",
             "debt_repayment", "transfer_out", "carryover_out", "other_uses", "uses_beyond_expenditure",
             "surplus")
INSURANCES = ("pension", "medical", "unemployment", "work_injury")
LEVELS = ("city", "municipal")
BUDGETS = ("general", "fund", "state_capital", "social_insurance")


@dataclass
class Sum:
    """total = Σ sign × part, within the rounding of the least precise printed number."""
    id: str
    description: str
    total: Term
    parts: list[Term]

    def evaluate(self, facts) -> tuple[float, float, float, bool]:
        total, _ = _fetch(facts, self.total)
        parts = [_fetch(facts, t) for t in self.parts]
        actual = sum(s * r["value"] for r, s in parts)
        tolerance = max([total["half_unit"]] + [r["half_unit"] for r, _ in parts])
        return total["value"], actual, tolerance, abs(total["value"] - actual) <= tolerance + 1e-9


@dataclass
class AtMost:
    """smaller ≤ larger (for example a debt balance within its limit)."""
    id: str
    description: str
    smaller: Term
    larger: Term

    def evaluate(self, facts) -> tuple[float, float, float, bool]:
        (small, _), (large, _) = _fetch(facts, self.smaller), _fetch(facts, self.larger)
        return large["value"], small["value"], 0.0, small["value"] <= large["value"]


@dataclass
class Share:
    """share (%) = 100 × numerator / denominator, within the rounding of the three printed numbers."""
    id: str
    description: str
    share: Term
    numerator: Term
    denominator: Term

    def evaluate(self, facts) -> tuple[float, float, float, bool]:
        s, n, d = (_fetch(facts, t)[0] for t in (self.share, self.numerator, self.denominator))
        actual = 100 * n["value"] / d["value"]
        tolerance = round(s["half_unit"] + 100 * (n["half_unit"] / d["value"] + n["value"] * d["half_unit"] / d["value"] ** 2), 6)
        return s["value"], actual, tolerance, abs(s["value"] - actual) <= tolerance + 1e-9


def _budget_identities(facts) -> list:
    out = []
    for level in LEVELS:
        for budget in BUDGETS:
            for period in (2021, 2022):
                pre = f"{level}_{budget}_"
                if not facts.has(pre + "revenue", period):
                    continue
                name = f"{level} {budget} budget {period}"
                stated = lambda items, pre=pre, period=period: [(pre + i, period, 1) for i in items if facts.has(pre + i, period)]  # noqa: E731
                # Where the report gives one combined figure for everything beyond own revenue (or
                # expenditure), the itemised lines stated elsewhere are inside it, not beside it.
                sources = ("revenue", "sources_beyond_revenue") if facts.has(pre + "sources_beyond_revenue", period) else SOURCE_PARTS
                uses = ("expenditure", "uses_beyond_expenditure") if facts.has(pre + "uses_beyond_expenditure", period) else USE_PARTS
                if facts.has(pre + "total_sources", period):
                    out.append(Sum(f"identity.{pre}sources.{period}", f"{name}: own revenue + transfers + debt + other sources = total sources",
                                   (pre + "total_sources", period, 1), stated(sources)))
                if facts.has(pre + "total_uses", period):
                    out.append(Sum(f"identity.{pre}uses.{period}", f"{name}: expenditure + remittances + transfers + repayment + other uses = total uses",
                                   (pre + "total_uses", period, 1), stated(uses)))
                    other_side = pre + ("total_sources" if facts.has(pre + "total_sources", period) else "revenue")
                    out.append(Sum(f"identity.{pre}balance.{period}", f"{name}: total sources = total uses",
                                   (pre + "total_uses", period, 1), [(other_side, period, 1)]))
                if facts.has(pre + "non_tax_revenue", period):
                    out.append(Sum(f"identity.{pre}tax_split.{period}", f"{name}: tax + non-tax revenue = revenue",
                                   (pre + "revenue", period, 1), stated(("tax_revenue", "non_tax_revenue"))))
                if facts.has(pre + "revenue_pension", period):
                    for side in ("revenue", "expenditure"):
                        out.append(Sum(f"identity.{pre}{side}_by_insurance.{period}", f"{name}: {side} = sum over the four insurances",
                                       (pre + side, period, 1), [(f"{pre}{side}_{i}", period, 1) for i in INSURANCES]))
                if facts.has(pre + "fiscal_subsidy_share", period):
                    out.append(Share(f"identity.{pre}fiscal_subsidy_share.{period}", f"{name}: fiscal subsidy share = subsidy ÷ revenue",
                                     (pre + "fiscal_subsidy_share", period, 1), (pre + "fiscal_subsidy", period, 1), (pre + "revenue", period, 1)))
                if facts.has(pre + "general_transfers", period):
                    out.append(Sum(f"identity.{pre}transfers.{period}", f"{name}: general + special transfers = transfers to districts",
                                   (pre + "transfers_to_districts", period, 1), stated(("general_transfers", "special_transfers"))))
    return out


def _debt_and_fund_identities() -> list:
    m = "municipal_general_"
    return [
        Sum("identity.reserve_fund.2021", "municipal reserve fund 2021: budgeted = used + transferred to the stabilisation fund",
            (m + "reserve_fund_budgeted", 2021, 1), [(m + "reserve_fund_used", 2021, 1), (m + "reserve_fund_to_stabilisation_fund", 2021, 1)]),
        Sum("identity.reserve_fund_uses.2021", "municipal reserve fund 2021: used = power and coal subsidy + disaster relief",
            (m + "reserve_fund_used", 2021, 1), [(m + "reserve_fund_used_power_coal_subsidy", 2021, 1), (m + "reserve_fund_used_disaster_relief", 2021, 1)]),
        Sum("identity.stabilisation_fund", "budget stabilisation fund: opening + replenished − drawn = closing",
            (m + "stabilisation_fund_closing", None, 1),
            [(m + "stabilisation_fund_opening", None, 1), (m + "stabilisation_fund_replenished", None, 1), (m + "stabilisation_fund_drawn", None, -1)]),
        Sum("identity.debt_limit_by_type.2021", "debt limit = general + special limit",
            ("city_debt_limit", 2021, 1), [("city_debt_general_limit", 2021, 1), ("city_debt_special_limit", 2021, 1)]),
        Sum("identity.debt_balance_by_type.2021", "debt balance = general + special debt",
            ("city_debt_balance", 2021, 1), [("city_debt_general_balance", 2021, 1), ("city_debt_special_balance", 2021, 1)]),
        Sum("identity.debt_balance_by_level.2021", "debt balance = municipal + district debt",
            ("city_debt_balance", 2021, 1), [("municipal_debt_balance", 2021, 1), ("district_debt_balance", 2021, 1)]),
        AtMost("identity.debt_within_limit.2021", "debt balance at the end of 2021 ≤ the debt limit",
               ("city_debt_balance", 2021, 1), ("city_debt_limit", 2021, 1)),
        Sum("identity.bonds_issued.2021", "bonds issued = new + refinancing bonds",
            ("city_debt_bonds_issued", 2021, 1), [("city_debt_new_bonds", 2021, 1), ("city_debt_refinancing_bonds", 2021, 1)]),
        Sum("identity.debt_service_by_level.2021", "debt service = municipal + district debt service",
            ("city_debt_service", 2021, 1), [("municipal_debt_service", 2021, 1), ("district_debt_service", 2021, 1)]),
        Sum("identity.bonds_planned.2022", "2022 bond plan = new + refinancing bonds",
            ("city_debt_bonds_issued", 2022, 1), [("city_debt_new_bonds", 2022, 1), ("city_debt_refinancing_bonds", 2022, 1)]),
        Sum("identity.new_bonds_use.2022", "2022 new bonds = municipal projects + district projects",
            ("city_debt_new_bonds", 2022, 1), [("city_debt_new_bonds_municipal_projects", 2022, 1), ("city_debt_new_bonds_district_projects", 2022, 1)]),
    ]


PROJECT_SECTORS = {
    2021: ("science_innovation", "chengdu_chongqing", "industry", "rural_revitalisation", "urban", "ecology_energy", "social_livelihood"),
    2022: ("science_innovation", "industrial_transformation", "rural_revitalisation", "urban", "ecology_environment", "social_livelihood"),
}


def _project_identities(facts) -> list:
    out = []
    for period, sectors in PROJECT_SECTORS.items():
        for measure in ("count", "investment"):
            if facts.has(f"projects_annual_{sectors[0]}_{measure}", period):
                out.append(Sum(f"identity.projects_by_sector.{measure}.{period}", f"{period} major projects: {measure} by sector adds to the total",
                               (f"projects_annual_total_{measure}", period, 1), [(f"projects_annual_{s}_{measure}", period, 1) for s in sectors]))
            out.append(Sum(f"identity.projects_by_source.{measure}.{period}", f"{period} major projects: {measure} of government + enterprise projects = total",
                           (f"projects_annual_total_{measure}", period, 1),
                           [(f"projects_annual_government_{measure}", period, 1), (f"projects_annual_enterprise_{measure}", period, 1)]))
    return out


def _gap_identities(facts) -> list:
    out = []
    for row in facts.frame[facts.frame["table"] == "target_gaps"].to_dict("records"):
        base = row["metric"].removesuffix("_gap_to_target")
        out.append(Sum(f"identity.target_gap.{row['row_id']}", f"{row['name_zh']}: 2021 target + stated gap = 2021 result",
                       (base, row["period"], 1, "actual"), [(base, row["period"], 1, "plan"), (row["metric"], row["period"], 1)]))
    return out


def identities(facts) -> list:
    return _budget_identities(facts) + _debt_and_fund_identities() + _project_identities(facts) + _gap_identities(facts)


# --- The document's own discrepancies -------------------------------------------------------------

@dataclass
class KnownDiscrepancy:
    """A relationship the document does not satisfy, registered with its size and its reason.

    `gap(facts)` recomputes the size from the curated numbers; the check is `accepted` only while
    the size equals `expected_gap` within `tolerance`, so a changed number cannot hide in it.
    """
    id: str
    description: str
    gap: object
    expected_gap: float
    tolerance: float
    reason: str
    description_zh: str = ""
    reason_zh: str = ""


def _functions_total(facts, period: int) -> float:
    frame = facts.frame
    rows = frame[(frame["table"] == "municipal_spending") & (frame["period"] == period)
                 & ~frame["metric"].str.endswith(("_growth", "_completion_rate"))]
    if rows.empty:
        raise KeyError(f"no municipal functional spending lines for {period}")
    return float(rows["value"].sum())


def _implied_base_gap(facts) -> float:
    budget = facts.value("municipal_general_expenditure", 2022)
    growth = facts.value("municipal_general_expenditure_growth", 2022)
    return budget / (1 + growth / 100) - facts.value("municipal_general_expenditure", 2021)


def _debt_ratio_gap(facts) -> float:
    """Reported 债务率 minus balance ÷ (general and fund revenue + their central transfers)."""
    denominator = sum(facts.value(m, 2021) for m in ("city_general_revenue", "city_general_central_transfers",
                                                     "city_fund_revenue", "city_fund_central_transfers"))
    return facts.value("city_debt_ratio", 2021) - 100 * facts.value("city_debt_balance", 2021) / denominator


def _completion_rate_gap(facts) -> float:
    """Plan implied by the overall completion rate minus the sum of the plans implied by source."""
    def plan(category: str) -> float:
        done = facts.value(f"projects_annual_{category}_investment", 2021)
        return done / (facts.value(f"projects_annual_{category}_completion_rate", 2021) / 100)
    return plan("total") - plan("government") - plan("enterprise")


KNOWN_DISCREPANCIES = [
    KnownDiscrepancy(
        "known.debt_revenue_vs_bonds_issued.2021",
        "2021 debt revenue of the general and fund budgets (777 + 1743) vs government bonds issued (2518), 亿元",
        lambda f: f.value("city_general_debt_revenue", 2021) + f.value("city_fund_debt_revenue", 2021) - f.value("city_debt_bonds_issued", 2021),
        2.0, 0.0,
        "Budget debt revenue (地方政府债务收入) and bonds issued are different aggregates: debt revenue also books "
        "non-bond borrowing such as on-lent foreign loans, and each line is rounded to 亿元 separately. The report "
        "does not reconcile them; the gap is 2 亿元.",
        description_zh='2021年一般公共预算和政府性基金预算的地方政府债务收入（777 + 1743）与全年发行政府债券（2518）之差，亿元',
        reason_zh='预算中的“地方政府债务收入”与“发行政府债券”口径不同：前者还包括外债转贷等非债券借款，且各行分别取整到亿元；报告未作核对，差额为2亿元。'),
    KnownDiscrepancy(
        "known.functional_lines_vs_total.2021",
        "2021 municipal general expenditure (1625) minus the 15 functional lines the report lists, 亿元",
        lambda f: f.value("municipal_general_expenditure", 2021) - _functions_total(f, 2021),
        28.0, 0.0,
        "The report lists only the main functional lines; the rest (for example foreign affairs, defence, debt "
        "interest and other spending) is not itemised.",
        description_zh='2021年市级一般公共预算支出（1625）减去报告列出的15项主要支出之和，亿元',
        reason_zh='报告只列出主要支出科目，其余（如外交、国防、债务付息、其他支出等）未逐项列出。'),
    KnownDiscrepancy(
        "known.functional_lines_vs_total.2022",
        "2022 municipal general expenditure budget (1695) minus the 15 functional lines the report lists, 亿元",
        lambda f: f.value("municipal_general_expenditure", 2022) - _functions_total(f, 2022),
        55.0, 0.0,
        "As in 2021, only the main lines are listed; the remainder is not itemised.",
        description_zh='2022年市级一般公共预算支出（1695）减去报告列出的15项主要支出之和，亿元',
        reason_zh='与2021年相同，只列出主要科目，其余未逐项列出。'),
    KnownDiscrepancy(
        "known.municipal_growth_base.2022",
        "Base implied by the 2022 municipal expenditure growth rate (1695 ÷ 1.079) minus 2021 actual municipal expenditure (1625), 亿元",
        _implied_base_gap, -54.1, 0.1,
        "The 2022 growth rates of the municipal budget are not computed on 2021 actual spending: 1695 is 4.3% above "
        "1625, not 7.9%. The base is presumably a comparable-scope (同口径) figure that excludes one-off 2021 "
        "spending; the report does not state it.",
        description_zh='2022年市级支出增速隐含的基数（1695 ÷ 1.079）减去2021年市级实际支出（1625），亿元',
        reason_zh='2022年市级预算的增长率不是以2021年实际支出为基数计算的：1695比1625只多4.3%，而非7.9%。基数可能是剔除一次性因素后的同口径数，报告未说明。'),
    KnownDiscrepancy(
        "known.debt_ratio.2021",
        "Reported debt ratio (109%) minus debt balance ÷ (general and fund budget revenue + their central transfers), percentage points",
        _debt_ratio_gap, -17.7, 0.1,
        "The Ministry of Finance's risk-assessment formula uses 综合财力 (comprehensive fiscal capacity), whose "
        "components are not all published in the report; none of the standard denominators built from the "
        "report's figures reproduces 109% (notebook 02 tries ten; only a post hoc combination that mixes scopes "
        "comes close).",
        description_zh='报告的政府债务率（109%）减去 债务余额 ÷（一般公共预算和政府性基金预算收入及其中央补助），百分点',
        reason_zh='财政部风险评估办法使用“综合财力”，其构成在报告中并未全部公布；用报告数字构造的常见分母都不能得到109%（笔记本02逐一尝试，其中只有一个事后拼凑、口径不一致的组合恰好接近）。'),
    KnownDiscrepancy(
        "known.project_completion_rates.2021",
        "2021 annual plan implied by the overall completion rate (4093 ÷ 115.8%) minus the plans implied by the government (1349 ÷ 110.1%) and enterprise (2744 ÷ 117.1%) rates, 亿元",
        _completion_rate_gap, -34.0, 0.1,
        "The three completion rates of line 353 imply plans that do not add up (3534.5 vs 1225.2 + 2343.3 = 3568.5); "
        "rounding of the rates explains at most about 3 亿元. The report mentions a mid-year optimisation of the "
        "project list (经年中优化), which may have changed the plan the rates refer to.",
        description_zh='由总体完成率推算的2021年计划投资（4093 ÷ 115.8%）减去按投资来源推算的计划之和（1349 ÷ 110.1% + 2744 ÷ 117.1%），亿元',
        reason_zh='第353行的三个完成率推算出的计划投资互不相加（3534.5 对 1225.2 + 2343.3 = 3568.5），完成率的四舍五入最多解释约3亿元；报告提到“经年中优化”调整了项目清单，可能改变了完成率所对应的计划。'),
]


KNOWN_BY_ID = {kd.id: kd for kd in KNOWN_DISCREPANCIES}
