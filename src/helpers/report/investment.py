"""Notebook 03's page: major-project investment by sector, by source of finance and by scale, in
one language.

Every function takes the `Investment` of `helpers.analysis.investment.prepare(ed)` and a `Page`
(the language and the numbered sources) and returns HTML, or draws and saves a figure. Curated
numbers go through `page.num`; derived numbers through `page.derived` with their formula. Sector,
source and portfolio names come from the edition's data (crosswalk, analysis/investment.yaml).
"""

from __future__ import annotations

import html

import pandas as pd

from ..analysis import investment as inv
from ..checks.engine import KINDS
from . import figures
from . import words as W
from .nb import fmt
from .page import Findings, Page, register_summary, rows_table, word, zh_spans

YI = "亿元"


def html_table(columns, rows, right=()) -> str:
    """A table whose cells are markup already (escaped text, sourced numbers); `right`: number columns."""
    return rows_table([html.escape(c) for c in columns], [list(r) for r in rows], tuple(right))

HEADERS = {
    "sector": ("领域", "sector"), "year": ("年份", "year"), "count": ("项目个数", "projects"),
    "completed": ("完成投资", "completed investment"), "planned": ("计划投资", "planned investment"),
    "investment": ("投资", "investment"), "share": ("占比", "share"), "avg": ("平均每个项目", "per project"),
    "change": ("变化", "change"), "change_rate": ("变化率", "change, %"), "share_completed": ("完成额占比", "share of completed"),
    "share_planned": ("计划额占比", "share of plan"), "share_change": ("占比变化（百分点）", "share change (percentage points)"),
    "note": ("对应说明", "note on the correspondence"), "source": ("投资来源", "source of finance"),
    "share_count": ("个数占比", "share of projects"), "share_investment": ("投资占比", "share of investment"),
    "completion_rate": ("占年度计划", "% of annual plan"), "implied_plan": ("推算的年度计划", "implied annual plan"),
    "portfolio": ("项目口径", "portfolio"), "total_investment": ("项目总投资", "total investment"),
    "pace": ("当年投资", "the year's investment"), "years_of_work": ("总投资 ÷ 当年投资（倍）", "total ÷ the year's investment (times)"),
    "years_range": ("按原文取整允许的范围", "range the rounding allows"), "kind": ("检查类别", "kind of check"),
    "status": ("状态", "status"), "n": ("项数", "checks"), "description": ("内容", "what is checked"),
    "figures": ("涉及的数字", "figures used"), "reason": ("原因", "reason"), "total": ("合计", "total"),
    "no_counterpart": ("无对应", "no counterpart"), "actual_basis": ("完成", "completed"), "plan_basis": ("计划", "planned"),
    "implied_basis": ("推算的计划", "implied plan"), "years_unit": ("倍当年投资", "× the year's investment"), "projects_unit": ("个", "projects"),
}


def h(key: str, page: Page, unit: str | None = None, year: int | None = None) -> str:
    """A table header in the page's language, with its year and its unit ("2021年完成投资（亿元）")."""
    text = word(HEADERS, key, page.lang)
    if year is not None:
        text = page.t(f"{year}年{text}", f"{text} {year}")
    return f"{text}（{page.unit(unit)}）" if unit and page.lang == "zh" else f"{text} ({page.unit(unit)})" if unit else text


def pct(x: float, digits: int = 1) -> str:
    return "—" if x != x else f"{x:.{digits}%}"


def qualified(r: dict, lang: str, number: str) -> str:
    """`number` with the report's qualifier (3,570亿元左右, at least 500), in `lang` (the catalog's
    words); inside the sourced span, so that a mark (暂列) follows the whole figure."""
    return W.text(f"qualifier.{r['qualifier']}", lang, number)


def shown(r: dict, page: Page, bare: bool = False) -> str:
    """How a curated number reads: with its unit (bare: without, for a column whose header has
    it; a percentage keeps its sign), an amount in 万亿元 as "CNY 2.6 trillion" in English, and a
    number of projects as "850个" / "850 projects"."""
    value, unit = fmt(r["value"]), r["unit"]
    if unit == "%":
        return f"{value}%"
    if bare:
        return value
    if r.get("measure") == "count":
        return page.t(f"{value}个", f"{value} projects")
    if unit == "万亿元" and page.lang == "en":
        return f"CNY {value} trillion"
    return page.amount(r["value"], unit)


def src(d: inv.Investment, page: Page, period: int, category: str = "total", measure: str = "investment",
        portfolio: str = "annual", bare: bool = False) -> str:
    """One curated number, sourced, with the report's qualifier (3,570亿元左右)."""
    r = inv.row(d.projects, period, category, measure, portfolio)
    return page.num(r, qualified(r, page.lang, shown(r, page, bare)))


def count(d: inv.Investment, page: Page, period: int, category: str = "total", portfolio: str = "annual") -> str:
    """A curated number of projects, sourced, as a bare number (the sentence says "projects")."""
    r = inv.row(d.projects, period, category, "count", portfolio)
    return page.num(r, qualified(r, page.lang, fmt(r["value"])))


def derived(page: Page, text: str, zh: str, en: str) -> str:
    return page.derived(text, page.t(zh, en))


def yi(page: Page, value: float, digits: int | None = 0) -> str:
    return page.amount(value, YI, digits)


def sector_names(d: inv.Investment, page: Page) -> dict[str, str]:
    return d.crosswalk.names(page.lang)


def name(names: dict, code: str | None, page: Page) -> str:
    return word(HEADERS, "no_counterpart", page.lang) if code is None else names[code]


def source_name(d: inv.Investment, code: str, page: Page) -> str:
    return word(HEADERS, "total", page.lang) if code == "total" else d.config.sources[code][page.lang]


def portfolio_name(d: inv.Investment, code: str, page: Page) -> str:
    return d.config.portfolios[code][page.lang]


def _share(page: Page, part: float, whole: float, what_zh: str, what_en: str) -> str:
    return derived(page, pct(part / whole), f"{what_zh}：{fmt(part)} ÷ {fmt(whole)}", f"{what_en}: {fmt(part)} ÷ {fmt(whole)}")


# --- Headline findings ----------------------------------------------------------------------------

def _completed_finding(d: inv.Investment, page: Page) -> str:
    r, names = d.review, sector_names(d, page)
    table = inv.sector_table(d.projects, r).sort_values("investment", ascending=False)
    top = table.iloc[0]
    total = inv.amount(d.projects, r, "total")
    share = _share(page, top["investment"], total, f"{names[top['category']]}完成投资 ÷ 全年完成投资",
                   f"{names[top['category']]} completed ÷ total completed")
    return page.t(
        f"{r}年，{portfolio_name(d, 'annual', page)}完成投资{src(d, page, r)}，占年度计划的{src(d, page, r, measure='completion_rate')}；"
        f"其中{names[top['category']]}领域{src(d, page, r, top['category'])}，占{share}。",
        f"In {r} the {portfolio_name(d, 'annual', page)} completed {src(d, page, r)} of investment, "
        f"{src(d, page, r, measure='completion_rate')} of the year's plan; {names[top['category']]} alone took "
        f"{src(d, page, r, top['category'])} ({share}).")


def _plan_finding(d: inv.Investment, page: Page) -> str:
    r, p = d.review, d.plan
    done, plan = inv.amount(d.projects, r, "total"), inv.amount(d.projects, p, "total")
    implied = inv.source_table(d.projects, r, d.config.source_codes()).set_index("category").at["total", "implied_plan"]
    rate = inv.row(d.projects, r, "total", "completion_rate")["value"]
    vs_done = derived(page, pct(abs(plan / done - 1)), f"|{fmt(plan)} ÷ {fmt(done)} − 1|", f"|{fmt(plan)} ÷ {fmt(done)} − 1|")
    vs_implied = derived(page, pct(abs(plan / implied - 1)), f"|{fmt(plan)} ÷ {fmt(implied, 1)} − 1|",
                         f"|{fmt(plan)} ÷ {fmt(implied, 1)} − 1|")
    implied_text = derived(page, yi(page, implied, 1), f"推算的计划 = {fmt(done)} ÷ {fmt(rate)}%",
                           f"implied plan = {fmt(done)} ÷ {fmt(rate)}%")
    return page.t(
        f"{p}年年度计划投资{src(d, page, p)}，比{r}年完成额{'低' if plan < done else '高'}{vs_done}；"
        f"但按完成率推算，{r}年的年度计划约为{implied_text}，本年计划比它{'高' if plan > implied else '低'}{vs_implied}。",
        f"The {p} plan puts {src(d, page, p)} into the year, {vs_done} {'below' if plan < done else 'above'} what was "
        f"completed in {r}, but {vs_implied} {'above' if plan > implied else 'below'} the {r} plan implied by the "
        f"completion rate ({implied_text}).")


def _source_finding(d: inv.Investment, page: Page) -> str:
    r, p = d.review, d.plan
    sources = d.config.source_codes()
    lead = d.config.headline["source"]
    done = inv.source_table(d.projects, r, sources).set_index("category")
    plan = inv.source_table(d.projects, p, sources).set_index("category")
    total_done, total_plan = inv.amount(d.projects, r, "total"), inv.amount(d.projects, p, "total")
    s_done = _share(page, done.at[lead, "investment"], total_done, "完成投资占比", "share of completed investment")
    s_plan = {c: _share(page, plan.at[c, "investment"], total_plan, "计划投资占比", "share of planned investment") for c in sources}
    others_zh = "，".join(f"{source_name(d, c, page)}占{s_plan[c]}" for c in sources if c != lead)
    others_en = ", ".join(f"{source_name(d, c, page)} {s_plan[c]}" for c in sources if c != lead)
    return page.t(
        f"{r}年{source_name(d, lead, page)}完成{src(d, page, r, lead)}，占全年完成投资的{s_done}；"
        f"{p}年计划中{source_name(d, lead, page)}占{s_plan[lead]}，{others_zh}。",
        f"In {r} {source_name(d, lead, page)} completed {src(d, page, r, lead)}, {s_done} of the total; in the {p} plan "
        f"they hold {s_plan[lead]}, and {others_en}.")


def _gap_sentence(d: inv.Investment, page: Page) -> str:
    r = d.review
    sources = d.config.source_codes()
    table = inv.source_table(d.projects, r, sources).set_index("category")
    gap = inv.completion_rate_gap(table.reset_index(), sources)
    by_sources = sum(table.at[c, "implied_plan"] for c in sources)
    rates = page.t("、", ", ").join(src(d, page, r, c, "completion_rate") for c in sources)
    total = derived(page, yi(page, table.at["total", "implied_plan"], 1),
                    f"{fmt(table.at['total', 'investment'])} ÷ {fmt(table.at['total', 'completion_rate'])}%",
                    f"{fmt(table.at['total', 'investment'])} ÷ {fmt(table.at['total', 'completion_rate'])}%")
    parts = " + ".join(f"{fmt(table.at[c, 'investment'])} ÷ {fmt(table.at[c, 'completion_rate'])}%" for c in sources)
    summed = derived(page, yi(page, by_sources, 1), parts, parts)
    gap_text = derived(page, yi(page, abs(gap), 1), f"{fmt(table.at['total', 'implied_plan'], 1)} − {fmt(by_sources, 1)}",
                       f"{fmt(table.at['total', 'implied_plan'], 1)} − {fmt(by_sources, 1)}")
    known = [c for c in d.checks if c.kind == "known_discrepancy"]
    status = page.t("（登记状态：", " (register status: ") + W.name("check_status", known[0].status, page.lang) + page.t("）", ")") \
        if known else ""
    return page.t(
        f"总体完成率与分来源的完成率互不一致：按总体比例{src(d, page, r, measure='completion_rate')}推算的{r}年计划为{total}，"
        f"按各来源的比例（{rates}）推算的计划合计{summed}，相差{gap_text}，超出比例取整所能解释的范围；"
        f"这是文件自身的已知差异{status}。",
        f"The completion rates do not agree: the overall rate of {src(d, page, r, measure='completion_rate')} implies a {r} "
        f"plan of {total}, the sources' own rates ({rates}) plans adding up to {summed}, a gap of {gap_text}, more than "
        f"the rounding of the rates explains; a known discrepancy of the document{status}.")


def _scale_finding(d: inv.Investment, page: Page) -> str:
    r, p = d.review, d.plan
    annual, *others = d.config.portfolios
    scale = inv.portfolio_scale(d.projects, tuple(d.config.portfolios)).set_index(["portfolio", "period"])

    def years(y):
        s = scale.loc[(annual, y)]
        return derived(page, fmt(s["years_of_work"], 1), f"{fmt(s['total_investment'])} ÷ {fmt(s['pace'])}",
                       f"{fmt(s['total_investment'])} ÷ {fmt(s['pace'])}")

    text = page.t(
        f"{r}年项目的总投资（项目全生命周期）{src(d, page, r, measure='total_investment')}约为当年投资的{years(r)}倍；"
        f"{p}年项目总投资{src(d, page, p, measure='total_investment')}约为当年计划投资的{years(p)}倍。这是总投资与一年投资之比，"
        f"不是剩余工作量：报告没有给出尚未完成的投资。",
        f"The {r} projects' total (lifetime) investment of {src(d, page, r, measure='total_investment')} is about {years(r)} "
        f"times that year's investment; in {p}, {src(d, page, p, measure='total_investment')} is about {years(p)} times the "
        f"year's planned investment. This is a multiple of one year's spending, not the work remaining: the report gives no "
        f"figure for the investment still to be made.")
    for o in others:
        for y in [y for (q, y) in scale.index if q == o]:
            text += page.t(
                f"另有{count(d, page, y, portfolio=o)}个{portfolio_name(d, o, page)}，总投资{src(d, page, y, measure='total_investment', portfolio=o)}。",
                f" A further {count(d, page, y, portfolio=o)} {portfolio_name(d, o, page)} total "
                f"{src(d, page, y, measure='total_investment', portfolio=o)}.")
    return text


def findings_html(d: inv.Investment, page: Page) -> str:
    """The page's headline findings (five sentences) as a list."""
    items = [_completed_finding(d, page), _plan_finding(d, page), _source_finding(d, page), _gap_sentence(d, page),
             _scale_finding(d, page)]
    source = page.t("依据：", "Source: ") + zh_spans(d.edition.title[page.lang], page.lang)
    return Findings(items, page.lang, heading=True, source=source)


# --- By sector ------------------------------------------------------------------------------------

def _role(d: inv.Investment, role: str) -> int:
    if role not in ("review", "plan"):
        raise ValueError(f"role={role!r}; expected 'review' or 'plan'")
    return d.review if role == "review" else d.plan


def sectors_html(d: inv.Investment, page: Page, role: str) -> str:
    """One year's investment by sector (role "review": completed; "plan": planned, with project
    counts and the average per project), then a sentence on the largest and smallest sectors."""
    y, names = _role(d, role), sector_names(d, page)
    table = inv.sector_table(d.projects, y)
    total = inv.amount(d.projects, y, "total")
    has_count = table["count"].notna().all()
    columns = [h("sector", page), h("completed" if role == "review" else "planned", page, YI), h("share", page)]
    if has_count:
        columns[1:1] = [h("count", page)]
        columns.append(h("avg", page, YI))
    rows = []
    for t in table.to_dict("records"):
        cells = [zh_spans(names[t["category"]], page.lang), src(d, page, y, t["category"], bare=True), pct(t["share"])]
        if has_count:
            cells[1:1] = [count(d, page, y, t["category"])]
            cells.append(fmt(t["avg_per_project"], 2))
        rows.append(cells)
    rows.append([html.escape(h("total", page))] + ([count(d, page, y)] if has_count else []) + [src(d, page, y, bare=True), pct(1.0)]
                + ([fmt(total / inv.row(d.projects, y, "total", "count")["value"], 2)] if has_count else []))
    table_markup = html_table(columns, rows, right=tuple(range(1, len(columns))))
    order = table.sort_values("investment", ascending=False)
    top, second, low = order.iloc[0], order.iloc[1], order.iloc[-1]
    ratio = derived(page, fmt(top["investment"] / second["investment"], 1), f"{fmt(top['investment'])} ÷ {fmt(second['investment'])}",
                    f"{fmt(top['investment'])} ÷ {fmt(second['investment'])}")
    n = derived(page, str(len(table)), "报告列出的领域个数", "sectors the report lists")
    text = page.t(
        f"报告按{n}个领域列出{y}年的{'完成' if role == 'review' else '计划'}投资。{names[top['category']]}最多"
        f"（{pct(top['share'])}），是第二位{names[second['category']]}（{pct(second['share'])}）的{ratio}倍；"
        f"最少的{names[low['category']]}只有{src(d, page, y, low['category'])}（{pct(low['share'])}）。",
        f"The report lists the {y} {'completed' if role == 'review' else 'planned'} investment by {n} sectors. "
        f"{names[top['category']]} takes the most ({pct(top['share'])}), {ratio} times the next sector, "
        f"{names[second['category']]} ({pct(second['share'])}); the smallest, {names[low['category']]}, only "
        f"{src(d, page, y, low['category'])} ({pct(low['share'])}).")
    return table_markup + f"<p>{text}</p>"


def _bars(labels, values, texts, *, title: str, xlabel: str, color: str):
    """A horizontal bar chart, bars top to bottom in the order given, each annotated with its text."""
    import matplotlib.pyplot as plt

    labels, values, texts = list(labels), [float(v) for v in values], list(texts)
    if not (len(labels) == len(values) == len(texts)) or not labels:
        raise ValueError(f"_bars needs as many labels, values and texts (got {len(labels)}, {len(values)}, {len(texts)})")
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(labels) + 1.5))
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, values, color=color)
    ax.set_yticks(positions, labels)
    for y, v, t in zip(positions, values, texts, strict=True):
        ax.text(v, y, f" {t}", va="center", fontsize=9)
    ax.set_xlim(0, max(values) * 1.3)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    return fig


def _save(fig, name: str, page: Page, figure_dir, figure_format):
    return figures.savefig(fig, name, figure_dir=figure_dir, figure_format=figure_format, lang=page.lang)


def sectors_figure(d: inv.Investment, page: Page, role: str, *, figure_dir=None, figure_format: str = "png"):
    """Bars of one year's investment by sector, largest first: 03-sectors-completed / -planned."""
    y, names = _role(d, role), sector_names(d, page)
    order = inv.sector_table(d.projects, y).sort_values("investment", ascending=False)
    portfolio = portfolio_name(d, "annual", page)
    title = (page.t(f"{y}年{portfolio}完成投资（按领域）", f"Completed investment of the {portfolio} by sector, {y}")
             if role == "review" else
             page.t(f"{y}年{portfolio}计划投资（按领域）", f"Planned investment of the {portfolio} by sector, {y}"))
    fig = _bars(order["category"].map(names), order["investment"],
                [f"{v:,.0f} ({s:.1%})" for v, s in zip(order["investment"], order["share"], strict=True)],
                title=title, xlabel=page.unit(YI), color=figures.PALETTE[0 if role == "review" else 1])
    return _save(fig, f"03-sectors-{'completed' if role == 'review' else 'planned'}", page, figure_dir, figure_format)


# --- The two years compared through the crosswalk -------------------------------------------------

def _pair(names: dict, a, b, page: Page) -> str:
    if a is None or b is None:
        return name(names, a if b is None else b, page)
    return names[a] if names[a] == names[b] else f"{names[a]} → {names[b]}"


def crosswalk_html(d: inv.Investment, page: Page) -> str:
    """The crosswalk (both years' sectors and the note on each correspondence), then the
    comparison it allows, then a sentence on the largest changes."""
    r, p, names = d.review, d.plan, sector_names(d, page)
    frame = d.crosswalk.frame
    renamed = sum(1 for a, b in zip(frame["sector_from"], frame["sector_to"], strict=True)
                  if a is not None and b is not None and names[a] != names[b])
    alone = [a for a, b in zip(frame["sector_from"], frame["sector_to"], strict=True) if b is None]
    new = [b for a, b in zip(frame["sector_from"], frame["sector_to"], strict=True) if a is None]
    n = {k: derived(page, str(v), zh, en) for k, v, zh, en in (
        ("r", len(d.crosswalk.sectors(r)), f"{r}年的领域个数", f"sectors of {r}"),
        ("p", len(d.crosswalk.sectors(p)), f"{p}年的领域个数", f"sectors of {p}"),
        ("renamed", renamed, "对照表中两年名称不同的行", "crosswalk rows whose two names differ"),
        ("alone", len(alone), f"{r}年在{p}年无对应的领域", f"sectors of {r} without a counterpart in {p}"),
        ("new", len(new), f"{p}年在{r}年无对应的领域", f"sectors of {p} without a counterpart in {r}"))}
    intro = page.t(f"{r}年列出{n['r']}个领域，{p}年{n['p']}个；对照表中{n['renamed']}个领域改名，{r}年有{n['alone']}个、"
                   f"{p}年有{n['new']}个领域在另一年没有对应。",
                   f"{r} lists {n['r']} sectors, {p} {n['p']}. In the crosswalk, renamed sectors: {n['renamed']}; "
                   f"sectors of {r} without a counterpart in {p}: {n['alone']}; sectors of {p} without a counterpart "
                   f"in {r}: {n['new']}.")
    rows = [[zh_spans(name(names, a, page), page.lang), zh_spans(name(names, b, page), page.lang),
             zh_spans(note, page.lang)]
            for a, b, note in zip(frame["sector_from"], frame["sector_to"], frame[f"note_{page.lang}"], strict=True)]
    crosswalk = html_table([h("sector", page, year=r), h("sector", page, year=p), h("note", page)], rows)

    compared = inv.compare_sectors(d.projects, d.crosswalk)
    rows = []
    for c in compared.to_dict("records"):
        a, b = c["sector_from"], c["sector_to"]
        rows.append([zh_spans(_pair(names, a, b, page), page.lang),
                     src(d, page, r, a, bare=True) if a is not None else "—",
                     src(d, page, p, b, bare=True) if b is not None else "—",
                     "—" if c["change"] != c["change"] else f"{c['change']:+,.0f}", pct(c["change_rate"]),
                     pct(c["share_completed"]), pct(c["share_planned"]),
                     "—" if c["share_change"] != c["share_change"] else f"{100 * c['share_change']:+.1f}"])
    columns = [h("sector", page), h("completed", page, YI, r), h("planned", page, YI, p), h("change", page, YI),
               h("change_rate", page), h("share_completed", page, year=r), h("share_planned", page, year=p),
               h("share_change", page)]
    comparison = html_table(columns, rows, right=tuple(range(1, len(columns))))
    return f"<p>{intro}</p>" + crosswalk + comparison + f"<p>{_compared_sentence(d, page, compared)}</p>"


def _compared_sentence(d: inv.Investment, page: Page, compared: pd.DataFrame) -> str:
    r, p, names = d.review, d.plan, sector_names(d, page)
    done, plan = inv.amount(d.projects, r, "total"), inv.amount(d.projects, p, "total")
    diff = derived(page, yi(page, abs(plan - done)), f"|{fmt(plan)} − {fmt(done)}|", f"|{fmt(plan)} − {fmt(done)}|")
    matched = compared.dropna(subset=["change_rate"])
    up, down = matched.loc[matched["change"].idxmax()], matched.loc[matched["change"].idxmin()]

    def change(c):
        return derived(page, f"{c['change']:+,.0f}{page.t('', ' ')}{page.unit(YI)}{page.t('，', ', ')}{pct(c['change_rate'])}",
                       f"{fmt(c['planned'])} − {fmt(c['completed'])}", f"{fmt(c['planned'])} − {fmt(c['completed'])}")

    alone = [a for a, b in zip(compared["sector_from"], compared["sector_to"], strict=True) if b is None]
    alone_text = page.t("、", ", ").join(f"{names[a]}（{src(d, page, r, a)}）" if page.lang == "zh" else f"{names[a]} ({src(d, page, r, a)})"
                                         for a in alone)
    text = page.t(
        f"{p}年计划投资比{r}年完成投资{'少' if plan < done else '多'}{diff}。按对照表，增加最多的是"
        f"{_pair(names, up['sector_from'], up['sector_to'], page)}（{change(up)}），减少最多的是"
        f"{_pair(names, down['sector_from'], down['sector_to'], page)}（{change(down)}）。",
        f"The {p} plan is {diff} {'below' if plan < done else 'above'} what was completed in {r}. Through the crosswalk, "
        f"the largest increase is in {_pair(names, up['sector_from'], up['sector_to'], page)} ({change(up)}) and the "
        f"largest fall in {_pair(names, down['sector_from'], down['sector_to'], page)} ({change(down)}).")
    if alone:
        text += page.t(f"{r}年的{alone_text}在{p}年没有对应领域。", f" {alone_text} of {r} has no counterpart in {p}.")
    text += page.t("这里是本年计划与上年完成相比，且领域口径可能变化（见对照说明），变化最大的几行未必是同口径比较。",
                   " This compares a plan with an outcome, and sector scopes may have changed (see the notes): the "
                   "largest changes are not necessarily like for like.")
    return text


def compared_figure(d: inv.Investment, page: Page, *, figure_dir=None, figure_format: str = "png"):
    """Paired bars per crosswalk row, the review year's completed against the plan year's planned:
    03-sectors-compared."""
    import matplotlib.pyplot as plt

    r, p, names = d.review, d.plan, sector_names(d, page)
    compared = inv.compare_sectors(d.projects, d.crosswalk)
    positions = list(range(len(compared)))[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(compared) + 1.5))
    none = word(HEADERS, "no_counterpart", page.lang)
    for column, offset, color, label in (("completed", 0.2, figures.PALETTE[0], page.t(f"{r}年", f"{r} ") + f"{word(HEADERS, 'actual_basis', page.lang)}"),
                                         ("planned", -0.2, figures.PALETTE[1], page.t(f"{p}年", f"{p} ") + f"{word(HEADERS, 'plan_basis', page.lang)}")):
        values = compared[column]
        ax.barh([q + offset for q in positions], values.fillna(0), height=0.4, color=color, label=label)
        for q, v in zip(positions, values, strict=True):
            ax.text(0 if v != v else v, q + offset, f" {v:,.0f}" if v == v else f" {none}", va="center", fontsize=8)
    labels = [_pair(names, a, b, page) for a, b in zip(compared["sector_from"], compared["sector_to"], strict=True)]
    ax.set_yticks(positions, [t.replace(" → ", " →\n") if len(t) > 30 else t for t in labels])
    ax.set_xlim(0, max(compared["completed"].max(), compared["planned"].max()) * 1.2)
    ax.set_xlabel(page.unit(YI))
    ax.set_title(page.t(f"按对照表对应的领域：{r}年完成与{p}年计划", f"Sectors matched by the crosswalk: {r} completed against {p} planned"))
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right")
    return _save(fig, "03-sectors-compared", page, figure_dir, figure_format)


# --- Sources of finance ---------------------------------------------------------------------------

def sources_html(d: inv.Investment, page: Page) -> str:
    """Projects and investment by source of finance for both years, with the completion rates and
    the plans they imply; then the known discrepancy those rates make, as registered."""
    sources = d.config.source_codes()
    rows = []
    for y in (d.review, d.plan):
        table = inv.source_table(d.projects, y, sources)
        for t in table.to_dict("records"):
            c = t["category"]
            rate = "—" if t["completion_rate"] != t["completion_rate"] else src(d, page, y, c, "completion_rate")
            rows.append([str(y), zh_spans(source_name(d, c, page), page.lang), count(d, page, y, c), src(d, page, y, c, bare=True),
                         pct(t["share_count"]), pct(t["share_investment"]), fmt(t["avg_per_project"], 2), rate,
                         "—" if t["implied_plan"] != t["implied_plan"] else fmt(t["implied_plan"], 1)])
    columns = [h("year", page), h("source", page), h("count", page), h("investment", page, YI), h("share_count", page),
               h("share_investment", page), h("avg", page, YI), h("completion_rate", page), h("implied_plan", page, YI)]
    out = html_table(columns, rows, right=tuple(range(2, len(columns))))
    out += f"<p>{_sources_sentence(d, page)} {_gap_sentence(d, page)}</p>"
    known = [c for c in d.checks if c.kind == "known_discrepancy"]
    if known:
        out += html_table([h("description", page), h("status", page), h("reason", page)],
                          [[zh_spans(c.text("description", page.lang), page.lang),
                            html.escape(W.name("check_status", c.status, page.lang)),
                            zh_spans(c.text("reason", page.lang), page.lang)] for c in known])
    return out


def _sources_sentence(d: inv.Investment, page: Page) -> str:
    r = d.review
    sources = d.config.source_codes()
    table = inv.source_table(d.projects, r, sources).set_index("category")
    avg = {c: derived(page, yi(page, table.at[c, "avg_per_project"], 2), f"{fmt(table.at[c, 'investment'])} ÷ {fmt(table.at[c, 'count'])}",
                      f"{fmt(table.at[c, 'investment'])} ÷ {fmt(table.at[c, 'count'])}") for c in sources}
    return page.t(
        f"{r}年平均每个项目完成投资：" + "，".join(f"{source_name(d, c, page)}{avg[c]}" for c in sources) + "。",
        f"In {r} the average completed investment per project was " + ", ".join(
            f"{avg[c]} for {source_name(d, c, page)}" for c in sources) + ".")


def sources_figure(d: inv.Investment, page: Page, *, figure_dir=None, figure_format: str = "png"):
    """Grouped bars per source: the review year's implied plan and completed, the plan year's
    planned: 03-sources."""
    import matplotlib.pyplot as plt

    r, p = d.review, d.plan
    sources = d.config.source_codes()
    done = inv.source_table(d.projects, r, sources).set_index("category")
    plan = inv.source_table(d.projects, p, sources).set_index("category")
    series = [(page.t(f"{r}年", f"{r} ") + f"{word(HEADERS, 'implied_basis', page.lang)}", done["implied_plan"], figures.PALETTE[6]),
              (page.t(f"{r}年", f"{r} ") + f"{word(HEADERS, 'actual_basis', page.lang)}", done["investment"], figures.PALETTE[0]),
              (page.t(f"{p}年", f"{p} ") + f"{word(HEADERS, 'plan_basis', page.lang)}", plan["investment"], figures.PALETTE[1])]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for i, (label, values, color) in enumerate(series):
        xs = [g + (i - 1) * 0.27 for g in range(len(sources))]
        ys = [values[c] for c in sources]
        ax.bar(xs, ys, width=0.27, color=color, label=label)
        for x, y in zip(xs, ys, strict=True):
            if y == y:
                ax.text(x, y, f"{y:,.0f}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(sources)), [source_name(d, c, page) for c in sources])
    ax.set_ylabel(page.unit(YI))
    ax.set_title(page.t(f"按投资来源：{r}年推算计划、{r}年完成、{p}年计划",
                        f"By source of finance: {r} implied plan, {r} completed, {p} planned"))
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper left")
    return _save(fig, "03-sources", page, figure_dir, figure_format)


# --- Per project ----------------------------------------------------------------------------------

def per_project_html(d: inv.Investment, page: Page) -> str:
    """A sentence on the plan year's planned investment per project, overall and by sector."""
    p, names = d.plan, sector_names(d, page)
    table = inv.sector_table(d.projects, p).sort_values("avg_per_project", ascending=False)
    total, n = inv.amount(d.projects, p, "total"), inv.row(d.projects, p, "total", "count")["value"]
    overall = derived(page, yi(page, total / n, 2), f"{fmt(total)} ÷ {fmt(n)}", f"{fmt(total)} ÷ {fmt(n)}")
    hi, lo = table.iloc[0], table.iloc[-1]

    def avg(t):
        return derived(page, yi(page, t["avg_per_project"], 2), f"{fmt(t['investment'])} ÷ {fmt(t['count'])}",
                       f"{fmt(t['investment'])} ÷ {fmt(t['count'])}")

    return "<p>" + page.t(
        f"{p}年计划实施{count(d, page, p)}个项目，平均每个项目年度计划投资{overall}（图中虚线）。"
        f"{names[hi['category']]}项目平均{avg(hi)}，最高；{names[lo['category']]}项目平均{avg(lo)}，最低。",
        f"The {p} plan has {count(d, page, p)} projects, {overall} of planned investment each on average (dashed line). "
        f"{names[hi['category']]} projects average {avg(hi)}, the most; {names[lo['category']]} projects {avg(lo)}, "
        f"the least.") + "</p>"


def per_project_figure(d: inv.Investment, page: Page, *, figure_dir=None, figure_format: str = "png"):
    """Bars of the plan year's planned investment per project by sector: 03-avg-per-project."""
    p, names = d.plan, sector_names(d, page)
    table = inv.sector_table(d.projects, p).sort_values("avg_per_project", ascending=False)
    overall = inv.amount(d.projects, p, "total") / inv.row(d.projects, p, "total", "count")["value"]
    unit = word(HEADERS, "projects_unit", page.lang)
    fig = _bars(table["category"].map(names), table["avg_per_project"],
                [f"{v:,.2f} ({int(n)} {unit})" for v, n in zip(table["avg_per_project"], table["count"], strict=True)],
                title=page.t(f"{p}年平均每个项目的计划投资（按领域）", f"Planned investment per project by sector, {p}"),
                xlabel=page.t(f"{page.unit(YI)}/个", f"{page.unit(YI)} per project"), color=figures.PALETTE[3])
    fig.axes[0].axvline(overall, color=figures.PALETTE[6], linestyle="--", linewidth=1)
    return _save(fig, "03-avg-per-project", page, figure_dir, figure_format)


# --- Scale ----------------------------------------------------------------------------------------

def scale_html(d: inv.Investment, page: Page) -> str:
    """Each portfolio's total investment against the year's investment, with the bounds the
    printed rounding allows; then the computation in words."""
    scale = inv.portfolio_scale(d.projects, tuple(d.config.portfolios))
    rows = [[zh_spans(portfolio_name(d, s["portfolio"], page), page.lang), str(int(s["period"])),
             count(d, page, int(s["period"]), portfolio=s["portfolio"]),
             src(d, page, int(s["period"]), measure="total_investment", portfolio=s["portfolio"]),
             fmt(s["total_investment"]), src(d, page, int(s["period"])), fmt(s["years_of_work"], 2),
             f"{s['years_low']:.2f}–{s['years_high']:.2f}"] for s in scale.to_dict("records")]
    columns = [h("portfolio", page), h("year", page), h("count", page), h("total_investment", page),
               h("total_investment", page, YI), h("pace", page), h("years_of_work", page), h("years_range", page)]
    return html_table(columns, rows, right=tuple(range(2, len(columns))))


def scale_figure(d: inv.Investment, page: Page, *, figure_dir=None, figure_format: str = "png"):
    """Paired bars per portfolio and year: total investment against the year's investment, with
    the years of work: 03-portfolio-scale."""
    import matplotlib.pyplot as plt

    scale = inv.portfolio_scale(d.projects, tuple(d.config.portfolios))
    years_unit = word(HEADERS, "years_unit", page.lang)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    xs = range(len(scale))
    ax.bar([x - 0.2 for x in xs], scale["total_investment"], width=0.4, color=figures.PALETTE[0],
           label=word(HEADERS, "total_investment", page.lang))
    drawn = ax.bar([x + 0.2 for x in xs], scale["pace"], width=0.4, color=figures.PALETTE[5], label=word(HEADERS, "pace", page.lang))
    # A year's investment the report flags (暂列 provisional …) is hatched and labelled so.
    by_id = {r["row_id"]: r for r in d.projects.to_dict("records")}
    marks = [page.mark(by_id[i]) if i in by_id else "" for i in scale["pace_row_id"]]
    for patch, mark in zip(drawn.patches, marks, strict=True):
        if mark:
            patch.set_hatch("///")
            patch.set_edgecolor("white")
    for x, t, n, q, mark in zip(xs, scale["total_investment"], scale["years_of_work"], scale["pace"], marks, strict=True):
        ax.text(x - 0.2, t, f"{t:,.0f}\n≈ {n:.1f} {years_unit}", ha="center", va="bottom", fontsize=8)
        ax.text(x + 0.2, q, f"{q:,.0f}{mark}", ha="center", va="bottom", fontsize=8)
    ticks = [f"{portfolio_name(d, s, page)}\n{y}" for s, y in zip(scale["portfolio"], scale["period"], strict=True)]
    ax.set_xticks(list(xs), ticks, fontsize=8)
    ax.set_ylim(0, scale["total_investment"].max() * 1.2)
    ax.set_ylabel(page.unit(YI))
    ax.set_title(page.t("项目总投资与当年投资", "Total investment of the portfolio against the year's investment"))
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper right")
    return _save(fig, "03-portfolio-scale", page, figure_dir, figure_format)


# --- Checks ---------------------------------------------------------------------------------------

def checks_html(d: inv.Investment, page: Page) -> str:
    """The checks on the major-project numbers: counts by kind and status, then every identity and
    known discrepancy with the figures it uses (sourced)."""
    frame = pd.DataFrame([{"kind": c.kind, "status": c.status} for c in d.checks])
    counts = frame.groupby(["kind", "status"], sort=False).size()
    kinds = [k for k in KINDS if k in set(frame["kind"])]
    rows = [[html.escape(W.name("check_kind", k, page.lang)), html.escape(W.name("check_status", s, page.lang)), f"{n:,}"]
            for k in kinds for (kk, s), n in counts.items() if kk == k]
    out = html_table([h("kind", page), h("status", page), h("n", page)], rows, right=(2,))
    detail = [c for c in d.checks if c.kind in ("identity", "known_discrepancy")]
    rows = [[html.escape(W.name("check_kind", c.kind, page.lang)), zh_spans(c.text("description", page.lang), page.lang),
             page.t("；", "; ").join(page.num(r, shown(r, page)) for r in c.extra.get("rows", [])),
             html.escape(W.name("check_status", c.status, page.lang))] for c in detail]
    out += html_table([h("kind", page), h("description", page), h("figures", page), h("status", page)], rows)
    passed = sum(c.status == "pass" for c in d.checks)
    accepted = sum(c.status == "accepted" for c in d.checks)
    n = {k: derived(page, str(v), zh, en) for k, v, zh, en in (
        ("all", len(d.checks), "与重大项目数字有关的检查项数", "checks concerning the major-project numbers"),
        ("pass", passed, "其中通过的", "of them passed"), ("accepted", accepted, "其中与登记表所记差距相符的", "of them matching their register entry"))}
    return out + "<p>" + page.t(
        f"与重大项目有关的检查共{n['all']}项：{n['pass']}项通过，{n['accepted']}项与登记表所记的差距相符"
        f"（见“投资来源”一节），没有未通过的检查。",
        f"{n['all']} checks concern the major-project numbers: {n['pass']} passed, and {n['accepted']} "
        f"{'matches' if accepted == 1 else 'match'} the unchanged gap of {'its' if accepted == 1 else 'their'} register entry "
        f"(see the section on sources of finance); none failed.") + " " + html.escape(register_summary(detail, page.lang)) + "</p>"
