"""Page 02's headline findings: self-sufficiency and transfers, land, the debt stock, the plan year's
figures, the risk summary in short; on the district page, how its figures are derived."""

from __future__ import annotations

from markupsafe import Markup

from ...analysis import fiscal as af
from .. import words as W
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
    statements_once,
)
from .risk import _risk_finding


def findings(ctx: Context) -> str:
    """Five sentences: self-sufficiency and transfers, land, the debt stock, what the plan year's
    figures are (and are not), and the risk summary in short (debt service and refinancing among it).
    The district page: how its figures are derived, its self-sufficiency, land and debt."""
    if ctx.district:
        return _district_findings(ctx)
    y0, y1, pre, land = ctx.y0, ctx.y1, f"{ctx.level}_general_", f"{ctx.level}_fund_land_sale_revenue"
    to_exp = evaluated(ctx, "central_transfers_to_expenditure", y0).value

    def n(metric, period=y0):
        return Markup(num(ctx, metric, period))

    def m(key, period=y0):
        return Markup(mval(ctx, key, period))

    out = [ctx.say("finding_self_sufficiency", y0=y0, level=ctx.lv, revenue=n(pre + "revenue"),
                   only=evaluated(ctx, "self_sufficiency", y0).value < 0.5, self_sufficiency=m("self_sufficiency"),
                   expenditure=n(pre + "expenditure"), transfers=n(pre + "central_transfers"),
                   to_expenditure=m("central_transfers_to_expenditure"), to_resources=m("central_transfers_to_resources"),
                   passed_on=to_exp is not None and to_exp > 1),
           ctx.say("finding_land", y0=y0, y1=y1, land=n(land), dependence=m("land_dependence"),
                   to_general=m("land_to_general_revenue"), dependence_next=m("land_dependence", y1),
                   to_general_next=m("land_to_general_revenue", y1)),
           _debt_finding(ctx), _plan_year_finding(ctx),
           _risk_finding(ctx)]     # debt service and refinancing are in it (and in section 6)
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
    y0 = ctx.y0
    broad = evaluated(ctx, "debt_to_revenue_and_transfers", y0)
    own = evaluated(ctx, "debt_to_revenue", y0)
    gdp_row = af.gdp(ctx.facts, y0)
    both = broad.value is not None and own.value is not None
    # rendered in the order the Chinese sentence cites them: that order numbers the sources
    pledges = [Markup(p) for p in statements_once(ctx, statements(ctx, topic="debt", kind="pledge"))]
    balance = Markup(num(ctx, f"{ctx.level}_debt_balance", y0))
    broad_shown, own_shown = Markup(mval(ctx, "debt_to_revenue_and_transfers", y0)), Markup(mval(ctx, "debt_to_revenue", y0))
    gdp_share = Markup(der(ctx, pct(af.debt_to_gdp(ctx.facts, y0)), f"{ctx.facts.value('city_debt_balance', y0):g} ÷ {gdp_row['value']:g}"))
    gdp = Markup(row_num(ctx, gdp_row, amt(ctx, gdp_row["value"])))
    return ctx.say("finding_debt", y0=y0, level=ctx.lv, balance=balance, pledges=pledges, broad=broad_shown if both else None,
                   own=own_shown, gdp_share=gdp_share, gdp=gdp, ratio=Markup(num(ctx, "city_debt_ratio", y0)))


def _plan_year_finding(ctx: Context) -> str:
    y0, y1 = ctx.y0, ctx.y1
    q = advance_quota(ctx)
    bases = af.growth_bases(ctx.facts, y0, y1)
    summary = af.growth_base_summary(bases, ctx.thresholds)
    tot, me = summary["total"], af.TOTAL_METRIC
    base = der(ctx, amt(ctx, tot["base_implied"]), W.text("page02.formula.budget_base", ctx.lang))
    return ctx.say("finding_plan_year", y0=y0, y1=y1, quota=bool(q),
                   issued=Markup(num(ctx, "city_debt_bonds_issued", y1)) if q else "",
                   q0=Markup(_evidence(ctx, q, 0)) if q else "", q1=Markup(_evidence(ctx, q, 1)) if q else "",
                   issued_before=Markup(num(ctx, "city_debt_bonds_issued", y0)) if q else "",
                   budget=Markup(num(ctx, me, y1)), growth=Markup(num(ctx, me + "_growth", y1)), base=Markup(base),
                   neither=summary["neither"], outturn=Markup(num(ctx, me, y0)), ref=section_ref(ctx, "growth_base"))
