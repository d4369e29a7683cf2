"""Page 02's context and renderings shared by its sections: the edition's verified facts at the page's
level (the district level derived: `analysis.fiscal.district_facts`), its checks (the gate: a failed
check of the page's tables or quotes refuses the page), fiscal.yaml, and how a number is shown —
sourced (`num`, `row_num`), derived with its formula (`der`, `mval`), in a table (`table`)."""

from __future__ import annotations

from dataclasses import dataclass

from ... import checks as checks_mod
from ...analysis import fiscal as af
from ...checks.engine import require
from ...data import load as loader
from ...data import vocab
from ...data.edition import Edition
from .. import words as W
from ..nb import validate
from ..page import CJK as _CJK
from ..page import Page, rows_table, zh_spans
from ..prose import Prose

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


def context(ed: Edition, lang: str, level: str, figure_dir=None, figure_format: str = "png", page: Page | None = None) -> Context:
    """Check the edition, verify its facts and read its fiscal.yaml; raise ParameterError on a bad value.
    `page`: the page that numbers the sources (a new one by default)."""
    validate(lang=lang, level=level, figure_format=figure_format)
    checks = checks_mod.run_checks(ed)
    require(checks, "page 02", tables=set(TABLES))        # a failed check of its numbers or quotes: no page
    facts = af.facts_at(checks_mod.verified_facts(ed), level)     # the district level: city-wide − municipal
    return Context(ed, facts, checks, ed.load_yaml("fiscal"), lang, level, page or Page(lang), figure_dir, figure_format)


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


def statements(ctx: Context, **where) -> list[dict]:
    """The rows of the curated table of risk statements (checked by `helpers check`: quote on its
    line), those whose columns equal `where` (e.g. kind="pledge"), in the table's order."""
    frame = loader.load("risk_statements", ctx.ed)
    rows = [dict(r, table="risk_statements") for r in frame.to_dict("records")]
    return [r for r in rows if all(r[k] == v for k, v in where.items())]


def statement(ctx: Context, row: dict) -> str:
    """A statement quoted with its source: verbatim on a Chinese page, our English on an English one."""
    return ctx.page.num(row, row["quote"] if ctx.lang == "zh" else row["text_en"])


def _evidence(ctx: Context, quota: dict, k: int) -> str:
    item = quota["evidence"][k]
    return ctx.page.num(item, item["text"][ctx.lang])


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


def _basis(ctx: Context, basis: str, metric: str, period: int, short: bool = False) -> str:
    """The basis of a debt figure; a plan figure the edition flags as an advance quota (or as revised
    with it) says so."""
    q = advance_quota(ctx)
    if q and period == q["period"] and metric in q["metrics"]:
        return ctx.label("quota_basis_short" if short else "quota_basis")
    if q and period == q["period"] and metric in q["revised_with_it"]:
        return ctx.label("quota_budgeted_basis")
    return ctx.label(f"{basis}_basis")


def _register(ctx: Context, check, what: str) -> str:
    s = check.text(what, ctx.lang)
    return english_units(s) if ctx.lang == "en" else s


def results(ctx: Context) -> dict:
    """The headline results (see `helpers.analysis.fiscal.results`)."""
    return af.results(ctx.facts, ctx.level, ctx.spec)
