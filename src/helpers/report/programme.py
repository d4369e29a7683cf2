"""Notebook 04's page: the plan year's commitments by topic, the review year's results, the
multi-year totals and stocks, in one language.

Every function takes the `Programme` of `helpers.analysis.programme.prepare(ed)` and a `Page` (the
language and the numbered sources) and returns HTML, or draws and saves a figure. Curated numbers
go through `page.num` (a table cell through `page.table_html(..., sources=...)`); derived numbers
and counts through `page.derived` with their formula. Names come from the data (`name_zh` /
`name_en`; Chinese inside an English name is wrapped in `lang="zh"`), topics and units from the
shared vocabulary.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping

import pandas as pd

from ..analysis import programme as P
from ..checks.engine import KINDS
from ..data import vocab
from . import figures
from . import words as W
from .audit import word
from .nb import fmt
from .page import Findings, Page, zh_spans

ROLE_NAMES = {"target": ("目标", "target"), "result": ("结果", "result"), "stock": ("存量", "stock"),
              "cumulative": ("累计", "cumulative total"), "threshold": ("规模门槛", "size threshold"),
              "range_end": ("区间上端", "upper end of a range"), "scope": ("在建或已定规模", "scope of work under way"),
              "reporting": ("关于报告本身", "about the reports")}
#: The describing roles in an English count (one, several).
DESCRIBING_EN = {"threshold": ("size threshold", "size thresholds"), "range_end": ("upper end of a range", "upper ends of ranges"),
                 "scope": ("size of work already under way", "sizes of work already under way")}
#: Measure words that count things without naming them (个, 项, 家 …): in English the figure's name
#: says what is counted, so the unit reads "number" (家 would otherwise read "firms" for hospitals).
MEASURE_WORDS = frozenset("个 项 家 条 座 桥 隧 所 处 部 场 栋 期 对 班 极 枚 次".split())
#: Ten thousand of a measure word: in English the multiplier alone.
TEN_THOUSANDS = {"万个": "10,000"}
#: Statements read from a table rather than the text: the table after the report's name.
TABLE_WORDS = {"indicators": ("附表", "appendix table")}

HEADERS = {
    "topic": ("主题", "topic"), "commitments": ("承诺数", "commitments"), "statements": ("表述处数", "statements"),
    "with_counterpart": ("有上一年度数字", "with a review-year figure"), "comparable": ("单位相同可比", "comparable (same unit)"),
    "commitment": ("承诺", "commitment"), "unit": ("单位", "unit"), "change": ("变化", "change"),
    "stated_in": ("出处", "stated in"), "result": ("结果", "result"), "value": ("数值", "value"),
    "results": ("结果数", "results"), "figure": ("指标", "figure"), "kind": ("类别", "kind"), "year": ("年份", "year"),
    "stocks": ("存量", "stocks"), "cumulative": ("多年累计", "multi-year totals"), "number": ("个数", "number"),
    "checks": ("检查项数", "checks"), "target_year": ("{y}年目标", "target {y}"), "actual_year": ("{y}年实际", "actual {y}"),
    "different_unit": ("单位不同", "different unit"), "without": ("无", "without"),
}


def header(key: str, page: Page, year: int | None = None) -> str:
    text = word(HEADERS, key, page.lang)
    return text.format(y=year) if year is not None else text


def topic_name(code: str, page: Page) -> str:
    return vocab.name("topics", code, page.lang)


def name_html(row: Mapping, page: Page) -> str:
    """A figure's name in the page's language (HTML; Chinese inside an English name in lang="zh")."""
    return html.escape(row["name_zh"]) if page.lang == "zh" else zh_spans(row["name_en"], "en")


def quoted(row: Mapping, page: Page) -> str:
    return page.t(f"“{name_html(row, page)}”", f"“{name_html(row, page)}”")


def unit_name(unit: str, page: Page) -> str:
    """A unit as the page's reader writes it: the vocabulary's name, a measure word as "number"
    in English, ten thousand of one as "10,000"."""
    if page.lang == "en":
        if unit in MEASURE_WORDS:
            return "number"
        if unit in TEN_THOUSANDS:
            return TEN_THOUSANDS[unit]
    return vocab.unit(unit, page.lang)


def counted_noun(row: Mapping) -> str | None:
    """What a row's counter counts, in English (`count_noun`, singular for one of a unit without a
    multiplier), or None."""
    one = str(row["unit"])[:1] not in ("万", "亿") and float(row["value"]) == 1.0
    noun = row.get("count_noun_one") if one else row.get("count_noun")
    return noun if isinstance(noun, str) and noun else None


def unit_html(row: Mapping, page: Page) -> str:
    """A table's unit cell: on an English page a counter reads as what its row counts (`count_noun`:
    "hospitals", "10,000 childcare places"), never as the counter's generic word ("firms", "number")."""
    unit, noun = row["unit"], counted_noun(row)
    if page.lang == "en" and noun:
        if unit in MEASURE_WORDS:
            return html.escape(noun)
        name = unit_name(unit, page)
        if unit in TEN_THOUSANDS:
            return html.escape(f"{name} {noun}")
        generic = re.sub(r"^[\d,.]+\s*(million\s*)?", "", name)
        if generic and generic in name:
            return zh_spans(name.replace(generic, noun), page.lang)
    return zh_spans(unit_name(unit, page), page.lang)


def with_unit(number: str, unit: str, page: Page) -> str:
    """A number's text with its unit: `839公里`, `839 km`, `1.5 (10,000 households)`, `5.5%`;
    in English a measure word is left out (the name says what is counted)."""
    if unit == "%":
        return f"{number}%"
    if page.lang == "zh":
        return f"{number}{vocab.unit(unit, 'zh')}"
    if unit in MEASURE_WORDS:
        return number
    name = unit_name(unit, page)
    return f"{number} ({name})" if name[:1].isdigit() else f"{number} {name}"


def value_text(row: Mapping, page: Page, unit: bool = False) -> str:
    """A curated number as it reads, qualified (`1,000以上` / `at least 1,000`), with its unit when
    asked, and marked when the report states it as a projection (预计) or flags it (暂列 …)."""
    number = fmt(row["value"])
    if unit:
        number = with_unit(number, row["unit"], page)
    return W.text(f"qualifier.{row['qualifier']}", page.lang, number) + page.mark(row)


def sourced(row: Mapping, page: Page, unit: bool = True) -> str:
    """A curated number in a sentence: its text, source and hover title."""
    return page.num(row, value_text(row, page, unit))


def where_label(row: Mapping, page: Page) -> str:
    label = W.name("document_short", row["document"], page.lang)
    if row.get("table") in TABLE_WORDS:
        label += page.t(word(TABLE_WORDS, row["table"], "zh"), f" ({word(TABLE_WORDS, row['table'], 'en')})")
    return label


def stated_in(statements: list, page: Page) -> str:
    """Every statement of a figure as its report's name, each sourced."""
    return page.t("、", ", ").join(page.num(r, where_label(r, page)) for r in statements)


def count(page: Page, n: int, zh: str, en: str) -> str:
    """A count the page derives, with what it counts as its title."""
    return page.derived(f"{n:,}", page.t(zh, en))


def points_text(value: float, unit: str, page: Page) -> str:
    number = "0" if value == 0 else f"{'+' if value > 0 else ''}{fmt(value)}"
    if unit == "%":
        return page.t(f"{number}个百分点", f"{number} percentage point{'' if abs(value) == 1 else 's'}")
    return page.t(f"{number}点", f"{number} point{'' if abs(value) == 1 else 's'}")


def change_html(row: Mapping, page: Page, review: int, plan: int) -> str:
    """The change from the review year's figure to the plan year's target, with its formula; a
    counterpart in another unit reads "different unit"; none: —."""
    if row["review_row"] is None:
        return "—"
    if not row["comparable"]:
        return html.escape(header("different_unit", page))
    a, b, d, q = row["value"], row["review_value"], row["change"], row["change_rate"]
    formula = page.t(f"{plan}年目标 − {review}年实际 = {fmt(a)} − {fmt(b)} = {fmt(d)}",
                     f"target {plan} − actual {review} = {fmt(a)} − {fmt(b)} = {fmt(d)}")
    if row["unit"] in P.POINT_UNITS:
        return page.derived(points_text(d, row["unit"], page), formula)
    text = "0" if d == 0 else f"{'+' if d > 0 else ''}{fmt(d)}"
    if not math.isnan(q) and d != 0:
        text += page.t(f"（{q:+.1%}）", f" ({q:+.1%})")
        formula += page.t(f"；变化 ÷ {review}年实际 = {fmt(d)} ÷ {fmt(b)} = {q:+.1%}",
                          f"; change ÷ actual {review} = {fmt(d)} ÷ {fmt(b)} = {q:+.1%}")
    return page.derived(text, formula)


def _save(fig, name: str, page: Page, figure_dir, figure_format):
    return figures.savefig(fig, name, figure_dir=figure_dir, figure_format=figure_format, lang=page.lang)


# --- Headline findings ----------------------------------------------------------------------------

def _topics_list(page: Page, top: pd.Series, what_zh: str, what_en: str) -> str:
    parts = [f"{topic_name(t, page)}（{count(page, int(n), f'{topic_name(t, page)}：{what_zh}', f'{topic_name(t, page)}: {what_en}')}项）"
             if page.lang == "zh" else
             f"{topic_name(t, page)} ({count(page, int(n), f'{topic_name(t, page)}: {what_zh}', f'{topic_name(t, page)}: {what_en}')})"
             for t, n in top.items()]
    if page.lang == "zh":
        return "、".join(parts[:-1]) + ("和" if len(parts) > 1 else "") + parts[-1]
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def _commitments_finding(p: P.Programme, page: Page, c: pd.DataFrame, counts: pd.DataFrame) -> str:
    y = p.plan
    n = count(page, len(c), f"{y}年目标中不同的（指标，年份）个数，同一承诺几处表述只计一次",
              f"distinct (metric, year) among the targets for {y}; a commitment stated in several places counts once")
    s = count(page, int(c["n_statements"].sum()), "这些承诺在各报告和指标表中的表述处数",
              "statements of these commitments in the reports and the indicator table")
    topics = count(page, int((counts["target"] > 0).sum()), "有承诺的主题数", "topics with commitments")
    top = _topics_list(page, P.largest_topics(counts, "target"), f"{y}年承诺数", f"commitments for {y}")
    d = P.describing(p)
    kinds = [(role, int((d["role"] == role).sum())) for role in P.DESCRIBING if (d["role"] == role).any()]
    m = count(page, len(d), "说明承诺而本身不是承诺的数字个数（规模门槛、区间上端、在建或已定规模）",
              "figures that describe a commitment without being one (thresholds, range ends, scope of work under way)")
    parts = page.t("、", ", ").join(
        page.t(f"{word(ROLE_NAMES, role, 'zh')}{count(page, k, word(ROLE_NAMES, role, 'zh'), word(ROLE_NAMES, role, 'en'))}个",
               f"{count(page, k, word(ROLE_NAMES, role, 'zh'), word(ROLE_NAMES, role, 'en'))} "
               f"{DESCRIBING_EN[role][0 if k == 1 else 1]}") for role, k in kinds)
    text = page.t(
        f"{y}年的工作安排提出{n}项量化承诺（共{s}处表述：同一承诺常在政府工作报告和计划报告中重复出现，或同时列入计划指标表），"
        f"涉及{topics}个主题，最多的是{top}。",
        f"The {y} programme makes {n} quantitative commitments ({s} statements: the same commitment often appears in "
        f"both the work report and the plan report, or also in the plan's indicator table) in {topics} topics; the "
        f"largest areas are {top}.")
    if len(d):
        text += page.t(f"另有{m}个数字说明承诺的范围而不是承诺本身，不计入承诺：{parts}。",
                       f" {m} further figures say what a commitment covers rather than set one, and are not counted "
                       f"as commitments: {parts}.")
    return text


def _counterpart_finding(p: P.Programme, page: Page, c: pd.DataFrame, cmp: dict) -> str:
    r = p.review
    m = count(page, int(c["review_row"].notna().sum()), f"有{r}年同一指标实际数字的承诺数",
              f"commitments whose metric has an actual figure for {r}")
    k = count(page, cmp["compared"], "其中单位相同的", "of them in the same unit")
    hi = count(page, cmp["higher"], f"目标高于{r}年实际的", f"target above the {r} figure")
    lo = count(page, cmp["lower"], f"目标低于{r}年实际的", f"target below the {r} figure")
    eq = count(page, cmp["equal"], f"目标等于{r}年实际的", f"target equal to the {r} figure")
    text = page.t(
        f"其中{m}项在{r}年有同一指标的实际数字，{k}项单位相同、可以直接比较：{hi}项高于{r}年的数字，{lo}项低于，{eq}项持平。",
        f"{m} of them have an actual figure for the same metric in {r}, {k} in the same unit and so comparable: "
        f"{hi} are set above the {r} figure, {lo} below and {eq} level with it.")
    if cmp["ceilings"]:
        ce = count(page, cmp["ceilings"], "以上限（以内、以下）表述的可比承诺数", "comparable commitments stated as ceilings (at most)")
        names = page.t("、", "; ").join(f"{quoted(row, page)}{page.t('', ' ')}{sourced(row, page)}" for row in cmp["ceiling_rows"])
        text += page.t(f"另有{ce}项是上限（{names}），是不得超过的限度而非要达到的水平，不计入高低比较。",
                       f" {ce} more {'is a ceiling' if cmp['ceilings'] == 1 else 'are ceilings'} ({names}): a limit not to "
                       f"exceed, not a level to reach, so {'it is' if cmp['ceilings'] == 1 else 'they are'} left out of the comparison.")
    return text


def _pair(row: Mapping, page: Page, r: int, y: int) -> str:
    return page.t(f"{quoted(row, page)}：{r}年{sourced(row['review_row'], page)}，{y}年{sourced(row, page)}，"
                  f"{change_html(row, page, r, y)}",
                  f"{quoted(row, page)}: {sourced(row['review_row'], page)} in {r}, {sourced(row, page)} for {y}, "
                  f"{change_html(row, page, r, y)}")


def _steps_finding(p: P.Programme, page: Page, cmp: dict) -> str | None:
    r, y = p.review, p.plan
    parts = []
    if cmp["step_up"] is not None:
        parts.append(page.t(f"增幅最大的是{_pair(cmp['step_up'], page, r, y)}", f"the largest rise is {_pair(cmp['step_up'], page, r, y)}"))
    if cmp["step_down"] is not None:
        parts.append(page.t(f"降幅最大的是{_pair(cmp['step_down'], page, r, y)}", f"the largest fall is {_pair(cmp['step_down'], page, r, y)}"))
    if not parts:
        return None
    n = count(page, cmp["levels"], "单位相同、以数量或长度等水平表示的可比承诺数", "comparable commitments stated as levels (counts, lengths …)")
    return page.t(f"在{n}项以数量、长度等水平表示的可比承诺中，" + "；".join(parts) + "。",
                  f"Among the {n} comparable commitments stated as levels (counts, lengths …), " + "; ".join(parts) + ".")


def _points_finding(p: P.Programme, page: Page, cmp: dict) -> str | None:
    r, y = p.review, p.plan
    if not cmp["points"]:
        return None
    n = count(page, cmp["points"], "以百分比表示的可比承诺数", "comparable commitments in per cent")
    k = count(page, cmp["points_lower"], f"其中目标低于{r}年实际的", f"of them set below the {r} outcome")
    text = page.t(f"以百分比表示的{n}项可比承诺中，{k}项低于{r}年的实际",
                  f"Of the {n} comparable commitments in per cent (growth rates, shares), {k} are set below the {r} outcome")
    if cmp["points_down"] is not None:
        text += page.t(f"，差距最大的是{_pair(cmp['points_down'], page, r, y)}", f"; the widest gap is {_pair(cmp['points_down'], page, r, y)}")
    return text + page.t("。", ".")


def _results_finding(p: P.Programme, page: Page, a: pd.DataFrame, counts: pd.DataFrame, shown: pd.DataFrame) -> str:
    r = p.review
    n = count(page, len(a), f"{r}年结果中不同的（指标，年份）个数", f"distinct (metric, year) among the results of {r}")
    s = count(page, int(a["n_statements"].sum()), "这些结果的表述处数", "statements of these results")
    topics = count(page, int((counts["result"] > 0).sum()), "有结果的主题数", "topics with results")
    top = _topics_list(page, P.largest_topics(counts, "result"), f"{r}年结果数", f"results of {r}")
    marks = P.marked(shown)
    total = count(page, len(shown), "本页的数字个数（承诺及其上年对应数、结果、存量与累计）",
                  "figures on this page (commitments and their previous-year counterparts, results, stocks and totals)")
    proj = count(page, marks["projected"], "原文以“预计”表述的数字个数", "figures the text states as projections (预计)")
    flagged = count(page, marks["flagged"], "标为暂列或中央提前下达的数字个数",
                    "figures flagged provisional (暂列) or advance quota (中央提前下达)")
    examples = shown[shown["projected"]].head(2).to_dict("records")   # shown with their mark, as everywhere
    example = page.t("、", "; ").join(f"{quoted(e, page)}{page.t('', ', ')}{sourced(e, page)}" for e in examples)
    one = marks["projected"] == 1
    projections = (page.t(f"{proj}个是预计数：{example}", f"{proj} {'is' if one else 'are'} stated as "
                          f"{'a projection' if one else 'projections'} (<span lang=\"zh\">预计</span>): {example}")
                   if marks["projected"] else page.t("没有预计数", "none is stated as a projection"))
    flags = (page.t(f"{flagged}个标为暂列或中央提前下达", f"{flagged} {'is' if marks['flagged'] == 1 else 'are'} flagged "
                    f"provisional or advance quota")
             if marks["flagged"] else page.t("没有数字标为暂列或中央提前下达",
                                             "none is flagged provisional or advance quota"))
    about = count(page, len(P.about_reports(p)), "关于报告本身的数字个数（计划指标的个数及完成情况、印送的刊物期数）",
                  "figures about the reports themselves (the plan's indicators and how they fared, bulletin issues)")
    return page.t(
        f"回顾{r}年，报告给出{n}项量化结果（{s}处表述），涉及{topics}个主题，最多的是{top}；关于报告本身的{about}个数字"
        f"（计划指标的个数及完成情况、印送的刊物期数）不计入结果。本页{total}个数字中，{projections}；{flags}。",
        f"Looking back on {r}, the reports give {n} quantitative results ({s} statements) in {topics} topics, most in "
        f"{top}; {about} figures about the reports themselves (the plan's indicators and how they fared, bulletin "
        f"issues) are not counted as results. Of the {total} figures on this page, {projections}; {flags}.")


def findings_html(p: P.Programme, page: Page) -> str:
    """The page's headline findings (three to five sentences) as a list, after the source line."""
    c, a = P.commitments(p), P.achievements(p)
    counts, cmp = P.topic_counts(p), P.comparisons(c)
    items = [_commitments_finding(p, page, c, counts), _counterpart_finding(p, page, c, cmp),
             _steps_finding(p, page, cmp), _points_finding(p, page, cmp),
             _results_finding(p, page, a, counts, P.shown_figures(p))]
    source = page.t("依据：", "Source: ") + zh_spans(p.edition.title[page.lang], page.lang)
    return Findings(items, page.lang, source=source)


# --- Commitments by topic -------------------------------------------------------------------------

def commitments_figure(p: P.Programme, page: Page, *, figure_dir=None, figure_format: str = "png"):
    """Horizontal bars of the plan year's commitments by topic, most first, split into those with
    and without a review-year figure of the same metric: 04-commitments-by-topic."""
    import matplotlib.pyplot as plt

    counts = P.topic_counts(p)
    counts = counts[counts["target"] > 0]
    order = sorted(range(len(counts)), key=lambda i: (-counts["target"].iloc[i], i))
    counts = counts.iloc[order]
    positions = list(range(len(counts)))[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(counts) + 1.5))
    matched = counts["with_counterpart"].to_numpy()
    alone = (counts["target"] - counts["with_counterpart"]).to_numpy()
    ax.barh(positions, matched, color=figures.PALETTE[0],
            label=page.t(f"有{p.review}年同一指标的数字", f"with a {p.review} figure for the same metric"))
    ax.barh(positions, alone, left=matched, color=figures.PALETTE[4],
            label=page.t(f"无{p.review}年数字", f"without a {p.review} figure"))
    for y, total in zip(positions, counts["target"], strict=True):
        ax.text(total, y, f" {int(total)}", va="center", fontsize=9)
    ax.set_yticks(positions, [topic_name(t, page) for t in counts.index])
    ax.set_xlim(0, counts["target"].max() * 1.15)
    ax.set_xlabel(page.t("承诺数（同一承诺几处表述只计一次）", "commitments (one per metric, however often stated)"))
    ax.set_title(page.t(f"{p.plan}年工作安排的量化承诺（按主题）", f"Quantitative commitments for {p.plan} by topic"))
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right")
    return _save(fig, "04-commitments-by-topic", page, figure_dir, figure_format)


def commitment_counts_html(p: P.Programme, page: Page) -> str:
    """Commitments by topic: figures, statements, with a review-year figure, comparable."""
    counts = P.topic_counts(p)
    counts = counts[counts["target"] > 0]
    frame = pd.DataFrame({
        header("topic", page): [topic_name(t, page) for t in counts.index],
        header("commitments", page): counts["target"].to_list(),
        header("statements", page): counts["target_statements"].to_list(),
        header("with_counterpart", page): counts["with_counterpart"].to_list(),
        header("comparable", page): counts["comparable"].to_list(),
    })
    return page.table_html(frame)


def commitment_table(p: P.Programme, page: Page, rows: pd.DataFrame) -> str:
    """One topic's commitments: name, target (sourced), unit, the review-year figure (sourced; with
    its unit when it differs), the change (derived) and every statement's report (sourced)."""
    r, y = p.review, p.plan
    records = rows.to_dict("records")
    target, actual = header("target_year", page, y), header("actual_year", page, r)
    frame = pd.DataFrame({
        header("commitment", page): [name_html(c, page) for c in records],
        target: [value_text(c, page) for c in records],
        header("unit", page): [unit_html(c, page) for c in records],
        actual: [None if c["review_row"] is None else value_text(c["review_row"], page, unit=not c["comparable"])
                 for c in records],
        header("change", page): [change_html(c, page, r, y) for c in records],
        header("stated_in", page): [stated_in(c["statements"], page) for c in records],
    })
    html_columns = (header("commitment", page), header("unit", page), header("change", page), header("stated_in", page))
    return page.table_html(frame, sources={target: [c for c in records], actual: [c["review_row"] for c in records]},
                           html_columns=html_columns, numeric_columns=(target, actual, header("change", page)))


def commitments_html(p: P.Programme, page: Page) -> str:
    """The counts by topic, then each topic's commitments under its own heading."""
    c = P.commitments(p)
    out = commitment_counts_html(p, page)
    for topic, rows in c.groupby("topic", sort=False):
        out += f"<h3>{html.escape(topic_name(topic, page))}（{len(rows)}）</h3>" if page.lang == "zh" else \
               f"<h3>{html.escape(topic_name(topic, page))} ({len(rows)})</h3>"
        out += commitment_table(p, page, rows)
    d = P.describing(p)
    if not d.empty:
        n = count(page, len(d), "说明承诺而本身不是承诺的数字个数", "figures that describe a commitment without being one")
        out += "<h3>" + page.t("说明承诺范围的数字（不计入承诺）", "Figures that say what a commitment covers (not counted)") + "</h3>"
        out += "<p>" + page.t(
            f"以下{n}个数字出现在承诺的表述中，但说明的是承诺的范围，而不是要达到的数量：规模门槛（如常住人口200户以上的聚居点）、"
            f"区间的上端（区间的下端计为承诺），以及计划继续推进或加快的在建工程、已定领域和行动的规模或能力。",
            f"These {n} figures stand in the statements of commitments but say what a commitment covers, not an amount "
            f"to reach: size thresholds (settlements of 200 households or more, say), the upper end of a range (its lower "
            f"end counts as the commitment), and the size or capacity of work already under way, or of fields and "
            f"campaigns already set, that the plan continues or speeds up.") + "</p>"
        out += figure_table(page, d, first="figure", kind=True)
    return out


# --- The review year's results --------------------------------------------------------------------

def figure_table(page: Page, rows: pd.DataFrame, first: str = "result", year: bool = False, kind: bool = False) -> str:
    """Figures: name, (kind), (year), value (sourced, qualified), unit, every statement's report."""
    records = rows.to_dict("records")
    value = header("value", page)
    columns = {header(first, page): [name_html(f, page) for f in records]}
    if kind:
        columns[header("kind", page)] = [word(ROLE_NAMES, f["role"], page.lang) for f in records]
    if year:
        columns[header("year", page)] = [str(int(f["period"])) for f in records]
    columns[value] = [value_text(f, page) for f in records]
    columns[header("unit", page)] = [unit_html(f, page) for f in records]
    columns[header("stated_in", page)] = [stated_in(f["statements"], page) for f in records]
    return page.table_html(pd.DataFrame(columns), sources={value: records},
                           html_columns=(header(first, page), header("unit", page), header("stated_in", page)),
                           numeric_columns=(value,))


def _details(summary: str, body: str) -> str:
    return f"<details><summary>{summary}</summary>{body}</details>"


def achievements_html(p: P.Programme, page: Page) -> str:
    """Results by topic (a count table), then each topic's results in a collapsed list."""
    a, counts = P.achievements(p), P.topic_counts(p)
    counts = counts[counts["result"] > 0]
    frame = pd.DataFrame({header("topic", page): [topic_name(t, page) for t in counts.index],
                          header("results", page): counts["result"].to_list(),
                          header("statements", page): counts["result_statements"].to_list()})
    n = count(page, len(a), f"{p.review}年结果数", f"results of {p.review}")
    out = page.table_html(frame) + "<p>" + page.t(
        f"下面按主题列出全部{n}项结果（点击主题展开）。", f"All {n} results are listed below by topic (click a topic to open it).") + "</p>"
    for topic, rows in a.groupby("topic", sort=False):
        summary = page.t(f"{html.escape(topic_name(topic, page))}：{len(rows)}项结果",
                         f"{html.escape(topic_name(topic, page))}: {len(rows)} result{'' if len(rows) == 1 else 's'}")
        out += _details(summary, figure_table(page, rows))
    about = P.about_reports(p)
    if not about.empty:
        n = count(page, len(about), "关于报告本身的数字个数", "figures about the reports themselves")
        summary = page.t(f"关于报告本身的数字（不计入结果）：{len(about)}项",
                         f"Figures about the reports themselves (not counted as results): {len(about)}")
        out += "<p>" + page.t(f"另有{n}个数字说的是报告本身（计划指标的个数及其完成情况、向代表委员印送的刊物期数），不是{p.review}年的成果，不计入结果。",
                              f"{n} more figures are about the reports themselves (how many indicators a plan sets and "
                              f"how they fared, bulletin issues sent to deputies), not results of {p.review}, and are not "
                              f"counted as results.") + "</p>"
        out += _details(summary, figure_table(page, about, first="figure", year=True))
    return out


# --- Multi-year totals and stocks -----------------------------------------------------------------

def holdings_html(p: P.Programme, page: Page) -> str:
    """Stocks and multi-year totals by topic (a count table), the full list collapsed by topic,
    then the targets for years after the plan year."""
    h, counts = P.holdings(p), P.topic_counts(p)
    counts = counts[(counts["stock"] + counts["cumulative"]) > 0]
    frame = pd.DataFrame({header("topic", page): [topic_name(t, page) for t in counts.index],
                          header("stocks", page): counts["stock"].to_list(),
                          header("cumulative", page): counts["cumulative"].to_list()})
    out = page.table_html(frame)
    for topic, rows in h.groupby("topic", sort=False):
        summary = page.t(f"{html.escape(topic_name(topic, page))}：{len(rows)}项",
                         f"{html.escape(topic_name(topic, page))}: {len(rows)} figure{'' if len(rows) == 1 else 's'}")
        out += _details(summary, figure_table(page, rows, first="figure", year=True, kind=True))
    later = P.later_targets(p)
    if not later.empty:
        n = count(page, len(later), f"年份不是{p.plan}年的目标数", f"targets for a year other than {p.plan}")
        out += "<p>" + page.t(f"另有{n}项目标针对{p.plan}年以后的年份（如五年规划的末年）：",
                              f"{n} further target{'' if len(later) == 1 else 's'} concern{'s' if len(later) == 1 else ''} "
                              f"a later year than {p.plan} (such as a five-year plan's final year):") + "</p>"
        out += figure_table(page, later, first="figure", year=True)
    return out


# --- Checks ---------------------------------------------------------------------------------------

def checks_html(p: P.Programme, page: Page) -> str:
    """A sentence on the checks behind the page's numbers, by kind (all passed, or `prepare` would
    have stopped)."""
    by_kind = pd.Series([c.kind for c in p.checks]).value_counts()
    total = count(page, len(p.checks), "与本页数字有关的检查项数", "checks on this page's numbers")
    kinds = [k for k in KINDS if k in by_kind.index]
    parts = [(W.name("check_kind", k, page.lang), count(page, int(by_kind[k]), f"{W.name('check_kind', k, 'zh')}检查项数",
                                                     f"{W.name('check_kind', k, 'en')} checks")) for k in kinds]
    return "<p>" + page.t(
        f"本页数字经过{total}项检查，全部通过：" + "、".join(f"{name}{n}项" for name, n in parts) + "。",
        f"{total} checks concern this page's numbers, and all passed: " + ", ".join(f"{n} {name}" for name, n in parts) + ".") + "</p>"
