"""Page 02's budget sections: sources and uses, who pays for spending, the fiscal ratios, what the
draft changes, one year of history, the social insurance fund, execution against budget and the
later revisions."""

from __future__ import annotations

import matplotlib.pyplot as plt
from markupsafe import Markup

from ...analysis import fiscal as af
from .. import figures
from .. import words as W
from ..nb import fmt
from .base import (
    DARK_TEXT,
    HATCH,
    STYLE,
    Context,
    H,
    _checked_quote,
    _g,
    _keys,
    _name,
    amt,
    der,
    evaluated,
    measures_table,
    mval,
    num,
    pct,
    row_num,
    section_ref,
    suffix_name,
    table,
    text,
)


def _tables(ctx: Context) -> dict:
    return {(b, y): af.sources_and_uses(ctx.facts, ctx.level, b, y)
            for b in af.budgets_at(ctx.facts, ctx.level, ctx.y0) for y in (ctx.y0, ctx.y1)
            if af.has_budget(ctx.facts, ctx.level, b, y)}


def sources_uses(ctx: Context) -> str:
    """One table per budget (each line sourced, with its share of the side's total) and whether
    the two sides balance; a note where the level has no social insurance fund."""
    if ctx.district:
        return ctx.say("not_at_district", what="budgets")
    tables = _tables(ctx)
    parts = []
    for b in af.budgets_at(ctx.facts, ctx.level, ctx.y0):
        rows, sentences = [], []
        for y in (ctx.y0, ctx.y1):
            t = tables.get((b, y))
            if t is None:
                continue
            recs = t.to_dict("records")          # a total that is also a line (no stated total) shows once
            rows += [(y, r) for i, r in enumerate(recs)
                     if not any((q["side"], q["metric"]) == (r["side"], r["metric"]) for q in recs[i + 1:])]
            tot = t[t["is_total"]]
            s_row, u_row = tot.iloc[0].to_dict(), tot.iloc[-1].to_dict()
            sentences.append(Markup(ctx.say("su_balance", year=y, sources=Markup(num(ctx, s_row["metric"], y)),
                                            uses=Markup(num(ctx, u_row["metric"], y)), ok=af.balances(t),
                                            sources_gap=f"{s_row['gap']:g}", uses_gap=f"{u_row['gap']:g}")))
        body = [[str(y), ctx.label(r["side"]), _name(ctx, r), H(num(ctx, r["metric"], y, fmt(r["value"]))), pct(r["share"])] for y, r in rows]
        parts.append(ctx.say("su_budget", budget=af.budget_name(b, ctx.lang), level=ctx.lv, sentences=sentences,
                             table=Markup(table(ctx, [ctx.label(k) for k in ("year", "side", "line", "amount", "share")], body,
                                                right=(3, 4)))))
    if "social_insurance" not in af.budgets_at(ctx.facts, ctx.level, ctx.y0):
        parts.append(ctx.say("su_no_social_insurance"))
    return "".join(parts)


def sources_uses_figure(ctx: Context):
    """Stacked bars of each budget's sources and uses (figure 02-sources-uses-<level>; none for districts)."""
    if ctx.district:
        return None
    tables = _tables(ctx)
    budgets = af.budgets_at(ctx.facts, ctx.level, ctx.y0)
    figures.setup()
    fig, axes = plt.subplots(len(budgets), 1, figsize=(9, 1.8 * len(budgets) + 1.4))
    seen = set()
    for ax, b in zip(axes, budgets, strict=True):
        rows = [(y, side) for y in (ctx.y0, ctx.y1) if (b, y) in tables for side in ("sources", "uses")]
        widest = max(tables[(b, y)].loc[tables[(b, y)]["is_total"], "value"].max() for y, _ in rows)
        for k, (y, side) in enumerate(rows):
            t = tables[(b, y)]
            t = t[(t["side"] == side) & ~t["is_total"]]
            left = 0.0
            for row in t.itertuples():
                ax.barh(k, row.value, left=left, color=STYLE[row.category], hatch=HATCH.get(row.category),
                        edgecolor="white", linewidth=0.6, label="_nolegend_" if row.category in seen else ctx.label(row.category))
                seen.add(row.category)
                if row.value >= 0.08 * widest:
                    ax.text(left + row.value / 2, k, fmt(row.value), ha="center", va="center", fontsize=8,
                            color="black" if row.category in DARK_TEXT else "white")
                left += row.value
        ax.set_yticks(range(len(rows)), [f"{y} {ctx.label(side)}" for y, side in rows])
        ax.invert_yaxis()
        ax.set_title(af.budget_name(b, ctx.lang), loc="left", fontsize=10)
        ax.grid(axis="y", visible=False)
    axes[-1].set_xlabel(ctx.label("amount"))
    fig.suptitle(W.text("page02.pattern.titled_level", ctx.lang, title=ctx.label("fig_sources_uses"), level=ctx.lv))
    handles, labels = [], []
    for ax in axes:
        h, lab = ax.get_legend_handles_labels()
        handles, labels = handles + h, labels + lab
    fig.tight_layout(rect=(0, 0.75 / fig.get_figheight(), 1, 1))
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8, frameon=False)
    return fig


def _financing(ctx: Context) -> dict:
    return {(b, y): af.financing(ctx.facts, ctx.level, b, y) for b in ("general", "fund") for y in (ctx.y0, ctx.y1)}


def _component_cell(ctx: Context, row: dict, period: int) -> str:
    terms = row["terms"]
    shown = fmt(row["value"])
    if len(terms) == 1:
        metric, sign = terms[0]
        value = row_num(ctx, ctx.facts.get(metric, period), ("−" if sign < 0 else "") + shown.lstrip("-"))
    else:
        numbers = af.signed_terms([(_g(float(ctx.facts.value(m, period))), s) for m, s in terms])
        value = der(ctx, shown.replace("-", "−"), numbers)
    return H(f"{value} ({der(ctx, pct(row['share_of_expenditure']), W.text('page02.formula.of_expenditure', ctx.lang))})")


def who_pays(ctx: Context) -> str:
    """How general and fund budget spending is paid for, in both years, and what it means."""
    if ctx.district:
        return ""                      # said once, under sources and uses
    fin = _financing(ctx)
    components = [c for c in af.FINANCING_COMPONENTS + ("expenditure",) if any(c in set(f["component"]) for f in fin.values())]
    headers = [ctx.label("component")] + [f"{af.budget_name(b, ctx.lang)} {y}" for b, y in fin]
    rows = []
    for c in components:
        line = [ctx.label("c_" + c)]
        for (_, y), f in fin.items():
            match = f[f["component"] == c]
            line.append(_component_cell(ctx, match.iloc[0].to_dict(), y) if len(match) else None)
        rows.append(line)
    return table(ctx, headers, rows, right=tuple(range(1, len(headers)))) + _who_pays_text(ctx, fin)


def _who_pays_text(ctx: Context, fin: dict) -> str:
    y0, y1, lv, pre, th = ctx.y0, ctx.y1, ctx.lv, f"{ctx.level}_general_", ctx.thresholds
    f = ctx.facts
    g0 = dict(zip(fin[("general", y0)]["component"], fin[("general", y0)]["value"], strict=True))
    g1 = dict(zip(fin[("general", y1)]["component"], fin[("general", y1)]["value"], strict=True))
    exp0 = float(f.value(pre + "expenditure", y0))
    onlend = f.has(pre + "debt_onlending", y0)
    debt_rev, repaid = float(f.value(pre + "debt_revenue", y0)), float(f.value(pre + "debt_repayment", y0))
    onlent = float(f.value(pre + "debt_onlending", y0)) if onlend else 0.0
    net = g0.get("net_borrowing", 0.0)
    passed_on = net < th["mostly_passed_on_share"] * debt_rev
    all_central = ctx.level != "city" and f.value(pre + "central_transfers", y0) == f.value("city_general_central_transfers", y0)

    def share(v, what):
        return Markup(der(ctx, pct(v / exp0), W.text("page02.formula.share_of_expenditure", ctx.lang,
                                                     what=W.text(f"page02.who.{what}", ctx.lang))))

    def d(value, formula):
        return Markup(der(ctx, value, W.text(f"page02.formula.{formula}", ctx.lang)))

    def n(item, period=y0):
        return Markup(num(ctx, pre + item, period))

    # in the order the sentences cite them: that order numbers the sources
    said = dict(expenditure=n("expenditure"), revenue=n("revenue"), own_share=share(g0["own_revenue"], "own_revenue"),
                transfers=n("central_transfers"), transfers_share=share(g0["central_transfers"], "central_transfers"),
                debt_revenue=n("debt_revenue"), repaid=n("debt_repayment"), onlent=n("debt_onlending") if onlend else "",
                net=d(amt(ctx, net), "net_borrowing"), net_share=share(net, "net_borrowing"),
                other=d(amt(ctx, g0.get("other_net", 0.0)), "other_net"),
                to_districts=n("transfers_to_districts") if "to_districts" in g0 else "",
                expenditure_next=n("expenditure", y1), revenue_next=n("revenue", y1),
                own_next=d(pct(g1["own_revenue"] / g1["expenditure"]), "own_over_expenditure"),
                combined=d(amt(ctx, g1["combined_net"]), "combined_net"))
    return ctx.say("who_pays_text", y0=y0, y1=y1, level=lv, passed_on=passed_on, rolled=repaid >= onlent,
                   has_to_districts="to_districts" in g0, all_central=all_central,
                   exceeds=g0["central_transfers"] > exp0, **said)


def financing_figure(ctx: Context):
    """Waterfall of what pays for general budget expenditure in both years (02-financing-<level>; none for districts)."""
    if ctx.district:
        return None
    fin = _financing(ctx)
    figures.setup()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.6), sharey=True,
                             gridspec_kw={"width_ratios": [len(fin[("general", ctx.y0)]), len(fin[("general", ctx.y1)]) + 0.6]})
    for ax, y in zip(axes, (ctx.y0, ctx.y1), strict=True):
        f = fin[("general", y)]
        running, top = 0.0, f["value"].max()
        for k, row in enumerate(f.itertuples()):
            if row.component == "expenditure":
                ax.bar(k, row.value, color="#9bbb59", width=0.65)
                label_y, label = row.value, fmt(row.value)
            else:
                bottom = running if row.value >= 0 else running + row.value
                ax.bar(k, abs(row.value), bottom=bottom, color="#1f4e79" if row.value >= 0 else "#c0504d", width=0.65)
                running += row.value
                label_y, label = bottom + abs(row.value), f"{row.value:+,.0f}"
            ax.text(k, label_y + 0.01 * top, label, ha="center", va="bottom", fontsize=8)
        ax.set_xticks(range(len(f)), [ctx.label("w_" + c) for c in f["component"]], fontsize=8)
        ax.set_title(f"{y}", fontsize=10)
        ax.grid(axis="x", visible=False)
    axes[0].set_ylabel(ctx.label("amount"))
    fig.suptitle(W.text("page02.pattern.titled_level", ctx.lang, title=ctx.label("fig_financing"), level=ctx.lv))
    fig.tight_layout()
    return fig


def measures_section(ctx: Context, groups=("revenue", "transfers", "land")) -> str:
    """Fiscal ratios, central-transfer dependence in its three forms and land dependence."""
    y0, y1, lv = ctx.y0, ctx.y1, ctx.lv

    def v(key, period):
        return mval(ctx, key, period)

    def raw(key, period):
        return evaluated(ctx, key, period).value

    if ctx.district:
        return measures_table(ctx, _keys(groups)) + ctx.say(
            "district_measures", y0=y0, y1=y1, **{k: Markup(v(key, p)) for k, key, p in (
                ("self_sufficiency", "self_sufficiency", y0), ("self_sufficiency_next", "self_sufficiency", y1),
                ("tax_share", "tax_share", y0), ("land_dependence", "land_dependence", y0),
                ("land_dependence_next", "land_dependence", y1), ("land_to_general", "land_to_general_revenue", y0),
                ("gap", "expenditure_gap", y0), ("gap_next", "expenditure_gap", y1))})
    to_exp = raw("central_transfers_to_expenditure", y0)
    shown = {f"{key}{suffix}": Markup(v(key, period)) for key in MEASURES_SAID for suffix, period in (("", y0), ("_next", y1))}
    text = ctx.say("measures_text", y0=y0, y1=y1, level=lv, half=raw("self_sufficiency", y0) < 0.5,
                   widens=raw("expenditure_gap", y1) > raw("expenditure_gap", y0),
                   no_draft_transfers=raw("central_transfers_to_expenditure", y1) is None,
                   transfers_above_one=to_exp is not None and to_exp > 1, **shown)
    return measures_table(ctx, _keys(groups)) + text


# The measures the text of the ratios section names (each for the review and the plan year).
MEASURES_SAID = ('self_sufficiency', 'tax_share', 'central_transfers_to_expenditure', 'central_transfers_to_resources', 'central_transfers_to_revenue', 'land_sale_share_of_fund_revenue', 'land_dependence', 'land_to_general_revenue', 'expenditure_gap', 'broad_gap')


def _partial_draft(ctx: Context) -> tuple[set, dict | None]:
    """The draft lines fiscal.yaml says are not full-year amounts, and the evidence for this level
    (checked on its line)."""
    spec = ctx.spec.get("partial_drafts") or {}
    item = (spec.get("evidence") or {}).get(ctx.level)
    if item is None:
        return set(), None
    return set(spec.get("lines", [])), _checked_quote(ctx, "partial_drafts", item)


def draft_changes(ctx: Context) -> str:
    """The draft line by line against the outturn and, like for like, against the previous year's
    budget (implied by the completion rate); lines the draft holds only in part are marked so."""
    y0, y1, pre = ctx.y0, ctx.y1, f"{ctx.level}_general_"
    yoy = af.year_on_year(ctx.facts, ctx.level, y0, y1)
    partial, evidence = _partial_draft(ctx)
    note = W.text("page02.note.draft_advance_only", ctx.lang)
    rows = []
    for r in yoy.to_dict("records"):
        g = r["metric"] + "_growth"
        name = suffix_name(ctx.lang, f"{r['budget']}_{r['item']}") + (note if f"{r['budget']}.{r['item']}" in partial else "")
        vs_budget = (H(der(ctx, f"{r['vs_budget_pct']:+.1%}".replace("-", "−"),
                           f"{r['draft']:g} ÷ ({r['outturn']:g} ÷ {r['completion_rate']:g}%) − 1"))
                     if r["vs_budget_pct"] == r["vs_budget_pct"] else None)
        rows.append([name, H(num(ctx, r["metric"], y0, fmt(r["outturn"]))), H(num(ctx, r["metric"], y1, fmt(r["draft"]))),
                     H(der(ctx, f"{r['change']:+,.0f}".replace("-", "−"), f"{r['draft']:g} − {r['outturn']:g}")),
                     H(der(ctx, f"{r['change_pct']:+.1%}".replace("-", "−"), f"{r['draft']:g} ÷ {r['outturn']:g} − 1")),
                     vs_budget, H(num(ctx, g, y1)) if ctx.facts.has(g, y1) else None])
    headers = [ctx.label("line"), f"{ctx.label('outturn')} {y0}", f"{ctx.label('draft')} {y1}", ctx.label("change_abs"),
               ctx.label("change_pct"), W.text("page02.label.vs_budget_implied", ctx.lang, year=y0), ctx.label("stated_growth")]
    Y = {r["item"] if r["budget"] == "general" else f"{r['budget']}_{r['item']}": r for r in yoy.to_dict("records")}
    if ctx.district:
        def ch(key):
            r = Y[key]
            return Markup(der(ctx, f"{r['change_pct']:+.1%}".replace("-", "−"), f"{r['draft']:g} ÷ {r['outturn']:g} − 1"))
        return table(ctx, headers, rows, right=(1, 2, 3, 4, 5, 6)) + ctx.say(
            "district_draft", y0=y0, y1=y1, expenditure=Markup(num(ctx, "district_general_expenditure", y1)),
            expenditure_change=ch("expenditure"), fund=Markup(num(ctx, "district_fund_revenue", y1)), fund_change=ch("fund_revenue"),
            land=Markup(num(ctx, "district_fund_land_sale_revenue", y1)), land_change=ch("fund_land_sale_revenue"))

    def rate(key):
        return Markup(der(ctx, pct(abs(Y[key]["change_pct"])), W.text("page02.formula.abs_change", ctx.lang)))

    def vs_budget(key):
        r = Y[key]
        return Markup(der(ctx, f"{r['vs_budget_pct']:+.1%}".replace("-", "−"), W.text(
            "page02.formula.vs_budget", ctx.lang, draft=f"{r['draft']:g}", outturn=f"{r['outturn']:g}", rate=f"{r['completion_rate']:g}")))

    def n(metric, period=y1):
        return Markup(num(ctx, metric, period))

    fm, land = f"{ctx.level}_fund_revenue", f"{ctx.level}_fund_land_sale_revenue"
    # in the order the sentences cite them: that order numbers the sources
    said = dict(expenditure=n(pre + "expenditure"), expenditure_rate=rate("expenditure"), expenditure_vs=vs_budget("expenditure"),
                revenue_growth=n(pre + "revenue_growth"), tax_growth=n(pre + "tax_revenue_growth"), fund=n(fm),
                fund_vs=vs_budget("fund_revenue"), fund_rate=rate("fund_revenue"), fund_completion=n(fm + "_completion_rate", y0),
                land=n(land), land_rate=rate("fund_land_sale_revenue"), drawn=n("municipal_general_stabilisation_fund_drawn"),
                ref=section_ref(ctx, "growth_base"))
    partial_total = evidence is not None and "general.total_sources" in partial and "total_sources" in Y
    if partial_total:
        said.update(total_next=n(pre + "total_sources"), notified=Markup(ctx.page.num(evidence, evidence["text"][ctx.data_lang])),
                    total=n(pre + "total_sources", y0))
    return table(ctx, headers, rows, right=(1, 2, 3, 4, 5, 6)) + ctx.say(
        "draft_text", y0=y0, y1=y1, level=ctx.lv, more=Y["expenditure"]["change"] >= 0, fund_less=Y["fund_revenue"]["change"] < 0,
        land_less=Y["fund_land_sale_revenue"]["change"] < 0, partial_total=partial_total,
        **{k: "" for k in ("total_next", "notified", "total") if not partial_total}, **said)


def social_insurance_section(ctx: Context) -> str:
    """Balance, fiscal subsidy share, balance without subsidy, months of reserves (city-wide only)."""
    y0, y1 = ctx.y0, ctx.y1
    if ctx.district:
        return ctx.say("not_at_district", what="social_insurance")
    if ctx.level != "city" or not ctx.facts.has("city_social_insurance_revenue", y0):
        return ctx.say("si_not_at_level")
    si, si1 = af.social_insurance(ctx.facts, y0), af.social_insurance(ctx.facts, y1)
    m = "city_social_insurance_"

    def n(item, y, shown=None):
        return Markup(num(ctx, m + item, y, shown))

    def g(item, y):
        return n(item, y, _g(float(ctx.facts.value(m + item, y))))

    def formula(key):
        return W.text(f"page02.si.{key}", ctx.lang)

    rows = [
        [formula("balance"), H(f"{g('revenue', y0)} − {g('expenditure', y0)}"), amt(ctx, si["balance"]),
         H(f"{g('revenue', y1)} − {g('expenditure', y1)}"), amt(ctx, si1["balance"])],
        [formula("subsidy_share"), H(f"{g('fiscal_subsidy', y0)} ÷ {g('revenue', y0)}"), pct(si["fiscal_subsidy_share"]), None, None],
        [formula("without_subsidy"), H(f"{g('revenue', y0)} − {g('fiscal_subsidy', y0)} − {g('expenditure', y0)}"),
         amt(ctx, si["balance_without_subsidy"]), None, None],
        [formula("reserve_months"), H(f"{g('accumulated_balance', y0)} ÷ ({g('expenditure', y0)} ÷ 12)"),
         f"{si['reserve_months']:.1f}", None, None],
    ]
    headers = [ctx.label("formula"), f"{ctx.label('numbers')} {y0}", f"{y0}", f"{ctx.label('numbers')} {y1}", f"{y1}"]
    months = Markup(der(ctx, f"{si['reserve_months']:.1f}", W.text("page02.formula.reserve_months", ctx.lang)))
    gap = Markup(der(ctx, amt(ctx, abs(si["balance_without_subsidy"])), W.text("page02.formula.without_subsidy", ctx.lang)))
    # in the order the Chinese sentence cites them: that order numbers the sources
    said = {k: n(item, y) for k, item, y in (("revenue", "revenue", y0), ("expenditure", "expenditure", y0), ("surplus", "surplus", y0),
                                             ("subsidy", "fiscal_subsidy", y0), ("subsidy_share", "fiscal_subsidy_share", y0),
                                             ("accumulated", "accumulated_balance", y0), ("surplus_next", "surplus", y1))}
    return table(ctx, headers, rows, right=(1, 2, 3, 4)) + ctx.say(
        "si_text", y0=y0, y1=y1, short=si["balance_without_subsidy"] < 0, smaller=si1["balance"] < si["balance"],
        months=months, gap=gap, **said)


def history_section(ctx: Context) -> str:
    """One year of history: the previous year's level of every line whose growth rate the report
    prints, implied by that rate (the report does not print it), and the same for the district
    level (city-wide − municipal, its growth derived)."""
    y0, prev = ctx.y0, ctx.y0 - 1
    rows = []
    for r in af.history(ctx.facts, ctx.level, y0).to_dict("records"):
        v, g = r["value_row"], r["growth_row"]
        formula = f"{r['value']:g} ÷ (1 + {r['growth']:g}%)" + W.text(
            "page02.formula.history_span", ctx.lang, low=f"{r['previous_low']:,.1f}", high=f"{r['previous_high']:,.1f}")
        rows.append([suffix_name(ctx.lang, f"{r['budget']}_{r['item']}"),
                     H(der(ctx, f"{r['previous']:,.1f}", formula)), H(row_num(ctx, v, fmt(r["value"]))),
                     H(row_num(ctx, g)), H(der(ctx, f"{r['change']:+,.1f}".replace("-", "−"), f"{r['value']:g} − {r['previous']:.1f}"))])
    headers = [ctx.label("line"), W.text("page02.label.implied_previous", ctx.lang, year=prev),
               W.text("page02.label.outturn_of", ctx.lang, year=y0),
               ctx.label("growth_derived" if ctx.district else "growth_stated"), ctx.label("change_abs")]
    out = ctx.say("history_intro", previous=prev, y0=y0, level=ctx.lv) + table(ctx, headers, rows, right=(1, 2, 3, 4))
    if ctx.level == "city":
        d = af.history(ctx.facts, "district", y0).set_index(["budget", "item"])
        m = af.history(ctx.facts, "municipal", y0).set_index(["budget", "item"])

        def district(budget, item):
            r = d.loc[(budget, item)]
            return Markup(der(ctx, f"{r['growth']:+.1f}%".replace("-", "−"), W.text(
                "page02.formula.district_growth_history", ctx.lang, value=f"{r['value']:g}", previous=f"{r['previous']:.1f}")))

        def municipal(budget, item):
            return Markup(row_num(ctx, m.loc[(budget, item), "growth_row"]))

        out += ctx.say("history_district", y0=y0, land=district("fund", "land_sale_revenue"),
                       land_municipal=municipal("fund", "land_sale_revenue"), revenue=district("general", "revenue"),
                       revenue_municipal=municipal("general", "revenue"))
    return out


def execution_section(ctx: Context) -> str:
    """Completion rates and the budgets they imply; the municipal reserve and stabilisation funds."""
    if ctx.district:
        return ctx.say("not_at_district", what="execution")
    y0, y1, pre = ctx.y0, ctx.y1, f"{ctx.level}_general_"
    ex = af.execution(ctx.facts, ctx.level, y0)
    rows = [[af.budget_name(r["budget"], ctx.lang), ctx.label("side_" + r["side"]), H(num(ctx, r["metric"], y0, fmt(r["outturn"]))),
             H(num(ctx, r["metric"] + "_completion_rate", y0)), r["budget_implied"],
             H(der(ctx, f"{r['difference']:,.1f}".replace("-", "−"), W.text("page02.formula.outturn_minus_implied", ctx.lang)))]
            for r in ex.to_dict("records")]
    headers = [ctx.label(k) for k in ("line", "side", "outturn", "completion_rate", "budget_implied", "difference")]
    E = {(r["budget"], r["side"]): r for r in ex.to_dict("records")}
    uses = ctx.spec.get("reserve_fund", {}).get("uses", [])
    rs = af.reserve_and_stabilisation(ctx.facts, [u["item"] for u in uses])
    R = rs["rows"]

    def r_(item):
        return Markup(row_num(ctx, R[item], amt(ctx, float(R[item]["value"]))))

    def diff(key, sign=1):
        return Markup(der(ctx, amt(ctx, sign * E[key]["difference"]), W.text("page02.formula.outturn_minus_budget", ctx.lang)))

    def rate(metric):
        return Markup(num(ctx, metric, y0))

    # in the order the sentences cite them: that order numbers the sources
    said = dict(revenue_rate=rate(pre + "revenue_completion_rate"), revenue_over=diff(("general", "revenue")),
                expenditure_rate=rate(pre + "expenditure_completion_rate"), expenditure_under=diff(("general", "expenditure"), -1),
                fund_rate=rate(f"{ctx.level}_fund_revenue_completion_rate"), fund_over=diff(("fund", "revenue")),
                budgeted=r_("reserve_fund_budgeted"), used=r_("reserve_fund_used"),
                used_share=Markup(der(ctx, pct(rs["reserve_used_share"]), W.text("page02.formula.used_share", ctx.lang))),
                uses=[(Markup(text(ctx, u["name"][ctx.data_lang])), r_(u["item"])) for u in uses],
                to_stabilisation=r_("reserve_fund_to_stabilisation_fund"), opening=r_("stabilisation_fund_opening"),
                replenished=r_("stabilisation_fund_replenished"), drawn=r_("stabilisation_fund_drawn"),
                closing=r_("stabilisation_fund_closing"))
    return table(ctx, headers, rows, right=(2, 3, 4, 5)) + ctx.say(
        "execution_text", y0=y0, y1=y1, level=ctx.lv, adds=abs(rs["stabilisation_residual"]) < 0.5,
        residual=f"{rs['stabilisation_residual']:g}", **said)


def revision_rows(ctx: Context) -> list[dict]:
    """The review year's budget figures at the page's level that later final accounts revise, as
    page 05 computes them (gazette row, later observation, change, changed)."""
    from ...analysis import outcomes as OUT
    from ...data import observations

    rows = []
    if observations.has_observations(ctx.ed):
        rev = OUT.revisions(OUT.prepare(ctx.ed))
        for r in rev.to_dict("records"):
            g = r["gazette_row"]
            if g.get("table") == "budget" and g.get("level") == ctx.level:
                rows.append({**r, "name": g[f"name_{ctx.data_lang}"]})
    return rows


def revisions_section(ctx: Context) -> str:
    """The review year's budget figures at the page's level that later final accounts revise (page 05
    has them all): gazette against final accounts, each with its source."""
    rows = revision_rows(ctx)
    return ctx.say("revisions", rows=rows, changed=sum(bool(r["changed"]) for r in rows), level_name=ctx.lv, review=ctx.y0)
