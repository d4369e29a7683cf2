"""Page 02's municipal spending by function, and its checks and register."""

from __future__ import annotations

import html

import matplotlib.pyplot as plt
from markupsafe import Markup

from ...analysis import fiscal as af
from ...data import vocab
from .. import figures
from .. import words as W
from ..nb import fmt
from ..page import register_summary
from .base import Context, H, _register, amt, der, num, pct, table, text


def spending_section(ctx: Context) -> str:
    """The functional lines with the base each growth rate implies; the growth base presented as
    the budget convention the register classes it as, with the evidence; lines far below their
    outturn treated as those far above."""
    y0, y1 = ctx.y0, ctx.y1
    gb = af.growth_bases(ctx.facts, y0, y1)
    rows = []
    for r in gb.to_dict("records"):
        m = r["metric"]
        rows.append([r[f"name_{ctx.data_lang}"], H(num(ctx, m, y0, fmt(r["spending"]))),
                     H(num(ctx, m + "_growth", y0)), H(num(ctx, m + "_completion_rate", y0)), r["budget_implied"],
                     H(num(ctx, m, y1, fmt(r["next_budget"]))), H(num(ctx, m + "_growth", y1)), r["base_implied"],
                     f"{r['base_to_spending']:.2f}", f"{r['base_to_budget']:.2f}",
                     ctx.label("yes" if r["base_matches_spending"] else "no"), ctx.label("yes" if r["base_matches_budget"] else "no")])
    headers = [ctx.label("function"), f"{ctx.label('spending')} {y0}", f"{ctx.label('growth')} {y0}", f"{ctx.label('completion_rate')} {y0}",
               f"{ctx.label('budget_implied')} {y0}", f"{ctx.label('next_budget')} {y1}", f"{ctx.label('next_growth')} {y1}",
               ctx.label("base_implied"), ctx.label("base_to_spending"), ctx.label("base_to_budget"),
               ctx.label("base_matches_spending"), ctx.label("base_matches_budget")]
    return table(ctx, headers, rows, right=tuple(range(1, 10))) + _spending_text(ctx, gb)


def _spending_text(ctx: Context, gb) -> str:
    y0, y1, me = ctx.y0, ctx.y1, af.TOTAL_METRIC
    sm = af.growth_base_summary(gb, ctx.thresholds)
    un0, un1 = af.unlisted_spending(ctx.facts, y0), af.unlisted_spending(ctx.facts, y1)
    tot = sm["total"]
    names = dict(zip(gb["function"], gb[f"name_{ctx.data_lang}"], strict=True))
    conv = af.convention(ctx.checks, "growth_base")

    def d(value, formula):
        return Markup(der(ctx, value, W.text(f"page02.formula.{formula}", ctx.lang)))

    return ctx.say(
        "spending_text", y0=y0, y1=y1, n=sm["n"], summary=sm, far=f"{sm['far_from_outturn']:g}",
        base=d(amt(ctx, tot["base_implied"]), "budget_base"), budget=d(amt(ctx, tot["budget_implied"]), "outturn_over_completion"),
        on_outturn=d(pct(sm["growth_on_outturn"]), "budget_over_outturn"),
        below_out=d(amt(ctx, tot["spending"] - tot["base_implied"]), "outturn_minus_base"),
        below_bud=d(amt(ctx, tot["budget_implied"] - tot["base_implied"]), "budget_minus_base"),
        base_low=tot["base_implied"] < tot["spending"], base_below_budget=tot["base_implied"] < tot["budget_implied"],
        reason=Markup(text(ctx, _register(ctx, conv, "reason"))) if conv else "",
        unlisted=[d(amt(ctx, u["unlisted"]), "expenditure_minus_lines") for u in (un0, un1)],
        listed=d(amt(ctx, un0["listed"]), "sum_lines"), listed_share=d(pct(1 - un0["share"]), "lines_share"),
        unlisted_share=[d(pct(u["share"]), "unlisted_share") for u in (un0, un1)],
        far_above=[names[f] for f in sm["far_above"]], far_below=[names[f] for f in sm["far_below"]],
        total=Markup(num(ctx, me, y0)), total_next=Markup(num(ctx, me, y1)), growth_next=Markup(num(ctx, me + "_growth", y1)))


def spending_figure(ctx: Context):
    """Implied base relative to outturn and to the implied budget, per line (02-municipal-spending)."""
    gb = af.growth_bases(ctx.facts, ctx.y0, ctx.y1)
    figures.setup()
    fig, ax = plt.subplots(figsize=(8.5, 6.5))
    shown = gb.iloc[::-1]
    names = list(shown[f"name_{ctx.data_lang}"])
    ys = list(range(len(shown)))
    far = float(ctx.thresholds["far_from_outturn"])
    ax.axvline(1, color="#7f7f7f", linewidth=1)
    for edge in (far, 1 / far):
        ax.axvline(edge, color="#bfbfbf", linewidth=0.8, linestyle=":")
    ax.hlines(ys, shown["base_low"] / shown["spending"], shown["base_high"] / shown["spending"], color="#f79646", linewidth=3)
    ax.scatter(shown["base_to_spending"], ys, color="#f79646", zorder=3, label=ctx.label("base_to_spending"))
    ax.scatter(shown["base_to_budget"], ys, color="#1f4e79", marker="D", s=18, zorder=3, label=ctx.label("base_to_budget"))
    ax.set_yticks(ys, names, fontsize=8)
    ax.set_xlabel(ctx.label("ratio_axis"))
    ax.set_title(html.unescape(ctx.say("fig_spending_title", plan=ctx.y1, review=ctx.y0)), fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="y", visible=False)
    return fig


def checks_section(ctx: Context) -> str:
    """How many checks ran and failed, and the register's known discrepancies that concern the
    budget report, each with its nature (data/vocab/natures.csv: only `discrepancy` is an error of the document)."""
    failed = [c for c in ctx.checks if c.status == "fail"]
    known = af.fiscal_discrepancies(ctx.checks, ctx.spec)
    s = ctx.say("checks_intro", n=len(ctx.checks), failed=len(failed), summary=Markup(register_summary(known, ctx.lang)),
                y0=ctx.y0, y1=ctx.y1, level=ctx.lv)
    out = s
    if failed:
        out += table(ctx, [ctx.label("kind"), ctx.label("description"), ctx.label("expected"), ctx.label("actual")],
                     [[c.kind, _register(ctx, c, "description"), str(c.expected), str(c.actual)] for c in failed])
    rows = [[_register(ctx, c, "description"), vocab.name("natures", c.extra.get("nature", "discrepancy"), ctx.lang), c.expected, c.actual,
             ctx.label("status_" + c.status), _register(ctx, c, "reason")] for c in known]
    return out + table(ctx, [ctx.label(k) for k in ("description", "nature", "expected", "actual", "status", "reason")], rows, right=(2, 3))


def sources(ctx: Context) -> str:
    """The numbered list of every source the page cited (call it after every other part)."""
    return ctx.page.sources_html()
