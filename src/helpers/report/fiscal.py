"""Notebook 02 (fiscal balances and government debt) in words, tables and figures, in one language.

Each public function takes a `Context` (the edition, its verified facts and checks, the edition's
`analysis/fiscal.yaml`, the page language and level, and one `Page` that numbers the sources) and
returns the HTML of one part of the page, or writes and shows one figure. Every curated number goes
through `Page.num` (its hover title and superscript link to the source list); every derived number
through `Page.derived` or a table column that states its formula. The computing is in
`helpers.analysis.fiscal`; this module only words, arranges and draws it.

    >>> import helpers
    >>> ctx = context(helpers.edition(), "en", "city")
    >>> "self-sufficiency" in measures_section(ctx, ("revenue",))
    True
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import matplotlib.pyplot as plt
from markupsafe import Markup

from .. import checks as checks_mod
from ..analysis import fiscal as af
from ..checks.engine import require
from ..data import load as loader
from ..data import vocab
from ..data.edition import Edition
from ..errors import HelpersError
from . import figures
from . import words as W
from .nb import fmt, validate
from .page import CJK as _CJK
from .page import Findings, Page, register_summary, rows_table, zh_spans
from .prose import Prose

NAME = "02-fiscal"
UNIT = "亿元"
# The curated tables the page shows (and the quotes of the analysis files: provenance.evidence.*).
TABLES = ("budget", "debt", "economy", "municipal_spending", "risk_statements", "evidence")

# Titles of the notebook's sections that the generated text refers to (the notebook's markdown
# headings carry the same titles, after their number; a test holds them together).
SECTION_TITLES = {
    "sources_uses": ("四本预算的来源与去向", "Sources and uses of the four budgets"),
    "measures": ("财政比率：自给率、中央补助与土地依赖", "Fiscal ratios: self-sufficiency, transfers and land"),
    "debt": ("政府债务", "Government debt"),
    "debt_ratio": ("债务率能否复现", "Can the debt ratio be reproduced?"),
    "growth_base": ("市级支出功能分类", "Municipal spending by function"),
}

LEVEL_ADJ = {"city": ("全市", "city-wide"), "municipal": ("市级", "municipal-level"), "district": ("区县", "district-level")}

LABELS = {
    "year": ("年份", "year"), "side": ("方向", "side"), "line": ("项目", "line"),
    "amount": ("金额（亿元）", "amount (CNY 100 million)"), "share": ("占比", "share"),
    "sources": ("来源", "sources"), "uses": ("去向", "uses"),
    # categories of the sources-and-uses figure
    "own_revenue": ("本级收入", "own revenue"), "central_transfers": ("中央补助", "central transfers"),
    "debt": ("债务收入", "debt revenue"), "other_sources": ("调入资金、上年结转、动用稳定调节基金等", "transfers in, carry-over, stabilisation fund drawn"),
    "beyond_revenue": ("收入以外的来源（合计数）", "sources beyond revenue (one combined figure)"),
    "expenditure": ("支出", "expenditure"), "remittance": ("上解中央", "remittance to central government"),
    "to_districts": ("补助区县、债务转贷", "transfers and debt on-lending to districts"),
    "debt_repayment": ("债务还本", "debt principal repayment"),
    "other_uses": ("调出资金、结转下年、补充稳定调节基金等", "transfers out, carry-over, stabilisation fund replenished"),
    "beyond_expenditure": ("支出以外的去向（合计数）", "uses beyond expenditure (one combined figure)"),
    "surplus": ("本年收支结余", "surplus of the year"),
    # components of the financing of expenditure
    "c_own_revenue": ("本级收入", "own revenue"), "c_central_transfers": ("中央补助", "central transfers"),
    "c_net_borrowing": ("净举债（债务收入 − 还本 − 转贷）", "net borrowing (debt revenue − repayment − on-lending)"),
    "c_to_districts": ("补助区县（转移支付；转贷给区县的债务已计入净举债）",
                       "transfers to districts (debt on-lent to districts is in net borrowing)"),
    "c_remittance": ("上解中央", "remittance to central government"),
    "c_other_net": ("调入、结转、稳定调节基金等（净额）", "transfers, carry-overs, stabilisation fund (net)"),
    "c_combined_net": ("收入以外来源减支出以外去向（净额）", "sources beyond revenue less uses beyond expenditure (net)"),
    "c_expenditure": ("支出", "expenditure"),
    "component": ("组成部分", "component"),
    # waterfall ticks
    "w_own_revenue": ("本级收入", "own revenue"), "w_central_transfers": ("中央补助", "central\ntransfers"),
    "w_net_borrowing": ("净举债", "net\nborrowing"), "w_to_districts": ("补助区县", "transfers to\ndistricts"),
    "w_remittance": ("上解中央", "remittance"), "w_other_net": ("调入结转等\n（净额）", "transfers and\ncarry-over (net)"),
    "w_combined_net": ("其他来源\n（净额）", "other sources\n(net)"), "w_expenditure": ("支出", "expenditure"),
    # measures
    "measure": ("指标", "measure"), "formula": ("公式", "formula"), "numbers": ("代入数字（来源）", "numbers (sources)"),
    "value": ("数值", "value"), "why": ("说明", "note"),
    # draft changes
    "outturn": ("执行数", "outturn"), "draft": ("预算数", "draft"),
    "change_abs": ("变化（亿元）", "change (CNY 100 million)"), "change_pct": ("变化（%）", "change (%)"),
    "stated_growth": ("报告所列增速", "stated growth"),
    # debt
    "part": ("部分", "part"), "limit": ("限额", "limit"), "balance": ("余额", "balance"), "headroom": ("剩余空间", "headroom"),
    "headroom_share": ("空间占限额", "headroom ÷ limit"), "share_of_balance": ("占余额比重", "share of balance"),
    "total": ("合计", "total"), "general": ("一般债务", "general debt"), "special": ("专项债务", "special debt"),
    "municipal": ("市级", "municipal level"), "district": ("区县级", "district level"),
    "issued": ("发行", "issued"), "new": ("新增债券", "new bonds"), "refinancing": ("再融资债券", "refinancing bonds"),
    "refinancing_share": ("再融资占比", "refinancing share"), "basis": ("口径", "basis"),
    "actual_basis": ("执行（全年）", "outturn (full year)"),
    "plan_basis": ("计划", "plan"), "budgeted_basis": ("预算安排", "budgeted"),
    "quota_basis": ("计划（按中央提前下达额度，待调整）", "plan (advance quota, to be revised)"),
    "quota_budgeted_basis": ("预算安排（随债券发行计划调整）", "budgeted (to be revised with the bond plan)"),
    "quota_basis_short": ("计划\n（提前下达额度，待调整）", "plan\n(advance quota, to be revised)"),
    "service": ("还本付息", "debt service"), "principal": ("还本", "principal"), "interest": ("付息", "interest"),
    "refinancing_to_principal": ("再融资债券 ÷ 还本", "refinancing ÷ principal"),
    "service_to_own_revenue": ("还本付息 ÷（一般+基金收入）", "debt service ÷ (general + fund revenue)"),
    "reference": ("参考线", "reference"), "ref_value": ("参考值", "reference value"),
    "compared": ("对照的指标", "compared with"), "ref_source": ("出处", "source"), "caveat": ("注意", "caveat"),
    # debt ratio
    "code": ("编号", "code"), "family": ("类别", "family"), "capacity": ("财力口径", "capacity"),
    "totals": ("收入总量口径", "totals"), "denominator": ("分母（亿元）", "denominator (CNY 100 million)"),
    "ratio_pct": ("计算债务率", "computed ratio"), "miss_pp": ("相差（百分点）", "miss (pp)"),
    "tolerance_pp": ("容差（百分点）", "tolerance (pp)"), "matches": ("是否吻合", "matches"),
    "yes": ("是", "yes"), "no": ("否", "no"),
    # spending by function
    "function": ("支出功能", "function"), "spending": ("执行数", "spending"), "growth": ("增速", "growth"),
    "completion_rate": ("完成预算", "% of budget"), "budget_implied": ("隐含预算", "implied budget"),
    "next_budget": ("预算数", "budget"), "next_growth": ("预算增速", "budget growth"),
    "base_implied": ("隐含基数", "implied base"), "base_to_spending": ("基数 ÷ 执行数", "base ÷ spending"),
    "base_to_budget": ("基数 ÷ 隐含预算", "base ÷ implied budget"),
    "base_matches_spending": ("基数≈执行数", "base ≈ spending"), "base_matches_budget": ("基数≈隐含预算", "base ≈ implied budget"),
    # execution
    "side_revenue": ("收入", "revenue"), "side_expenditure": ("支出", "expenditure"),
    "difference": ("执行数 − 隐含预算", "outturn − implied budget"),
    # register
    "description": ("内容（登记表原文）", "what (register text)"), "nature": ("性质", "nature"),
    "expected": ("登记差距", "registered gap"), "actual": ("实际差距", "actual gap"), "status": ("状态", "status"),
    "reason": ("原因（登记表原文）", "reason (register text)"),
    "status_pass": ("通过", "pass"), "status_fail": ("未通过", "failed"),
    "status_accepted": ("已登记，差距与登记相符", "registered; gap as registered"),
    "kind": ("类别", "kind"),
    # figures
    "fig_sources_uses": ("四本预算的来源与去向", "Sources and uses of the budgets"),
    "fig_financing": ("一般公共预算支出靠什么支撑", "What pays for general budget expenditure"),
    "fig_debt_limit": ("债务限额与余额", "Debt limit and balance"), "fig_debt_level": ("债务余额按级次", "Debt balance by level"),
    "fig_bonds": ("政府债券发行", "Government bonds issued"),
    "fig_debt_ratio": ("债务率：报告值与各种分母下的计算值", "Debt ratio: reported and computed with each denominator"),
    "reported": ("报告值", "reported"), "rounding_band": ("四舍五入范围", "rounding range"),
    "fig_spending": ("{plan}年增速隐含的基数与{review}年执行数、隐含预算之比",
                     "Base implied by each {plan} growth rate, relative to {review} spending and the implied {review} budget"),
    "ratio_axis": ("比值（1 = 相同）", "ratio (1 = equal)"),
}

STYLE = {"own_revenue": "#1f4e79", "central_transfers": "#4bacc6", "debt": "#f79646", "other_sources": "#a6a6a6",
         "beyond_revenue": "#d9d9d9", "expenditure": "#9bbb59", "remittance": "#c0504d", "to_districts": "#8064a2",
         "debt_repayment": "#c55a11", "other_uses": "#7f7f7f", "beyond_expenditure": "#d9d9d9", "surplus": "#2c8c6e"}
HATCH = {"beyond_revenue": "//", "beyond_expenditure": "\\\\"}
DARK_TEXT = {"beyond_revenue", "beyond_expenditure", "other_sources"}



# --- The page's context -----------------------------------------------------------------------------

@dataclass
class Context:
    """What every part of notebook 02's page needs: build it once with `context()`."""
    ed: Edition
    facts: object
    checks: list
    spec: dict
    lang: str
    level: str
    page: Page
    figure_dir: str | None = None
    figure_format: str = "png"

    @property
    def say(self) -> Prose:
        """The page's templates (templates/02-fiscal/<lang>.html), bound to its number renderings."""
        if getattr(self, "_say", None) is None or self._say.page is not self.page:
            self._say = Prose(NAME, self.page)
        return self._say

    @property
    def district(self) -> bool:
        """True on the district page: figures city-wide − municipal, no budget of its own printed."""
        return self.level == "district"

    @property
    def y0(self) -> int:
        return self.ed.year("review")

    @property
    def y1(self) -> int:
        return self.ed.year("plan")

    def t(self, zh: str, en: str) -> str:
        return self.page.t(zh, en)

    def label(self, key: str) -> str:
        """A label of `LABELS` in the page's language ({review}/{plan} filled with the edition's years)."""
        return self.ed.fill(self.t(*LABELS[key]))

    @property
    def lv(self) -> str:
        """The level as an adjective: 全市 / city-wide."""
        return self.t(*LEVEL_ADJ[self.level])

    @property
    def thresholds(self) -> dict:
        return self.spec["thresholds"]


def context(ed: Edition, lang: str, level: str, figure_dir=None, figure_format: str = "png") -> Context:
    """Check the edition, verify its facts and read its fiscal.yaml; raise ParameterError on a bad value."""
    validate(lang=lang, level=level, figure_format=figure_format)
    checks = checks_mod.run_checks(ed)
    require(checks, "page 02", tables=set(TABLES))        # a failed check of its numbers or quotes: no page
    facts = af.facts_at(checks_mod.verified_facts(ed), level)     # the district level: city-wide − municipal
    return Context(ed, facts, checks, ed.load_yaml("fiscal"), lang, level, Page(lang), figure_dir, figure_format)


# --- Words and numbers ------------------------------------------------------------------------------

class H(str):
    """A string that is already HTML (not escaped again in a table)."""


def text(ctx: Context, s: str) -> str:
    """Plain text as HTML; on an English page, Chinese inside it sits in `lang="zh"` spans."""
    return zh_spans(s, ctx.lang)


def english_units(s: str) -> str:
    """Units written in Chinese inside an English text, in English (`2 亿元` → `2 CNY 100 million`)."""
    for code in sorted(vocab.vocabulary("units"), key=len, reverse=True):
        en = vocab.unit(code, "en")
        if _CJK.search(code) and en != code:
            s = s.replace(f" {code}", f" {en}").replace(code, f" {en}")
    return s


def pct(x, digits: int = 1) -> str:
    return "—" if x is None or x != x else f"{x:.{digits}%}"


def amt(ctx: Context, x: float) -> str:
    return ctx.page.amount(round(x, 1), UNIT)


def num(ctx: Context, metric: str, period: int, shown: str | None = None) -> str:
    """A curated number with its source (a derived district figure with its formula)."""
    return row_num(ctx, ctx.facts.get(metric, period), shown)


def row_num(ctx: Context, row: dict, shown: str | None = None) -> str:
    """A curated row with its source; a row of `analysis.fiscal.district_facts` with its formula."""
    if row.get("table") == af.DERIVED_TABLE:
        return der(ctx, shown if shown is not None else _derived_shown(ctx, row), derived_formula(ctx, row))
    return ctx.page.num(row, shown)


def _derived_shown(ctx: Context, row: dict) -> str:
    v = float(row["value"])
    return f"{v:.1f}%".replace("-", "−") if row["unit"] == "%" else amt(ctx, v)


def derived_formula(ctx: Context, row: dict) -> str:
    """How a district figure is derived, with the printed numbers put in."""
    city, municipal = (vocab.name("levels", k, ctx.lang) for k in ("city", "municipal"))
    if row["derived"] == "difference":
        c, m = row["parts"]
        return W.text("page02.formula.district_difference", ctx.lang, city=city, municipal=municipal,
                      c=_g(float(c["value"])), m=_g(float(m["value"])))
    c, cg, m, mg = row["parts"]
    return W.text("page02.formula.district_growth", ctx.lang, city=city, municipal=municipal,
                  c=_g(float(c["value"])), cg=_g(float(cg["value"])), m=_g(float(m["value"])), mg=_g(float(mg["value"])))


def der(ctx: Context, shown: str, formula: str) -> str:
    """A derived number with its formula as a hover title."""
    return ctx.page.derived(shown, formula)


def _g(value: float) -> str:
    return f"{value:g}"


def _signed_html(parts: list[tuple[str, int]]) -> str:
    out = " ".join(f"{'+' if s > 0 else '−'} {p}" for p, s in parts)
    return out[2:] if out.startswith("+ ") else out


def _group(parts: list[tuple[str, int]]) -> str:
    inner = _signed_html(parts)
    return f"({inner})" if len(parts) > 1 else inner


def numbers_html(ctx: Context, e: af.Evaluated) -> str:
    """The numbers of a measure, each with its source: 2044¹ ÷ (2285² + 2358³)."""
    if e.value is None:
        return "—"
    nums = [(row_num(ctx, r, _g(float(r["value"]))), s) for r, s in e.numerator]
    if not e.denominator:
        return _signed_html(nums)
    return f"{_group(nums)} ÷ {_group([(row_num(ctx, r, _g(float(r['value']))), s) for r, s in e.denominator])}"


def missing_text(ctx: Context, e: af.Evaluated) -> str:
    """Why a measure has no value: the parts the report does not state for that level and year."""
    names = [af.suffix_name(m.removeprefix(f"{e.level}_"), ctx.lang) for m in e.missing]
    level = ctx.t(*LEVEL_ADJ[e.level])
    return ctx.t(f"报告未给出{e.period}年{level}的{_join(ctx, names)}，不作推算",
                 f"the report does not state the {level} {_join(ctx, names)} for {e.period}; nothing is estimated")


def evaluated(ctx: Context, key: str, period: int, level: str | None = None) -> af.Evaluated:
    return af.evaluate(ctx.facts, level or ctx.level, key, period)


def mval(ctx: Context, key: str, period: int, level: str | None = None) -> str:
    """A measure's value as a derived number (its formula in numbers as hover title)."""
    e = evaluated(ctx, key, period, level)
    if e.value is None:
        return "—"
    return der(ctx, measure_shown(ctx, key, e.value), f"{e.formula(ctx.lang)} = {e.numbers()}")


def measure_shown(ctx: Context, key: str, value: float) -> str:
    """A measure's value as text: a ratio as a percentage, months to one decimal, an amount in 亿元."""
    kind = af.measure_spec(key).kind
    return pct(value) if kind == "ratio" else (f"{value:.1f}" if kind == "months" else amt(ctx, value))


def section_ref(ctx: Context, key: str) -> str:
    """A cross-reference to another section of the page, by its title."""
    title = ctx.t(*SECTION_TITLES[key])
    return ctx.t(f"见“{title}”一节", f"see “{title}”")


def _join(ctx: Context, items: list[str]) -> str:
    if ctx.lang == "zh":
        return "、".join(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _p(body: str) -> str:
    return f"<p>{body}</p>"


def table(ctx: Context, headers: list[str], rows: list[list], right: tuple[int, ...] = ()) -> str:
    """A deterministic HTML table; cells are H (HTML), text (escaped), numbers or None ("—")."""
    def cell(v) -> str:
        if isinstance(v, H):
            return str(v)
        if v is None or (isinstance(v, float) and v != v):
            return "—"
        if isinstance(v, float):
            return f"{v:,.1f}"
        if isinstance(v, int) and not isinstance(v, bool):
            return f"{v:,}"
        return text(ctx, str(v))

    return rows_table([text(ctx, h) for h in headers], [[cell(v) for v in r] for r in rows], right)


def _name(ctx: Context, row: dict) -> str:
    return str(row["name_zh"] if ctx.lang == "zh" else row["name_en"])


# --- Headline findings ------------------------------------------------------------------------------

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


def references(ctx: Context, applies_to: str) -> list[dict]:
    """The edition's reference lines for a measure (results key without the year)."""
    return [r for r in ctx.spec.get("references", []) if applies_to in r["applies_to"]]


def versus_references(ctx: Context, value: float, applies_to: str) -> str:
    """"above the … (100%) and below the … (120%)", naming each reference as a reference."""
    parts = []
    for r in references(ctx, applies_to):
        where = ("高于" if value > r["value"] else "低于") if ctx.lang == "zh" else ("above" if value > r["value"] else "below")
        name = r.get("short", r["name"])[ctx.lang]
        parts.append(f"{where}{name}（{pct(r['value'], 0)}）" if ctx.lang == "zh" else f"{where} {text(ctx, name)} ({pct(r['value'], 0)})")
    return ("，".join(parts) + "（参考线，并非公报数字）") if ctx.lang == "zh" else (_join(ctx, parts) + " (references analysts use, not figures of the gazette)")


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


def advance_quota(ctx: Context) -> dict:
    """The plan year's advance bond quota from fiscal.yaml: the metrics it covers and its
    evidence as source rows, each quote checked on its line of the raw text; None when the edition
    flags no advance quota."""
    spec = ctx.spec.get("advance_quota")
    if not spec:
        return None
    return {"period": ctx.ed.year(spec["role"]), "metrics": list(spec["metrics"]),
            "revised_with_it": list(spec.get("revised_with_it", [])), "evidence": _checked_evidence(ctx, "advance_quota")}


def _checked_evidence(ctx: Context, key: str) -> list[dict]:
    """The gazette quotes fiscal.yaml gives under `key` as source rows (`helpers check` checks each
    on its line: provenance.evidence.fiscal.*, and the page's checks gate refuses a failed one)."""
    return [_checked_quote(ctx, key, item) for item in ctx.spec.get(key, {}).get("evidence", [])]


def _checked_quote(ctx: Context, key: str, item: dict) -> dict:
    return {"document": item["document"], "line": int(item["line"]), "quote": item["quote"], "text": item["text"]}


# --- The reports' own words on risk (curated/risk_statements.csv) ----------------------------------------

def statements(ctx: Context, **where) -> list[dict]:
    """The rows of the curated table of risk statements (checked by `helpers check`: quote on its
    line), those whose columns equal `where` (e.g. kind="pledge"), in the table's order."""
    frame = loader.load("risk_statements", ctx.ed)
    rows = [dict(r, table="risk_statements") for r in frame.to_dict("records")]
    return [r for r in rows if all(r[k] == v for k, v in where.items())]


def statement(ctx: Context, row: dict) -> str:
    """A statement quoted with its source: verbatim on a Chinese page, our English on an English one."""
    return ctx.page.num(row, row["quote"] if ctx.lang == "zh" else row["text_en"])


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
    headers = [W.text(f"page02.label.{k}", ctx.lang) for k in ("kind", "topic", "statement", "beside")]
    return ctx.say("statements_intro", level=ctx.lv) + table(ctx, headers, rows, right=(3,))


def _evidence(ctx: Context, quota: dict, k: int) -> str:
    item = quota["evidence"][k]
    return ctx.page.num(item, item["text"][ctx.lang])


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


# --- Sources and uses -------------------------------------------------------------------------------

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
            ok = af.balances(t)
            sentences.append(ctx.t(
                f"{y}年来源合计 {num(ctx, s_row['metric'], y)}，去向合计 {num(ctx, u_row['metric'], y)}，"
                + ("各项之和与合计相符、两边相等" if ok else f"不平衡：来源差 {s_row['gap']:g}，去向差 {u_row['gap']:g}"),
                f"{y}: total sources {num(ctx, s_row['metric'], y)}, total uses {num(ctx, u_row['metric'], y)}; "
                + ("the lines add to the totals and the two sides are equal" if ok
                   else f"they do not balance: sources off by {s_row['gap']:g}, uses by {u_row['gap']:g}")))
        body = [[str(y), ctx.label(r["side"]), _name(ctx, r), H(num(ctx, r["metric"], y, fmt(r["value"]))), pct(r["share"])] for y, r in rows]
        title = f"{af.budget_name(b, ctx.lang)}{ctx.t('（' + ctx.lv + '）', ' (' + ctx.lv + ')')}"
        parts.append(f"<h4>{text(ctx, title)}</h4>"
                     + table(ctx, [ctx.label(k) for k in ("year", "side", "line", "amount", "share")], body, right=(3, 4))
                     + _p(ctx.t("；".join(sentences) + "。", "; ".join(sentences) + ".")))
    if "social_insurance" not in af.budgets_at(ctx.facts, ctx.level, ctx.y0):
        parts.append(_p(ctx.t("社会保险基金预算只在全市层面编报，市级没有这本预算，本节及“社会保险基金”一节从略，相应结果记为 null。",
                              "The social insurance fund budget is reported city-wide only; the municipal level has no such budget, so its "
                              "parts here and in “Social insurance fund” are skipped and the corresponding results are null.")))
    return "".join(parts)


def figure_sources_uses(ctx: Context) -> None:
    """Stacked bars of each budget's sources and uses (figure 02-sources-uses-<level>; none for districts)."""
    if ctx.district:
        return
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
    fig.suptitle(ctx.t(f"{ctx.label('fig_sources_uses')}（{ctx.lv}）", f"{ctx.label('fig_sources_uses')} ({ctx.lv})"))
    handles, labels = [], []
    for ax in axes:
        h, lab = ax.get_legend_handles_labels()
        handles, labels = handles + h, labels + lab
    fig.tight_layout(rect=(0, 0.75 / fig.get_figheight(), 1, 1))
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8, frameon=False)
    _save(ctx, fig, f"02-sources-uses-{ctx.level}")


def _save(ctx: Context, fig, name: str) -> None:
    figures.savefig(fig, name, figure_dir=ctx.figure_dir, figure_format=ctx.figure_format, lang=ctx.lang)
    plt.close(fig)


# --- Who pays for spending --------------------------------------------------------------------------

def _financing(ctx: Context) -> dict:
    return {(b, y): af.financing(ctx.facts, ctx.level, b, y) for b in ("general", "fund") for y in (ctx.y0, ctx.y1)}


def _component_cell(ctx: Context, row: dict, period: int) -> str:
    terms = row["terms"]
    shown = fmt(row["value"])
    if len(terms) == 1:
        metric, sign = terms[0]
        value = row_num(ctx, ctx.facts.get(metric, period), ("−" if sign < 0 else "") + shown.lstrip("-"))
    else:
        numbers = af._signed([(_g(float(ctx.facts.value(m, period))), s) for m, s in terms])
        value = der(ctx, shown.replace("-", "−"), numbers)
    return H(f"{value} ({der(ctx, pct(row['share_of_expenditure']), ctx.t('÷ 支出', '÷ expenditure'))})")


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
    return table(ctx, headers, rows, right=tuple(range(1, len(headers)))) + _p(_who_pays_text(ctx, fin))


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
        return der(ctx, pct(v / exp0), ctx.t(f"{what} ÷ 支出", f"{what} ÷ expenditure"))

    net_d = der(ctx, amt(ctx, net), ctx.t("债务收入 − 还本 − 转贷", "debt revenue − repayment − on-lending"))
    other = der(ctx, amt(ctx, g0.get("other_net", 0.0)), ctx.t("调入、结转等 − 调出、结转下年等", "transfers in, carry-over − transfers out, carry-over"))
    combined = der(ctx, amt(ctx, g1["combined_net"]), ctx.t("收入以外的来源 − 支出以外的去向", "sources beyond revenue − uses beyond expenditure"))
    own1 = der(ctx, pct(g1["own_revenue"] / g1["expenditure"]), ctx.t("本级收入 ÷ 支出", "own revenue ÷ expenditure"))
    if ctx.lang == "zh":
        s = (f"{y0}年{lv}一般公共预算支出 {num(ctx, pre + 'expenditure', y0)}：本级收入 {num(ctx, pre + 'revenue', y0)} 承担 {share(g0['own_revenue'], '本级收入')}，"
             f"中央补助 {num(ctx, pre + 'central_transfers', y0)} 相当于支出的 {share(g0['central_transfers'], '中央补助')}；"
             f"债务收入 {num(ctx, pre + 'debt_revenue', y0)} 扣除还本 {num(ctx, pre + 'debt_repayment', y0)}"
             + (f"和转贷区县 {num(ctx, pre + 'debt_onlending', y0)}" if onlend else "")
             + f"后，净举债 {net_d}（{share(net, '净举债')}）"
             + (("，债务收入主要用于借新还旧；" if repaid >= onlent else "，债务收入主要转贷给区县；") if passed_on else "；")
             + f"调入资金、上年结转和预算稳定调节基金等净额 {other}。")
        if "to_districts" in g0:
            s += (("全市的中央补助全部进入市级预算，" if all_central else "")
                  + f"其中相当一部分以补助区县 {num(ctx, pre + 'transfers_to_districts', y0)} 的形式转给区县（表中“补助区县”一行只含转移支付，转贷给区县的债务已计入净举债）"
                  + ("，所以市级的中央补助超过市级自身支出。" if g0["central_transfers"] > exp0 else "。"))
        return s + (f"{y1}年预算支出 {num(ctx, pre + 'expenditure', y1)}，本级收入预计 {num(ctx, pre + 'revenue', y1)}，可承担 {own1}；"
                    f"其余 {combined} 来自报告只给出合计数的“收入以外的来源”（扣除支出以外的去向后的净额）。")
    s = (f"In {y0} {lv} general budget expenditure was {num(ctx, pre + 'expenditure', y0)}: own revenue of {num(ctx, pre + 'revenue', y0)} paid for "
         f"{share(g0['own_revenue'], 'own revenue')}, central transfers of {num(ctx, pre + 'central_transfers', y0)} equalled "
         f"{share(g0['central_transfers'], 'central transfers')} of it; debt revenue of {num(ctx, pre + 'debt_revenue', y0)} less repayments of "
         f"{num(ctx, pre + 'debt_repayment', y0)}"
         + (f" and on-lending to districts of {num(ctx, pre + 'debt_onlending', y0)}" if onlend else "")
         + f" left net borrowing of {net_d} ({share(net, 'net borrowing')})"
         + ((": most borrowing rolls over maturing debt; " if repaid >= onlent else ": most borrowing is on-lent to districts; ") if passed_on else "; ")
         + f"transfers in, carry-overs and the stabilisation fund added {other} net.")
    if "to_districts" in g0:
        s += ((" All of the city's central transfers enter the municipal budget, which" if all_central else " The municipal budget")
              + f" passes a large part on as transfers to districts ({num(ctx, pre + 'transfers_to_districts', y0)}; the table's row holds "
              "these transfers only, debt on-lent to districts being in net borrowing)"
              + (", so its central transfers exceed its own spending." if g0["central_transfers"] > exp0 else "."))
    return s + (f" The {y1} budget plans expenditure of {num(ctx, pre + 'expenditure', y1)} against projected own revenue of "
                f"{num(ctx, pre + 'revenue', y1)}, which covers {own1}; the other {combined} comes from the sources beyond revenue "
                "that the report states only as one combined figure (net of the uses beyond expenditure).")


def figure_financing(ctx: Context) -> None:
    """Waterfall of what pays for general budget expenditure in both years (02-financing-<level>; none for districts)."""
    if ctx.district:
        return
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
    fig.suptitle(ctx.t(f"{ctx.label('fig_financing')}（{ctx.lv}）", f"{ctx.label('fig_financing')} ({ctx.lv})"))
    fig.tight_layout()
    _save(ctx, fig, f"02-financing-{ctx.level}")


# --- Measures ---------------------------------------------------------------------------------------

def measure_notes(ctx: Context, e: af.Evaluated) -> str:
    """What a reader must know beside a measure's value (missing parts, caveats)."""
    if e.value is None:
        return missing_text(ctx, e)
    notes = []
    if e.key == "central_transfers_to_expenditure" and e.value > 1:
        notes.append(ctx.t("高于100%：全部中央补助先进入市级预算再转给区县，不表示“依赖”，应看全市口径",
                           "above 100%: all central transfers enter the municipal budget before part is passed on; read the city-wide figure"))
    if e.key == "land_sale_share_of_fund_revenue":
        notes.append(ctx.t("基金预算的构成，不是依赖度", "how the fund budget is made up, not dependence"))
    if e.key == "interest_to_revenue" and e.numerator_terms == af.measure_spec(e.key).numerator[0]:
        notes.append(ctx.t("付息为隐含值（还本付息 − 两本预算的债务还本）", "interest implied (debt service − debt repayment of the two budgets)"))
    quota = advance_quota(ctx)
    revised = bool(quota and e.period == quota["period"])
    if e.key == "interest_to_revenue" and e.numerator_terms != af.measure_spec(e.key).numerator[0]:
        notes.append(ctx.t("付息为预算安排" + ("，随债券发行计划调整" if revised else ""),
                           "budgeted interest" + (", to be revised with the bond plan" if revised else "")))
    if e.key == "debt_service_net_of_refinancing_to_revenue" and revised and e.value is not None:
        notes.append(ctx.t("再融资债券为中央提前下达额度下的计划，待调整；不与执行年度同口径",
                           "refinancing bonds planned under the advance quota, to be revised; not like for like with the review year"))
    return "；".join(notes) if ctx.lang == "zh" else "; ".join(notes)


def measure_rows(ctx: Context, keys, periods) -> list[list]:
    rows = []
    for key in keys:
        spec = af.measure_spec(key)
        evs = [evaluated(ctx, key, p) for p in periods]
        line = [ctx.t(*spec.name), evs[0].formula(ctx.lang)]
        notes = []
        for e in evs:
            line += [H(numbers_html(ctx, e)), None if e.value is None else
                     (pct(e.value) if spec.kind == "ratio" else amt(ctx, e.value))]
            note = measure_notes(ctx, e)
            if note:
                notes.append(f"{e.period}: {note}")
        rows.append(line + [ctx.t("；", "; ").join(notes) or None])
    return rows


def measures_table(ctx: Context, keys, periods=None) -> str:
    """The measures with formula, the numbers put in (each sourced) and value, per period."""
    periods = periods or (ctx.y0, ctx.y1)
    headers = [ctx.label("measure"), ctx.label("formula")]
    for p in periods:
        headers += [f"{ctx.label('numbers')} {p}", f"{p}"]
    headers.append(ctx.label("why"))
    return table(ctx, headers, measure_rows(ctx, keys, periods), right=tuple(range(2, 2 + 2 * len(periods))))


def _keys(groups) -> list[str]:
    return [m.key for m in af.MEASURES if m.group in groups]


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
    widens = raw("expenditure_gap", y1) > raw("expenditure_gap", y0)
    no_draft_transfers = raw("central_transfers_to_expenditure", y1) is None
    ss = raw("self_sufficiency", y0)
    if ctx.lang == "zh":
        s = (f"{lv}财政自给率 {y0} 年为 {v('self_sufficiency', y0)}，{y1} 年预算为 {v('self_sufficiency', y1)}："
             f"一般公共预算支出中{'不到一半' if ss < 0.5 else '一半以上'}由本级收入负担。税收占本级收入的 {v('tax_share', y0)}（{y1} 年 {v('tax_share', y1)}），其余为非税收入。"
             f"中央补助依赖度有三种常见算法，口径不同、不能混用：补助 ÷ 支出 {v('central_transfers_to_expenditure', y0)}，"
             f"补助 ÷（收入 + 补助）{v('central_transfers_to_resources', y0)}，补助 ÷ 收入 {v('central_transfers_to_revenue', y0)}"
             + (f"；预算草案没有单列中央补助，{y1}年三者都无法计算。" if no_draft_transfers else "。")
             + f"土地：出让收入占政府性基金收入的 {v('land_sale_share_of_fund_revenue', y0)}，这是基金预算的构成，不是依赖度；"
             f"它占一般公共预算和基金收入合计的 {v('land_dependence', y0)}（土地财政依赖度，{y1} 年 {v('land_dependence', y1)}），"
             f"相当于一般公共预算收入的 {v('land_to_general_revenue', y0)}。"
             f"支出与本级收入之差由 {v('expenditure_gap', y0)} {'扩大' if widens else '变'}到 {v('expenditure_gap', y1)}；"
             f"加上基金预算的广义缺口由 {v('broad_gap', y0)} 变为 {v('broad_gap', y1)}。")
    else:
        s = (f"{lv.capitalize()} self-sufficiency was {v('self_sufficiency', y0)} in {y0} and is {v('self_sufficiency', y1)} in the {y1} budget: "
             f"own revenue pays for {'less' if ss < 0.5 else 'more'} than half of general budget spending. Taxes are {v('tax_share', y0)} of own revenue "
             f"({v('tax_share', y1)} in {y1}), the rest is non-tax revenue. Central-transfer dependence is measured three ways, which must not "
             f"be mixed: transfers ÷ expenditure {v('central_transfers_to_expenditure', y0)}, transfers ÷ (revenue + transfers) "
             f"{v('central_transfers_to_resources', y0)}, transfers ÷ revenue {v('central_transfers_to_revenue', y0)}"
             + (f"; the draft does not state central transfers, so none can be computed for {y1}. " if no_draft_transfers else ". ")
             + f"Land: sales are {v('land_sale_share_of_fund_revenue', y0)} of fund budget "
             f"revenue, which describes the fund budget's make-up, not dependence; they are {v('land_dependence', y0)} of general plus fund "
             f"budget revenue (land dependence; {v('land_dependence', y1)} in {y1}) and the equivalent of {v('land_to_general_revenue', y0)} "
             f"of general budget revenue. The gap between expenditure and own revenue {'widens' if widens else 'goes'} from "
             f"{v('expenditure_gap', y0)} to {v('expenditure_gap', y1)}; the broad gap including the fund budget goes from "
             f"{v('broad_gap', y0)} to {v('broad_gap', y1)}.")
    to_exp = raw("central_transfers_to_expenditure", y0)
    if to_exp is not None and to_exp > 1:
        s += ctx.t("市级“补助 ÷ 支出”超过100%，因为全部中央补助先进入市级预算，再转给区县：这一比率在市级没有“依赖”的含义，应看全市口径或“补助 ÷（收入 + 补助）”。",
                   " At the municipal level transfers exceed expenditure because all of them enter the municipal budget before part is passed on "
                   "to districts: that form does not measure dependence at this level; read the city-wide one, or transfers ÷ (revenue + transfers).")
    return measures_table(ctx, _keys(groups)) + _p(s)


# --- What the draft changes -------------------------------------------------------------------------

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
    y0, y1, lv, pre = ctx.y0, ctx.y1, ctx.lv, f"{ctx.level}_general_"
    yoy = af.year_on_year(ctx.facts, ctx.level, y0, y1)
    partial, evidence = _partial_draft(ctx)
    note = ctx.t("（预算数只含中央提前下达的补助）", " (draft: advance-notified transfers only)")
    rows = []
    for r in yoy.to_dict("records"):
        g = r["metric"] + "_growth"
        name = af.suffix_name(f"{r['budget']}_{r['item']}", ctx.lang) + (note if f"{r['budget']}.{r['item']}" in partial else "")
        vs_budget = (H(der(ctx, f"{r['vs_budget_pct']:+.1%}".replace("-", "−"),
                           f"{r['draft']:g} ÷ ({r['outturn']:g} ÷ {r['completion_rate']:g}%) − 1"))
                     if r["vs_budget_pct"] == r["vs_budget_pct"] else None)
        rows.append([name, H(num(ctx, r["metric"], y0, fmt(r["outturn"]))), H(num(ctx, r["metric"], y1, fmt(r["draft"]))),
                     H(der(ctx, f"{r['change']:+,.0f}".replace("-", "−"), f"{r['draft']:g} − {r['outturn']:g}")),
                     H(der(ctx, f"{r['change_pct']:+.1%}".replace("-", "−"), f"{r['draft']:g} ÷ {r['outturn']:g} − 1")),
                     vs_budget, H(num(ctx, g, y1)) if ctx.facts.has(g, y1) else None])
    headers = [ctx.label("line"), f"{ctx.label('outturn')} {y0}", f"{ctx.label('draft')} {y1}", ctx.label("change_abs"),
               ctx.label("change_pct"), ctx.t(f"对{y0}年预算（推算）", f"vs the {y0} budget (implied)"), ctx.label("stated_growth")]
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
        return der(ctx, pct(abs(Y[key]["change_pct"])), ctx.t("|预算数 ÷ 执行数 − 1|", "|draft ÷ outturn − 1|"))

    def vs_budget(key):
        r = Y[key]
        return der(ctx, f"{r['vs_budget_pct']:+.1%}".replace("-", "−"),
                   ctx.t(f"预算数 ÷（执行数 ÷ 完成率）− 1 = {r['draft']:g} ÷ ({r['outturn']:g} ÷ {r['completion_rate']:g}%) − 1",
                         f"draft ÷ (outturn ÷ completion rate) − 1 = {r['draft']:g} ÷ ({r['outturn']:g} ÷ {r['completion_rate']:g}%) − 1"))

    stab = "municipal_general_stabilisation_fund_drawn"
    more = Y["expenditure"]["change"] >= 0
    fund, land = Y["fund_revenue"], Y["fund_land_sale_revenue"]
    fm = f"{ctx.level}_fund_revenue"
    s = ctx.t(
        f"{y1}年{lv}一般公共预算支出安排 {num(ctx, pre + 'expenditure', y1)}，比{y0}年执行数{'多' if more else '少'} {rate('expenditure')}，"
        f"与{y0}年预算相比 {vs_budget('expenditure')}；本级收入预计增长 {num(ctx, pre + 'revenue_growth', y1)}，税收预计增长 {num(ctx, pre + 'tax_revenue_growth', y1)}。"
        f"政府性基金收入预计 {num(ctx, fm, y1)}：与{y0}年预算相比 {vs_budget('fund_revenue')}；比{y0}年执行数{'少' if fund['change'] < 0 else '多'} {rate('fund_revenue')}，"
        f"但{y0}年执行数是预算的 {num(ctx, fm + '_completion_rate', y0)}，这一“降幅”主要是上年超收，不是计划减收。"
        f"其中土地出让收入 {num(ctx, f'{ctx.level}_fund_land_sale_revenue', y1)}，比上年执行数{'少' if land['change'] < 0 else '多'} {rate('fund_land_sale_revenue')}；报告未给出土地出让收入的完成率，无法与上年预算比较。"
        f"为平衡预算，市级在{y1}年初动用预算稳定调节基金 {num(ctx, stab, y1)}。报告所列增速不一定以执行年度执行数为基数（{section_ref(ctx, 'growth_base')}）。",
        f"The {y1} {lv} general budget plans expenditure of {num(ctx, pre + 'expenditure', y1)}, {vs_budget('expenditure')} against the {y0} budget "
        f"and {rate('expenditure')} {'above' if more else 'below'} the {y0} outturn, with own revenue projected to grow "
        f"{num(ctx, pre + 'revenue_growth', y1)} and taxes {num(ctx, pre + 'tax_revenue_growth', y1)}. "
        f"Fund budget revenue is projected at {num(ctx, fm, y1)}: {vs_budget('fund_revenue')} against the {y0} budget; it is "
        f"{rate('fund_revenue')} {'less' if fund['change'] < 0 else 'more'} than the {y0} outturn, but that outturn was "
        f"{num(ctx, fm + '_completion_rate', y0)} of its budget, so the fall is last year's overshoot, not a planned cut. "
        f"Land sales are put at {num(ctx, f'{ctx.level}_fund_land_sale_revenue', y1)}, {rate('fund_land_sale_revenue')} "
        f"{'less' if land['change'] < 0 else 'more'} than the {y0} outturn; the report gives no completion rate for land sales, so they "
        f"cannot be set against the {y0} budget. "
        f"To balance the budget the municipal level drew {num(ctx, stab, y1)} from the budget stabilisation fund at the start of {y1}. "
        f"The growth rates the report states need not use the {y0} outturn as their base ({section_ref(ctx, 'growth_base')}).")
    if evidence is not None and "general.total_sources" in partial:
        ts = Y.get("total_sources")
        if ts is not None:
            s += ctx.t(
                f"一般公共预算收入总量的预算数 {num(ctx, pre + 'total_sources', y1)} 只含{ctx.page.num(evidence, evidence['text']['zh'])}，"
                f"年中还会增加，因此它与{y0}年全年执行数 {num(ctx, pre + 'total_sources', y0)} 的差距不是计划的减少。",
                f" The draft's total sources of {num(ctx, pre + 'total_sources', y1)} count only the central transfers already notified "
                f"({ctx.page.num(evidence, evidence['text']['en'])}); more arrive during the year, so the gap to the full-year {y0} outturn of "
                f"{num(ctx, pre + 'total_sources', y0)} is not a planned fall.")
    return table(ctx, headers, rows, right=(1, 2, 3, 4, 5, 6)) + _p(s)


# --- Social insurance fund --------------------------------------------------------------------------

def social_insurance_section(ctx: Context) -> str:
    """Balance, fiscal subsidy share, balance without subsidy, months of reserves (city-wide only)."""
    y0, y1 = ctx.y0, ctx.y1
    if ctx.district:
        return ctx.say("not_at_district", what="social_insurance")
    if ctx.level != "city" or not ctx.facts.has("city_social_insurance_revenue", y0):
        return _p(ctx.t("市级没有社会保险基金预算（只在全市层面编报），本节从略。",
                        "The municipal level has no social insurance fund budget (it is reported city-wide only); this section is skipped."))
    si, si1 = af.social_insurance(ctx.facts, y0), af.social_insurance(ctx.facts, y1)
    m = "city_social_insurance_"

    def n(item, y, shown=None):
        return num(ctx, m + item, y, shown)

    def g(item, y):
        return n(item, y, _g(float(ctx.facts.value(m + item, y))))

    rows = [
        [ctx.t("收支结余 = 收入 − 支出", "balance = revenue − expenditure"), H(f"{g('revenue', y0)} − {g('expenditure', y0)}"), amt(ctx, si["balance"]),
         H(f"{g('revenue', y1)} − {g('expenditure', y1)}"), amt(ctx, si1["balance"])],
        [ctx.t("财政补助占比 = 财政补助 ÷ 收入", "fiscal subsidy share = subsidy ÷ revenue"), H(f"{g('fiscal_subsidy', y0)} ÷ {g('revenue', y0)}"),
         pct(si["fiscal_subsidy_share"]), None, None],
        [ctx.t("扣除财政补助后的结余 = 收入 − 财政补助 − 支出", "balance without subsidy = revenue − subsidy − expenditure"),
         H(f"{g('revenue', y0)} − {g('fiscal_subsidy', y0)} − {g('expenditure', y0)}"), amt(ctx, si["balance_without_subsidy"]), None, None],
        [ctx.t("滚存结余可支付月数 = 滚存结余 ÷ (支出 ÷ 12)", "reserve months = accumulated balance ÷ (expenditure ÷ 12)"),
         H(f"{g('accumulated_balance', y0)} ÷ ({g('expenditure', y0)} ÷ 12)"), f"{si['reserve_months']:.1f}", None, None],
    ]
    headers = [ctx.label("formula"), f"{ctx.label('numbers')} {y0}", f"{y0}", f"{ctx.label('numbers')} {y1}", f"{y1}"]
    short = si["balance_without_subsidy"] < 0
    months = der(ctx, f"{si['reserve_months']:.1f}", ctx.t("滚存结余 ÷ (支出 ÷ 12)", "accumulated balance ÷ (expenditure ÷ 12)"))
    gap = der(ctx, amt(ctx, abs(si["balance_without_subsidy"])), ctx.t("收入 − 财政补助 − 支出", "revenue − subsidy − expenditure"))
    smaller = si1["balance"] < si["balance"]
    s = ctx.t(
        f"{y0}年全市社会保险基金收入 {n('revenue', y0)}，支出 {n('expenditure', y0)}，当年结余 {n('surplus', y0)}。"
        f"但收入中财政补助 {n('fiscal_subsidy', y0)}，占 {n('fiscal_subsidy_share', y0)}；扣除财政补助，缴费等收入比支出{'少' if short else '多'} {gap}。"
        f"历年滚存结余 {n('accumulated_balance', y0)}，约够支付 {months} 个月的支出。{y1}年预算结余{'降至' if smaller else '为'} {n('surplus', y1)}。",
        f"In {y0} the city-wide social insurance funds took in {n('revenue', y0)} and spent {n('expenditure', y0)}, a surplus of {n('surplus', y0)}. "
        f"But {n('fiscal_subsidy', y0)} of the revenue, {n('fiscal_subsidy_share', y0)}, was fiscal subsidy; without it, contributions and other revenue "
        f"{'fall short of' if short else 'exceed'} expenditure by {gap}. The accumulated balance of {n('accumulated_balance', y0)} covers about "
        f"{months} months of expenditure. The {y1} budget plans a {'smaller ' if smaller else ''}surplus of {n('surplus', y1)}.")
    return table(ctx, headers, rows, right=(1, 2, 3, 4)) + _p(s)


# --- Debt -------------------------------------------------------------------------------------------

def _basis(ctx: Context, basis: str, metric: str, period: int, short: bool = False) -> str:
    """The basis of a debt figure; a plan figure the edition flags as an advance quota (or as revised
    with it) says so."""
    q = advance_quota(ctx)
    if q and period == q["period"] and metric in q["metrics"]:
        return ctx.label("quota_basis_short" if short else "quota_basis")
    if q and period == q["period"] and metric in q["revised_with_it"]:
        return ctx.label("quota_budgeted_basis")
    return ctx.label(f"{basis}_basis")


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
    joined = ctx.t("、", ", ")
    has_special = shock["special_debt_ratio"].notna().all()
    text = ctx.say("sensitivity", y0=ctx.y0, y1=ctx.y1, level=ctx.lv, land=Markup(row_num(ctx, rows_in["land"])),
                   falls=joined.join(pct(r["fall"], 0) for r in cut),
                   land_dependence=Markup(joined.join(c["land_dependence"] for c in cells)),
                   special=Markup(joined.join(c["special_debt_ratio"] for c in cells)) if has_special else "",
                   debt_to_revenue=Markup(joined.join(c["debt_to_revenue"] for c in cells)), has_special=bool(has_special))
    return table(ctx, headers, body, right=(1, 2, 3, 4)) + text


def figure_sensitivity(ctx: Context) -> None:
    """Land dependence and the debt ratios as land sales fall below the plan year's budget (02-sensitivity-<level>)."""
    shock = _land_shock(ctx)
    figures.setup()
    fig, ax = plt.subplots(figsize=(7, 4))
    x = 100 * shock["fall"]
    for key, color, marker in (("land_dependence", "#f79646", "o"), ("debt_to_revenue", "#1f4e79", "s"),
                               ("special_debt_ratio", "#c0504d", "D")):
        if shock[key].notna().all():
            ys = 100 * shock[key].astype(float)
            ax.plot(x, ys, color=color, marker=marker, label=W.text(f"page02.label.sensitivity_{key.split('_')[0] if key != 'debt_to_revenue' else 'debt'}", ctx.lang))
            for xi, yi in zip(x, ys, strict=True):
                ax.text(xi, yi, f" {yi:.0f}%", fontsize=8, va="bottom")
    ax.set_xticks(list(x), [W.text("page02.label.as_budgeted", ctx.lang) if v == 0 else f"−{v:.0f}%" for v in x])
    ax.set_xlabel(W.text("page02.label.fall", ctx.lang))
    ax.set_ylabel(W.text("page02.label.ratio_axis_pct", ctx.lang))
    ax.set_title(W.text("page02.label.fig_sensitivity", ctx.lang, plan=ctx.y1, level=ctx.lv), fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    ax.set_ylim(0, None)
    fig.tight_layout()
    _save(ctx, fig, f"02-sensitivity-{ctx.level}")


def _refinancing_shock_text(ctx: Context) -> str:
    """A what-if on the report's own figures: refinancing covering fewer points of the principal."""
    y0 = ctx.y0
    shock = af.refinancing_shock(ctx.facts, y0, "city", ctx.spec.get("sensitivity", {}).get("refinancing_drops", (0.1, 0.2, 0.3)))
    if shock.empty:
        return ""
    s = af.debt_service(ctx.facts, y0, "city")
    formula = ctx.t(f"（付息 {s['interest']:g} + 还本 {s['principal']:g} ×（1 − 覆盖率））÷ 一般公共预算和政府性基金收入 {s['own_revenue']:g}",
                    f"(interest {s['interest']:g} + principal {s['principal']:g} × (1 − coverage)) ÷ general and fund revenue {s['own_revenue']:g}")
    base = shock.iloc[0]
    cases = ctx.t("、", ", ").join(
        ctx.t(f"{pct(r['coverage'], 0)} 时为 {der(ctx, pct(r['to_revenue']), formula)}", f"{der(ctx, pct(r['to_revenue']), formula)} at {pct(r['coverage'], 0)}")
        for r in shock.iloc[1:].to_dict("records"))
    now = der(ctx, pct(base["to_revenue"]), formula)
    return ctx.t(
        f"再融资同样是假设：{y0}年全市再融资债券覆盖了到期本金的 {pct(base['coverage'])}，未由再融资覆盖、须用收入支付的还本付息相当于收入的 {now}；"
        f"若覆盖率降低，其他不变，这一比例在覆盖率为 {cases}。",
        f" Refinancing, likewise a what-if: in {y0} city-wide refinancing bonds covered {pct(base['coverage'])} of the principal due, "
        f"so the debt service paid from revenue came to {now} of revenue; with lower coverage, all else equal, that share would be {cases}.")


def bonds_section(ctx: Context) -> str:
    """The review year's bonds split by budget with the refinancing cross-check, the floor of the plan
    year's debt against the limit, the stabilisation-fund drawing against spending, and the central
    transfers the municipal level keeps (`analysis.fiscal.bonds_and_debt_path`)."""
    y0, y1 = ctx.y0, ctx.y1
    p = af.bonds_and_debt_path(ctx.facts, y0, y1)
    out = []
    if "new_general" in p:
        ng = der(ctx, amt(ctx, p["new_general"]), f"{ctx.facts.value('city_debt_new_bonds', y0):g} − {p['new_special']:g}")
        rg = der(ctx, amt(ctx, p["refinancing_general"]), f"{ctx.facts.value('city_general_debt_revenue', y0):g} − {p['new_general']:g}")
        rs = der(ctx, amt(ctx, p["refinancing_special"]), f"{ctx.facts.value('city_fund_debt_revenue', y0):g} − {p['new_special']:g}")
        total = der(ctx, amt(ctx, p["refinancing_general"] + p["refinancing_special"]), f"{p['refinancing_general']:g} + {p['refinancing_special']:g}")
        gap = f"{p['refinancing_gap']:+g}".replace("-", "−")
        verdict = (ctx.t(f"相差 {gap}，在四个整数的舍入范围（±{p['refinancing_tolerance']:g}）之内，二者一致",
                         f"a gap of {gap}, within the rounding of the four integers it combines (±{p['refinancing_tolerance']:g}): they agree")
                   if p["refinancing_agrees"] else
                   ctx.t(f"相差 {gap}，超出四个整数的舍入范围（±{p['refinancing_tolerance']:g}）",
                         f"a gap of {gap}, beyond the rounding of the four integers (±{p['refinancing_tolerance']:g})"))
        out.append(ctx.t(
            f"{y0}年全市新增债券 {num(ctx, 'city_debt_new_bonds', y0)} 中，计划报告所列争取专项债券 {num(ctx, 'local_government_special_bonds_secured', y0)}，"
            f"余下的一般债券约 {ng}。由此，一般公共预算的债务收入 {num(ctx, 'city_general_debt_revenue', y0)} 中再融资约 {rg}，"
            f"政府性基金预算的债务收入 {num(ctx, 'city_fund_debt_revenue', y0)} 中再融资约 {rs}，合计 {total}，"
            f"与报告所列再融资债券 {num(ctx, 'city_debt_refinancing_bonds', y0)} {verdict}。",
            f"Of the {y0} city-wide new bonds of {num(ctx, 'city_debt_new_bonds', y0)}, the plan report's special bonds secured were "
            f"{num(ctx, 'local_government_special_bonds_secured', y0)}, leaving about {ng} of general bonds. Then refinancing was about "
            f"{rg} of the general budget's debt revenue of {num(ctx, 'city_general_debt_revenue', y0)} and about {rs} of the fund budget's "
            f"{num(ctx, 'city_fund_debt_revenue', y0)}, {total} in all, against refinancing bonds of "
            f"{num(ctx, 'city_debt_refinancing_bonds', y0)} printed: {verdict}."))
    if "debt_floor" in p:
        floor = der(ctx, amt(ctx, p["debt_floor"]), f"{ctx.facts.value('city_debt_balance', y0):g} + {p['new_bonds_next']:g}")
        headroom = der(ctx, amt(ctx, p["headroom"]), f"{ctx.facts.value('city_debt_limit', y0):g} − {ctx.facts.value('city_debt_balance', y0):g}")
        over = der(ctx, amt(ctx, p["floor_over_limit"]), f"{p['debt_floor']:g} − {ctx.facts.value('city_debt_limit', y0):g}")
        out.append(ctx.t(
            f"{y1}年末的债务至少为 {floor}（{y0}年末余额 {num(ctx, 'city_debt_balance', y0)} + {y1}年已提前下达的新增债券 {num(ctx, 'city_debt_new_bonds', y1)}，"
            f"未计用收入偿还的本金），比{y0}年的限额 {num(ctx, 'city_debt_limit', y0)} 高出 {over}：剩余空间 {headroom} 容纳不下这些新增债券，"
            f"{y1}年的限额必须提高，新增债券才能发行。",
            f"End-{y1} debt will be at least {floor} (the end-{y0} balance of {num(ctx, 'city_debt_balance', y0)} plus the {y1} new bonds notified in advance, "
            f"{num(ctx, 'city_debt_new_bonds', y1)}, before any principal repaid from revenue), {over} above the {y0} limit of "
            f"{num(ctx, 'city_debt_limit', y0)}: the headroom of {headroom} cannot hold these new bonds, so the limit has to rise in {y1} for "
            "them to be issued."))
    if "stabilisation_drawn_to_expenditure" in p:
        share = der(ctx, pct(p["stabilisation_drawn_to_expenditure"]),
                    f"{ctx.facts.value('municipal_general_stabilisation_fund_drawn', y1):g} ÷ {ctx.facts.value('municipal_general_expenditure', y1):g}")
        out.append(ctx.t(
            f"市级{y1}年初动用预算稳定调节基金 {num(ctx, 'municipal_general_stabilisation_fund_drawn', y1)} 平衡预算，相当于市级一般公共预算支出 "
            f"{num(ctx, 'municipal_general_expenditure', y1)} 的 {share}。",
            f"The municipal level drew {num(ctx, 'municipal_general_stabilisation_fund_drawn', y1)} from the budget stabilisation fund at the "
            f"start of {y1} to balance its budget, {share} of its general budget expenditure of {num(ctx, 'municipal_general_expenditure', y1)}."))
    if "net_retained_transfers_general" in p:
        def kept(budget):
            return der(ctx, f"{p[f'net_retained_transfers_{budget}']:+,.0f}".replace("-", "−"),
                       f"{ctx.facts.value(f'municipal_{budget}_central_transfers', y0):g} − {ctx.facts.value(f'municipal_{budget}_transfers_to_districts', y0):g}")
        out.append(ctx.t(
            f"市级先收下全市的中央补助再转给区县，因此“中央补助占支出”在市级没有意义；净留用 = 中央补助 − 补助区县：{y0}年一般公共预算为 {kept('general')}"
            f"（{num(ctx, 'municipal_general_central_transfers', y0)} − {num(ctx, 'municipal_general_transfers_to_districts', y0)}），"
            f"政府性基金预算为 {kept('fund')}（补助区县多于中央补助，差额由市级自身收入承担）。",
            f"The municipal level receives the city's central transfers and passes them on to districts, so transfers as a share of its "
            f"spending mean little; net retained = central transfers − transfers to districts: {kept('general')} in the {y0} general budget "
            f"({num(ctx, 'municipal_general_central_transfers', y0)} − {num(ctx, 'municipal_general_transfers_to_districts', y0)}) and "
            f"{kept('fund')} in the fund budget (more passed on than received: the difference comes from municipal revenue)."))
    return "".join(_p(x) for x in out)


RISK_HEADINGS = {"strength": ("优势", "Strengths"), "weakness": ("弱点", "Weaknesses"), "watch": ("值得关注", "To watch")}


def _risk_value(ctx: Context, r: dict) -> str:
    """The figure of a risk-summary entry, sourced (a curated figure) or derived (a measure, with its formula)."""
    if r["kind"] == "metric":
        return num(ctx, f"{ctx.level}_{r['key']}", r["period"])
    if any(m.key == r["key"] for m in af.MEASURES):
        return mval(ctx, r["key"], r["period"])
    raise HelpersError(f"fiscal.yaml risk_summary: no way to show {r['key']!r}; use a measure of analysis.fiscal.MEASURES "
                       "or a curated metric")


def _risk_threshold(ctx: Context, r: dict) -> str:
    unit, t = r["entry"].get("unit"), r["threshold"]
    shown = f"{t:g}%" if unit == "%" else (f"{t:g}" + ctx.t("个月", " months") if unit == "months" else pct(t, 0))
    return ctx.t(("高于" if r["when"] == "above" else "低于") + shown, ("above " if r["when"] == "above" else "below ") + shown)


def _risk_name(ctx: Context, r: dict) -> str:
    entry = r["entry"]
    name = entry["name"][ctx.lang] if "name" in entry else af.measure_spec(r["key"]).name[0 if ctx.lang == "zh" else 1]
    if entry.get("scope") == "city" and ctx.level != "city":
        name += ctx.t("（全市）", " (city-wide)")
    return text(ctx, name)


def risk_items(ctx: Context) -> dict[str, list[str]]:
    """side → the sentences of the risk summary, each with its figure, its threshold and why it matters."""
    out = {side: [] for side in af.RISK_SIDES}
    for r in af.risk_summary(ctx.facts, ctx.level, ctx.spec, results(ctx)):
        why = text(ctx, r["entry"]["why"][ctx.lang])
        out[r["side"]].append(ctx.t(f"<b>{_risk_name(ctx, r)}</b> {_risk_value(ctx, r)}（{_risk_threshold(ctx, r)}）：{why}。",
                                    f"<b>{_risk_name(ctx, r)}</b> {_risk_value(ctx, r)} ({_risk_threshold(ctx, r)}): {why}."))
    return out


def risk_section(ctx: Context) -> str:
    """Strengths, weaknesses and things to watch, generated from the data and the thresholds of the
    edition's fiscal.yaml (`risk_summary`), each figure sourced or derived."""
    parts = [_p(ctx.t(
        "以下各条由数据生成：某项数字越过版本分析文件（fiscal.yaml）中设定的阈值时列出。阈值是本项目为这份摘要设定的阅读标尺，不是官方限额；"
        + (f"数字为{ctx.lv}口径，标“全市”者除外。" if ctx.level != "city" else "数字为全市口径。"),
        "Generated from the data: an entry is listed when its figure passes the threshold set in the edition's analysis file "
        "(fiscal.yaml). The thresholds are this project's reading aids for the summary, not official limits; figures are "
        + (f"{ctx.lv} unless marked city-wide." if ctx.level != "city" else "city-wide.")))]
    for side, items in risk_items(ctx).items():
        if items:
            parts.append(f"<h3>{ctx.t(*RISK_HEADINGS[side])}</h3><ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
    return "".join(parts)


def _risk_finding(ctx: Context) -> str:
    """The risk summary in one sentence for the findings (and so the front page): names and figures."""
    items = af.risk_summary(ctx.facts, ctx.level, ctx.spec, results(ctx))
    parts = []
    for side in af.RISK_SIDES:
        named = [f"{_risk_name(ctx, r)} {_risk_value(ctx, r)}" for r in items if r["side"] == side]
        if named:
            parts.append(ctx.t(f"{RISK_HEADINGS[side][0]}：", f"{RISK_HEADINGS[side][1].lower()}: ") + ctx.t("、", ", ").join(named))
    if not parts:
        return ""
    return ctx.t("风险摘要（阈值为本项目设定，见下文）——" + "；".join(parts) + "。",
                 "Risk summary (thresholds set by this project, see below) — " + "; ".join(parts) + ".")


def history_section(ctx: Context) -> str:
    """One year of history: the previous year's level of every line whose growth rate the report
    prints, implied by that rate (the report does not print it), and the same for the district
    level (city-wide − municipal, its growth derived)."""
    y0, lv, prev = ctx.y0, ctx.lv, ctx.y0 - 1
    rows = []
    for r in af.history(ctx.facts, ctx.level, y0).to_dict("records"):
        v, g = r["value_row"], r["growth_row"]
        formula = f"{r['value']:g} ÷ (1 + {r['growth']:g}%)"
        span = ctx.t(f"（按增速的印刷精度：{r['previous_low']:,.1f}–{r['previous_high']:,.1f}）",
                     f" (within the rate's printed precision: {r['previous_low']:,.1f}–{r['previous_high']:,.1f})")
        rows.append([af.suffix_name(f"{r['budget']}_{r['item']}", ctx.lang),
                     H(der(ctx, f"{r['previous']:,.1f}", formula + span)), H(row_num(ctx, v, fmt(r["value"]))),
                     H(row_num(ctx, g)), H(der(ctx, f"{r['change']:+,.1f}".replace("-", "−"), f"{r['value']:g} − {r['previous']:.1f}"))])
    headers = [ctx.label("line"), ctx.t(f"{prev}年（由增速推算）", f"{prev} (implied by the growth rate)"),
               ctx.t(f"{y0}年执行数", f"{y0} outturn"),
               W.text("page02.label.growth_derived", ctx.lang) if ctx.district else ctx.t("报告所列增速", "growth stated"),
               ctx.t("变化（亿元）", "change (CNY 100 million)")]
    out = _p(ctx.t(
        f"报告没有列出{prev}年的数字，但给出了{y0}年{lv}各项收支的增速；上年水平 = 执行数 ÷（1 + 增速）。"
        "推算值与增速同一口径：报告若按可比口径（同口径）计算增速，推算的就是可比口径的上年数，不一定等于当年公布的决算数。",
        f"The report prints no {prev} figures, but it gives the {y0} growth rate of each {lv} line; the previous level = "
        "outturn ÷ (1 + growth). The implied level is on the rate's own basis: where the report computes a rate on a comparable "
        "base, it is that base, not necessarily the outturn published for that year.")) + table(ctx, headers, rows, right=(1, 2, 3, 4))
    if ctx.level == "city":
        d = af.history(ctx.facts, "district", y0).set_index(["budget", "item"])
        m = af.history(ctx.facts, "municipal", y0).set_index(["budget", "item"])

        def district(budget, item):
            r = d.loc[(budget, item)]
            return der(ctx, f"{r['growth']:+.1f}%".replace("-", "−"),
                       ctx.t(f"区县 {r['value']:g} ÷ 区县上年 {r['previous']:.1f} − 1（均为全市 − 市级；上年由增速推算）",
                             f"district {r['value']:g} ÷ district previous {r['previous']:.1f} − 1 (both city-wide − municipal; "
                             "previous implied by the growth rates)"))

        def municipal(budget, item):
            return row_num(ctx, m.loc[(budget, item), "growth_row"])

        out += _p(ctx.t(
            f"按“全市 − 市级”推算，{y0}年区县土地出让收入约 {district('fund', 'land_sale_revenue')}，"
            f"而市级增长 {municipal('fund', 'land_sale_revenue')}；区县一般公共预算收入约 {district('general', 'revenue')}"
            f"（市级 {municipal('general', 'revenue')}）。区县的增速是推算值，报告没有列出。",
            f"City-wide minus municipal, district land sales changed by about {district('fund', 'land_sale_revenue')} in {y0} "
            f"while municipal land sales grew {municipal('fund', 'land_sale_revenue')}; district general budget revenue changed by "
            f"about {district('general', 'revenue')} (municipal: {municipal('general', 'revenue')}). District growth rates are "
            "derived here; the report does not print them."))
    return out


def districts_section(ctx: Context) -> str:
    """The district level, which holds most of the debt: derived as city-wide − municipal for revenue
    and land sales, against the debt the report states for districts, with the budget report's own
    warnings about districts and about revenue, quoted (curated/risk_statements.csv)."""
    y0, y1 = ctx.y0, ctx.y1
    if ctx.level == "municipal":
        return _p(ctx.t("区县一级（全市 − 市级）见全市口径的页面。", "The district level (city-wide − municipal) is on the city-wide page."))
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
        rows.append([af.suffix_name(f"{r['budget']}_{r['item']}", ctx.lang) + f" {r['period']}", H(num(ctx, c, r["period"], fmt(r["city"]))),
                     H(num(ctx, m, r["period"], fmt(r["municipal"]))), H(der(ctx, fmt(r["district"]), ctx.t("全市 − 市级 = ", "city − municipal = ") + formula)),
                     H(der(ctx, pct(r["district"] / r["city"]), ctx.t("区县 ÷ 全市", "district ÷ city") + f" = {r['district']:g} ÷ {r['city']:g}"))])
    headers = [ctx.label("line"), ctx.t("全市", "city-wide"), ctx.t("市级", "municipal"), ctx.t("区县（推算）", "districts (derived)"),
               ctx.t("区县占全市", "district share")]
    out = table(ctx, headers, rows, right=(1, 2, 3, 4))

    def line(budget, item, period):
        hit = lines[(lines["budget"] == budget) & (lines["item"] == item) & (lines["period"] == period)].iloc[0]
        return der(ctx, amt(ctx, float(hit["district"])), ctx.t("全市 − 市级", "city − municipal") + f" = {hit['city']:g} − {hit['municipal']:g}")

    own_formula = ctx.t("区县一般公共预算收入 + 区县政府性基金收入（均为全市 − 市级）", "district general + fund budget revenue (each city − municipal)")
    own = der(ctx, amt(ctx, debt["own_revenue"]), own_formula)
    share = der(ctx, pct(debt["debt_share"]), ctx.t("区县债务余额 ÷ 全市债务余额", "district debt ÷ city debt") +
                f" = {debt['debt_balance']:g} ÷ {ctx.facts.value('city_debt_balance', y0):g}")
    to_own = der(ctx, pct(debt["debt_to_own_revenue"]), ctx.t("区县债务余额 ÷ 区县本级收入", "district debt ÷ district own revenue") +
                 f" = {debt['debt_balance']:g} ÷ {debt['own_revenue']:g}")
    service = der(ctx, pct(debt["service_to_own_revenue"]), ctx.t("区县还本付息 ÷ 区县本级收入", "district debt service ÷ district own revenue") +
                  f" = {debt['debt_service']:g} ÷ {debt['own_revenue']:g}")
    s = ctx.t(
        f"区县一级持有全市政府债务的大部分：{y0}年末区县级债务余额 {num(ctx, 'district_debt_balance', y0)}，占全市 {num(ctx, 'city_debt_balance', y0)} 的 {share}；"
        f"当年区县还本付息 {num(ctx, 'district_debt_service', y0)}。报告没有单列区县的收入，以全市减市级推算，{y0}年区县一般公共预算和政府性基金收入合计约 {own}："
        f"债务余额相当于其 {to_own}，还本付息（未扣除再融资）相当于其 {service}。区县土地出让收入{y0}年约 {line('fund', 'land_sale_revenue', y0)}，"
        f"{y1}年预算约 {line('fund', 'land_sale_revenue', y1)}。预算报告自己指出：{quote(0)}，{quote(1)}；并说全市{quote(2)}，{quote(3)}。",
        f"The districts hold most of the city's government debt: {num(ctx, 'district_debt_balance', y0)} at the end of {y0}, {share} of the city-wide "
        f"{num(ctx, 'city_debt_balance', y0)}, and they paid {num(ctx, 'district_debt_service', y0)} of debt service that year. The report gives no district "
        f"revenue; derived as city-wide minus municipal, the districts' general and fund budget revenue was about {own} in {y0}: their debt is {to_own} "
        f"of it, and their debt service (before refinancing) {service}. District land sales were about {line('fund', 'land_sale_revenue', y0)} in {y0} "
        f"and about {line('fund', 'land_sale_revenue', y1)} in the {y1} draft. The budget report itself warns that {quote(0)} and that {quote(1)}; of "
        f"the city as a whole it says that {quote(2)} and that {quote(3)}.")
    s += _refinancing_shock_text(ctx)
    if debt["balance_gap"]:
        s += ctx.t(f"（注意：市级与区县债务余额之和与全市相差 {debt['balance_gap']:g} 亿元。）",
                   f" (Note: municipal and district debt differ from the city-wide total by {debt['balance_gap']:g}.)")
    return out + _p(s)


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
                     H(der(ctx, fmt(r["headroom"]), ctx.t("限额 − 余额", "limit − balance"))) if lim_m else None,
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
    note = ctx.t("* 隐含值：还本付息 − 两本预算的债务还本支出。", "* implied: debt service − debt repayment of the general and fund budgets.")
    if advance_quota(ctx):
        note += ctx.t("计划和预算安排行按中央提前下达的额度编制、待调整，不与执行年度的全年数同口径比较。",
                      " The plan and budgeted rows follow the quota released in advance and are to be revised: they are not like for "
                      "like with the review year's full-year figures.")
    out += _p(note) + _p(_debt_text(ctx, ds, service)) + (_p(_advance_quota_text(ctx)) if advance_quota(ctx) else "")
    out += measures_table(ctx, _keys(("debt",))) + _p(_debt_measures_text(ctx))
    return out + references_table(ctx)


def _service_cell(ctx: Context, s: dict, part: str):
    m = s["metrics"]
    if part == "service":
        return H(num(ctx, m["service"], s["period"], fmt(s["service"]))) if m["service"] else \
            H(der(ctx, fmt(s["service"]), ctx.t("还本 + 付息", "principal + interest")))
    if part == "principal":
        if len(m["principal"]) == 1:
            return H(num(ctx, m["principal"][0], s["period"], fmt(s["principal"])))
        return H(der(ctx, fmt(s["principal"]), " + ".join(_g(float(ctx.facts.value(x, s["period"]))) for x in m["principal"])))
    if m["interest"]:
        return H(num(ctx, m["interest"], s["period"], fmt(s["interest"])))
    return H(der(ctx, fmt(s["interest"]) + "*", ctx.t("还本付息 − 两本预算的债务还本", "debt service − debt repayment of the two budgets")))


def _debt_text(ctx: Context, ds, service) -> str:
    y0, th = ctx.y0, ctx.thresholds
    head = af.debt_headroom(ctx.facts, y0)
    limit = float(ctx.facts.value("city_debt_limit", y0))
    tight = head / limit < th["headroom_tight_share"]
    parts = ds.set_index("part")
    s0 = service[0]
    rolled = s0["refinancing_to_principal"] >= th["rolled_over_share"]
    head_d = der(ctx, amt(ctx, head), ctx.t("限额 − 余额", "limit − balance"))
    gdp_row = af.gdp(ctx.facts, y0)
    gdp_d = der(ctx, pct(af.debt_to_gdp(ctx.facts, y0)), ctx.t("债务余额 ÷ 地区生产总值", "debt balance ÷ GDP"))
    principal = der(ctx, amt(ctx, s0["principal"]), ctx.t("两本预算的债务还本支出之和", "debt repayment of the general and fund budgets"))
    interest = der(ctx, amt(ctx, s0["interest"]), ctx.t("还本付息 − 还本", "debt service − principal"))
    head_share = der(ctx, pct(head / limit), ctx.t("剩余空间 ÷ 限额", "headroom ÷ limit"))
    special = der(ctx, pct(parts.loc["special", "share_of_balance"]), ctx.t("专项债务余额 ÷ 债务余额", "special debt ÷ debt balance"))
    district = der(ctx, pct(parts.loc["district", "share_of_balance"]), ctx.t("区县级债务余额 ÷ 债务余额", "district debt ÷ debt balance"))
    rolled_share = der(ctx, pct(s0["refinancing_to_principal"]), ctx.t("再融资债券 ÷ 还本", "refinancing bonds ÷ principal"))
    service_share = der(ctx, pct(s0["service_to_own_revenue"]), ctx.t("还本付息 ÷（一般公共预算收入 + 政府性基金收入）",
                                                                      "debt service ÷ (general + fund budget revenue)"))
    s = ctx.t(
        f"{y0}年末全市政府债务余额 {num(ctx, 'city_debt_balance', y0)}，限额 {num(ctx, 'city_debt_limit', y0)}，剩余空间{'仅' if tight else ''} {head_d}"
        f"（限额的 {head_share}）；其中专项债务 {num(ctx, 'city_debt_special_balance', y0)} 占 {special}，"
        f"区县级债务 {num(ctx, 'district_debt_balance', y0)} 占 {district}。"
        f"负债率（债务余额 ÷ 地区生产总值 {row_num(ctx, gdp_row, amt(ctx, gdp_row['value']))}）为 {gdp_d}。"
        f"全年发行政府债券 {num(ctx, 'city_debt_bonds_issued', y0)}，其中再融资债券 {num(ctx, 'city_debt_refinancing_bonds', y0)}，"
        f"相当于两本预算债务还本 {principal} 的 {rolled_share}" + ("：到期本金几乎全部借新还旧。" if rolled else "。")
        + f"还本付息 {num(ctx, 'city_debt_service', y0)} 相当于一般公共预算和政府性基金收入的 {service_share}，隐含付息约 {interest}。",
        f"At the end of {y0} city-wide government debt was {num(ctx, 'city_debt_balance', y0)} against a limit of {num(ctx, 'city_debt_limit', y0)}, "
        f"leaving headroom of {'only ' if tight else ''}{head_d} ({head_share} of the limit); special debt of "
        f"{num(ctx, 'city_debt_special_balance', y0)} is {special} of the balance, district debt of "
        f"{num(ctx, 'district_debt_balance', y0)} {district}. Debt to GDP (balance ÷ GDP of "
        f"{row_num(ctx, gdp_row, amt(ctx, gdp_row['value']))}) is {gdp_d}. The city issued {num(ctx, 'city_debt_bonds_issued', y0)} of bonds, "
        f"{num(ctx, 'city_debt_refinancing_bonds', y0)} of them refinancing bonds, equal to {rolled_share} of the "
        f"{principal} of principal repaid by the two budgets" + (": almost all maturing principal was rolled over. " if rolled else ". ")
        + f"Debt service of {num(ctx, 'city_debt_service', y0)} equals {service_share} of general and fund budget revenue, "
        f"with implied interest of about {interest}.")
    if ctx.district:
        s += " " * (ctx.lang == "en") + ctx.say("district_debt", debt=Markup(num(ctx, "district_debt_balance", y0)),
                                                 service=Markup(num(ctx, "district_debt_service", y0)),
                                                 to_revenue=Markup(mval(ctx, "debt_service_to_revenue", y0)))
    if ctx.level == "municipal":
        s += ctx.t(f"市级债务余额 {num(ctx, 'municipal_debt_balance', y0)}，市级还本付息 {num(ctx, 'municipal_debt_service', y0)}。",
                   f" Municipal-level debt is {num(ctx, 'municipal_debt_balance', y0)}, its debt service {num(ctx, 'municipal_debt_service', y0)}.")
    return s


def _advance_quota_text(ctx: Context) -> str:
    y0, y1, q = ctx.y0, ctx.y1, advance_quota(ctx)
    lvl = ctx.level if ctx.level in af.LEVELS else "city"      # the districts' budgeted debt service is not printed
    s = ctx.t(
        f"{y1}年计划发行政府债券 {num(ctx, 'city_debt_bonds_issued', y1)}（新增 {num(ctx, 'city_debt_new_bonds', y1)}，再融资 "
        f"{num(ctx, 'city_debt_refinancing_bonds', y1)}）是按照{_evidence(ctx, q, 0)}编制的；{_evidence(ctx, q, 1)}。"
        f"它不是全年额度，不能与{y0}年全年发行的 {num(ctx, 'city_debt_bonds_issued', y0)} 同口径比较；{y1}年安排的还本 "
        f"{num(ctx, f'{lvl}_debt_repayment', y1)}、付息 {num(ctx, f'{lvl}_debt_interest', y1)} 同样将随之调整，"
        f"因此本页不计算两年之间发行和还本付息的变化。",
        f"The {y1} plan to issue {num(ctx, 'city_debt_bonds_issued', y1)} ({num(ctx, 'city_debt_new_bonds', y1)} new, "
        f"{num(ctx, 'city_debt_refinancing_bonds', y1)} refinancing) is based on {_evidence(ctx, q, 0)}; {_evidence(ctx, q, 1)}. "
        f"It is not a full-year quota and is not comparable like for like with the {num(ctx, 'city_debt_bonds_issued', y0)} issued in {y0}; "
        f"the {y1} budgeted principal of {num(ctx, f'{lvl}_debt_repayment', y1)} and interest of {num(ctx, f'{lvl}_debt_interest', y1)} "
        f"will be revised with it, so this page computes no change in issuance or debt service between the two years.")
    return s


def _debt_measures_text(ctx: Context) -> str:
    y0, lv = ctx.y0, ctx.lv
    nulls = [evaluated(ctx, k, y0) for k in _keys(("debt",))]
    nulls = [e for e in nulls if e.value is None]
    s = ctx.t(f"{lv}债务与收入及中央补助之比为 {mval(ctx, 'debt_to_revenue_and_transfers', y0)}，债务与本级收入（不含中央补助）之比为 "
              f"{mval(ctx, 'debt_to_revenue', y0)}，隐含付息占本级收入 {mval(ctx, 'interest_to_revenue', y0)}。",
              f"{lv.capitalize()} debt to revenue and transfers is {mval(ctx, 'debt_to_revenue_and_transfers', y0)}, debt to own revenue "
              f"(transfers excluded) {mval(ctx, 'debt_to_revenue', y0)}, and implied interest {mval(ctx, 'interest_to_revenue', y0)} of own revenue.")
    general, special = evaluated(ctx, "general_debt_ratio", y0).value, evaluated(ctx, "special_debt_ratio", y0).value
    if general is not None and special is not None:
        heavier = special > general
        s += ctx.t(f"按债务类型分，一般债务率 {mval(ctx, 'general_debt_ratio', y0)}，专项债务率 {mval(ctx, 'special_debt_ratio', y0)}"
                   + ("：专项债务以政府性基金收入（主要是土地出让收入）偿还，负担重于一般债务。" if heavier else "。"),
                   f" By type, the general debt ratio is {mval(ctx, 'general_debt_ratio', y0)} and the special debt ratio "
                   f"{mval(ctx, 'special_debt_ratio', y0)}"
                   + (": special debt is serviced from fund revenue, mostly land sales, and weighs more." if heavier else "."))
    for e in nulls:
        name = ctx.t(*af.measure_spec(e.key).name)
        s += ctx.t(f"{name}记为 null：{missing_text(ctx, e)}。", f" {name.capitalize()} is null: {missing_text(ctx, e)}.")
    if evaluated(ctx, "debt_to_revenue", ctx.y1).value is None:
        s += ctx.t(f"预算草案没有{ctx.y1}年末债务余额，各债务余额比率只有执行年度的数值。",
                   f" The draft states no year-end debt balance for {ctx.y1}, so the balance-based ratios exist for {y0} only.")
    return s


def references_table(ctx: Context) -> str:
    """The reference lines of fiscal.yaml beside the page's values: references, not the gazette's figures."""
    y0 = ctx.y0
    gdp = af.debt_to_gdp(ctx.facts, y0)
    values = {"debt_to_gdp": (gdp, ctx.t("债务余额 ÷ 地区生产总值（全市）", "debt ÷ GDP (city-wide)"),
                              der(ctx, pct(gdp), ctx.t("债务余额 ÷ 地区生产总值", "debt balance ÷ GDP"))),
              "debt_ratio_reported": (1.0, ctx.t("报告的债务率（全市）", "reported debt ratio (city-wide)"), num(ctx, "city_debt_ratio", y0)),
              "debt_to_revenue": (evaluated(ctx, "debt_to_revenue", y0).value, ctx.t(*af.measure_spec("debt_to_revenue").name),
                                  mval(ctx, "debt_to_revenue", y0))}
    rows = []
    for r in ctx.spec.get("references", []):
        compared = H("; ".join(f"{text(ctx, values[k][1])} {values[k][2]}" for k in r["applies_to"] if values[k][0] is not None))
        link = f'<a href="{html.escape(r["source"]["url"], quote=True)}">{text(ctx, r["source"][ctx.lang])}</a>'
        rows.append([r["name"][ctx.lang], pct(r["value"], 0), compared, H(link), r["caveat"][ctx.lang]])
    note = ctx.t("下表的参考线来自公报以外，是分析人士常用的对照标准，不是公报的数字，也不是对重庆的官方评级。",
                 "The reference lines below come from outside the gazette: benchmarks analysts compare with, not figures of the gazette "
                 "and not an official rating of Chongqing.")
    return _p(note) + table(ctx, [ctx.label(k) for k in ("reference", "ref_value", "compared", "ref_source", "caveat")], rows, right=(1,))


def figure_debt(ctx: Context) -> None:
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
    _save(ctx, fig, "02-debt")


# --- Can the debt ratio be reproduced? --------------------------------------------------------------

def _attempts(ctx: Context):
    return af.debt_ratio_attempts(ctx.facts, ctx.y0, af.debt_ratio_variants(ctx.spec), ctx.lang)


def debt_ratio_section(ctx: Context) -> str:
    """Every denominator tried (the post hoc one marked †), and what the attempts show."""
    y0 = ctx.y0
    da = _attempts(ctx)
    rows = []
    for r in da.to_dict("records"):
        numbers = _signed_html([(row_num(ctx, row, _g(float(row["value"]))), s) for row, s in r["rows"]])
        rows.append([r["code"] + ("†" if r["post_hoc"] else ""), ctx.label(r["family"]), r["formula"], H(numbers),
                     r["denominator"], f"{r['ratio_pct']:.1f}%", f"{r['miss_pp']:+.1f}", f"{r['tolerance_pp']:.2f}",
                     ctx.label("yes" if r["matches"] else "no")])
    headers = [ctx.label(k) for k in ("code", "family", "formula", "numbers", "denominator", "ratio_pct", "miss_pp", "tolerance_pp", "matches")]
    out = table(ctx, headers, rows, right=(4, 5, 6, 7))
    prior, post = da[~da["post_hoc"]], da[da["post_hoc"]]
    prior_matched, post_matched = prior[prior["matches"]], post[post["matches"]]
    near = prior.loc[prior["miss_pp"].abs().idxmin()]
    reported = ctx.facts.get("city_debt_ratio", y0)
    lo, hi = float(reported["value"]) - af._half(reported), float(reported["value"]) + af._half(reported)
    implied = der(ctx, amt(ctx, da.attrs["implied_denominator"]), ctx.t("债务余额 ÷ 债务率", "debt balance ÷ debt ratio"))
    rng = (amt(ctx, da.attrs["implied_low"]), amt(ctx, da.attrs["implied_high"]))
    codes = (f"{prior['code'].iloc[0]}–{prior['code'].iloc[-1]}", _join(ctx, list(post["code"])))
    reg = da[da["key"] == "plus_fund_transfers"]
    if ctx.lang == "zh":
        s = (f"报告的债务率 {row_num(ctx, reported)} 和债务余额 {num(ctx, 'city_debt_balance', y0)} 意味着分母约为 {implied}"
             f"（按报告值 {lo:g}% 至 {hi:g}% 的四舍五入范围，在 {rng[0]} 至 {rng[1]} 之间）。{codes[0]} 是事先列出的常见口径。")
        s += (f"其中有 {len(prior_matched)} 种吻合：{'、'.join(prior_matched['code'])}。" if len(prior_matched) else
              f"它们都不吻合：计算值在 {prior['ratio_pct'].min():.1f}% 至 {prior['ratio_pct'].max():.1f}% 之间，最接近的 {near['code']} 为 "
              f"{near['ratio_pct']:.1f}%，相差 {near['miss_pp']:+.1f} 个百分点。")
        if len(reg):
            r = reg.iloc[0]
            s += f"登记表采用的口径（{r['code']}：一般公共预算和政府性基金的收入加中央补助）为 {r['ratio_pct']:.1f}%，相差 {r['miss_pp']:+.1f} 个百分点。"
        if len(post):
            s += f"{codes[1]} 是在这些口径都不吻合之后，对照隐含分母搜索组合时找到的，应视为事后拟合。"
        for m in post_matched.to_dict("records"):
            s += (f"{m['code']}（{m['formula']} = {amt(ctx, m['denominator'])}）得 {m['ratio_pct']:.2f}%，落在四舍五入范围内。{m['note']}"
                  "报告没有说明分母，这只是算术上的吻合，不能据此断定报告的计算方法。")
    else:
        s = (f"The reported debt ratio of {row_num(ctx, reported)} on a balance of {num(ctx, 'city_debt_balance', y0)} implies a denominator of about "
             f"{implied} (between {rng[0]} and {rng[1]} given the rounding of the printed ratio, {lo:g}% to {hi:g}%). {codes[0]} are common "
             "definitions listed in advance. ")
        s += (f"{len(prior_matched)} of them match: {', '.join(prior_matched['code'])}. " if len(prior_matched) else
              f"None of them matches: they give {prior['ratio_pct'].min():.1f}% to {prior['ratio_pct'].max():.1f}%; the closest, {near['code']}, "
              f"gives {near['ratio_pct']:.1f}%, {near['miss_pp']:+.1f} points off. ")
        if len(reg):
            r = reg.iloc[0]
            s += (f"The register's variant ({r['code']}: general and fund revenue plus their central transfers) gives {r['ratio_pct']:.1f}%, "
                  f"{r['miss_pp']:+.1f} points off. ")
        if len(post):
            s += f"{codes[1]} was found afterwards, by searching combinations against the implied denominator once the others had missed: a post-hoc fit. "
        for m in post_matched.to_dict("records"):
            s += (f"It ({text(ctx, m['formula'])} = {amt(ctx, m['denominator'])}) gives {m['ratio_pct']:.2f}%, within rounding. {text(ctx, m['note'])} "
                  "The report does not state its denominator, so this is an arithmetic match, not evidence of the method used.")
    return out + _p(s)


def figure_debt_ratio(ctx: Context) -> None:
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
                   label=f"{ctx.label('reference')}: {r.get('short', r['name'])[ctx.lang]} {pct(r['value'], 0)}")
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
    _save(ctx, fig, "02-debt-ratio")


# --- Municipal spending by function -----------------------------------------------------------------

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


def figure_spending(ctx: Context) -> None:
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
    ax.set_title(ctx.label("fig_spending"), fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="y", visible=False)
    _save(ctx, fig, "02-municipal-spending")


# --- Execution against budget -----------------------------------------------------------------------

def execution_section(ctx: Context) -> str:
    """Completion rates and the budgets they imply; the municipal reserve and stabilisation funds."""
    if ctx.district:
        return ctx.say("not_at_district", what="execution")
    y0, y1, lv, pre = ctx.y0, ctx.y1, ctx.lv, f"{ctx.level}_general_"
    ex = af.execution(ctx.facts, ctx.level, y0)
    rows = [[af.budget_name(r["budget"], ctx.lang), ctx.label("side_" + r["side"]), H(num(ctx, r["metric"], y0, fmt(r["outturn"]))),
             H(num(ctx, r["metric"] + "_completion_rate", y0)), r["budget_implied"],
             H(der(ctx, f"{r['difference']:,.1f}".replace("-", "−"), ctx.t("执行数 − 执行数 ÷ 完成率", "outturn − outturn ÷ completion rate")))]
            for r in ex.to_dict("records")]
    headers = [ctx.label(k) for k in ("line", "side", "outturn", "completion_rate", "budget_implied", "difference")]
    E = {(r["budget"], r["side"]): r for r in ex.to_dict("records")}
    uses = ctx.spec.get("reserve_fund", {}).get("uses", [])
    rs = af.reserve_and_stabilisation(ctx.facts, [u["item"] for u in uses])
    R = rs["rows"]

    def r_(item):
        return row_num(ctx, R[item], amt(ctx, float(R[item]["value"])))

    def diff(key, sign=1):
        return der(ctx, amt(ctx, sign * E[key]["difference"]), ctx.t("执行数 − 隐含预算", "outturn − implied budget"))

    used = der(ctx, pct(rs["reserve_used_share"]), ctx.t("动用 ÷ 安排", "used ÷ budgeted"))
    adds = abs(rs["stabilisation_residual"]) < 0.5
    s = ctx.t(
        f"{y0}年{lv}一般公共预算收入完成预算的 {num(ctx, pre + 'revenue_completion_rate', y0)}，超收约 {diff(('general', 'revenue'))}；"
        f"支出完成 {num(ctx, pre + 'expenditure_completion_rate', y0)}，比隐含预算少支出约 {diff(('general', 'expenditure'), -1)}。"
        f"政府性基金收入完成 {num(ctx, f'{ctx.level}_fund_revenue_completion_rate', y0)}，超收约 {diff(('fund', 'revenue'))}。"
        f"市级预备费安排 {r_('reserve_fund_budgeted')}，动用 {r_('reserve_fund_used')}（{used}）"
        + ("：" + "，".join(f"{u['name']['zh']} {r_(u['item'])}" for u in uses) if uses else "") + "；"
        f"剩余 {r_('reserve_fund_to_stabilisation_fund')} 补充预算稳定调节基金。稳定调节基金年初余额 {r_('stabilisation_fund_opening')}，"
        f"年内补充 {r_('stabilisation_fund_replenished')}，{y1}年初动用 {r_('stabilisation_fund_drawn')} 平衡预算缺口，余额 {r_('stabilisation_fund_closing')}"
        + ("（期初 + 补充 − 动用 = 余额，相符）。" if adds else f"（期初 + 补充 − 动用与余额相差 {rs['stabilisation_residual']:g}）。"),
        f"In {y0} {lv} general budget revenue reached {num(ctx, pre + 'revenue_completion_rate', y0)} of budget, about {diff(('general', 'revenue'))} above it; "
        f"expenditure reached {num(ctx, pre + 'expenditure_completion_rate', y0)}, about {diff(('general', 'expenditure'), -1)} below the implied budget. "
        f"Fund budget revenue reached {num(ctx, f'{ctx.level}_fund_revenue_completion_rate', y0)} of budget, about {diff(('fund', 'revenue'))} above it. "
        f"The municipal reserve fund of {r_('reserve_fund_budgeted')} was drawn for {r_('reserve_fund_used')} ({used})"
        + (": " + _join(ctx, [f"{r_(u['item'])} of {text(ctx, u['name']['en'])}" for u in uses]) if uses else "")
        + f"; the remaining {r_('reserve_fund_to_stabilisation_fund')} went to the budget stabilisation fund. "
        f"That fund started {y0} at {r_('stabilisation_fund_opening')}, was replenished by {r_('stabilisation_fund_replenished')}, and "
        f"{r_('stabilisation_fund_drawn')} was drawn at the start of {y1} to close the budget gap, leaving {r_('stabilisation_fund_closing')}"
        + (" (opening + replenished − drawn = closing: it adds up)." if adds else f" (off by {rs['stabilisation_residual']:g})."))
    return table(ctx, headers, rows, right=(2, 3, 4, 5)) + _p(s)


# --- Checks and the register ------------------------------------------------------------------------

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


def _register(ctx: Context, check, what: str) -> str:
    s = check.text(what, ctx.lang)
    return english_units(s) if ctx.lang == "en" else s


# --- End of the page --------------------------------------------------------------------------------

def sources(ctx: Context) -> str:
    """The numbered list of every source the page cited (call it after every other part)."""
    return ctx.page.sources_html()


def results(ctx: Context) -> dict:
    """The headline results (see `helpers.analysis.fiscal.results`)."""
    return af.results(ctx.facts, ctx.level, ctx.spec)



def revisions_section(ctx: Context) -> str:
    """The review year's budget figures at the page's level that later final accounts revise (page 05
    has them all): gazette against final accounts, each with its source."""
    from ..analysis import outcomes as OUT
    from ..data import observations
    from .prose import Prose

    rows = []
    if observations.has_observations(ctx.ed):
        rev = OUT.revisions(OUT.prepare(ctx.ed))
        for r in rev.to_dict("records"):
            g = r["gazette_row"]
            if g.get("table") == "budget" and g.get("level") == ctx.level:
                rows.append({**r, "name": g[f"name_{ctx.lang}"]})
    say = Prose("02-fiscal", ctx.page)
    return say("revisions", rows=rows, changed=sum(bool(r["changed"]) for r in rows), level_name=ctx.lv, review=ctx.y0)
