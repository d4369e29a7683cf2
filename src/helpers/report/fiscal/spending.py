"""Page 02's municipal spending by function, and its checks and register."""

from __future__ import annotations

import html

import matplotlib.pyplot as plt

from ...analysis import fiscal as af
from ...data import vocab
from .. import figures
from ..nb import fmt
from ..page import register_summary
from .base import Context, H, _join, _p, _register, amt, der, english_units, num, pct, table, text


def spending_section(ctx: Context) -> str:
    """The functional lines with the base each growth rate implies; the growth base presented as
    the budget convention the register classes it as, with the evidence; lines far below their
    outturn treated as those far above."""
    y0, y1 = ctx.y0, ctx.y1
    gb = af.growth_bases(ctx.facts, y0, y1)
    rows = []
    for r in gb.to_dict("records"):
        m = r["metric"]
        rows.append([r["name_zh"] if ctx.lang == "zh" else r["name_en"], H(num(ctx, m, y0, fmt(r["spending"]))),
                     H(num(ctx, m + "_growth", y0)), H(num(ctx, m + "_completion_rate", y0)), r["budget_implied"],
                     H(num(ctx, m, y1, fmt(r["next_budget"]))), H(num(ctx, m + "_growth", y1)), r["base_implied"],
                     f"{r['base_to_spending']:.2f}", f"{r['base_to_budget']:.2f}",
                     ctx.label("yes" if r["base_matches_spending"] else "no"), ctx.label("yes" if r["base_matches_budget"] else "no")])
    headers = [ctx.label("function"), f"{ctx.label('spending')} {y0}", f"{ctx.label('growth')} {y0}", f"{ctx.label('completion_rate')} {y0}",
               f"{ctx.label('budget_implied')} {y0}", f"{ctx.label('next_budget')} {y1}", f"{ctx.label('next_growth')} {y1}",
               ctx.label("base_implied"), ctx.label("base_to_spending"), ctx.label("base_to_budget"),
               ctx.label("base_matches_spending"), ctx.label("base_matches_budget")]
    return table(ctx, headers, rows, right=tuple(range(1, 10))) + _p(_spending_text(ctx, gb))


def _spending_text(ctx: Context, gb) -> str:
    y0, y1, me = ctx.y0, ctx.y1, af.TOTAL_METRIC
    sm = af.growth_base_summary(gb, ctx.thresholds)
    un0, un1 = af.unlisted_spending(ctx.facts, y0), af.unlisted_spending(ctx.facts, y1)
    tot, n = sm["total"], sm["n"]
    names = dict(zip(gb["function"], gb["name_zh"] if ctx.lang == "zh" else gb["name_en"].str.lower(), strict=True))
    base = der(ctx, amt(ctx, tot["base_implied"]), ctx.t("预算数 ÷（1 + 增速）", "budget ÷ (1 + growth)"))
    budget = der(ctx, amt(ctx, tot["budget_implied"]), ctx.t("执行数 ÷ 完成预算比例", "outturn ÷ completion rate"))
    on_outturn = der(ctx, pct(sm["growth_on_outturn"]), ctx.t("预算数 ÷ 执行数 − 1", "budget ÷ outturn − 1"))
    below_out = der(ctx, amt(ctx, tot["spending"] - tot["base_implied"]), ctx.t("执行数 − 隐含基数", "outturn − implied base"))
    below_bud = der(ctx, amt(ctx, tot["budget_implied"] - tot["base_implied"]), ctx.t("隐含预算 − 隐含基数", "implied budget − implied base"))
    conv = af.convention(ctx.checks, "growth_base")
    reason = text(ctx, english_units(conv.text("reason", "en")) if ctx.lang == "en" else conv.text("reason", "zh")) if conv else ""
    unl = (der(ctx, amt(ctx, un0["unlisted"]), ctx.t("支出 − 各项之和", "expenditure − Σ lines")),
           der(ctx, amt(ctx, un1["unlisted"]), ctx.t("支出 − 各项之和", "expenditure − Σ lines")))
    far = sm["far_from_outturn"]
    listed = der(ctx, amt(ctx, un0["listed"]), ctx.t("各项之和", "Σ lines"))
    listed_share = der(ctx, pct(1 - un0["share"]), ctx.t("各项之和 ÷ 支出", "Σ lines ÷ expenditure"))
    unl_share = [der(ctx, pct(u["share"]), ctx.t("未列出 ÷ 支出", "unlisted ÷ expenditure")) for u in (un0, un1)]
    if ctx.lang == "zh":
        s = (f"{n}项功能科目合计 {listed}，占{y0}年市级一般公共预算支出 {num(ctx, me, y0)} 的 {listed_share}，"
             f"未列出 {unl[0]}（{unl_share[0]}）；{y1}年未列出 {unl[1]}（{unl_share[1]}）。"
             f"{y1}年市级支出预算 {num(ctx, me, y1)}、增长 {num(ctx, me + '_growth', y1)}，隐含基数约 {base}，"
             f"比{y0}年执行数 {num(ctx, me, y0)} {'低' if tot['base_implied'] < tot['spending'] else '高'} {below_out}，"
             f"比完成率隐含的{y0}年（调整后）预算 {budget} {'低' if tot['base_implied'] < tot['budget_implied'] else '高'} {below_bud}；"
             f"按执行数计算只增长 {on_outturn}。")
        if sm["neither"]:
            s += (f"这应当理解为预算编制惯例，而不是文件前后矛盾：增幅通常按可比口径的基数或上年预算计算。证据是：{n}项科目中，隐含基数与{y0}年执行数"
                  f"相符的只有 {sm['match_spending']} 项，与隐含预算相符的有 {sm['match_budget']} 项；{sm['below_spending']} 项低于执行数，"
                  f"{sm['below_budget']} 项低于隐含预算；合计也两者都不符。报告没有公布这一基数。登记表把这一差距归为预算惯例，其说明是：{reason}")
        if sm["far_above"] or sm["far_below"]:
            s += ("个别科目的基数与执行数相差很大："
                  + (f"{_join(ctx, [names[f] for f in sm['far_above']])}的隐含基数超过执行数的 {far:g} 倍；" if sm["far_above"] else "")
                  + (f"{_join(ctx, [names[f] for f in sm['far_below']])}的隐含基数不到执行数的 1/{far:g}；" if sm["far_below"] else "")
                  + f"两种情况同样说明可比基数与{y0}年执行数口径不同：科目之间口径调整，或{y0}年执行中有基数不含的一次性支出、年中追加的中央资金。")
        return s
    s = (f"The {n} functional lines add to {listed}, {listed_share} of {y0} municipal general expenditure of "
         f"{num(ctx, me, y0)}; {unl[0]} ({unl_share[0]}) is not itemised, and {unl[1]} ({unl_share[1]}) in {y1}. "
         f"The {y1} municipal budget of {num(ctx, me, y1)} with growth of {num(ctx, me + '_growth', y1)} implies a base of about {base}: "
         f"{below_out} {'below' if tot['base_implied'] < tot['spending'] else 'above'} the {y0} outturn of {num(ctx, me, y0)} and {below_bud} "
         f"{'below' if tot['base_implied'] < tot['budget_implied'] else 'above'} the {y0} (adjusted) budget implied by the completion rate ({budget}); "
         f"on the outturn the budget grows by only {on_outturn}. ")
    if sm["neither"]:
        s += (f"This is best read as a budgeting convention, not an inconsistency of the document: draft budgets state growth on a comparable "
              f"base or the prior year's budget. The evidence: of the {n} lines, the implied base matches {y0} spending for "
              f"{sm['match_spending']} and the implied budget for {sm['match_budget']}; it is below spending for {sm['below_spending']} and "
              f"below the implied budget for {sm['below_budget']}; the total matches neither. The report does not publish that base. "
              f"The register classes the gap as a convention and explains: {reason} ")
    if sm["far_above"] or sm["far_below"]:
        s += ("For a few lines the base is far from the outturn: "
              + (f"for {_join(ctx, [names[f] for f in sm['far_above']])} it is more than {far:g} times the outturn; " if sm["far_above"] else "")
              + (f"for {_join(ctx, [names[f] for f in sm['far_below']])} it is less than 1/{far:g} of it; " if sm["far_below"] else "")
              + f"both point the same way, to a comparable base that differs from the {y0} outturn: a change of classification between "
              f"lines, or one-off spending and central funds added during {y0} that the base leaves out.")
    return s


def figure_spending(ctx: Context):
    """Implied base relative to outturn and to the implied budget, per line (02-municipal-spending)."""
    gb = af.growth_bases(ctx.facts, ctx.y0, ctx.y1)
    figures.setup()
    fig, ax = plt.subplots(figsize=(8.5, 6.5))
    shown = gb.iloc[::-1]
    names = list(shown["name_zh"] if ctx.lang == "zh" else shown["name_en"])
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
    s = ctx.t(f"共运行 {len(ctx.checks)} 项检查，{len(failed)} 项未通过。以下是与预算报告有关的登记事项。"
              f"{register_summary(known, 'zh')}执行年度为 {ctx.y0} 年，预算草案年度为 {ctx.y1} 年；分析层级：{ctx.lv}。",
              f"{len(ctx.checks)} checks ran; {len(failed)} failed. Below are the register's entries that concern the budget report. "
              f"{register_summary(known, 'en')} Review year {ctx.y0}, draft-budget year {ctx.y1}; level analysed: {ctx.lv}.")
    out = _p(s)
    if failed:
        out += table(ctx, [ctx.label("kind"), ctx.label("description"), ctx.label("expected"), ctx.label("actual")],
                     [[c.kind, _register(ctx, c, "description"), str(c.expected), str(c.actual)] for c in failed])
    rows = [[_register(ctx, c, "description"), vocab.name("natures", c.extra.get("nature", "discrepancy"), ctx.lang), c.expected, c.actual,
             ctx.label("status_" + c.status), _register(ctx, c, "reason")] for c in known]
    return out + table(ctx, [ctx.label(k) for k in ("description", "nature", "expected", "actual", "status", "reason")], rows, right=(2, 3))


def sources(ctx: Context) -> str:
    """The numbered list of every source the page cited (call it after every other part)."""
    return ctx.page.sources_html()
