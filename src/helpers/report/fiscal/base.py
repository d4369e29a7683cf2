"""Page 02's context and renderings shared by its sections: the edition's verified facts at the page's
level (the district level derived: `analysis.fiscal.district_facts`), its checks (the gate: a failed
check of the page's tables or quotes refuses the page), fiscal.yaml, and how a number is shown —
sourced (`num`, `row_num`), derived with its formula (`der`, `mval`), in a table (`table`)."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

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


# The curated tables the page shows (and the quotes of the analysis files: provenance.evidence.*).
TABLES = ("budget", "debt", "economy", "municipal_spending", "risk_statements", "evidence")








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
    def data_lang(self) -> str:
        """The language of the data's names this page shows (`name_<data_lang>`, `text[data_lang]`)."""
        return self.page.data_lang

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

    def label(self, key: str) -> str:
        """A label of the page's catalog (`page02.label`) in its language ({review}/{plan} filled with the edition's years)."""
        return self.ed.fill(W.text(f"page02.label.{key}", self.lang))

    @property
    def lv(self) -> str:
        """The level as an adjective: 全市 / city-wide."""
        return W.text(f"page02.level_adj.{self.level}", self.lang)

    @property
    def thresholds(self) -> dict:
        return self.spec["thresholds"]


def context(ed: Edition, lang: str, level: str, figure_dir=None, figure_format: str = "png", page: Page | None = None) -> Context:
    """Check the edition, verify its facts and read its fiscal.yaml; raise ParameterError on a bad value.
    `page`: the page that numbers the sources (a new one by default)."""
    validate(lang=lang, level=level, figure_format=figure_format)
    checks, verified = checks_mod.checked(ed)
    require(checks, "page 02", tables=set(TABLES))        # a failed check of its numbers or quotes: no page
    facts = af.facts_at(verified, level)     # the district level: city-wide − municipal
    return Context(ed, facts, checks, ed.load_yaml("fiscal"), lang, level, page or Page(lang), figure_dir, figure_format)


class H(str):
    """A string that is already HTML (not escaped again in a table)."""


def text(ctx: Context, s: str) -> str:
    """Plain text as HTML; on an English page, Chinese inside it sits in `lang="zh"` spans."""
    return zh_spans(s, ctx.lang)


def units_in(lang: str, s: str) -> str:
    """Units written in Chinese inside a text, in the page's language (`2 亿元` → `2 CNY 100 million` on an
    English page; unchanged where the language names a unit by its code)."""
    for code in sorted(vocab.vocabulary("units"), key=len, reverse=True):
        named = vocab.unit(code, lang)
        if _CJK.search(code) and named != code:
            s = s.replace(f" {code}", f" {named}").replace(code, f" {named}")
    return s


def pct(x, digits: int = 1) -> str:
    return "—" if x is None or x != x else f"{x:.{digits}%}"


def amt(ctx: Context, x: float) -> str:
    return ctx.page.amount(round(x, 1), ctx.spec["amount_unit"])


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


_signed_html = af.signed_terms     # the same joining for sourced markup as for plain numbers
_group = af.signed_group


def suffix_name(lang: str, suffix: str) -> str:
    """A metric suffix (the metric without its level) in words, from the catalog: `fund_revenue` →
    政府性基金收入 / fund budget revenue; a whole metric ("@district_debt_balance") with its level."""
    if suffix.startswith("@"):
        level, _, rest = suffix[1:].partition("_")
        return W.text("page02.pattern.level_term", lang, level=vocab.name("levels", level, lang), name=suffix_name(lang, rest))
    terms, debt = W.names("page02.term", lang), W.names("page02.debt_item", lang)
    if suffix in terms:
        return terms[suffix]
    if suffix.startswith("debt_"):
        return debt.get(suffix.removeprefix("debt_"), suffix.replace("_", " "))
    budgets = W.names("page02.budget_short", lang)
    budget = next((b for b in sorted(budgets, key=len, reverse=True) if suffix.startswith(b + "_")), None)
    if budget is None:
        return suffix.replace("_", " ")
    item = suffix.removeprefix(budget + "_")
    return W.text("page02.pattern.term", lang, budget=budgets[budget],
                  item=W.names("page02.item", lang).get(item, item.replace("_", " ")))


def measure_name(lang: str, key: str) -> str:
    return W.text(f"page02.measure.{af.measure_spec(key).key}", lang)


def formula(lang: str, e: af.Evaluated) -> str:
    """A measure's formula in words: 国有土地使用权出让收入 ÷ (一般公共预算收入 + 政府性基金收入)."""
    spec = af.measure_spec(e.key)
    names = [(suffix_name(lang, s), g) for s, g in e.numerator_terms]
    if not spec.denominator:
        return af.signed_terms(names)
    return af._ratio(af.signed_group(names), [(suffix_name(lang, s), g) for s, g in spec.denominator], spec.scale)


def variant_formula(lang: str, terms) -> str:
    """A debt-ratio denominator in words: 一般公共预算收入 + 一般公共预算中央补助 − …"""
    return af.signed_terms([(suffix_name(lang, f"{b}_{i}"), s) for b, i, s in terms])


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
    names = [suffix_name(ctx.lang, m.removeprefix(f"{e.level}_")) for m in e.missing]
    level = W.text(f"page02.level_adj.{e.level}", ctx.lang)
    return ctx.say("missing", period=e.period, level=level, names=Markup(_join(ctx, names)))


def evaluated(ctx: Context, key: str, period: int, level: str | None = None) -> af.Evaluated:
    return af.evaluate(ctx.facts, level or ctx.level, key, period)


def mval(ctx: Context, key: str, period: int, level: str | None = None) -> str:
    """A measure's value as a derived number (its formula in numbers as hover title)."""
    e = evaluated(ctx, key, period, level)
    if e.value is None:
        return "—"
    return der(ctx, measure_shown(ctx, key, e.value), f"{formula(ctx.lang, e)} = {e.numbers()}")


def measure_shown(ctx: Context, key: str, value: float) -> str:
    """A measure's value as text: a ratio as a percentage, months to one decimal, an amount in 亿元."""
    kind = af.measure_spec(key).kind
    return pct(value) if kind == "ratio" else (f"{value:.1f}" if kind == "months" else amt(ctx, value))


def section_ref(ctx: Context, key: str) -> str:
    """A cross-reference to another section of the page, by its title."""
    return ctx.say("section_ref", title=W.text(f"page02.section_title.{key}", ctx.lang))


def _join(ctx: Context, items: list[str]) -> str:
    """Items (HTML) as a list in words: a、b、c / a, b and c."""
    return ctx.say("and_list", items=[Markup(i) for i in items])


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
    return str(row[f"name_{ctx.data_lang}"])


def references(ctx: Context, applies_to: str) -> list[dict]:
    """The edition's reference lines for a measure (results key without the year)."""
    return [r for r in ctx.spec.get("references", []) if applies_to in r["applies_to"]]


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
    """A statement quoted with its source: verbatim on a Chinese page, our translation (`text_<lang>`) on another."""
    return ctx.page.num(row, row.get(f"text_{ctx.data_lang}") or row["quote"])      # the quote itself where no translation


def statements_once(ctx: Context, rows: list[dict]) -> list[str]:
    """Statements quoted with their sources, a statement the report makes in the same words on several
    lines shown once with every line cited (the hidden-debt pledge is in the 2021 review and again in
    the 2022 plan: one pledge, two places, not the same words twice)."""
    places: dict[str, list[dict]] = {}
    for row in rows:
        places.setdefault(row["quote"], []).append(row)
    return [ctx.page.num_places(same, same[0].get(f"text_{ctx.data_lang}") or same[0]["quote"]) for same in places.values()]


def _evidence(ctx: Context, quota: dict, k: int) -> str:
    item = quota["evidence"][k]
    return ctx.page.num(item, item["text"][ctx.data_lang])


def measure_notes(ctx: Context, e: af.Evaluated) -> str:
    """What a reader must know beside a measure's value (missing parts, caveats)."""
    if e.value is None:
        return missing_text(ctx, e)
    first = e.numerator_terms == af.measure_spec(e.key).numerator[0]
    quota = advance_quota(ctx)
    revised = bool(quota and e.period == quota["period"])
    notes = [key for key, applies in (
        ("transfers_above_one", e.key == "central_transfers_to_expenditure" and e.value > 1),
        ("land_share_makeup", e.key == "land_sale_share_of_fund_revenue"),
        ("interest_implied", e.key == "interest_to_revenue" and first),
        ("interest_budgeted_revised" if revised else "interest_budgeted", e.key == "interest_to_revenue" and not first),
        ("refinancing_quota", e.key == "debt_service_net_of_refinancing_to_revenue" and revised)) if applies]
    return W.text("page02.pattern.note_sep", ctx.lang).join(W.text(f"page02.note.{k}", ctx.lang) for k in notes)


def measure_rows(ctx: Context, keys, periods) -> list[list]:
    rows = []
    for key in keys:
        spec = af.measure_spec(key)
        evs = [evaluated(ctx, key, p) for p in periods]
        line = [measure_name(ctx.lang, key), formula(ctx.lang, evs[0])]
        notes = []
        for e in evs:
            line += [H(numbers_html(ctx, e)), None if e.value is None else
                     (pct(e.value) if spec.kind == "ratio" else amt(ctx, e.value))]
            note = measure_notes(ctx, e)
            if note:
                notes.append(f"{e.period}: {note}")
        rows.append(line + [W.text("page02.pattern.note_sep", ctx.lang).join(notes) or None])
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
    return units_in(ctx.lang, check.text(what, ctx.lang))


def results(ctx: Context) -> dict:
    """The headline results (see `helpers.analysis.fiscal.results`)."""
    return af.results(ctx.facts, ctx.level, ctx.spec)
