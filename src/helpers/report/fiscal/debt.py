"""Page 02's debt sections: limits, balances, bonds and debt service; the districts; the reports'
own words on risk; bonds and the debt path; land-sale sensitivity; can the debt ratio be reproduced."""

from __future__ import annotations

import matplotlib.pyplot as plt
from markupsafe import Markup

from ...analysis import fiscal as af
from ...data import vocab
from .. import figures
from .. import words as W
from ..nb import fmt
from .base import (
    Context,
    H,
    _basis,
    _evidence,
    _g,
    _join,
    _keys,
    _signed_html,
    advance_quota,
    amt,
    der,
    evaluated,
    measure_name,
    measures_table,
    missing_text,
    mval,
    num,
    pct,
    references,
    row_num,
    statement,
    statements,
    suffix_name,
    table,
    text,
    variant_formula,
)


def _concerned(ctx: Context, key: str) -> str:
    """The figure a statement is quoted beside, at the page's level where it has one."""
    y0 = ctx.y0
    if any(m.key == key for m in af.MEASURES):
        return mval(ctx, key, y0)
    for facts, metric in ((ctx.facts, f"{ctx.level}_{key}"), (ctx.facts, f"city_{key}"), (ctx.facts, key),
                          (af.district_facts(ctx.facts), key)):
        if facts.has(metric, y0):
            return row_num(ctx, facts.get(metric, y0))
    return "—"


def statements_section(ctx: Context) -> str:
    """Every statement of the table beside the figure it concerns."""
    rows = [[W.name("page02.statement_kind", r["kind"], ctx.lang), vocab.name("topics", r["topic"], ctx.lang),
             H(statement(ctx, r)), H(_concerned(ctx, r["concerns"]))] for r in statements(ctx)]
    headers = [W.text(f"page02.label.{k}", ctx.lang) for k in ("statement_kind", "topic", "statement", "beside")]
    return ctx.say("statements_intro", level=ctx.lv) + table(ctx, headers, rows, right=(3,))


def _land_shock(ctx: Context):
    falls = ctx.spec.get("sensitivity", {}).get("land_sale_falls", (0.1, 0.2, 0.3))
    return af.land_sale_shock(ctx.facts, ctx.level, ctx.y1, ctx.y0, falls)


def _shock_cells(ctx: Context, r: dict, rows: dict) -> dict:
    """The values of one row of the land-sale shock, each with its formula (numbers put in)."""
    def g(name):
        return _g(float(rows[name]["value"])) if rows[name] is not None else "—"

    fall, fund = f"{r['fall']:g}", f"{r['fund_revenue']:.1f}"
    fields = {"fall": fall, "fund": fund, "land": g("land"), "general": g("general"), "special": g("special"),
              "transfers": g("fund_transfers"), "debt": g("debt"), "review": ctx.y0}
    out = {"fund_revenue": der(ctx, amt(ctx, r["fund_revenue"]), W.text("page02.formula.shock_fund", ctx.lang, **fields)
                               .replace(f"= {fund} ", f"= {g('fund')} "))}
    for key, formula in (("land_dependence", "shock_land"), ("special_debt_ratio", "shock_special"), ("debt_to_revenue", "shock_debt")):
        out[key] = None if r[key] is None else der(ctx, pct(r[key]), W.text(f"page02.formula.{formula}", ctx.lang, **fields))
    return out


def sensitivity_section(ctx: Context) -> str:
    """Land sales below the plan year's budget (fiscal.yaml `sensitivity.land_sale_falls`): fund
    revenue, land dependence, the special debt ratio and debt to own revenue at the page's level."""
    shock = _land_shock(ctx)
    rows_in = shock.attrs["rows"]
    body = []
    for r in shock.to_dict("records"):
        cells = _shock_cells(ctx, r, rows_in)
        label = W.text("page02.label.as_budgeted", ctx.lang) if r["fall"] == 0 else f"−{pct(r['fall'], 0)}"
        body.append([label] + [H(cells[k]) if cells[k] is not None else None
                               for k in ("fund_revenue", "land_dependence", "special_debt_ratio", "debt_to_revenue")])
    headers = [W.text(f"page02.label.{k}", ctx.lang) for k in ("fall", "sensitivity_fund", "sensitivity_land",
                                                                "sensitivity_special", "sensitivity_debt")]
    cut = shock.iloc[1:].to_dict("records")
    cells = [_shock_cells(ctx, r, rows_in) for r in cut]
    joined = W.text("page02.text.list_sep", ctx.lang)
    has_special = shock["special_debt_ratio"].notna().all()
    text = ctx.say("sensitivity", y0=ctx.y0, y1=ctx.y1, level=ctx.lv, land=Markup(row_num(ctx, rows_in["land"])),
                   falls=joined.join(pct(r["fall"], 0) for r in cut),
                   land_dependence=Markup(joined.join(c["land_dependence"] for c in cells)),
                   special=Markup(joined.join(c["special_debt_ratio"] for c in cells)) if has_special else "",
                   debt_to_revenue=Markup(joined.join(c["debt_to_revenue"] for c in cells)), has_special=bool(has_special))
    return table(ctx, headers, body, right=(1, 2, 3, 4)) + text


def sensitivity_figure(ctx: Context):
    """Land dependence and the debt ratios as land sales fall below the plan year's budget (02-sensitivity-<level>)."""
    shock = _land_shock(ctx)
    figures.setup()
    fig, ax = plt.subplots(figsize=(7, 4))
    x = 100 * shock["fall"]
    for key, label, color, marker in (("land_dependence", "sensitivity_land", "#f79646", "o"),
                                      ("debt_to_revenue", "sensitivity_debt", "#1f4e79", "s"),
                                      ("special_debt_ratio", "sensitivity_special", "#c0504d", "D")):
        if shock[key].notna().all():
            ys = 100 * shock[key].astype(float)
            ax.plot(x, ys, color=color, marker=marker, label=W.text(f"page02.label.{label}", ctx.lang))
            for xi, yi in zip(x, ys, strict=True):
                ax.text(xi, yi, f" {yi:.0f}%", fontsize=8, va="bottom")
    ax.set_xticks(list(x), [W.text("page02.label.as_budgeted", ctx.lang) if v == 0 else f"−{v:.0f}%" for v in x])
    ax.set_xlabel(W.text("page02.label.fall", ctx.lang))
    ax.set_ylabel(W.text("page02.label.ratio_axis_pct", ctx.lang))
    ax.set_title(W.text("page02.label.fig_sensitivity", ctx.lang, plan=ctx.y1, level=ctx.lv), fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    ax.set_ylim(0, None)
    fig.tight_layout()
    return fig


def _refinancing_shock(ctx: Context) -> dict | None:
    """A what-if on the report's own figures: refinancing covering fewer points of the principal
    (what the template says of it: today's coverage and share, then each lower coverage)."""
    y0 = ctx.y0
    shock = af.refinancing_shock(ctx.facts, y0, "city", ctx.spec.get("sensitivity", {}).get("refinancing_drops", (0.1, 0.2, 0.3)))
    if shock.empty:
        return None
    s = af.debt_service(ctx.facts, y0, "city")
    formula = W.text("page02.formula.refinancing_paid", ctx.lang, interest=f"{s['interest']:g}", principal=f"{s['principal']:g}",
                     revenue=f"{s['own_revenue']:g}")
    base = shock.iloc[0]
    return {"coverage": pct(base["coverage"]), "now": Markup(der(ctx, pct(base["to_revenue"]), formula)),
            "cases": [(pct(r["coverage"], 0), Markup(der(ctx, pct(r["to_revenue"]), formula))) for r in shock.iloc[1:].to_dict("records")]}


def bonds_section(ctx: Context) -> str:
    """The review year's bonds split by budget with the refinancing cross-check, the floor of the plan
    year's debt against the limit, the stabilisation-fund drawing against spending, and the central
    transfers the municipal level keeps (`analysis.fiscal.bonds_and_debt_path`)."""
    y0, y1, v = ctx.y0, ctx.y1, ctx.facts.value
    p = af.bonds_and_debt_path(ctx.facts, y0, y1)

    def d(value, formula):
        return Markup(der(ctx, value, formula))

    def n(metric, period=y0):
        return Markup(num(ctx, metric, period))

    said: dict = {}        # in the order the sentences cite them: that order numbers the sources
    if "new_general" in p:
        said["split"] = dict(
            new=n("city_debt_new_bonds"), special=n("local_government_special_bonds_secured"),
            general=d(amt(ctx, p["new_general"]), f"{v('city_debt_new_bonds', y0):g} − {p['new_special']:g}"),
            general_revenue=n("city_general_debt_revenue"),
            refinancing_general=d(amt(ctx, p["refinancing_general"]), f"{v('city_general_debt_revenue', y0):g} − {p['new_general']:g}"),
            fund_revenue=n("city_fund_debt_revenue"),
            refinancing_special=d(amt(ctx, p["refinancing_special"]), f"{v('city_fund_debt_revenue', y0):g} − {p['new_special']:g}"),
            total=d(amt(ctx, p["refinancing_general"] + p["refinancing_special"]), f"{p['refinancing_general']:g} + {p['refinancing_special']:g}"),
            printed=n("city_debt_refinancing_bonds"), gap=f"{p['refinancing_gap']:+g}".replace("-", "−"),
            tolerance=f"{p['refinancing_tolerance']:g}", agrees=p["refinancing_agrees"])
    if "debt_floor" in p:
        said["floor"] = dict(
            floor=d(amt(ctx, p["debt_floor"]), f"{v('city_debt_balance', y0):g} + {p['new_bonds_next']:g}"),
            balance=n("city_debt_balance"), new_next=n("city_debt_new_bonds", y1),
            over=d(amt(ctx, p["floor_over_limit"]), f"{p['debt_floor']:g} − {v('city_debt_limit', y0):g}"), limit=n("city_debt_limit"),
            headroom=d(amt(ctx, p["headroom"]), f"{v('city_debt_limit', y0):g} − {v('city_debt_balance', y0):g}"))
    if "stabilisation_drawn_to_expenditure" in p:
        said["stabilisation"] = dict(
            drawn=n("municipal_general_stabilisation_fund_drawn", y1), expenditure=n("municipal_general_expenditure", y1),
            share=d(pct(p["stabilisation_drawn_to_expenditure"]),
                    f"{v('municipal_general_stabilisation_fund_drawn', y1):g} ÷ {v('municipal_general_expenditure', y1):g}"))
    if "net_retained_transfers_general" in p:
        def kept(budget):
            return d(f"{p[f'net_retained_transfers_{budget}']:+,.0f}".replace("-", "−"),
                     f"{v(f'municipal_{budget}_central_transfers', y0):g} − {v(f'municipal_{budget}_transfers_to_districts', y0):g}")
        said["retained"] = dict(general=kept("general"), transfers=n("municipal_general_central_transfers"),
                                to_districts=n("municipal_general_transfers_to_districts"), fund=kept("fund"))
    return ctx.say("bonds_text", y0=y0, y1=y1, **{k: said.get(k) for k in ("split", "floor", "stabilisation", "retained")})


def districts_section(ctx: Context) -> str:
    """The district level, which holds most of the debt: derived as city-wide − municipal for revenue
    and land sales, against the debt the report states for districts, with the budget report's own
    warnings about districts and about revenue, quoted (curated/risk_statements.csv)."""
    y0, y1 = ctx.y0, ctx.y1
    if ctx.level == "municipal":
        return ctx.say("district_on_city_page")
    d = af.district_level(ctx.facts, y0, y1)
    lines, debt = d["lines"], d["debt"]
    words = [statements(ctx, kind="risk", concerns=c)[0]
             for c in ("district_debt_service", "district_fund_land_sale_revenue", "tax_share", "self_sufficiency")]

    def quote(k):
        return statement(ctx, words[k])

    rows = []
    for r in lines.to_dict("records"):
        c, m = f"city_{r['budget']}_{r['item']}", f"municipal_{r['budget']}_{r['item']}"
        formula = f"{r['city']:g} − {r['municipal']:g}"
        rows.append([suffix_name(ctx.lang, f"{r['budget']}_{r['item']}") + f" {r['period']}", H(num(ctx, c, r["period"], fmt(r["city"]))),
                     H(num(ctx, m, r["period"], fmt(r["municipal"]))), H(der(ctx, fmt(r["district"]), W.text("page02.text.city_minus_municipal_eq", ctx.lang) + formula)),
                     H(der(ctx, pct(r["district"] / r["city"]), W.text("page02.text.district_city", ctx.lang) + f" = {r['district']:g} ÷ {r['city']:g}"))])
    headers = [ctx.label("line"), W.text("page02.text.city_wide", ctx.lang), W.text("page02.text.municipal", ctx.lang), W.text("page02.text.districts_derived", ctx.lang),
               W.text("page02.text.district_share", ctx.lang)]
    out = table(ctx, headers, rows, right=(1, 2, 3, 4))

    def line(budget, item, period):
        hit = lines[(lines["budget"] == budget) & (lines["item"] == item) & (lines["period"] == period)].iloc[0]
        return der(ctx, amt(ctx, float(hit["district"])), W.text("page02.text.city_minus_municipal", ctx.lang) + f" = {hit['city']:g} − {hit['municipal']:g}")

    own_formula = W.text("page02.text.district_own_revenue", ctx.lang)
    own = der(ctx, amt(ctx, debt["own_revenue"]), own_formula)
    share = der(ctx, pct(debt["debt_share"]), W.text("page02.text.district_debt_city_debt", ctx.lang) +
                f" = {debt['debt_balance']:g} ÷ {ctx.facts.value('city_debt_balance', y0):g}")
    to_own = der(ctx, pct(debt["debt_to_own_revenue"]), W.text("page02.text.district_debt_district_own_revenue", ctx.lang) +
                 f" = {debt['debt_balance']:g} ÷ {debt['own_revenue']:g}")
    service = der(ctx, pct(debt["service_to_own_revenue"]), W.text("page02.text.district_service_over_own", ctx.lang) +
                  f" = {debt['debt_service']:g} ÷ {debt['own_revenue']:g}")
    # in the order the sentences cite them: that order numbers the sources
    said = dict(debt=Markup(num(ctx, "district_debt_balance", y0)), city_debt=Markup(num(ctx, "city_debt_balance", y0)),
                share=Markup(share), service=Markup(num(ctx, "district_debt_service", y0)), own=Markup(own), to_own=Markup(to_own),
                service_share=Markup(service), land=Markup(line("fund", "land_sale_revenue", y0)),
                land_next=Markup(line("fund", "land_sale_revenue", y1)), quotes=[Markup(quote(k)) for k in range(4)])
    return out + ctx.say("districts_text", y0=y0, y1=y1, refinancing=_refinancing_shock(ctx),
                         gap=f"{debt['balance_gap']:g}" if debt["balance_gap"] else "", **said)


def debt_section(ctx: Context) -> str:
    """Limits, balances and headroom; bonds (the plan year's advance quota flagged); debt service;
    the debt measures at the page's level; the reference lines analysts compare with."""
    y0, y1 = ctx.y0, ctx.y1
    ds = af.debt_summary(ctx.facts, y0)
    metric = {"total": ("city_debt_limit", "city_debt_balance"), "general": ("city_debt_general_limit", "city_debt_general_balance"),
              "special": ("city_debt_special_limit", "city_debt_special_balance"), "municipal": (None, "municipal_debt_balance"),
              "district": (None, "district_debt_balance")}
    rows = []
    for r in ds.to_dict("records"):
        lim_m, bal_m = metric[r["part"]]
        rows.append([ctx.label(r["part"]), H(num(ctx, lim_m, y0, fmt(r["limit"]))) if lim_m else None,
                     H(num(ctx, bal_m, y0, fmt(r["balance"]))),
                     H(der(ctx, fmt(r["headroom"]), W.text("page02.text.limit_balance", ctx.lang))) if lim_m else None,
                     pct(r["headroom_share"]) if lim_m else None, pct(r["share_of_balance"])])
    out = table(ctx, [ctx.label(k) for k in ("part", "limit", "balance", "headroom", "headroom_share", "share_of_balance")], rows,
                right=(1, 2, 3, 4, 5))
    bd = af.bonds(ctx.facts, (y0, y1))
    out += table(ctx, [ctx.label(k) for k in ("year", "basis", "issued", "new", "refinancing", "refinancing_share")],
                 [[str(r["period"]), _basis(ctx, r["basis"], "city_debt_bonds_issued", r["period"]), H(num(ctx, "city_debt_bonds_issued", r["period"], fmt(r["issued"]))),
                   H(num(ctx, "city_debt_new_bonds", r["period"], fmt(r["new"]))),
                   H(num(ctx, "city_debt_refinancing_bonds", r["period"], fmt(r["refinancing"]))), pct(r["refinancing_share"])]
                  for r in bd.to_dict("records")], right=(2, 3, 4, 5))
    service = [af.debt_service(ctx.facts, y) for y in (y0, y1)]
    out += table(ctx, [ctx.label(k) for k in ("year", "basis", "service", "principal", "interest", "refinancing_to_principal",
                                              "service_to_own_revenue")],
                 [[str(s["period"]), _basis(ctx, "actual" if s["interest_implied"] else "budgeted", s["metrics"]["principal"][0], s["period"]), _service_cell(ctx, s, "service"),
                   _service_cell(ctx, s, "principal"), _service_cell(ctx, s, "interest"), pct(s["refinancing_to_principal"]),
                   pct(s["service_to_own_revenue"])] for s in service], right=(2, 3, 4, 5, 6))
    out += ctx.say("debt_note", quota=bool(advance_quota(ctx))) + _debt_text(ctx, ds, service)
    out += _advance_quota_text(ctx) if advance_quota(ctx) else ""
    out += measures_table(ctx, _keys(("debt",))) + _debt_measures_text(ctx)
    return out + references_table(ctx)


def _service_cell(ctx: Context, s: dict, part: str):
    m = s["metrics"]
    if part == "service":
        return H(num(ctx, m["service"], s["period"], fmt(s["service"]))) if m["service"] else \
            H(der(ctx, fmt(s["service"]), W.text("page02.text.principal_interest", ctx.lang)))
    if part == "principal":
        if len(m["principal"]) == 1:
            return H(num(ctx, m["principal"][0], s["period"], fmt(s["principal"])))
        return H(der(ctx, fmt(s["principal"]), " + ".join(_g(float(ctx.facts.value(x, s["period"]))) for x in m["principal"])))
    if m["interest"]:
        return H(num(ctx, m["interest"], s["period"], fmt(s["interest"])))
    return H(der(ctx, fmt(s["interest"]) + "*", W.text("page02.text.interest_implied", ctx.lang)))


def _debt_text(ctx: Context, ds, service) -> str:
    y0, th = ctx.y0, ctx.thresholds
    head = af.debt_headroom(ctx.facts, y0)
    limit = float(ctx.facts.value("city_debt_limit", y0))
    tight = head / limit < th["headroom_tight_share"]
    parts = ds.set_index("part")
    s0 = service[0]
    rolled = s0["refinancing_to_principal"] >= th["rolled_over_share"]
    head_d = der(ctx, amt(ctx, head), W.text("page02.text.limit_balance", ctx.lang))
    gdp_row = af.gdp(ctx.facts, y0)
    gdp_d = der(ctx, pct(af.debt_to_gdp(ctx.facts, y0)), W.text("page02.text.debt_balance_gdp", ctx.lang))
    principal = der(ctx, amt(ctx, s0["principal"]), W.text("page02.text.principal_two_budgets", ctx.lang))
    interest = der(ctx, amt(ctx, s0["interest"]), W.text("page02.text.debt_service_principal", ctx.lang))
    head_share = der(ctx, pct(head / limit), W.text("page02.text.headroom_limit", ctx.lang))
    special = der(ctx, pct(parts.loc["special", "share_of_balance"]), W.text("page02.text.special_debt_debt_balance", ctx.lang))
    district = der(ctx, pct(parts.loc["district", "share_of_balance"]), W.text("page02.text.district_debt_debt_balance", ctx.lang))
    rolled_share = der(ctx, pct(s0["refinancing_to_principal"]), W.text("page02.text.refinancing_bonds_principal", ctx.lang))
    service_share = der(ctx, pct(s0["service_to_own_revenue"]), W.text("page02.text.service_over_revenue", ctx.lang))
    def n(metric):
        return Markup(num(ctx, metric, y0))

    # in the order the sentences cite them: that order numbers the sources
    said = dict(balance=n("city_debt_balance"), limit=n("city_debt_limit"), headroom=Markup(head_d), headroom_share=Markup(head_share),
                special=n("city_debt_special_balance"), special_share=Markup(special), district=n("district_debt_balance"),
                district_share=Markup(district), gdp=Markup(row_num(ctx, gdp_row, amt(ctx, gdp_row["value"]))), gdp_share=Markup(gdp_d),
                issued=n("city_debt_bonds_issued"), refinancing=n("city_debt_refinancing_bonds"), rolled_share=Markup(rolled_share),
                principal=Markup(principal), service=n("city_debt_service"), service_share=Markup(service_share),
                interest=Markup(interest))
    if ctx.district:
        said.update(district_service=n("district_debt_service"), district_to_revenue=Markup(mval(ctx, "debt_service_to_revenue", y0)))
    if ctx.level == "municipal":
        said.update(municipal=n("municipal_debt_balance"), municipal_service=n("municipal_debt_service"))
    return ctx.say("debt_text", y0=y0, level=ctx.level, tight=tight, rolled=rolled,
                   **{k: "" for k in ("district_service", "district_to_revenue", "municipal", "municipal_service") if k not in said},
                   **said)


def _advance_quota_text(ctx: Context) -> str:
    y0, y1, q = ctx.y0, ctx.y1, advance_quota(ctx)
    lvl = ctx.level if ctx.level in af.LEVELS else "city"      # the districts' budgeted debt service is not printed
    def n(metric, period=y1):
        return Markup(num(ctx, metric, period))

    said = dict(issued=n("city_debt_bonds_issued"), new=n("city_debt_new_bonds"), refinancing=n("city_debt_refinancing_bonds"),
                q0=Markup(_evidence(ctx, q, 0)), q1=Markup(_evidence(ctx, q, 1)), issued_before=n("city_debt_bonds_issued", y0),
                repayment=n(f"{lvl}_debt_repayment"), interest=n(f"{lvl}_debt_interest"))
    return ctx.say("advance_quota_text", y0=y0, y1=y1, **said)


def _debt_measures_text(ctx: Context) -> str:
    y0, lv = ctx.y0, ctx.lv
    nulls = [evaluated(ctx, k, y0) for k in _keys(("debt",))]
    nulls = [e for e in nulls if e.value is None]
    general, special = evaluated(ctx, "general_debt_ratio", y0).value, evaluated(ctx, "special_debt_ratio", y0).value
    shown = {k: Markup(mval(ctx, k, y0)) for k in ("debt_to_revenue_and_transfers", "debt_to_revenue", "interest_to_revenue",
                                                   "general_debt_ratio", "special_debt_ratio")}
    return ctx.say("debt_measures_text", y0=y0, y1=ctx.y1, level=lv, by_type=general is not None and special is not None,
                   heavier=general is not None and special is not None and special > general,
                   nulls=[(measure_name(ctx.lang, e.key), Markup(missing_text(ctx, e))) for e in nulls],
                   no_draft_balance=evaluated(ctx, "debt_to_revenue", ctx.y1).value is None, **shown)


def references_table(ctx: Context) -> str:
    """The reference lines of fiscal.yaml beside the page's values: references, not the gazette's figures."""
    y0 = ctx.y0
    gdp = af.debt_to_gdp(ctx.facts, y0)
    values = {"debt_to_gdp": (gdp, W.text("page02.text.debt_gdp_city_wide", ctx.lang),
                              der(ctx, pct(gdp), W.text("page02.text.debt_balance_gdp", ctx.lang))),
              "debt_ratio_reported": (1.0, W.text("page02.text.reported_debt_ratio_city_wide", ctx.lang), num(ctx, "city_debt_ratio", y0)),
              "debt_to_revenue": (evaluated(ctx, "debt_to_revenue", y0).value, measure_name(ctx.lang, "debt_to_revenue"),
                                  mval(ctx, "debt_to_revenue", y0))}
    rows = []
    for r in ctx.spec.get("references", []):
        compared = H("; ".join(f"{text(ctx, values[k][1])} {values[k][2]}" for k in r["applies_to"] if values[k][0] is not None))
        link = ctx.say("reference_link", url=r["source"]["url"], title=Markup(text(ctx, r["source"][ctx.data_lang])))
        rows.append([r["name"][ctx.data_lang], pct(r["value"], 0), compared, H(link), r["caveat"][ctx.data_lang]])
    return ctx.say("references_note") + table(ctx, [ctx.label(k) for k in ("reference", "ref_value", "compared", "ref_source", "caveat")], rows, right=(1,))


def debt_figure(ctx: Context):
    """Limits and balances by type, balance by level, bonds by year (the plan year's advance quota
    hatched and labelled) — 02-debt."""
    ds, bd = af.debt_summary(ctx.facts, ctx.y0), af.bonds(ctx.facts, (ctx.y0, ctx.y1))
    figures.setup()
    fig, axes = plt.subplots(1, 3, figsize=(11, 4.2), gridspec_kw={"width_ratios": [3, 1.3, 2]})
    types = ds[ds["group"] == "type"]
    x = range(len(types))
    axes[0].bar([i - 0.2 for i in x], types["limit"], width=0.4, color="#a6a6a6", label=ctx.label("limit"))
    axes[0].bar([i + 0.2 for i in x], types["balance"], width=0.4, color="#1f4e79", label=ctx.label("balance"))
    for i, (lim, bal) in enumerate(zip(types["limit"], types["balance"], strict=True)):
        axes[0].text(i + 0.2, bal, fmt(bal), ha="center", va="bottom", fontsize=8)
        axes[0].text(i - 0.2, lim, fmt(lim), ha="center", va="bottom", fontsize=8)
    axes[0].set_xticks(list(x), [ctx.label(t) for t in types["part"]])
    axes[0].set_title(ctx.label("fig_debt_limit"), fontsize=10)
    axes[0].set_ylabel(ctx.label("amount"))
    axes[0].legend(fontsize=8, loc="upper right")
    levels = ds[ds["group"] == "level"]
    bottom = 0.0
    for part, bal, color in zip(levels["part"], levels["balance"], ["#4bacc6", "#8064a2"], strict=True):
        axes[1].bar(0, bal, bottom=bottom, color=color, width=0.5, label=ctx.label(part))
        axes[1].text(0, bottom + bal / 2, f"{fmt(bal)}\n{pct(bal / levels['balance'].sum())}", ha="center", va="center", fontsize=8, color="white")
        bottom += bal
    axes[1].set_xticks([0], [str(ctx.y0)])
    axes[1].set_xlim(-0.6, 0.6)
    axes[1].set_title(ctx.label("fig_debt_level"), fontsize=10)
    axes[1].legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False)
    for i, row in enumerate(bd.itertuples()):
        quota = advance_quota(ctx)
        hatch = "//" if quota and row.period == quota["period"] else None
        axes[2].bar(i, row.new, color="#f79646", width=0.55, hatch=hatch, edgecolor="white", label=ctx.label("new") if i == 0 else "_nolegend_")
        axes[2].bar(i, row.refinancing, bottom=row.new, color="#c55a11", width=0.55, hatch=hatch, edgecolor="white",
                    label=ctx.label("refinancing") if i == 0 else "_nolegend_")
        axes[2].text(i, row.issued, fmt(row.issued), ha="center", va="bottom", fontsize=8)
    axes[2].set_xticks(range(len(bd)), [f"{r.period}\n{_basis(ctx, r.basis, 'city_debt_bonds_issued', r.period, short=True)}"
                                        for r in bd.itertuples()], fontsize=8)
    axes[2].set_title(ctx.label("fig_bonds"), fontsize=10)
    axes[2].legend(fontsize=8, loc="upper right")
    for ax in axes:
        ax.grid(axis="x", visible=False)
    fig.tight_layout()
    return fig


def _attempts(ctx: Context):
    return af.debt_ratio_attempts(ctx.facts, ctx.y0, af.debt_ratio_variants(ctx.spec))


def debt_ratio_section(ctx: Context) -> str:
    """Every denominator tried (the post hoc one marked †), and what the attempts show."""
    y0 = ctx.y0
    da = _attempts(ctx)
    rows = []
    for r in da.to_dict("records"):
        numbers = _signed_html([(row_num(ctx, row, _g(float(row["value"]))), s) for row, s in r["rows"]])
        rows.append([r["code"] + ("†" if r["post_hoc"] else ""), ctx.label(r["family"]), variant_formula(ctx.lang, r["terms"]), H(numbers),
                     r["denominator"], f"{r['ratio_pct']:.1f}%", f"{r['miss_pp']:+.1f}", f"{r['tolerance_pp']:.2f}",
                     ctx.label("yes" if r["matches"] else "no")])
    headers = [ctx.label(k) for k in ("code", "family", "formula", "numbers", "denominator", "ratio_pct", "miss_pp", "tolerance_pp", "matches")]
    out = table(ctx, headers, rows, right=(4, 5, 6, 7))
    prior, post = da[~da["post_hoc"]], da[da["post_hoc"]]
    prior_matched, post_matched = prior[prior["matches"]], post[post["matches"]]
    near = prior.loc[prior["miss_pp"].abs().idxmin()]
    reported = ctx.facts.get("city_debt_ratio", y0)
    lo, hi = float(reported["value"]) - af._half(reported), float(reported["value"]) + af._half(reported)
    implied = der(ctx, amt(ctx, da.attrs["implied_denominator"]), W.text("page02.text.debt_balance_debt_ratio", ctx.lang))
    rng = (amt(ctx, da.attrs["implied_low"]), amt(ctx, da.attrs["implied_high"]))
    codes = (f"{prior['code'].iloc[0]}–{prior['code'].iloc[-1]}", _join(ctx, list(post["code"])))
    reg = da[da["key"] == "plus_fund_transfers"]
    said = dict(reported=Markup(row_num(ctx, reported)), balance=Markup(num(ctx, "city_debt_balance", y0)), implied=Markup(implied))
    reg_row = reg.iloc[0].to_dict() if len(reg) else None
    return out + ctx.say(
        "debt_ratio_text", low=f"{lo:g}", high=f"{hi:g}", range_low=Markup(rng[0]), range_high=Markup(rng[1]), prior_codes=codes[0],
        post_codes=Markup(codes[1]), matched=list(prior_matched["code"]), lowest=f"{prior['ratio_pct'].min():.1f}",
        highest=f"{prior['ratio_pct'].max():.1f}", near=near["code"], near_ratio=f"{near['ratio_pct']:.1f}", near_miss=f"{near['miss_pp']:+.1f}",
        register=None if reg_row is None else dict(code=reg_row["code"], ratio=f"{reg_row['ratio_pct']:.1f}", miss=f"{reg_row['miss_pp']:+.1f}"),
        has_post=bool(len(post)),
        post_matches=[dict(code=m["code"], formula=Markup(text(ctx, variant_formula(ctx.lang, m["terms"]))),
                           denominator=Markup(amt(ctx, m["denominator"])), ratio=f"{m['ratio_pct']:.2f}",
                           note=Markup(text(ctx, m["note"][ctx.data_lang]))) for m in post_matched.to_dict("records")], **said)


def debt_ratio_figure(ctx: Context):
    """Computed ratio per denominator against the reported one and its rounding range, with the
    reference lines of fiscal.yaml drawn as references (02-debt-ratio)."""
    da = _attempts(ctx)
    reported = ctx.facts.get("city_debt_ratio", ctx.y0)
    rep, half = float(reported["value"]), af._half(reported)
    figures.setup()
    fig, ax = plt.subplots(figsize=(8, 4.8))
    ax.axvspan(rep - half, rep + half, color="#f79646", alpha=0.35, label=ctx.label("rounding_band"))
    ax.axvline(rep, color="#c0504d", linewidth=1.2, label=f"{ctx.label('reported')} {rep:g}%")
    for r, style in zip(references(ctx, "debt_ratio_reported"), (":", "--", "-."), strict=False):
        ax.axvline(100 * r["value"], color="#7f7f7f", linewidth=1, linestyle=style,
                   label=f"{ctx.label('reference')}: {r.get('short', r['name'])[ctx.data_lang]} {pct(r['value'], 0)}")
    colors = ["#2c8c6e" if m else ("#1f4e79" if f == "capacity" else "#4bacc6") for m, f in zip(da["matches"], da["family"], strict=True)]
    ax.barh(da["code"], da["ratio_pct"], color=colors)
    for code, v in zip(da["code"], da["ratio_pct"], strict=True):
        ax.text(v + 1, code, f"{v:.1f}%", va="center", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("%")
    ax.set_xlim(0, max([da["ratio_pct"].max(), *(100 * r["value"] for r in references(ctx, "debt_ratio_reported"))]) * 1.12)
    ax.set_title(ctx.label("fig_debt_ratio"))
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
    ax.grid(axis="y", visible=False)
    return fig
