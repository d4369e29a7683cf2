"""Notebook 00's page: the audit's findings, tables and figures in one language.

Every function takes the `Audit` of `helpers.analysis.audit.run(ed)` and a `Page` (which fixes
the language and collects the numbered sources) and returns HTML, or saves a figure. Curated
numbers go through `page.num`; counts the audit derives go through `page.derived` with the
formula. Text that comes from data in Chinese (a quote, a heading, a term an English reason keeps
in the original) is wrapped in an element with `lang="zh"` on an English page (`zh_spans`).
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Mapping, Sequence

import pandas as pd

from ..analysis import audit as A
from ..checks.discrepancies import by_nature
from ..data import provenance, vocab
from . import figures
from . import words as W
from .nb import fmt
from .page import CJK, Findings, Page, rows_table, zh_spans

# --- Words: the page's headers (check kinds, statuses, bases and outcomes are in the catalog: words.py) ---------------------------------------------

HEADERS = {
    "table": ("整理表", "curated table"), "document": ("报告", "report"), "rows": ("行数", "rows"),
    "numbers": ("其中数字", "of them numbers"), "verified": ("已核对", "verified"),
    "verified_share": ("核对比例", "share verified"), "kind": ("检查类别", "kind of check"),
    "total": ("合计", "total"), "description": ("内容", "what is compared"), "nature": ("性质", "nature"),
    "figures": ("涉及的数字", "figures used"), "gap": ("差距", "gap"), "status": ("状态", "status"),
    "reason": ("原因", "reason"), "metric": ("指标", "metric"), "period": ("年份", "year"),
    "basis": ("口径", "basis"), "statements": ("各报告的表述", "statements in each report"),
    "verdict": ("结论", "verdict"), "section": ("章节", "section"), "tokens": ("数字记号", "number tokens"),
    "examples": ("示例", "examples"),
    "count": ("个数", "count"), "expected": ("期望", "expected"), "actual": ("实际", "actual"),
}


def word(names: Mapping[str, tuple[str, str]], code: str, lang: str) -> str:
    """A code's name in `lang`; an unknown code raises KeyError rather than showing the code."""
    zh, en = names[code]
    return zh if lang == "zh" else en


def header(key: str, lang: str) -> str:
    return word(HEADERS, key, lang)


_CJK = CJK


def html_table(columns: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """A table whose cells are markup already (escaped text, sourced numbers); `right`: number columns."""
    return rows_table([html.escape(c) for c in columns], [list(r) for r in rows], tuple(right))


#: How a number in a unit that is no measure reads (an index with the previous year = 100).
INDEX_UNITS = {"index": ("{v}（上年=100）", "{v} (previous year = 100)")}


def num(page: Page, row: Mapping) -> str:
    """`page.num(row)`, except that an index reads as one, and on an English page a unit the shared
    vocabulary has no English name for is shown as printed, after the sourced number, in an
    element with `lang="zh"`."""
    unit = str(row["unit"])
    if unit in INDEX_UNITS:
        return page.num(row, word(INDEX_UNITS, unit, page.lang).format(v=fmt(row["value"])))
    if page.lang == "en" and unit not in vocab.vocabulary("units") and _CJK.search(unit):
        return page.num(row, fmt(row["value"])) + f' <span lang="zh">{html.escape(unit)}</span>'
    return page.num(row)


def table_title(audit: A.Audit, name: str, lang: str) -> str:
    """A curated table's title from the descriptor (x_title_zh / title)."""
    resource = audit.edition.resource(name)
    title = resource.get("x_title_zh") if lang == "zh" else resource.get("title")
    return title or name.replace("_", " ")


def doc_name(document: str, lang: str) -> str:
    return vocab.name("documents", document, lang)


def _count(page: Page, n: int, formula_zh: str, formula_en: str) -> str:
    return page.derived(f"{n:,}", page.t(formula_zh, formula_en))


def _pct(page: Page, part: int, whole: int, what_zh: str, what_en: str) -> str:
    return page.derived(f"{part / whole:.0%}" if whole else "—", page.t(f"{what_zh}：{part} ÷ {whole}", f"{what_en}: {part} ÷ {whole}"))


# --- Sentences ------------------------------------------------------------------------------------

def _curation_sentence(audit: A.Audit, page: Page) -> str:
    cov = A.coverage(audit.tables, audit.checks)
    t, rows, numbers, verified = len(audit.tables), int(cov["rows"].sum()), int(cov["numbers"].sum()), int(cov["verified"].sum())
    T = _count(page, t, "datapackage.json 中的整理表个数", "curated tables in datapackage.json")
    R = _count(page, rows, "各整理表行数之和", "sum of the rows of the curated tables")
    N = _count(page, numbers, "数值非空的行数", "rows with a value")
    V = _count(page, verified, "通过出处检查的行数", "rows that passed their provenance check")
    S = _pct(page, verified, rows, "已核对行 ÷ 全部行", "verified rows ÷ all rows")
    return page.t(f"本期公报共整理 {T} 张表、{R} 行，其中 {N} 行是数字（其余为指标表中的符号或文字单元格）；"
                  f"{V} 行（{S}）的引文在所注行号上逐字出现且恰好一次，数值与引文中的数字一致。",
                  f"{T} curated tables hold {R} rows, {N} of them numbers (the rest are symbol or text cells of the "
                  f"indicator tables); {V} rows ({S}) have a quote found verbatim, exactly once, on their line, "
                  f"with the value equal to the number in the quote.")


def _checks_sentence(audit: A.Audit, page: Page) -> str:
    summary = A.check_summary(audit.checks)
    total = _count(page, len(audit.checks), "全部检查项数", "checks run")
    n = {s: _count(page, int(summary[s].sum()), f"状态为“{W.name('check_status', s, 'zh')}”的检查项数",
                   f"checks with status “{W.name('check_status', s, 'en')}”") for s in A.STATUSES}
    kinds = page.t("、", ", ").join(W.name("check_kind", k, page.lang) for k in summary["kind"])
    return page.t(f"共运行 {total} 项检查（{kinds}）：{n['pass']} 项通过，{n['accepted']} 项与登记表所记的差距相符（其性质见下文），"
                  f"{n['fail']} 项未通过。",
                  f"{total} checks ran ({kinds}): {n['pass']} passed, {n['accepted']} match the unchanged gap of their register "
                  f"entry (what each entry is, see below), and {n['fail']} failed.")


def _example(page: Page, a: Mapping, b: Mapping) -> str:
    name = a["name_zh"] if page.lang == "zh" else a["name_en"]
    converted = page.derived(page.amount(a["canonical_value"], b["unit"], 2 if abs(a["canonical_value"]) < 1000 else 0),
                             page.t(f"单位换算：{fmt(a['value'])} {a['unit']} → {b['unit']}",
                                    f"unit conversion: {fmt(a['value'])} {a['unit']} → {b['unit']}"))
    return page.t(f"例如{html.escape(name)}：{doc_name(a['document'], 'zh')}写作 {num(page, a)}，"
                  f"{doc_name(b['document'], 'zh')}写作 {num(page, b)}；前者换算为 {converted}，二者在印刷精度内一致。",
                  f"For example, {zh_spans(name, 'en')}: the {doc_name(a['document'], 'en')} gives {num(page, a)}, "
                  f"the {doc_name(b['document'], 'en')} {num(page, b)}; the first converts to {converted}, "
                  f"which agrees within the printed precision.")


def _agreement_sentence(audit: A.Audit, page: Page, examples: int | None = 1) -> str:
    agreement = A.cross_document(audit.facts, audit.checks)
    s = A.agreement_summary(agreement)
    M = _count(page, s["metrics"], "在两份及以上报告中出现的（指标，年份，口径）组合数",
               "(metric, year, basis) combinations stated in two or more reports")
    D = _count(page, s["disagreements"], "跨报告检查未通过的组合数", "combinations whose cross-document check failed")
    text = page.t(f"{M} 个指标在不止一份报告中出现；换算单位并按印刷精度比较后，{D} 个不一致。",
                  f"{M} metrics are stated in more than one report; after unit conversion and within the printed "
                  f"precision, {D} disagree.")
    for a, b in A.conversion_examples(agreement)[:examples]:
        text += page.t("", " ") + _example(page, a, b)
    return text


#: What a registered convention is, by its topic (known_discrepancies.yaml), for the findings.
CONVENTION_PHRASES = {
    "growth_base": ("增速按上年预算或同口径基数而非上年执行数计算",
                    "growth stated on the previous budget or a comparable base rather than on last year's outturn"),
}


def _known_sentence(audit: A.Audit, page: Page) -> str:
    """What the register holds, by nature: only entries of nature `discrepancy` are called gaps of
    the document; partial lists, conventions and figures that cannot be recomputed are named as such."""
    groups = by_nature(audit.checks)
    n = {nature: _count(page, len(entries), f"性质为“{vocab.name('natures', nature, 'zh')}”的登记条目数",
                        f"register entries of nature “{vocab.name('natures', nature, 'en')}”")
         for nature, entries in groups.items()}
    k = len(groups["discrepancy"])
    text = page.t(f"文件自身的数字有 {n['discrepancy']} 处相互不一致，均逐条登记了原因和差距大小，差距一变检查即失败。",
                  f"The document's own figures disagree in {n['discrepancy']} {'place' if k == 1 else 'places'}, each "
                  f"registered with its reason and the size of the gap (a changed gap fails the check).")
    if groups["partial_list"]:
        text += page.t(f"另有 {n['partial_list']} 处是报告只列出主要项目，所列项目之和小于合计：这是部分清单，不是错误。",
                       f" {n['partial_list']} more are partial lists: the report lists only its main items, so they add up "
                       f"to less than the total; not an error.")
    if groups["convention"]:
        phrases = [word(CONVENTION_PHRASES, t, page.lang) for t in dict.fromkeys(c.extra.get("topic") for c in groups["convention"])
                   if t in CONVENTION_PHRASES]
        zh_what = f"（{'；'.join(phrases)}）" if phrases else ""
        en_what = f" ({'; '.join(phrases)})" if phrases else ""
        one = len(groups["convention"]) == 1
        text += page.t(f"{n['convention']} 处是正常的预算编制惯例{zh_what}，不是文件的错误。",
                       f" {n['convention']} {'entry follows' if one else 'entries follow'} a normal budgeting convention{en_what}; "
                       f"{'it is' if one else 'they are'} not an error of the document.")
    if groups["not_reproducible"]:
        text += page.t(f"{n['not_reproducible']} 处是报告公布的数字因有输入未公布而无法复算：无法复算不等于不一致。",
                       f" {n['not_reproducible']} {'is a published figure' if len(groups['not_reproducible']) == 1 else 'are published figures'} "
                       f"that cannot be recomputed because an input is not published, which does not make "
                       f"{'it' if len(groups['not_reproducible']) == 1 else 'them'} inconsistent.")
    return text


def _coverage_sentence(audit: A.Audit, page: Page, by_section: pd.DataFrame | None = None) -> str:
    if by_section is None:
        by_section, _ = A.number_coverage(audit)
    n = {o: int(by_section[o].sum()) for o in A.TOKEN_OUTCOMES}
    c = {o: _count(page, v, f"判定为“{W.name('outcome', o, 'zh')}”的数字记号数", f"number tokens “{W.name('outcome', o, 'en')}”")
         for o, v in n.items()}
    T = _count(page, sum(n.values()), "各报告正文中的全部数字记号数", "number tokens on the reports' lines")
    return page.t(f"各报告中共有 {T} 个数字记号：{c['curated']} 个已整理为数据，{c['excluded']} 个按原因排除"
                  f"（年份、日期、序号、名称中的数字等），{c['unaccounted']} 个未说明。",
                  f"The reports print {T} number tokens: {c['curated']} are curated, {c['excluded']} excluded with a "
                  f"reason (years, dates, list markers, digits inside names …) and {c['unaccounted']} not accounted for.")


def findings_html(audit: A.Audit, page: Page) -> str:
    """The page's headline findings: 4 sentences (5 when the coverage check ran), as a list."""
    items = [_curation_sentence(audit, page), _checks_sentence(audit, page), _agreement_sentence(audit, page),
             _known_sentence(audit, page)]
    if A.coverage_available(audit.checks):
        items.append(_coverage_sentence(audit, page))
    source = page.t("依据：", "Source: ") + zh_spans(audit.edition.title[page.lang], page.lang)
    return Findings(items, page.lang, heading=True, source=source)


# --- Tables ---------------------------------------------------------------------------------------

def curation_html(audit: A.Audit, page: Page) -> str:
    """Rows of each curated table by report: rows, numbers, verified rows and their share."""
    cov = A.coverage(audit.tables, audit.checks)
    lang = page.lang
    rows = [[zh_spans(table_title(audit, r["table"], lang), lang), html.escape(doc_name(r["document"], lang)),
             f"{r['rows']:,}", f"{r['numbers']:,}", f"{r['verified']:,}", f"{r['verified_share']:.0%}"]
            for r in cov.to_dict("records")]
    columns = [header(k, lang) for k in ("table", "document", "rows", "numbers", "verified", "verified_share")]
    return html_table(columns, rows, right=(2, 3, 4, 5)) + f"<p>{_curation_sentence(audit, page)}</p>"


def checks_html(audit: A.Audit, page: Page) -> str:
    """Checks by kind and status, then the failed checks (or a sentence saying none failed)."""
    lang = page.lang
    summary = A.check_summary(audit.checks)
    rows = [[html.escape(W.name("check_kind", r["kind"], lang))] + [f"{r[s]:,}" for s in A.STATUSES] + [f"{r['total']:,}"]
            for r in summary.to_dict("records")]
    columns = [header("kind", lang)] + [W.name("check_status", s, lang) for s in A.STATUSES] + [header("total", lang)]
    out = html_table(columns, rows, right=(1, 2, 3, 4)) + f"<p>{_checks_sentence(audit, page)}</p>"
    failed = A.failed(audit.checks)
    if not failed:
        return out + "<p>" + page.t("没有未通过的检查。", "No check failed.") + "</p>"
    def shown(value):
        return "—" if value is None or value == "" else zh_spans(str(value), lang)

    rows = [[html.escape(W.name("check_kind", c.kind, lang)), zh_spans(c.text("description", lang), lang),
             shown(c.expected), shown(c.actual), shown(c.text("reason", lang))] for c in failed]
    columns = [header(k, lang) for k in ("kind", "description", "expected", "actual", "reason")]
    return out + f"<p>{page.t('未通过的检查：', 'The checks that failed:')}</p>" + html_table(columns, rows)


def known_html(audit: A.Audit, page: Page) -> str:
    """The registered known discrepancies: what is compared, its nature, the curated figures it
    uses (sourced), the gap, its status and the reason, all in the page's language."""
    lang = page.lang
    rows = []
    for c in A.known_discrepancies(audit.checks):
        used = page.t("；", "; ").join(num(page, r) for r in c.extra.get("rows", []))
        gap = "—" if c.actual is None else page.derived(fmt(float(c.actual), 1), c.text("description", lang))
        rows.append([zh_spans(c.text("description", lang), lang),
                     html.escape(vocab.name("natures", c.extra.get("nature", "discrepancy"), lang)), used, gap,
                     html.escape(W.name("check_status", c.status, lang)), zh_spans(c.text("reason", lang), lang)])
    columns = [header(k, lang) for k in ("description", "nature", "figures", "gap", "status", "reason")]
    return html_table(columns, rows, right=(3,)) + f"<p>{_known_sentence(audit, page)}</p>"


def agreement_html(audit: A.Audit, page: Page) -> str:
    """Every metric stated in more than one report, its statements side by side (each sourced) and
    the verdict; then the sentence with every unit conversion the comparison needed."""
    lang = page.lang
    agreement = A.cross_document(audit.facts, audit.checks)
    rows = []
    # Grouped over plain records (a pandas groupby with a frame per group costs a third of the page).
    groups: dict[tuple, list[dict]] = {}
    for r in agreement.to_dict("records"):
        groups.setdefault((r["metric"], r["period"], r["basis"], r["verdict"]), []).append(r)
    for key in sorted(groups):
        _, period, basis, verdict = key
        part = groups[key]
        first = part[0]
        name = first["name_zh"] if lang == "zh" else first["name_en"]
        statements = page.t("；", "; ").join(
            f"{html.escape(doc_name(r['document'], lang))}{page.t('：', ': ')}{num(page, r)}" for r in part)
        rows.append([zh_spans(name, lang), str(int(period)), html.escape(W.name("basis", basis, lang)), statements,
                     html.escape(W.name("check_status", verdict, lang))])
    columns = [header(k, lang) for k in ("metric", "period", "basis", "statements", "verdict")]
    return html_table(columns, rows) + f"<p>{_agreement_sentence(audit, page, examples=None)}</p>"


def coverage_html(audit: A.Audit, page: Page) -> str:
    """The `coverage` check kind: number tokens by report and section (curated, excluded, not
    accounted for) and the exclusions by reason with examples; when the checks engine has no such
    kind, a sentence saying so."""
    lang = page.lang
    if not A.coverage_available(audit.checks):
        return "<p>" + page.t("本次检查未包含数字覆盖检查（每个数字记号是否已整理或按原因排除），此表暂缺。",
                              "This run has no number-coverage check (whether every number token of the gazette is "
                              "curated or excluded with a reason), so this table is not available.") + "</p>"
    by_section, reasons = A.number_coverage(audit)
    rows = [[html.escape(doc_name(r["document"], lang)), zh_spans(r["name_zh"] if lang == "zh" else r["name_en"], lang)]
            + [f"{r[o]:,}" for o in A.TOKEN_OUTCOMES] + [f"{r['tokens']:,}"] for r in by_section.to_dict("records")]
    columns = ([header("document", lang), header("section", lang)] + [W.name("outcome", o, lang) for o in A.TOKEN_OUTCOMES]
               + [header("total", lang)])
    lines = provenance.raw_lines(audit.edition)

    def example(line, start, token):
        text = lines[line - 1]
        context = text[max(0, start - 8):start + len(token) + 8].strip()
        return f'<q lang="zh">{html.escape(context)}</q>' + page.t(f"（第{line}行）", f" (line {line})")

    by_reason = [[html.escape(vocab.name("exclusion_reasons", r["reason"], lang)), f"{r['tokens']:,}",
                  page.t("；", "; ").join(example(*e) for e in r["examples"])] for r in reasons.to_dict("records")]
    return (html_table(columns, rows, right=tuple(range(2, len(columns))))
            + f"<p>{_coverage_sentence(audit, page, by_section)}</p>"
            + html_table([header("reason", lang), header("tokens", lang), header("examples", lang)], by_reason, right=(1,)))


# --- Figures --------------------------------------------------------------------------------------

def sections_figure(audit: A.Audit, page: Page, *, figure_dir=None, figure_format: str = "png"):
    """Curated numbers by report and section (bars coloured by report), saved as 00-numbers-by-section."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    lang = page.lang
    table = A.numbers_by_section(audit.facts, audit.edition)
    documents = list(audit.edition.documents)
    width = 22 if lang == "zh" else 44
    labels = [textwrap.shorten(n, width, placeholder="…") if lang == "en" else (n if len(n) <= width else n[:width - 1] + "…")
              for n in (table["name_zh"] if lang == "zh" else table["name_en"])]
    colors = [figures.PALETTE[documents.index(d) % len(figures.PALETTE)] for d in table["document"]]
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(table) + 1.5))
    positions = list(range(len(table)))[::-1]
    ax.barh(positions, table["numbers"], color=colors)
    for y, n in zip(positions, table["numbers"], strict=True):
        ax.text(n, y, f" {n}", va="center", fontsize=8)
    ax.set_yticks(positions, labels)
    ax.set_xlim(0, table["numbers"].max() * 1.15)
    ax.set_xlabel(page.t("整理的数字个数", "curated numbers"))
    ax.set_title(page.t("各报告各章节整理的数字个数", "Curated numbers by report and section"))
    ax.grid(axis="y", visible=False)
    handles = [Patch(color=figures.PALETTE[i % len(figures.PALETTE)], label=doc_name(d, lang))
               for i, d in enumerate(documents) if d in set(table["document"])]
    ax.legend(handles=handles, loc="lower right", fontsize=8)
    return figures.savefig(fig, "00-numbers-by-section", figure_dir=figure_dir, figure_format=figure_format, lang=lang)


STATUS_COLOURS = {"pass": "#2c8c6e", "accepted": "#f79646", "fail": "#c0504d"}


def checks_figure(audit: A.Audit, page: Page, *, figure_dir=None, figure_format: str = "png"):
    """Checks by kind, stacked by status and annotated with the counts, saved as 00-checks-by-kind."""
    import matplotlib.pyplot as plt

    lang = page.lang
    summary = A.check_summary(audit.checks).iloc[::-1].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(summary) + 1.5))
    labels = [W.name("check_kind", k, lang) for k in summary["kind"]]
    left = pd.Series(0, index=summary.index)
    for status in A.STATUSES:
        shown = summary[status] > 0
        ax.barh(summary.index[shown], summary.loc[shown, status], left=left[shown],
                color=STATUS_COLOURS[status], label=W.name("check_status", status, lang))
        left = left + summary[status]
    for y, r in summary.iterrows():   # the counts, since provenance checks dwarf the others
        parts = [f"{int(r[s])} {W.name('check_status', s, lang)}" for s in A.STATUSES if r[s]]
        ax.text(left[y] + left.max() * 0.01, y, page.t("，", ", ").join(parts), va="center", fontsize=8)
    ax.set_xlim(0, left.max() * 1.45)
    ax.set_xlabel(page.t("检查项数", "checks"))
    ax.set_title(page.t("各类检查及其结果", "Checks by kind and status"))
    ax.grid(axis="y", visible=False)
    ax.set_yticks(range(len(labels)), labels)
    ax.legend(loc="lower right", fontsize=8)
    return figures.savefig(fig, "00-checks-by-kind", figure_dir=figure_dir, figure_format=figure_format, lang=lang)
