"""Notebook 01's page (growth against targets): sentences, tables and figures in one language.

`GrowthReport(ed, lang)` loads the edition's tables, runs its checks (a failed check stops it),
computes everything `helpers.analysis.growth` offers and then hands out the page piece by piece:
each method returns HTML (or a matplotlib figure for `figures.savefig`). Every curated number
goes through the report's `Page` (`page.num`: hover title and a numbered source), derived
numbers through `page.derived` with their formula; `sources()` ends the page with the numbered
list. Words come from the labels below in the page's language; units from the shared vocabulary;
what is specific to one gazette from the edition's `analysis/growth.yaml` and
`crosswalks/renamed_indicators.csv`. Chinese shown on an English page on purpose (the
document's own verdict) sits in an element with lang="zh".
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

import matplotlib.pyplot as plt
import pandas as pd

from ..analysis import growth as G
from ..analysis import outcomes as OUT
from ..checks.engine import run_checks
from ..data import observations, provenance, vocab
from ..data.edition import Edition
from ..data.load import load
from ..data.parsing import parse_cell
from ..errors import DataError
from . import figures
from . import words as W
from .nb import fmt
from .page import Findings, Page, register_summary

# --- Words -----------------------------------------------------------------------------------------

LABELS: dict[str, tuple[str, str]] = {
    "no": ("序号", "No."), "indicator": ("指标", "Indicator"), "type": ("类型", "Type"),
    "unit": ("单位", "Unit"), "binding": ("约束性", "binding"), "expected": ("预期性", "expected"),
    "binding_inherited": ("约束性（所属指标）", "binding (as its indicator)"),
    "target": ("目标", "Target"), "result": ("结果", "Result"),
    "margin": ("差额（结果−目标）", "Margin (result − target)"), "verdict": ("判定", "Verdict"),
    "met": ("完成", "met"), "missed": ("未完成", "missed"), "not_assessable": ("无法评估", "not assessable"),
    "reason": ("原因（表格图例）", "Reason (the table's legend)"),
    "kind": ("核对类型", "Kind of check"), "status": ("状态", "Status"), "n": ("数量", "Count"),
    "item": ("项目", "Item"), "document": ("报告所述", "The report says"), "computed": ("按表计算", "Computed from the table"),
    "agrees": ("一致", "Agrees"), "yes": ("是", "yes"), "no_": ("否", "no"),
    "binding_total": ("约束性指标数", "binding indicators"),
    "binding_without_data": ("其中无数据或暂不执行", "of which without data or not enforced"),
    "expected_total": ("预期性指标数", "expected indicators"),
    "binding_met_of_assessed": ("有数据的约束性指标全部完成", "all binding indicators with data met"),
    "expected_missed": ("未完成的预期性指标", "expected indicators not met"),
    "stated_gap": ("报告所述超出目标", "Gap to target stated in the report"),
    "renamed": ("更名自", "Renamed from"),
    "change_vs_result": ("较上年结果", "vs previous result"), "change_vs_target": ("较上年目标", "vs previous target"),
    "ambition": ("目标力度", "Ambition"),
    "raised": ("提高", "raised"), "lowered": ("降低", "lowered"), "unchanged": ("不变", "unchanged"),
    "ceiling_lowered": ("上限降低（限制收紧）", "ceiling lowered (a tighter limit)"),
    "ceiling_raised": ("上限提高（限制放宽）", "ceiling raised (a looser limit)"),
    "ceiling_unchanged": ("上限不变", "ceiling unchanged"), "n/a": ("—", "—"),
    "rank": ("排名", "Rank"), "sector": ("行业", "Sector"), "group": ("类别", "Group"),
    "growth": ("增长（%）", "Growth (%)"), "vs_reference": ("较{ref}（百分点）", "vs {ref} (percentage points)"),
    "pillar_industry": ("支柱产业", "pillar industry"), "industry_aggregate": ("工业整体", "industry as a whole"),
    "emerging": ("新兴产业（跨行业口径）", "emerging (cross-cutting)"), "services": ("服务业", "services"),
    "agriculture": ("农业", "agriculture"), "other": ("其他", "other"),
    "level": ("总量", "Level"), "growth_basis": ("增速口径", "Growth basis"),
    "real": ("实际（可比价）", "real (comparable prices)"), "nominal": ("名义（现价）", "nominal (current prices)"),
    "previous": ("推算上年水平", "Implied previous-year level"), "previous_range": ("推算区间", "Range from rounding"),
    "fav_margin_axis": ("有利差额（百分点；正值 = 好于目标）", "Favourable margin (percentage points; positive = better than target)"),
    "growth_axis": ("增速（%）", "Growth (%)"),
    "legend_prev_target": ("上年目标", "previous target"), "legend_prev_result": ("上年结果", "previous result"),
    "legend_next_target": ("计划目标", "planned target"),
}
QUALIFIER_MARKS = {"at_least": "≥", "about": "~", "exact": "", "at_most": "≤"}
SECTOR_GROUPS = ("pillar_industry", "emerging", "services", "agriculture")


def label(key: str, lang: str) -> str:
    """A label in `lang`; an unknown key raises KeyError rather than showing a code to readers."""
    zh, en = LABELS[key]
    return zh if lang == "zh" else en


def cell_text(cell: str, unit: str, lang: str = "zh") -> str:
    """A numeric table cell as prose writes it, with a % unit after its number.

    Chinese keeps the cell's own qualifier word (`6以上` -> `6%以上`); English translates it
    (`6以上` -> `6% or more`, `5.5左右` -> `about 5.5%`, `103.2以内` -> `103.2 or less`).
    Cells that are not numbers (symbols, text) are returned unchanged.

    >>> cell_text("5.5左右", "%"), cell_text("6以上", "%", "en"), cell_text("1.80:1以下", "ratio", "en")
    ('5.5%左右', '6% or more', '1.80:1 or less')
    """
    parsed = parse_cell(cell)
    if parsed.status != "number":
        return cell
    number = parsed.number.text + ("%" if unit == "%" else ":1" if unit == "ratio" else "")
    if lang == "zh":
        word = cell[parsed.number.end:].replace(":1", "").replace("：1", "")
        return number + word
    return {"at_least": f"{number} or more", "about": f"about {number}",
            "at_most": f"{number} or less"}.get(parsed.qualifier, number)


def format_change(value: float, unit: str | None = None, lang: str = "zh") -> str:
    """A difference with its sign; given the unit of the values, a difference of values in % or
    in a price index gets its unit, percentage points: `+2.3个百分点` / `+2.3 percentage points`.
    Other differences are bare numbers (the table's unit column gives the unit). `—` when
    missing; zero is `0`, never `-0`.

    >>> format_change(-0.4, "%", "en"), format_change(-0.0), format_change(608.0, "家"), format_change(-0.2, "index")
    ('-0.4 percentage points', '0', '+608', '-0.2个百分点')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    value = round(value, 6) + 0.0
    text = "0" if value == 0 else f"{value:+g}"
    if unit is not None and G.margin_unit(unit) == G.POINTS:
        return f"{text}个百分点" if lang == "zh" else f"{text} percentage point{'' if abs(value) == 1 else 's'}"
    return text


def with_unit(text: str, unit: str, lang: str) -> str:
    """A number's text with its unit in `lang`: `75.1万人`, `about 60 (10,000 people)`, `19.1%`.
    In English a unit that starts with a multiplier goes in brackets after the number."""
    if unit in ("%", "ratio", "index") or text.endswith("%"):
        return text
    name = vocab.unit(unit, lang)
    if lang == "zh":
        return f"{text}{name}"
    return f"{text} ({name})" if name[:1].isdigit() else f"{text} {name}"


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def lower_first(name: str) -> str:
    """An English name for the middle of a sentence: `High-tech industry` -> `high-tech industry`;
    a first word with two capitals (`GDP growth`, `R&D expenditure`) is kept.

    >>> lower_first("Private economy share (of GDP)"), lower_first("GDP growth"), lower_first("R&D spending")
    ('private economy share (of GDP)', 'GDP growth', 'R&D spending')
    """
    first = name.split(" ", 1)[0]
    if sum(ch.isupper() for ch in first) >= 2:
        return name
    return name[:1].lower() + name[1:]




# --- The page ----------------------------------------------------------------------------------------

class GrowthReport:
    """Everything notebook 01 shows, for one edition in one language."""

    def __init__(self, ed: Edition, lang: str, checks: list | None = None):
        """`checks`: the list `helpers.run_checks(ed)` returns (run here when None); any failed
        check raises DataError before anything is computed."""
        self.page = Page(lang)
        self.ed, self.lang = ed, lang
        self.review, self.plan = ed.year("review"), ed.year("plan")
        self.settings = ed.load_yaml("growth")
        self.checks = run_checks(ed) if checks is None else checks
        self.check_counts = G.require_checks(self.checks)
        indicators = load("indicators", ed)
        if self.settings.get("binding", {}).get("sub_items_inherit", False):
            indicators = G.inherit_binding(indicators)
        self.indicators = indicators
        self.economy, self.gaps = load("economy", ed), load("target_gaps", ed)
        self.rows = {r["row_id"]: r for t in (self.indicators, self.economy, self.gaps) for r in t.to_dict("records")}
        renamed = load("renamed_indicators", ed)
        self.renamed = G.renamed(renamed)
        self.renamed_notes = dict(zip(renamed["metric_plan"], renamed[f"note_{lang}"], strict=True))
        self.tolerance = float(self.settings.get("verdict", {}).get("about_tolerance", 0.0))
        self.card = G.scorecard(self.indicators, self.review, self.tolerance)
        self.counts = G.verdict_counts(self.card)
        self.verdict = G.DocumentVerdict.from_settings(self.settings["document_verdict"], ed.fill)
        line = provenance.raw_lines(ed)[self.verdict.line - 1] if 0 < self.verdict.line <= len(provenance.raw_lines(ed)) else ""
        if self.verdict.quote not in line:
            raise DataError(ed.data_file("growth"), f"document_verdict.quote is not on line {self.verdict.line} of the gazette text",
                            column="document_verdict")
        self.comparison = G.compare_with_document(self.card, self.verdict)
        self.comp = G.targets_vs_results(self.indicators, self.review, self.plan, self.renamed, self.tolerance)
        self.rates = G.growth_rate_targets(self.comp)
        self.dropped = G.dropped_indicators(self.indicators, self.review, self.plan, self.renamed)
        self.reference = self.settings.get("sector_reference", "industrial_value_added_growth")
        self.sectors = G.sector_growth(self.economy, self.review, self.reference)
        self.levels = G.levels(self.economy, self.review, self.settings["growth_basis"])
        # What happened next (page 05): the plan year's outcome beside each target, where one was published.
        self.later = OUT.scorecard(OUT.prepare(ed)).set_index("metric") if observations.has_observations(ed) else None
        self.ratio = G.income_ratio(self.levels)

    # --- small words ---------------------------------------------------------------------------

    def L(self, key: str) -> str:
        return label(key, self.lang)

    def t(self, zh: str, en: str) -> str:
        return self.page.t(zh, en)

    @property
    def sep(self) -> str:
        return self.t("、", "; ")

    def name(self, record: Mapping, suffix: str = "") -> str:
        """An indicator's name in the page language (English lower-cased for the middle of a sentence)."""
        text = record[f"name_{self.lang}{suffix}"]
        return text if self.lang == "zh" else lower_first(text)

    def row_names(self, frame: pd.DataFrame) -> list[str]:
        """Names for a table column: a "#" sub-item keeps its "# " mark, as in the indicator table."""
        return [("# " if sub else "") + n for sub, n in zip(frame["sub_item"], frame[f"name_{self.lang}"], strict=True)]

    def names(self, records, key: str = "name") -> str:
        """Names joined for a sentence: `A、B` / `a; b`."""
        if isinstance(records, pd.DataFrame):
            records = records.to_dict("records")
        if key == "sector":
            return self.sep.join(r[f"sector_{self.lang}"] if self.lang == "zh" else lower_first(r["sector_en"]) for r in records)
        return self.sep.join(self.name(r) for r in records)

    def cell(self, row: Mapping | None) -> str:
        """An indicator cell in the page's language: numbers with their qualifier translated,
        text cells (由负转正 …) by their meaning in English, symbols as printed, blanks empty."""
        if row is None or row["status"] == "blank" or _missing(row["cell"]):
            return ""
        if row["status"] == "number":
            return cell_text(row["cell"], row["unit"], self.lang)
        if row["status"] == "text" and self.lang == "en":
            return row["meaning_en"]
        return row["cell"]

    def num(self, row_id: str | None, text: str | None = None) -> str:
        """A curated indicator cell or number as sourced HTML."""
        row = self.rows[row_id]
        if text is None:
            text = self.cell(row) if "cell" in row and not _missing(row.get("cell")) else self.pct(row)
        return self.page.num(row, text)

    def pct(self, row: Mapping, digits: int | None = None) -> str:
        """A curated prose number as text with its unit and qualifier: `15%以上` / `15% or more`."""
        text = with_unit(fmt(row["value"], digits) + ("%" if row["unit"] == "%" else ""), row["unit"], self.lang)
        return W.text(f"qualifier.{row.get('qualifier') or 'exact'}", self.lang, text)

    def derived(self, value: float, formula: str, digits: int | None = None, unit: str | None = None) -> str:
        text = fmt(value, digits)
        return self.page.derived(text if unit is None else with_unit(text, unit, self.lang), formula)

    def points(self, value: float, formula: str, digits: int | None = None) -> str:
        """A derived difference in percentage points: `2.8个百分点` / `2.8 percentage points`."""
        unit = self.t("个百分点", " percentage point" + ("" if abs(value) == 1 else "s"))
        return self.page.derived(fmt(value, digits) + unit, formula)

    def _sources(self, ids) -> list:
        return [None if _missing(i) else self.rows[i] for i in ids]

    def _reason(self, row: Mapping | None, what: str) -> str:
        who = self.L(what)
        if row is None:
            return self.t(f"{who}：无此单元格", f"{who.lower()}: no cell")
        if row["status"] == "blank":
            return self.t(f"{who}：空白", f"{who.lower()}: empty cell")
        if row["status"] == "text":
            return self.t(f"{who}为文字“{row['cell']}”", f"{who.lower()} is text: {row['meaning_en']}")
        return self.t(f"{who}：{row['cell']} {row['meaning_zh']}", f"{who.lower()}: {row['cell']} {row['meaning_en']}")

    def _type(self, record: Mapping) -> str:
        if record.get("binding_inherited"):
            return self.L("binding_inherited")
        return self.L("binding") if record["binding"] else self.L("expected")

    def _margin_phrase(self, r: Mapping) -> str:
        """`name（目标 X，结果 Y，差额 Z）` / `name (target X, result Y, margin Z)`, X and Y sourced."""
        target, result = self.num(r["target_row_id"]), self.num(r["result_row_id"])
        margin = self.page.derived(format_change(r["margin"], r["unit"], self.lang),
                                   f"{fmt(r['result'])} − {fmt(r['target'])}")
        return self.t(f"{r['name_zh']}（目标 {target}，结果 {result}，差额 {margin}）",
                      f"{lower_first(r['name_en'])} (target {target}, result {result}, margin {margin})")

    def _card(self, metric: str) -> Mapping:
        return self.card.set_index("metric").loc[metric].to_dict()

    def _comp(self, metric: str) -> Mapping:
        return self.comp.set_index("metric").loc[metric].to_dict()

    # --- parts of the story -----------------------------------------------------------------------

    def _gdp(self) -> dict:
        c, g = self._card("gdp_growth"), self._comp("gdp_growth")
        return {"card": c, "comp": g, "below_result": -g["change_vs_result"], "below_target": -g["change_vs_target"]}

    def _slower(self) -> pd.DataFrame:
        return self.rates[self.rates["change_vs_result"] < 0]

    def _diff(self) -> pd.DataFrame:
        """Assessable indicators where the document's verdict and the computed one differ."""
        return self.comparison[~self.comparison["agrees"]]

    def _pillars(self) -> dict:
        s = self.sectors
        pillars = s[s["sector_group"] == "pillar_industry"]
        return {"all": pillars, "top": G.fastest(s), "bottom": G.slowest(s),
                "above": pillars[pillars["vs_reference"] > 0], "ref": s[s["is_reference"]].iloc[0].to_dict(),
                "lead": s[~s["is_reference"] & (s["sector_group"] != "pillar_industry")].iloc[0].to_dict()}

    def _sector(self, record: Mapping) -> str:
        return record[f"sector_{self.lang}"]

    # --- page sections ----------------------------------------------------------------------------

    def intro(self) -> str:
        """The edition, its years, and the data checks that ran before anything else."""
        n = int(self.check_counts["n"].sum())
        accepted = int(self.check_counts.loc[self.check_counts["status"] == "accepted", "n"].sum())
        title = html.escape(self.ed.title[self.lang])
        tables = self.ed.meta.get("indicator_tables", {})
        appendices = [str(tables[role]["appendix"]) for role in ("review", "plan") if "appendix" in tables.get(role, {})]
        zh_app, en_app = "、".join(f"附件{a}" for a in appendices), " and ".join(appendices)
        return self.t(
            f"<p>来源：{title}——政府工作报告、计划报告（{zh_app}指标表）。回顾年度为 {self.review} 年（指标表含目标与结果），"
            f"计划年度为 {self.plan} 年。全部 {n} 项数据核对均未失败，其中 {accepted} 项与登记表所记的差距相符（见文末）。"
            f"{html.escape(register_summary(self.checks, 'zh'))}</p>",
            f"<p>Source: {title} — the government work report and the plan report with its indicator tables (appendices {en_app}). "
            f"The review year is {self.review} (the table with targets and results); the plan year is {self.plan}. "
            f"All {n} data checks ran and none failed; {accepted} match the gap their register entry records (see the end of the page). "
            f"{html.escape(register_summary(self.checks, 'en'))}</p>")

    def findings(self) -> str:
        """Three to five sentences: the page's headline findings, every number sourced or derived."""
        gdp, p = self._gdp(), self._pillars()
        ok = G.assessed(self.card)
        met, missed = int(self.counts.loc["total", "met"]), self.card[self.card["verdict"] == "missed"]
        missed_names = self.names(missed)
        diff = self._diff()
        slower, rates = self._slower(), self.rates
        all_or_some = (self.t("全部", "all") if len(slower) == len(rates) and len(rates)
                       else self.t(f"{len(slower)} 项", f"{len(slower)}"))
        items = [
            self.t(f"{self.review}年地区生产总值增长 {self.num(gdp['card']['result_row_id'])}，目标为 {self.num(gdp['card']['target_row_id'])}；"
                   f"{len(ok)} 项有数字目标和数字结果的指标中，{met} 项按字面规则完成，{len(missed)} 项未完成（{missed_names}）{self._estimates_caveat(short=True)}。",
                   f"GDP grew {self.num(gdp['card']['result_row_id'])} in {self.review} against a target of {self.num(gdp['card']['target_row_id'])}; "
                   f"of the {len(ok)} indicators with a numeric target and result, {met} were met at face value and {len(missed)} missed ({missed_names})"
                   f"{self._estimates_caveat(short=True)}."),
            self._findings_document(diff),
            self.t(f"{self.plan}年地区生产总值增速目标为 {self.num(gdp['comp']['target_next_row_id'])}，比上年实际低 "
                   f"{self.points(gdp['below_result'], self._formula_change(gdp['comp'], 'result'))}；{len(rates)} 项可比的增速目标中，{all_or_some}低于上年实际增速。",
                   f"The {self.plan} GDP growth target is {self.num(gdp['comp']['target_next_row_id'])}, "
                   f"{self.points(gdp['below_result'], self._formula_change(gdp['comp'], 'result'))} below the previous year's result; "
                   f"of {len(rates)} comparable growth-rate targets, {all_or_some} are below the previous year's growth."),
            self.t(f"支柱产业中{p['top']['sector_zh']}增长最快（{self.num(p['top']['row_id'], self.pct(p['top']))}），"
                   f"{p['bottom']['sector_zh']}最慢（{self.num(p['bottom']['row_id'], self.pct(p['bottom']))}）；{p['ref']['sector_zh']}整体增长 {self.num(p['ref']['row_id'], self.pct(p['ref']))}。",
                   f"Among the pillar industries the {lower_first(p['top']['sector_en'])} grew fastest ({self.num(p['top']['row_id'], self.pct(p['top']))}) "
                   f"and the {lower_first(p['bottom']['sector_en'])} slowest ({self.num(p['bottom']['row_id'], self.pct(p['bottom']))}); "
                   f"{lower_first(p['ref']['sector_en'])} as a whole grew {self.num(p['ref']['row_id'], self.pct(p['ref']))}."),
            self._findings_income(),
        ]
        return Findings(items, self.lang)

    def _findings_document(self, diff: pd.DataFrame) -> str:
        if diff.empty:
            return self.t("报告对各项指标完成情况的判定与按表计算一致。",
                          "The report's own verdict on the targets agrees with the table, indicator by indicator.")
        n = len(self.verdict.expected_missed)
        n_en = {1: "one", 2: "two", 3: "three"}.get(n, str(n))
        phrases = self.sep.join(self._margin_phrase(self._card(m)) for m in diff["metric"])
        return self.t(f"报告称预期性指标除{n}项外都能够完成，但按字面规则{phrases}也未完成；报告没有说明“左右”允许多大偏差。",
                      f"The report says every expected indicator but {n_en} can be completed, yet at face value the "
                      f"{phrases} {'was' if len(diff) == 1 else 'were'} missed too; the report states no tolerance for targets qualified "
                      f"<span lang=\"zh\">左右</span> (\"about\").")

    def _findings_income(self) -> str:
        r, idx = self.ratio, self.levels.set_index("metric")
        urban, rural = (self.rows[idx.loc[m, "level_row_id"]] for m in ("urban_disposable_income", "rural_disposable_income"))
        u = self.page.num(urban, self.page.amount(urban["value"], urban["unit"]))
        v = self.page.num(rural, self.page.amount(rural["value"], rural["unit"]))
        now = self.derived(r["ratio"], self.t("城镇居民人均可支配收入 ÷ 农村居民人均可支配收入", "urban ÷ rural per-capita disposable income"), 2)
        prev = self.derived(r["previous"], self.t("按各自名义增速推算的上年城镇收入 ÷ 上年农村收入",
                                                  "previous-year urban ÷ rural income, each implied from its nominal growth rate"), 2)
        narrowed = r["change"] < 0
        return self.t(f"城镇居民人均可支配收入 {u} 是农村居民 {v} 的 {now} 倍；按名义增速推算上年约为 {prev} 倍，城乡差距{'缩小' if narrowed else '扩大'}。",
                      f"Urban per-capita disposable income ({u}) is {now} times the rural one ({v}); implied from their nominal growth rates, "
                      f"the ratio was about {prev} the year before, so the gap {'narrowed' if narrowed else 'widened'}.")

    def _formula_change(self, comp_row: Mapping, against: str) -> str:
        prev = comp_row["result_prev" if against == "result" else "target_prev"]
        what = self.t("上年结果" if against == "result" else "上年目标", "previous result" if against == "result" else "previous target")
        return self.t(f"{what} − 计划目标 = {fmt(prev)} − {fmt(comp_row['target_next'])}",
                      f"{what} − planned target = {fmt(prev)} − {fmt(comp_row['target_next'])}")

    # --- 1. the review-year scorecard ------------------------------------------------------------------

    def rule_note(self) -> str:
        """The verdict rule, with the edition's tolerance and the lower-is-better indicators named."""
        lower = self.card[(self.card["direction"] == "lower")]
        names = self.names(lower)
        tol = self.tolerance
        tol_zh = "不设容差" if tol == 0 else f"允许不超过 {fmt(tol)} 的差距"
        tol_en = "with no tolerance" if tol == 0 else f"allowing a shortfall of up to {fmt(tol)}"
        inherited = self.card[self.card["binding_inherited"]]
        binding = ""
        if len(inherited):
            codes = sorted({str(c) for c in inherited["code"]}, key=lambda c: (len(c), c))
            note = self.settings["binding"]["note"][self.lang]
            binding = " " + html.escape(self.ed.fill(note, code=self.sep.join(str(c) for c in codes)))
        return self.t(
            f"<p><strong>判定规则：</strong>结果在目标一侧即为完成——越高越好的指标，结果不低于目标；越低越好的指标（{names}），结果不高于目标。"
            f"带“左右”的目标按字面数值比较，{tol_zh}；“以上”“以内”等限定词同样只取数值。目标或结果不是数字（图例符号、文字、空白）的指标无法评估，"
            f"列出表格图例给出的原因。差额 = 结果 − 目标：百分比指标与价格指数以百分点计，其他指标以其自身单位计。约束性（表中带 *）与预期性指标分开统计。{binding}</p>",
            f"<p><strong>Rule:</strong> a target is met when the result is on the target's side — at or above it where higher is better, "
            f"at or below it where lower is better ({names}). Targets qualified \"about\" are compared at face value, {tol_en}; "
            f"\"or more\" and \"within\" are likewise read as their number. Indicators whose target or result is not a number (a legend symbol, text, "
            f"an empty cell) are not assessable and are listed with the reason the table's legend gives. Margin = result − target, in percentage "
            f"points for percentages and the price index, otherwise in the indicator's own unit. Binding indicators (marked * in the table) and "
            f"expected ones are counted apart.{binding}</p>")

    def _estimates_caveat(self, short: bool = False) -> str:
        """The plan report's own word that part of the review year's results are estimates, sourced
        (growth.yaml `results_partly_estimates`, checked on its line); "" when the edition has none."""
        spec = self.settings.get("results_partly_estimates")
        if not spec:
            return ""
        quote, line = self.ed.fill(spec["quote"]), int(spec["line"])
        if quote not in provenance.raw_lines(self.ed)[line - 1]:
            raise DataError(self.ed.data_file("growth"), f"results_partly_estimates.quote is not on line {line} of the gazette text",
                            column="results_partly_estimates")
        row = {"document": spec["document"], "line": line, "quote": quote}
        if short:
            return self.t(f"（计划报告称{self.page.num(row, '部分数据为预计数')}）",
                          f" (the plan report says {self.page.num(row, 'part of the data are estimates')})")
        return self.t(f"计划报告说明，{self.page.num(row, f'{self.review}年部分数据还未发布，为预计数')}，因此以下判定部分以预计数为依据。",
                      f" The plan report says that {self.page.num(row, f'part of the {self.review} data were not yet published and are estimates')}, "
                      f"so these verdicts rest in part on estimates.")

    def scorecard_summary(self) -> str:
        ok, c = G.assessed(self.card), self.counts
        missed = self.card[self.card["verdict"] == "missed"]
        zero = ok[ok["margin"] == 0]
        missed_list = self.sep.join(self._margin_phrase(r) for r in missed.to_dict("records"))
        zero_list = self.names(zero)
        n_sub = int(self.card["sub_item"].sum())
        return self.t(
            f"<p>回顾年度指标表共 {len(self.card)} 项指标（含 {n_sub} 个 # 子项），其中 {len(ok)} 项有数字目标和数字结果：{c.loc['total', 'met']} 项完成，"
            f"{c.loc['total', 'missed']} 项未完成——{missed_list}；{c.loc['total', 'not_assessable']} 项无法评估。"
            f"约束性指标（含子项）中 {c.loc['binding', 'met']} 项完成、{c.loc['binding', 'missed']} 项未完成、{c.loc['binding', 'not_assessable']} 项无法评估。"
            f"另有 {len(zero)} 项结果恰好等于目标数值（{zero_list}），按字面规则算作完成。{self._estimates_caveat()}</p>",
            f"<p>The review-year table has {len(self.card)} indicators ({n_sub} of them # sub-items); {len(ok)} have a numeric target and a numeric result: "
            f"{c.loc['total', 'met']} met, {c.loc['total', 'missed']} missed — {missed_list}; {c.loc['total', 'not_assessable']} are not assessable. "
            f"Of the binding indicators (sub-items included), {c.loc['binding', 'met']} were met, {c.loc['binding', 'missed']} missed and "
            f"{c.loc['binding', 'not_assessable']} not assessable. {len(zero)} results equal their target's number exactly ({zero_list}) "
            f"and count as met by the face-value rule.{self._estimates_caveat()}</p>")

    def scorecard_table(self) -> str:
        ok = G.assessed(self.card)
        frame = pd.DataFrame({
            self.L("no"): ok["code"].astype(str).tolist(),
            self.L("indicator"): self.row_names(ok),
            self.L("type"): [self._type(r) for r in ok.to_dict("records")],
            self.L("unit"): [vocab.unit(u, self.lang) for u in ok["unit"]],
            self.L("target"): [self.cell(r) for r in self._sources(ok["target_row_id"])],
            self.L("result"): [self.cell(r) for r in self._sources(ok["result_row_id"])],
            self.L("margin"): [format_change(m, u, self.lang) for m, u in zip(ok["margin"], ok["unit"], strict=True)],
            self.L("verdict"): [self.L(v) for v in ok["verdict"]],
        })
        return self.page.table_html(frame, sources={self.L("target"): self._sources(ok["target_row_id"]),
                                                    self.L("result"): self._sources(ok["result_row_id"])})

    def scorecard_figure(self):
        """Favourable margins of the indicators whose margin is in percentage points (% and index)."""
        ok = G.assessed(self.card)
        pp = ok[ok["margin_unit"] == G.POINTS].sort_values("favourable_margin", kind="stable")
        fig, ax = plt.subplots(figsize=(8, 0.32 * len(pp) + 1.2))
        colors = [figures.PALETTE[1] if v == "missed" else figures.PALETTE[0] for v in pp["verdict"]]
        labels = [n + (" *" if b else "") for n, b in zip(pp[f"name_{self.lang}"], pp["binding"], strict=True)]
        ax.barh(range(len(pp)), pp["favourable_margin"], color=colors)
        ax.set_yticks(range(len(pp)), labels)
        for i, v in enumerate(pp["favourable_margin"]):
            ax.annotate(f"{v:+g}" if v else "0", (v, i), xytext=(3 if v >= 0 else -3, 0), textcoords="offset points",
                        ha="left" if v >= 0 else "right", va="center", fontsize=8)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel(self.L("fav_margin_axis"))
        index = "index" in set(pp["unit"])
        ax.set_title(self.t(f"{self.review}年目标完成情况：以百分比{'或价格指数' if index else ''}计的指标（* 为约束性指标）",
                            f"{self.review} targets: indicators in %{' or as a price index' if index else ''} (* = binding)"))
        ax.legend(handles=[plt.Rectangle((0, 0), 1, 1, color=figures.PALETTE[0]), plt.Rectangle((0, 0), 1, 1, color=figures.PALETTE[1])],
                  labels=[self.L("met"), self.L("missed")], loc="lower right")
        ax.margins(x=0.12)
        return fig

    def not_assessable_table(self) -> str:
        na = self.card[~self.card["assessable"]]
        t_rows, r_rows = self._sources(na["target_row_id"]), self._sources(na["result_row_id"])
        reasons = []
        for t, r in zip(t_rows, r_rows, strict=True):
            parts = [self._reason(row, what) for row, what in ((t, "target"), (r, "result")) if row is None or row["status"] != "number"]
            reasons.append(self.t("；", "; ").join(parts))
        frame = pd.DataFrame({
            self.L("no"): na["code"].astype(str).tolist(),
            self.L("indicator"): self.row_names(na),
            self.L("type"): [self._type(r) for r in na.to_dict("records")],
            self.L("target"): [self.cell(r) for r in t_rows],
            self.L("result"): [self.cell(r) for r in r_rows],
            self.L("reason"): reasons,
        })
        head = self.t(f"<p>无法评估的指标（{len(na)} 项）：</p>", f"<p>Indicators that cannot be assessed ({len(na)}):</p>")
        return head + self.page.table_html(frame, sources={self.L("target"): [r if r is not None and r["status"] != "blank" else None for r in t_rows],
                                                           self.L("result"): [r if r is not None and r["status"] != "blank" else None for r in r_rows]})

    # --- 2. the document's own verdict ---------------------------------------------------------------

    def _verdict_row(self) -> dict:
        v = self.verdict
        return {"document": v.document, "line": v.line, "quote": v.quote, "value": None, "unit": ""}

    def document_quote(self) -> str:
        v = self.verdict
        where = self.page.where(self._verdict_row())
        settings = self.settings["document_verdict"]
        quote = f'<blockquote lang="zh">{self.page.num(self._verdict_row(), v.quote)}</blockquote>'
        note = html.escape(settings["note"][self.lang])
        return self.t(f"<p>{where}：</p>{quote}<p>{note}</p>",
                      f"<p>{where[0].upper() + where[1:]}, in the original Chinese:</p>{quote}<p>In short: of {v.binding_total} binding indicators, "
                      f"{v.binding_without_data} have no data or are not enforced and all others were met; all {v.expected_total} expected "
                      f"indicators can be completed except {len(v.expected_missed)}. {note}</p>")

    def document_counts_table(self) -> str:
        d = G.document_counts(self.card, self.verdict)
        by_metric = self.card.set_index("metric")

        def show(x):
            if isinstance(x, bool):
                return self.L("yes") if x else self.L("no_")
            if isinstance(x, list):
                return self.sep.join(by_metric.loc[m, f"name_{self.lang}"] for m in x)
            return str(x)

        frame = pd.DataFrame({
            self.L("item"): [self.L(i) for i in d["item"]],
            self.L("document"): [show(x) for x in d["document"]],
            self.L("computed"): [show(x) for x in d["computed"]],
            self.L("agrees"): [show(bool(x)) for x in d["agrees"]],
        })
        return self.page.table_html(frame, sources={self.L("document"): [self._verdict_row()] * len(frame)})

    def document_summary(self) -> str:
        diff = self._diff()
        top_na = self.card[~self.card["sub_item"] & ~self.card["binding"] & ~self.card["assessable"]]
        na_text = self.sep.join(f"{self.name(r)}（{self.cell(self.rows[r['result_row_id']])}）" if self.lang == "zh"
                                else f"{self.name(r)} ({self.cell(self.rows[r['result_row_id']])})"
                                for r in top_na.to_dict("records"))
        counts_ok = bool(G.document_counts(self.card, self.verdict).set_index("item").loc[
            ["binding_total", "binding_without_data", "expected_total", "binding_met_of_assessed"], "agrees"].all())
        counts = self.t("报告的约束性与预期性指标计数与按表计算一致。" if counts_ok else "报告的指标计数与按表计算不一致（见上表）。",
                        "The report's counts of binding and expected indicators agree with the table. " if counts_ok
                        else "The report's counts of indicators disagree with the table (see above). ")
        if diff.empty:
            body = self.t("各项可评估指标的判定与报告一致。", "Every assessable indicator's verdict agrees with the report.")
        else:
            diff_text = self.sep.join(self._margin_phrase(self._card(m)) for m in diff["metric"])
            tol = self.points(G.reconciling_tolerance(self.comparison),
                              self.t("报告称完成而按字面规则未完成的指标中最大的差距", "the largest shortfall among the indicators the report calls met and the table missed"))
            body = self.t(f"与报告不一致的有 {len(diff)} 项：{diff_text}——按字面规则未完成，报告却没有列为未完成；"
                          f"只有把“左右”理解为允许至少 {tol} 的偏差，报告的说法才能成立，但报告没有说明容差。",
                          f"The report and the computation disagree on {len(diff)} indicator(s): {diff_text} — missed by the face-value rule, "
                          f"yet not named as missed by the report; the report's verdict holds only if <span lang=\"zh\">左右</span> (\"about\") "
                          f"allows a shortfall of at least {tol}, and the report states no tolerance.")
        n = len(self.verdict.expected_missed)
        extra = self.t(f"此外，报告称预期性指标除{n}项外“都能够完成”，这也把没有数字结果的 {len(top_na)} 项预期性指标（{na_text}）算作了完成。",
                       f" Its statement that all expected indicators but {n} \"can be completed\" also counts as completed the {len(top_na)} "
                       f"expected indicators without a numeric result ({na_text}).") if len(top_na) else ""
        return f"<p>{counts}{body}{extra}</p>"

    def stated_gaps_table(self) -> str:
        sg = G.stated_gaps(self.card, self.gaps)
        gap_rows = self._sources(sg["gap_row_id"])
        frame = pd.DataFrame({
            self.L("indicator"): sg[f"name_{self.lang}"].tolist(),
            self.L("stated_gap"): [with_unit(fmt(x), u, self.lang) if u != G.POINTS else format_change(x, "%", self.lang).lstrip("+")
                                   for x, u in zip(sg["stated_gap"], sg["unit"], strict=True)],
            self.L("margin"): [format_change(m, u, self.lang) if G.margin_unit(u) == G.POINTS else with_unit(format_change(m), u, self.lang)
                               for m, u in zip(sg["margin"], sg["indicator_unit"], strict=True)],
            self.L("agrees"): [self.L("yes") if a else self.L("no_") for a in sg["agrees"]],
        })
        return self.page.table_html(frame, sources={self.L("stated_gap"): gap_rows})

    # --- 3. plan-year targets against the review year ----------------------------------------------

    def renamed_note(self) -> str:
        renamed = self.comp[self.comp["renamed"]]
        items = "".join(f"<li>{html.escape(self.renamed_notes.get(r['metric'], ''))}</li>" for r in renamed.to_dict("records"))
        head = self.t("<p>更名的指标按版本数据中的对应表显式对应：</p>", "<p>Renamed indicators are matched through the edition's crosswalk:</p>")
        return head + f"<ul>{items}</ul>"

    def targets_table(self) -> str:
        shown = self.comp[self.comp["target_next"].notna()]
        t_prev, r_prev, t_next = (self.t(f"{self.review}年目标", f"{self.review} target"), self.t(f"{self.review}年结果", f"{self.review} result"),
                                  self.t(f"{self.plan}年目标", f"{self.plan} target"))
        prev_t, prev_r, nxt = (self._sources(shown["target_prev_row_id"]), self._sources(shown["result_prev_row_id"]),
                               self._sources(shown["target_next_row_id"]))
        frame = pd.DataFrame({
            self.L("no"): shown["code"].astype(str).tolist(),
            self.L("indicator"): self.row_names(shown),
            self.L("unit"): [vocab.unit(u, self.lang) for u in shown["unit"]],
            t_prev: [self.cell(r) or "—" for r in prev_t],
            r_prev: [self.cell(r) or "—" for r in prev_r],
            t_next: [self.cell(r) for r in nxt],
            self.L("change_vs_result"): [format_change(x, u, self.lang) for x, u in zip(shown["change_vs_result"], shown["unit"], strict=True)],
            self.L("change_vs_target"): [format_change(x, u, self.lang) for x, u in zip(shown["change_vs_target"], shown["unit"], strict=True)],
            self.L("ambition"): [self.L(a) for a in shown["ambition"]],
            self.L("renamed"): [self.name(r, "_prev") if r["renamed"] else "" for r in shown.to_dict("records")],
        })
        later = []
        if self.later is not None:
            outcome_col = W.text("later.outcome", self.lang, year=self.plan)
            verdict_col = W.text("later.verdict", self.lang)
            frame[outcome_col] = [self._later_outcome(m) for m in shown["metric"]]
            frame[verdict_col] = [self._later_verdict(m) for m in shown["metric"]]
            later = [outcome_col]
        return self.page.table_html(frame, sources={t_prev: prev_t, r_prev: prev_r, t_next: nxt}, html_columns=tuple(later),
                                    numeric_columns=tuple(later))

    def _later_outcome(self, metric: str) -> str:
        """The plan year's outcome of a target as published later (sourced and marked), or "—"."""
        if metric not in self.later.index or self.later.at[metric, "obs"] is None:
            return "—"
        return self.page.observed(self.later.at[metric, "obs"])

    def _later_verdict(self, metric: str) -> str:
        if metric not in self.later.index:
            return ""
        return W.name("verdict", self.later.at[metric, "verdict"], self.lang)

    def targets_summary(self) -> str:
        gdp, rates, slower = self._gdp(), self.rates, self._slower()
        same = rates[rates["ambition"] == "unchanged"]
        beat = -same["change_vs_result"]
        amb = G.ambition_counts(self.comp)
        goals = amb["raised"] + amb["unchanged"] + amb["lowered"]
        not_numeric = self.comp[self.comp["target_next"].isna()]
        g = gdp["comp"]
        same_text = ""
        if len(same):
            lo = self.points(beat.min(), self.t("上年结果 − 上年目标，取最小值", "previous result − previous target, smallest"))
            hi = self.points(beat.max(), self.t("上年结果 − 上年目标，取最大值", "previous result − previous target, largest"))
            same_text = self.t(f"其中 {len(same)} 项目标与上年目标相同（{self.names(same)}），而上年结果高出这些目标 {lo}至{hi}。",
                               f" {len(same)} repeat the previous target unchanged ({self.names(same)}), although the results "
                               f"beat those targets by {lo} to {hi}.")
        dropped = self.names(self.dropped)
        return self.t(
            f"<p>{self.plan}年地区生产总值增速目标为 {self.num(g['target_next_row_id'])}，比{self.review}年实际增速 {self.num(g['result_prev_row_id'])} "
            f"低 {self.points(gdp['below_result'], self._formula_change(g, 'result'))}，也比{self.review}年的目标 {self.num(g['target_prev_row_id'])} "
            f"低 {self.points(gdp['below_target'], self._formula_change(g, 'target'))}。{len(rates)} 项可比的增速目标中，{len(slower)} 项低于上年实际增速。"
            f"{same_text}在 {goals} 项可比的目标值中，力度提高 {amb['raised']} 项、不变 {amb['unchanged']} 项、降低 {amb['lowered']} 项。"
            f"上年指标中未延续的：{dropped}。{len(not_numeric)} 项计划目标不是数字（符号或文字），表中未列。</p>" + self.ceilings_note(),
            f"<p>The {self.plan} GDP growth target is {self.num(g['target_next_row_id'])}, "
            f"{self.points(gdp['below_result'], self._formula_change(g, 'result'))} below the {self.review} result of "
            f"{self.num(g['result_prev_row_id'])} and {self.points(gdp['below_target'], self._formula_change(g, 'target'))} below the "
            f"{self.review} target of {self.num(g['target_prev_row_id'])}. Of {len(rates)} comparable growth-rate targets, {len(slower)} are below "
            f"the previous year's growth.{same_text} Across the {goals} comparable goals, ambition is raised for {amb['raised']}, unchanged for "
            f"{amb['unchanged']} and lowered for {amb['lowered']}. Not continued from the previous table: {dropped}. "
            f"{len(not_numeric)} planned targets are not numbers (symbols or text) and are not listed.</p>" + self.ceilings_note())

    def ceilings_note(self) -> str:
        """Targets that are ceilings (limits not to exceed) are not counted as ambition: say what each change means."""
        ceilings = self.comp[(self.comp["target_kind"] == "ceiling") & (self.comp["ambition"] != "n/a")]
        if ceilings.empty:
            return ""
        parts = []
        for r in ceilings.to_dict("records"):
            prev, nxt = self.num(r["target_prev_row_id"]), self.num(r["target_next_row_id"])
            meaning = ""
            if r["unit"] == "index":   # a price index, previous year = 100: the ceiling on the price rise is index - 100
                rise_prev, rise_next = (self.page.derived(fmt(round(v - 100, 6)) + "%", self.t(f"{fmt(v)} − 100", f"{fmt(v)} − 100"))
                                        for v in (r["target_prev"], r["target_next"]))
                meaning = self.t(f"即价格涨幅上限由 {rise_prev} 变为 {rise_next}", f"prices may rise by at most {rise_next} instead of {rise_prev}")
            change = self.L(r["ambition"])
            parts.append(self.t(f"{r['name_zh']}：目标由 {prev} 变为 {nxt}（{change}{'，' + meaning if meaning else ''}）",
                                f"{self.name(r)}: the target goes from {prev} to {nxt} ({change}{'; ' + meaning if meaning else ''})"))
        return self.t(f"<p>上限类目标（越低越好、写作“以内”的指标）是不得超过的限度，而不是要达到的目标，因此不计入上面的力度统计。"
                      f"{'；'.join(parts)}。上限降低意味着限制更严，并不表示增长目标提高。</p>",
                      f"<p>Targets that are ceilings (lower is better and the target reads \"within\") are limits not to be exceeded rather than levels "
                      f"to reach, so they are left out of the ambition count above: {self.sep.join(parts)}. A lower ceiling is a tighter limit, "
                      f"not a higher growth ambition.</p>")

    def targets_figure(self):
        fr = self.rates.sort_values("change_vs_result", ascending=False, kind="stable").reset_index(drop=True)
        fig, ax = plt.subplots(figsize=(8, 0.36 * len(fr) + 1.4))
        y = range(len(fr))
        ax.hlines(y, fr["result_prev"], fr["target_next"], color="#bbbbbb", linewidth=2, zorder=1)
        ax.scatter(fr["target_prev"], y, s=40, facecolors="none", edgecolors=figures.PALETTE[6], label=self.L("legend_prev_target"), zorder=2)
        ax.scatter(fr["result_prev"], y, s=40, color=figures.PALETTE[0], label=self.L("legend_prev_result"), zorder=3)
        ax.scatter(fr["target_next"], y, s=50, marker="D", color=figures.PALETTE[1], label=self.L("legend_next_target"), zorder=3)
        ax.set_yticks(list(y), fr[f"name_{self.lang}"])
        ax.invert_yaxis()
        ax.set_xlabel(self.L("growth_axis"))
        ax.set_title(self.t(f"{self.plan}年增速目标与{self.review}年结果", f"{self.plan} growth-rate targets against {self.review} results"))
        ax.legend(loc="upper right")
        return fig

    # --- 4. growth by sector ---------------------------------------------------------------------------

    def sectors_table(self) -> str:
        s = self.sectors
        frame = pd.DataFrame({
            self.L("rank"): s["rank"].astype(str).tolist(),
            self.L("sector"): s[f"sector_{self.lang}"].tolist(),
            self.L("group"): [self.L(x) for x in s["sector_group"]],
            self.L("growth"): [QUALIFIER_MARKS[q] + fmt(x, 1) for x, q in zip(s["value"], s["qualifier"], strict=True)],
            self.L("vs_reference").format(ref=self._sector(s[s["is_reference"]].iloc[0]) if self.lang == "zh"
                                          else lower_first(s.loc[s["is_reference"], "sector_en"].iloc[0])): [format_change(x) for x in s["vs_reference"]],
        })
        return self.page.table_html(frame, sources={self.L("growth"): self._sources(s["row_id"])})

    def sectors_summary(self) -> str:
        p = self._pillars()
        top, bottom, ref, lead, above = p["top"], p["bottom"], p["ref"], p["lead"], p["above"]
        below = self.points(-bottom["vs_reference"], self.t(f"{fmt(ref['value'])} − {fmt(bottom['value'])}", f"{fmt(ref['value'])} − {fmt(bottom['value'])}"))
        return self.t(
            f"<p>{self.review}年{ref['name_zh']} {self.num(ref['row_id'], self.pct(ref))}。报告给出增速的 {len(p['all'])} 个支柱产业中，"
            f"增长最快的是{top['sector_zh']}（{self.num(top['row_id'], self.pct(top))}），{len(above)} 个快于工业整体（{self.names(above, 'sector')}），"
            f"最慢的是{bottom['sector_zh']}（{self.num(bottom['row_id'], self.pct(bottom))}，比工业整体低 {below}）。"
            f"支柱产业之外，{lead['sector_zh']}增长最快（{self.num(lead['row_id'], self.pct(lead))}）。</p>",
            f"<p>{ref['name_en']}: {self.num(ref['row_id'], self.pct(ref))} in {self.review}. "
            f"Of the {len(p['all'])} pillar industries whose growth the reports give, the fastest was the {lower_first(top['sector_en'])} "
            f"({self.num(top['row_id'], self.pct(top))}); {len(above)} grew faster than industry as a whole ({self.names(above, 'sector')}); "
            f"the slowest was the {lower_first(bottom['sector_en'])} ({self.num(bottom['row_id'], self.pct(bottom))}, {below} below industry). "
            f"Outside the pillar industries, {lower_first(lead['sector_en'])} grew fastest ({self.num(lead['row_id'], self.pct(lead))}).</p>")

    def sectors_figure(self):
        s = self.sectors
        ref = s[s["is_reference"]].iloc[0]
        bars = s[~s["is_reference"]].sort_values("value", kind="stable")
        groups = [g for g in SECTOR_GROUPS if g in set(bars["sector_group"])]
        color = dict(zip(SECTOR_GROUPS, [figures.PALETTE[0], figures.PALETTE[3], figures.PALETTE[5], figures.PALETTE[2]], strict=True))
        # A growth rate the report states as a projection (预计) is hatched and labelled as an estimate.
        marks = [self.page.mark(self.rows[r]) for r in bars["row_id"]]
        fig, ax = plt.subplots(figsize=(8, 0.34 * len(bars) + 1.4))
        drawn = ax.barh(range(len(bars)), bars["value"], color=[color.get(x, figures.PALETTE[6]) for x in bars["sector_group"]])
        for patch, mark in zip(drawn.patches, marks, strict=True):
            if mark:
                patch.set_hatch("///")
                patch.set_edgecolor("white")
        ax.set_yticks(range(len(bars)), bars[f"sector_{self.lang}"])
        for i, (x, q, mark) in enumerate(zip(bars["value"], bars["qualifier"], marks, strict=True)):
            ax.annotate(QUALIFIER_MARKS[q] + fmt(x, 1) + mark, (x, i), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
        ax.axvline(ref["value"], color="black", linestyle="--", linewidth=1)
        ax.set_ylim(-0.6, len(bars) + 0.2)
        ax.annotate(f"{ref[f'sector_{self.lang}']} {fmt(ref['value'], 1)}%", (ref["value"], len(bars) - 0.3), xytext=(4, 0),
                    textcoords="offset points", fontsize=8, va="center")
        ax.set_xlabel(self.L("growth_axis"))
        ax.set_title(self.t(f"{self.review}年分行业增加值增长", f"Value-added growth by sector, {self.review}"))
        handles = [plt.Rectangle((0, 0), 1, 1, color=color[g]) for g in groups]
        labels = [self.L(g) for g in groups]
        if any(marks):
            handles.append(plt.Rectangle((0, 0), 1, 1, facecolor="#999999", edgecolor="white", hatch="///"))
            labels.append(self.t("斜线：报告称“预计”的数字", "hatched: stated by the report as an estimate"))
        ax.legend(handles=handles, labels=labels, loc="lower right")
        ax.margins(x=0.1)
        return fig

    # --- 5. levels -------------------------------------------------------------------------------------

    def levels_table(self) -> str:
        lv = self.levels

        def level(x, u):
            return "—" if _missing(x) or x != x else fmt(x, 0 if u == "元" else 1)

        frame = pd.DataFrame({
            self.L("indicator"): lv[f"name_{self.lang}"].tolist(),
            self.L("level"): [fmt(x) for x in lv["level"]],
            self.L("unit"): [vocab.unit(u, self.lang) for u in lv["unit"]],
            self.L("growth"): [fmt(x, 1) for x in lv["growth"]],
            self.L("growth_basis"): [self.L(b) for b in lv["growth_basis"]],
            self.L("previous"): [level(p, u) for p, u in zip(lv["previous"], lv["unit"], strict=True)],
            self.L("previous_range"): ["—" if lo != lo else f"{level(lo, u)} – {level(hi, u)}"
                                       for lo, hi, u in zip(lv["previous_low"], lv["previous_high"], lv["unit"], strict=True)],
        })
        return self.page.table_html(frame, sources={self.L("level"): self._sources(lv["level_row_id"]),
                                                    self.L("growth"): self._sources(lv["growth_row_id"])})

    def levels_summary(self) -> str:
        idx = self.levels.set_index("metric")
        gdp, urban, rural = (self.rows[idx.loc[m, "level_row_id"]] for m in ("gdp", "urban_disposable_income", "rural_disposable_income"))
        r = self.ratio
        now = self.derived(r["ratio"], self.t("城镇 ÷ 农村", "urban ÷ rural"), 2)
        prev = self.derived(r["previous"], self.t("推算的上年城镇收入 ÷ 推算的上年农村收入", "implied previous urban ÷ implied previous rural"), 2)
        narrowed = r["change"] < 0
        change = self.derived(abs(r["change"]), self.t("|本年比值 − 上年比值|", "|this year's ratio − previous ratio|"), 2)
        amount = self.page.amount
        return self.t(
            f"<p>{self.review}年地区生产总值 {self.page.num(gdp, amount(gdp['value'], gdp['unit']))}。城镇居民人均可支配收入 "
            f"{self.page.num(urban, amount(urban['value'], urban['unit']))}，农村居民 {self.page.num(rural, amount(rural['value'], rural['unit']))}，"
            f"城乡收入比为 {now}；按两者的名义增速推算，上年约为 {prev}，差距{'缩小' if narrowed else '扩大'} {change}。</p>",
            f"<p>GDP was {self.page.num(gdp, amount(gdp['value'], gdp['unit']))} in {self.review}. Per-capita disposable income was "
            f"{self.page.num(urban, amount(urban['value'], urban['unit']))} for urban and {self.page.num(rural, amount(rural['value'], rural['unit']))} "
            f"for rural residents, an urban/rural ratio of {now}; implied from their nominal growth rates, the previous year's ratio was about {prev}, "
            f"so the gap {'narrowed' if narrowed else 'widened'} by {change}.</p>")

    # --- data checks, sources, results -------------------------------------------------------------------

    def checks_table(self) -> str:
        c = self.check_counts
        frame = pd.DataFrame({self.L("kind"): [W.name("check_kind", k, self.lang) for k in c["kind"]],
                              self.L("status"): [W.name("check_status", s, self.lang) for s in c["status"]],
                              self.L("n"): [f"{int(n):,}" for n in c["n"]]})
        return self.page.table_html(frame)

    def sources(self) -> str:
        return self.page.sources_html()

    def results(self) -> dict:
        """The headline results; keys carry the edition's years, text values the page's language."""
        R, P, prev = self.review, self.plan, self.review - 1
        gdp, p, idx = self._gdp(), self._pillars(), self.levels.set_index("metric")
        diff = self._diff()
        name = f"name_{self.lang}"
        return {
            f"gdp_growth_{R}": float(gdp["card"]["result"]),
            f"gdp_growth_target_{R}": float(gdp["card"]["target"]),
            f"gdp_growth_target_{P}": float(gdp["comp"]["target_next"]),
            f"gdp_growth_target_{P}_minus_result_{R}": round(float(gdp["comp"]["change_vs_result"]), 2),
            f"targets_assessed_{R}": int(len(G.assessed(self.card))),
            f"targets_met_{R}": int(self.counts.loc["total", "met"]),
            f"targets_missed_{R}": G.missed_targets(self.card, name),
            f"targets_not_assessable_{R}": int(self.counts.loc["total", "not_assessable"]),
            f"targets_missed_not_named_by_report_{R}": diff.loc[diff["verdict"] == "missed", name].tolist(),
            f"growth_targets_{P}_below_result_{R}": int(len(self._slower())),
            f"growth_targets_{P}_compared": int(len(self.rates)),
            f"{self.reference}_{R}": float(p["ref"]["value"]),
            f"fastest_growing_pillar_industry_{R}": p["top"][f"sector_{self.lang}"],
            f"fastest_growing_pillar_industry_growth_{R}": float(p["top"]["value"]),
            f"slowest_growing_pillar_industry_{R}": p["bottom"][f"sector_{self.lang}"],
            f"slowest_growing_pillar_industry_growth_{R}": float(p["bottom"]["value"]),
            f"pillar_industries_above_industry_{R}": int(len(p["above"])),
            f"urban_rural_income_ratio_{R}": round(self.ratio["ratio"], 4),
            f"urban_rural_income_ratio_{prev}_implied": round(self.ratio["previous"], 4),
            f"retail_sales_{prev}_implied": round(float(idx.loc["retail_sales", "previous"]), 1),
            f"disposable_income_{prev}_implied": round(float(idx.loc["disposable_income", "previous"]), 0),
        }
