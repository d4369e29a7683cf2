"""Page 02's headline findings: self-sufficiency and transfers, land, the debt stock, the plan year's
figures, the risk summary in short; on the district page, how its figures are derived."""

from __future__ import annotations

from markupsafe import Markup

from ...analysis import fiscal as af
from ..page import Findings
from .base import (
    Context,
    _evidence,
    advance_quota,
    amt,
    der,
    evaluated,
    mval,
    num,
    pct,
    row_num,
    section_ref,
    statement,
    statements,
)
from .risk import _risk_finding


def findings(ctx: Context) -> str:
    """Five sentences: self-sufficiency and transfers, land, the debt stock, what the plan year's
    figures are (and are not), and the risk summary in short (debt service and refinancing among it).
    The district page: how its figures are derived, its self-sufficiency, land and debt."""
    if ctx.district:
        return _district_findings(ctx)
    y0, y1, lv, pre = ctx.y0, ctx.y1, ctx.lv, f"{ctx.level}_general_"
    ss = evaluated(ctx, "self_sufficiency", y0).value
    to_exp = evaluated(ctx, "central_transfers_to_expenditure", y0).value
    out = [ctx.t(
        f"{y0}年{lv}一般公共预算收入 {num(ctx, pre + 'revenue', y0)} {'只够' if ss < 0.5 else '可'}支付支出 "
        f"{num(ctx, pre + 'expenditure', y0)} 的 {mval(ctx, 'self_sufficiency', y0)}；中央补助 {num(ctx, pre + 'central_transfers', y0)} "
        f"相当于支出的 {mval(ctx, 'central_transfers_to_expenditure', y0)}、收入与补助合计的 {mval(ctx, 'central_transfers_to_resources', y0)}"
        + ("（市级先收下全市的中央补助，再大量转给区县）。" if to_exp is not None and to_exp > 1 else "。"),
        f"In {y0} {lv} general budget revenue of {num(ctx, pre + 'revenue', y0)} paid for{' only' if ss < 0.5 else ''} "
        f"{mval(ctx, 'self_sufficiency', y0)} of expenditure of {num(ctx, pre + 'expenditure', y0)}; central transfers of "
        f"{num(ctx, pre + 'central_transfers', y0)} equalled {mval(ctx, 'central_transfers_to_expenditure', y0)} of expenditure and "
        f"{mval(ctx, 'central_transfers_to_resources', y0)} of revenue plus transfers"
        + (" (the municipal level receives all central transfers and passes much of them on to districts)." if to_exp is not None and to_exp > 1 else "."))]
    land = f"{ctx.level}_fund_land_sale_revenue"
    out.append(ctx.t(
        f"国有土地使用权出让收入 {num(ctx, land, y0)} 占一般公共预算和政府性基金收入合计的 {mval(ctx, 'land_dependence', y0)}"
        f"（土地财政依赖度），相当于一般公共预算收入的 {mval(ctx, 'land_to_general_revenue', y0)}；{y1}年预算分别为 "
        f"{mval(ctx, 'land_dependence', y1)} 和 {mval(ctx, 'land_to_general_revenue', y1)}。",
        f"Land-use right sales of {num(ctx, land, y0)} were {mval(ctx, 'land_dependence', y0)} of general plus fund budget revenue "
        f"(land dependence) and the equivalent of {mval(ctx, 'land_to_general_revenue', y0)} of general budget revenue; the {y1} draft "
        f"puts them at {mval(ctx, 'land_dependence', y1)} and {mval(ctx, 'land_to_general_revenue', y1)}."))
    out.append(_debt_finding(ctx))
    out.append(_plan_year_finding(ctx))
    out.append(_risk_finding(ctx))     # debt service and refinancing are in it (and in section 6)
    return Findings(out, ctx.lang)


def _district_findings(ctx: Context) -> Findings:
    y0, y1 = ctx.y0, ctx.y1
    peak = statements(ctx, kind="risk", concerns="district_debt_service")[0]

    def n(metric):
        return Markup(num(ctx, metric, y0))

    def m(key):
        return Markup(mval(ctx, key, y0))

    text = ctx.say("district_findings", y0=y0, y1=y1, revenue=n("district_general_revenue"),
                   expenditure=n("district_general_expenditure"), self_sufficiency=m("self_sufficiency"),
                   land=n("district_fund_land_sale_revenue"), land_dependence=m("land_dependence"),
                   land_growth=n("district_fund_land_sale_revenue_growth"),
                   municipal_land_growth=n("municipal_fund_land_sale_revenue_growth"),
                   city_land_growth=n("city_fund_land_sale_revenue_growth"), debt=n("district_debt_balance"),
                   debt_share=m("district_debt_share"), debt_to_revenue=m("debt_to_revenue"), service=n("district_debt_service"),
                   service_to_revenue=m("debt_service_to_revenue"), peak=Markup(statement(ctx, peak)))
    out = [part.strip() for part in text.split("||")]
    out.append(_risk_finding(ctx))
    return Findings([o for o in out if o], ctx.lang)


def _debt_finding(ctx: Context) -> str:
    """The debt stock as an analyst reads it: explicit debt only (the gazette's own pledges on hidden
    debt, cited), against revenue plus transfers first, then own revenue, each named with its
    formula; GDP without a sovereign benchmark (the references table gives those, with their scope)."""
    y0, lv = ctx.y0, ctx.lv
    hidden = statements(ctx, topic="debt", kind="pledge")
    pledges = ctx.t("、", ", ").join(statement(ctx, e) for e in hidden)
    broad = evaluated(ctx, "debt_to_revenue_and_transfers", y0)
    own = evaluated(ctx, "debt_to_revenue", y0)
    out = ctx.t(f"{y0}年末{lv}政府债务余额 {num(ctx, f'{ctx.level}_debt_balance', y0)} 是显性债务（政府债券），不含隐性债务；公报本身多处承诺{pledges}。",
                f"The {lv} government debt of {num(ctx, f'{ctx.level}_debt_balance', y0)} at the end of {y0} is explicit debt (government "
                f"bonds) only, not hidden debt, which the gazette itself pledges to curb ({pledges}).")
    if broad.value is not None and own.value is not None:
        out += ctx.t(f"它相当于一般公共预算和政府性基金的收入及中央补助的 {mval(ctx, 'debt_to_revenue_and_transfers', y0)}"
                     f"（债务与收入及中央补助之比），本级收入（不含中央补助）的 {mval(ctx, 'debt_to_revenue', y0)}（债务与本级收入之比）。",
                     f" It equals {mval(ctx, 'debt_to_revenue_and_transfers', y0)} of general and fund budget revenue plus their central "
                     f"transfers (debt to revenue and transfers) and {mval(ctx, 'debt_to_revenue', y0)} of own revenue, transfers excluded "
                     f"(debt to own revenue).")
    gdp_row = af.gdp(ctx.facts, y0)
    gdp_text = der(ctx, pct(af.debt_to_gdp(ctx.facts, y0)), f"{ctx.facts.value('city_debt_balance', y0):g} ÷ {gdp_row['value']:g}")
    return out + ctx.t(
        f"全市债务余额相当于地区生产总值 {row_num(ctx, gdp_row, amt(ctx, gdp_row['value']))} 的 {gdp_text}；"
        f"报告按财政部办法计算的债务率为 {num(ctx, 'city_debt_ratio', y0)}，其分母“综合财力”在公报中未全部公布，无法复算。",
        f" City-wide debt equals {gdp_text} of GDP ({row_num(ctx, gdp_row, amt(ctx, gdp_row['value']))}); the debt ratio the report "
        f"computes by the Ministry of Finance's method is {num(ctx, 'city_debt_ratio', y0)}, on a denominator (comprehensive fiscal "
        f"capacity) the gazette does not publish in full, so it cannot be recomputed.")


def _plan_year_finding(ctx: Context) -> str:
    y0, y1 = ctx.y0, ctx.y1
    q = advance_quota(ctx)
    bases = af.growth_bases(ctx.facts, y0, y1)
    summary = af.growth_base_summary(bases, ctx.thresholds)
    tot, me = summary["total"], af.TOTAL_METRIC
    base = der(ctx, amt(ctx, tot["base_implied"]), ctx.t("预算数 ÷（1 + 增速）", "budget ÷ (1 + growth)"))
    bonds = "" if not q else ctx.t(
        f"{y1}年计划发行政府债券 {num(ctx, 'city_debt_bonds_issued', y1)} 依据的是{_evidence(ctx, q, 0)}，{_evidence(ctx, q, 1)}，"
        f"不能与{y0}年全年发行的 {num(ctx, 'city_debt_bonds_issued', y0)} 作同口径比较。",
        f"The {y1} plan to issue {num(ctx, 'city_debt_bonds_issued', y1)} of bonds follows {_evidence(ctx, q, 0)}, and "
        f"{_evidence(ctx, q, 1)}: it is not comparable like for like with the {num(ctx, 'city_debt_bonds_issued', y0)} issued over the "
        f"whole of {y0}. ")
    growth = ctx.t(f"市级支出预算 {num(ctx, me, y1)} 增长 {num(ctx, me + '_growth', y1)}，隐含基数约 {base}",
                   f"The municipal budget of {num(ctx, me, y1)} grows {num(ctx, me + '_growth', y1)} on a base of about {base}")
    if not summary["neither"]:
        return bonds + growth + ctx.t(f"（{section_ref(ctx, 'growth_base')}）。", f" ({section_ref(ctx, 'growth_base')}).")
    return bonds + growth + ctx.t(
        f"，而不是{y0}年执行数 {num(ctx, me, y0)}：这很可能是按同口径基数（或上年预算）计算增幅的预算惯例，"
        f"并非文件前后矛盾（{section_ref(ctx, 'growth_base')}）。",
        f", not on the {y0} outturn of {num(ctx, me, y0)}: most likely the budget convention of stating growth on a comparable base "
        f"(or the prior budget), not an inconsistency of the document ({section_ref(ctx, 'growth_base')}).")
