"""Page 01 (growth against targets) as a model: what each section needs, computed from the edition,
with no words and no HTML of its own.

    page = open_page("01-growth", edition, lang)     # helpers.report.protocol
    page.show("scorecard"); page.show_figure("targets"); page.data("sectors")

The prose is `templates/01-growth/<lang>.html` (one macro per piece), the short words (headers,
labels, axis titles, formulas) `catalog/<lang>/01-growth.yaml` (section `page01`). Every curated
number goes through the page's `Page.num` (hover title and a numbered source), a derived one through
`Page.derived` with its formula. What is specific to one gazette is the edition's
`analysis/growth.yaml` and `crosswalks/renamed_indicators.csv`; the gazette quotes that file cites
are checked by `helpers check` (checks/evidence.py), and a failed check stops the page here.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd
from markupsafe import Markup

from ..analysis import growth as G
from ..analysis import outcomes as OUT
from ..checks.engine import run_checks
from ..data import observations, vocab
from ..data.edition import Edition
from ..data.load import load
from ..data.parsing import parse_cell
from . import figures
from . import words as W
from .nb import fmt
from .page import Findings, Page, register_summary
from .prose import Prose
from .protocol import PageModel, register

# A growth rate's qualifier as a mark before its number in a table cell or on a chart (no words).
QUALIFIER_MARKS = {"at_least": "≥", "about": "~", "exact": "", "at_most": "≤"}
SECTOR_GROUPS = ("pillar_industry", "emerging", "services", "agriculture")
SECTOR_COLOURS = dict(zip(SECTOR_GROUPS, [figures.PALETTE[0], figures.PALETTE[3], figures.PALETTE[5], figures.PALETTE[2]],
                          strict=True))


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def signed_text(value: float) -> str:
    """A difference with its sign, `—` when missing; zero is `0`, never `-0`.

    >>> signed_text(-0.4), signed_text(-0.0), signed_text(608.0), signed_text(float("nan"))
    ('-0.4', '0', '+608', '—')
    """
    if _missing(value):
        return "—"
    value = round(value, 6) + 0.0
    return "0" if value == 0 else f"{value:+g}"


@dataclass
class GrowthData:
    """Everything page 01 shows, computed once from one edition (tables and numbers only)."""

    review: int
    plan: int
    settings: dict
    checks: list
    check_counts: pd.DataFrame      # data checks by kind and status
    rows: dict                      # row_id -> curated row, for sourcing any number
    renamed_notes: dict             # plan-year metric -> the crosswalk's note, per language
    tolerance: float
    card: pd.DataFrame              # the review-year scorecard (G.scorecard)
    counts: pd.DataFrame
    verdict: G.DocumentVerdict
    comparison: pd.DataFrame        # the document's verdict beside the computed one
    gaps: pd.DataFrame
    comp: pd.DataFrame              # plan-year targets beside the review year (G.targets_vs_results)
    rates: pd.DataFrame
    dropped: pd.DataFrame
    reference: str
    sectors: pd.DataFrame
    levels: pd.DataFrame
    ratio: dict
    later: pd.DataFrame | None      # the plan year's outcomes published later (page 05), by metric
    verdict_source: dict            # the plan report's own verdict as a source (document, line, quote)
    estimates_source: dict | None   # where the plan report says part of the results are estimates

    def card_row(self, metric: str) -> Mapping:
        return self.card.set_index("metric").loc[metric].to_dict()

    def comp_row(self, metric: str) -> Mapping:
        return self.comp.set_index("metric").loc[metric].to_dict()

    def disagreements(self) -> pd.DataFrame:
        """Assessable indicators where the document's verdict and the computed one differ."""
        return self.comparison[~self.comparison["agrees"]]

    def slower(self) -> pd.DataFrame:
        """Growth-rate targets below the previous year's result."""
        return self.rates[self.rates["change_vs_result"] < 0]

    def gdp(self) -> dict:
        card, comp = self.card_row("gdp_growth"), self.comp_row("gdp_growth")
        return {"card": card, "comp": comp, "below_result": -comp["change_vs_result"], "below_target": -comp["change_vs_target"]}

    def pillars(self) -> dict:
        """The pillar industries: all, fastest, slowest, those above the reference; the reference; the
        fastest sector outside them."""
        s = self.sectors
        pillars = s[s["sector_group"] == "pillar_industry"]
        return {"all": pillars, "top": G.fastest(s), "bottom": G.slowest(s),
                "above": pillars[pillars["vs_reference"] > 0], "ref": s[s["is_reference"]].iloc[0].to_dict(),
                "lead": s[~s["is_reference"] & (s["sector_group"] != "pillar_industry")].iloc[0].to_dict()}

    def income_rows(self) -> tuple[Mapping, Mapping]:
        """The curated rows of urban and rural per-capita disposable income."""
        idx = self.levels.set_index("metric")
        return tuple(self.rows[idx.loc[m, "level_row_id"]] for m in ("urban_disposable_income", "rural_disposable_income"))


def growth_data(ed: Edition, checks: list | None = None) -> GrowthData:
    """Load the edition's tables, gate them on the data checks (`checks`: what `run_checks(ed)`
    returns, run here when None; a failed check raises DataError) and compute every part of the page."""
    review, plan = ed.year("review"), ed.year("plan")
    settings = ed.load_yaml("growth")
    checks = run_checks(ed) if checks is None else checks
    check_counts = G.require_checks(checks)
    indicators = load("indicators", ed)
    if settings.get("binding", {}).get("sub_items_inherit", False):
        indicators = G.inherit_binding(indicators)
    economy, gaps = load("economy", ed), load("target_gaps", ed)
    renamed = load("renamed_indicators", ed)
    tolerance = float(settings.get("verdict", {}).get("about_tolerance", 0.0))
    card = G.scorecard(indicators, review, tolerance)
    verdict = G.DocumentVerdict.from_settings(settings["document_verdict"], ed.fill)
    comp = G.targets_vs_results(indicators, review, plan, G.renamed(renamed), tolerance)
    reference = settings.get("sector_reference", "industrial_value_added_growth")
    levels = G.levels(economy, review, settings["growth_basis"])
    later = OUT.scorecard(OUT.prepare(ed)).set_index("metric") if observations.has_observations(ed) else None
    # The plan report's own word that part of the review year's results are estimates (growth.yaml
    # `results_partly_estimates`; its quote is checked by `helpers check`, like the verdict's).
    estimates = settings.get("results_partly_estimates")
    return GrowthData(
        review=review, plan=plan, settings=settings, checks=checks, check_counts=check_counts,
        rows={r["row_id"]: r for t in (indicators, economy, gaps) for r in t.to_dict("records")},
        renamed_notes={lang: dict(zip(renamed["metric_plan"], renamed[f"note_{vocab.data_lang(lang)}"], strict=True)) for lang in vocab.LANGS},
        tolerance=tolerance, card=card, counts=G.verdict_counts(card), verdict=verdict,
        comparison=G.compare_with_document(card, verdict), gaps=gaps, comp=comp, rates=G.growth_rate_targets(comp),
        dropped=G.dropped_indicators(indicators, review, plan, G.renamed(renamed)), reference=reference,
        sectors=G.sector_growth(economy, review, reference, settings["sector_names"]), levels=levels,
        ratio=G.income_ratio(levels), later=later,
        verdict_source={"document": verdict.document, "line": verdict.line, "quote": verdict.quote, "value": None, "unit": ""},
        estimates_source=estimates and {"document": estimates["document"], "line": int(estimates["line"]),
                                        "quote": ed.fill(estimates["quote"])})


class Renderings:
    """Page 01's numbers, cells and short words in one language: curated numbers sourced through the
    page (`Page.num`), derived ones with their formula (`Page.derived`), words from the catalog section
    `page01` and the page's templates. Text only: what a sentence says is the templates'."""

    def __init__(self, page: Page, say: Prose, rows: Mapping):
        self.page, self.say, self.rows, self.lang = page, say, rows, page.lang
        self.data_lang = page.data_lang

    def word(self, key: str, *args, **fields) -> str:
        """A short word of this page's catalog section (`page01.<key>`)."""
        return W.text(f"page01.{key}", self.lang, *args, **fields)

    def plain(self, macro: str, **data) -> str:
        """A template macro's text for a table cell or header (which `Page.table_html` escapes itself)."""
        return html.unescape(self.say(macro, **data))

    def cell(self, row: Mapping | None) -> str:
        """An indicator cell in the page's language (template macro `cell`): a number with its qualifier
        (the Chinese page keeps the word the table prints), a text cell by its meaning, a symbol as
        printed, a blank empty."""
        if row is None or row["status"] == "blank" or _missing(row["cell"]):
            return ""
        number, printed, qualifier = "", "", "exact"
        if row["status"] == "number":
            parsed = parse_cell(row["cell"])
            number = parsed.number.text + ("%" if row["unit"] == "%" else ":1" if row["unit"] == "ratio" else "")
            # the qualifier word as printed, without a ratio's ":1" (which moves before the word)
            printed = "".join(ch for ch in row["cell"][parsed.number.end:] if ch.isalpha())
            qualifier = parsed.qualifier
        return self.plain("cell", row=row, number=number, printed=printed, qualifier=qualifier)

    def with_unit(self, text: str, unit: str) -> str:
        """A number's text with its unit in the page's language (`75.1 (10,000 people)` in English, the
        bracket for a unit that starts with a multiplier); %, ratio and index stay bare."""
        if unit in ("%", "ratio", "index") or text.endswith("%"):
            return text
        name = vocab.unit(unit, self.lang)
        return self.word("with_unit_bracketed" if name[:1].isdigit() else "with_unit", number=text, unit=name)

    def change(self, value: float, unit: str | None = None) -> str:
        """A difference with its sign; a difference of values in % or a price index in percentage points."""
        text = signed_text(value)
        if text == "—" or unit is None or G.margin_unit(unit) != G.POINTS:
            return text
        return self.word("points_one" if abs(round(value, 6)) == 1 else "points", text)

    def stated(self, row: Mapping, digits: int | None = None) -> str:
        """A curated number as text with its unit and qualifier (`at least 15%`)."""
        text = self.with_unit(fmt(row["value"], digits) + ("%" if row["unit"] == "%" else ""), row["unit"])
        return W.text(f"qualifier.{row.get('qualifier') or 'exact'}", self.lang, text)

    def num(self, row_id: str, text: str | None = None) -> Markup:
        """A curated indicator cell or number as sourced HTML."""
        row = self.rows[row_id]
        if text is None:
            text = self.cell(row) if "cell" in row and not _missing(row.get("cell")) else self.stated(row)
        return Markup(self.page.num(row, text))

    def amount(self, row: Mapping) -> Markup:
        """A curated level with its unit as sourced HTML (`2,285 CNY 100 million`)."""
        return Markup(self.page.num(row, self.page.amount(row["value"], row["unit"])))

    def derived(self, value: float, formula: str, digits: int | None = None, unit: str | None = None) -> Markup:
        text = fmt(value, digits)
        return Markup(self.page.derived(text if unit is None else self.with_unit(text, unit), formula))

    def points(self, value: float, formula: str, digits: int | None = None) -> Markup:
        """A derived difference in percentage points, with its formula."""
        text = self.word("points_one" if abs(value) == 1 else "points", fmt(value, digits))
        return Markup(self.page.derived(text, formula))

    def sourced(self, ids) -> list:
        """The curated rows of a table column (None where a cell has no row)."""
        return [None if _missing(i) else self.rows[i] for i in ids]

    def names(self, frame: pd.DataFrame, column: str = "name") -> list[str]:
        return frame[f"{column}_{self.data_lang}"].tolist()

    def row_names(self, frame: pd.DataFrame) -> list[str]:
        """Names for a table column: a "#" sub-item keeps its "# " mark, as in the indicator table."""
        return [("# " if sub else "") + n for sub, n in zip(frame["sub_item"], frame[f"name_{self.data_lang}"], strict=True)]

    def indicator_type(self, record: Mapping) -> str:
        if record.get("binding_inherited"):
            return self.word("type.binding_inherited")
        return self.word("type.binding" if record["binding"] else "type.expected")

    def yes_no(self, value: bool) -> str:
        return self.word("answer.positive" if value else "answer.negative")

    def table(self, columns: dict, sources: dict | None = None, **options) -> str:
        """A table whose headers are catalog keys (`col.<key>`) or ready texts (a tuple `(text,)`)."""
        headers = {key: key[0] if isinstance(key, tuple) else self.word(f"col.{key}") for key in columns}
        frame = pd.DataFrame({headers[k]: v for k, v in columns.items()})
        return self.page.table_html(frame, sources={headers[k]: v for k, v in (sources or {}).items()}, **options)

    def margin(self, r: Mapping) -> dict:
        """An indicator's name, sourced target and result and derived margin, for a sentence."""
        target, result = self.num(r["target_row_id"]), self.num(r["result_row_id"])
        margin = Markup(self.page.derived(self.change(r["margin"], r["unit"]), f"{fmt(r['result'])} − {fmt(r['target'])}"))
        return {"name_zh": r["name_zh"], "name_en": r["name_en"], "name": r[f"name_{self.data_lang}"],
                "target": target, "result": result, "margin": margin}

    def change_formula(self, comp_row: Mapping, against: str) -> str:
        """The formula of a planned target's change against the previous result or target."""
        return self.word(f"formula.change_vs_{against}", prev=fmt(comp_row[f"{against}_prev"]), next=fmt(comp_row["target_next"]))


@register
class GrowthPage(PageModel):
    """Notebook 01: the review year's targets and results, the plan year's targets, growth by sector."""

    NAME = "01-growth"
    YEAR_FINDINGS = ()         # page 05 gives the review and plan year's growth against target on the front page
    SECTIONS = ("intro", "scorecard", "not_assessable", "verdict", "targets", "sectors", "levels", "checks")
    FIGURES = {"scorecard": "01-scorecard", "targets": "01-targets", "sectors": "01-sector-growth"}

    def __init__(self, ed: Edition, lang: str, *, checks: list | None = None, figure_dir=None, figure_format: str = "png"):
        super().__init__(ed, lang, figure_dir=figure_dir, figure_format=figure_format)
        figures.setup()
        self.d = growth_data(ed, checks)
        self.r = Renderings(self.page, self.say, self.d.rows)

    # --- the data behind each section ------------------------------------------------------------------

    def tables(self) -> dict[str, Callable[[], pd.DataFrame]]:
        d = self.d

        def findings() -> pd.DataFrame:
            results = self.results()
            return pd.DataFrame({"result": list(results), "value": list(results.values())})

        return {
            "findings": findings,
            "intro": lambda: d.check_counts, "checks": lambda: d.check_counts, "scorecard": lambda: d.card,
            "not_assessable": lambda: d.card[~d.card["assessable"]].reset_index(drop=True), "verdict": lambda: d.comparison,
            "targets": lambda: d.comp, "sectors": lambda: d.sectors, "levels": lambda: d.levels,
        }

    # --- the page's sections -----------------------------------------------------------------------------

    def intro_html(self) -> str:
        """The edition, its years, and the data checks that ran before anything else."""
        c = self.d.check_counts
        tables = self.ed.meta.get("indicator_tables", {})
        return self.say("intro", title=self.ed.title[self.data_lang], review=self.d.review, plan=self.d.plan,
                        appendices=[str(tables[role]["appendix"]) for role in ("review", "plan") if "appendix" in tables.get(role, {})],
                        n=int(c["n"].sum()), accepted=int(c.loc[c["status"] == "accepted", "n"].sum()),
                        register=register_summary(self.d.checks, self.lang))

    def findings(self) -> Findings:
        """Five sentences: the page's headline findings, every number sourced or derived."""
        return Findings([self.finding_scorecard(), self.finding_document(), self.finding_targets(),
                         self.finding_sectors(), self.finding_income()], self.lang)

    def finding_scorecard(self) -> str:
        card, gdp = self.d.card, self.d.gdp()["card"]
        return self.say("finding_scorecard", review=self.d.review, result=self.r.num(gdp["result_row_id"]),
                        target=self.r.num(gdp["target_row_id"]), assessed=len(G.assessed(card)),
                        met=int(self.d.counts.loc["total", "met"]), missed=self.r.names(card[card["verdict"] == "missed"]),
                        estimates=self.d.estimates_source)

    def finding_document(self) -> str:
        diff = self.d.disagreements()
        return self.say("finding_document", n=len(self.d.verdict.expected_missed),
                        disagreements=[self.r.margin(self.d.card_row(m)) for m in diff["metric"]])

    def finding_targets(self) -> str:
        gdp = self.d.gdp()
        return self.say("finding_targets", plan=self.d.plan, target=self.r.num(gdp["comp"]["target_next_row_id"]),
                        below=self.r.points(gdp["below_result"], self.r.change_formula(gdp["comp"], "result")),
                        rates=len(self.d.rates), slower=len(self.d.slower()))

    def finding_sectors(self) -> str:
        p = self.d.pillars()
        top, bottom, ref = (dict(r, shown=self.r.num(r["row_id"], self.r.stated(r))) for r in (p["top"], p["bottom"], p["ref"]))
        return self.say("finding_sectors", top=top, bottom=bottom, ref=ref)

    def finding_income(self) -> str:
        urban, rural = self.d.income_rows()
        r = self.d.ratio
        return self.say("finding_income", urban=self.r.amount(urban), rural=self.r.amount(rural),
                        now=self.r.derived(r["ratio"], self.r.word("formula.income_ratio"), 2),
                        previous=self.r.derived(r["previous"], self.r.word("formula.income_ratio_previous"), 2),
                        narrowed=r["change"] < 0)

    # --- 1. the review-year scorecard ------------------------------------------------------------------

    def scorecard_html(self) -> str:
        return self.rule_note() + self.scorecard_summary() + self.scorecard_table()

    def rule_note(self) -> str:
        """The verdict rule, with the edition's tolerance and the lower-is-better indicators named."""
        card = self.d.card
        inherited = card[card["binding_inherited"]]
        binding = ""
        if len(inherited):
            codes = sorted({str(c) for c in inherited["code"]}, key=lambda c: (len(c), c))
            binding = self.ed.fill(self.d.settings["binding"]["note"][self.data_lang], code=self.r.word("sep").join(codes))
        return self.say("rule_note", lower=self.r.names(card[card["direction"] == "lower"]), tolerance=self.d.tolerance,
                        binding=binding)

    def scorecard_summary(self) -> str:
        card, c = self.d.card, self.d.counts
        ok = G.assessed(card)
        return self.say("scorecard_summary", review=self.d.review, indicators=len(card), sub_items=int(card["sub_item"].sum()),
                        assessed=len(ok), counts=c.to_dict("index"),
                        missed=[self.r.margin(r) for r in card[card["verdict"] == "missed"].to_dict("records")],
                        exact=self.r.names(ok[ok["margin"] == 0]), estimates=self.d.estimates_source)

    def scorecard_table(self) -> str:
        ok = G.assessed(self.d.card)
        targets, results = self.r.sourced(ok["target_row_id"]), self.r.sourced(ok["result_row_id"])
        return self.r.table({
            "number": ok["code"].astype(str).tolist(), "indicator": self.r.row_names(ok),
            "type": [self.r.indicator_type(r) for r in ok.to_dict("records")],
            "unit": [vocab.unit(u, self.lang) for u in ok["unit"]],
            "target": [self.r.cell(r) for r in targets], "result": [self.r.cell(r) for r in results],
            "margin": [self.r.change(m, u) for m, u in zip(ok["margin"], ok["unit"], strict=True)],
            "verdict": [W.name("verdict", v, self.lang) for v in ok["verdict"]],
        }, sources={"target": targets, "result": results})

    def scorecard_figure(self):
        """Favourable margins of the indicators whose margin is in percentage points (% and index)."""
        ok = G.assessed(self.d.card)
        pp = ok[ok["margin_unit"] == G.POINTS].sort_values("favourable_margin", kind="stable")
        fig, ax = plt.subplots(figsize=(8, 0.32 * len(pp) + 1.2))
        colors = [figures.PALETTE[1] if v == "missed" else figures.PALETTE[0] for v in pp["verdict"]]
        labels = [n + (" *" if b else "") for n, b in zip(pp[f"name_{self.data_lang}"], pp["binding"], strict=True)]
        ax.barh(range(len(pp)), pp["favourable_margin"], color=colors)
        ax.set_yticks(range(len(pp)), labels)
        for i, v in enumerate(pp["favourable_margin"]):
            ax.annotate(f"{v:+g}" if v else "0", (v, i), xytext=(3 if v >= 0 else -3, 0), textcoords="offset points",
                        ha="left" if v >= 0 else "right", va="center", fontsize=8)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel(self.r.word("figure.margin_axis"))
        title = "figure.scorecard_title_index" if "index" in set(pp["unit"]) else "figure.scorecard_title"
        ax.set_title(self.r.word(title, review=self.d.review))
        ax.legend(handles=[plt.Rectangle((0, 0), 1, 1, color=figures.PALETTE[0]), plt.Rectangle((0, 0), 1, 1, color=figures.PALETTE[1])],
                  labels=[W.name("verdict", "met", self.lang), W.name("verdict", "missed", self.lang)], loc="lower right")
        ax.margins(x=0.12)
        return fig

    def not_assessable_html(self) -> str:
        na = self.d.card[~self.d.card["assessable"]]
        targets, results = self.r.sourced(na["target_row_id"]), self.r.sourced(na["result_row_id"])
        reasons = [self.r.word("reason_sep").join(self.r.plain("reason", row=row, who=self.r.word(f"col.{what}"))
                                                for row, what in ((t, "target"), (r, "result")) if row is None or row["status"] != "number")
                   for t, r in zip(targets, results, strict=True)]
        table = self.r.table({
            "number": na["code"].astype(str).tolist(), "indicator": self.r.row_names(na),
            "type": [self.r.indicator_type(r) for r in na.to_dict("records")],
            "target": [self.r.cell(r) for r in targets], "result": [self.r.cell(r) for r in results], "reason": reasons,
        }, sources={"target": [r if r is not None and r["status"] != "blank" else None for r in targets],
                    "result": [r if r is not None and r["status"] != "blank" else None for r in results]})
        return self.say("not_assessable_head", n=len(na)) + table

    # --- 2. the document's own verdict ---------------------------------------------------------------

    def verdict_html(self) -> str:
        return self.document_quote() + self.document_counts_table() + self.document_summary() + self.stated_gaps_table()

    def document_quote(self) -> str:
        v, row = self.d.verdict, self.d.verdict_source
        return self.say("document_quote", where=self.page.where(row), quote=Markup(self.page.num(row, v.quote)), verdict=v,
                        note=self.d.settings["document_verdict"]["note"][self.data_lang])

    def document_counts_table(self) -> str:
        d = G.document_counts(self.d.card, self.d.verdict)
        by_metric = self.d.card.set_index("metric")

        def show(x):
            if isinstance(x, bool):
                return self.r.yes_no(x)
            if isinstance(x, list):
                return self.r.word("sep").join(by_metric.loc[m, f"name_{self.data_lang}"] for m in x)
            return str(x)

        return self.r.table({
            "item": [self.r.word(f"item.{i}") for i in d["item"]], "document": [show(x) for x in d["document"]],
            "computed": [show(x) for x in d["computed"]], "agrees": [show(bool(x)) for x in d["agrees"]],
        }, sources={"document": [self.d.verdict_source] * len(d)})

    def document_summary(self) -> str:
        card, diff = self.d.card, self.d.disagreements()
        top_na = card[~card["sub_item"] & ~card["binding"] & ~card["assessable"]]
        counts_ok = bool(G.document_counts(card, self.d.verdict).set_index("item").loc[
            ["binding_total", "binding_without_data", "expected_total", "binding_met_of_assessed"], "agrees"].all())
        tolerance = None
        if len(diff):
            tolerance = self.r.points(G.reconciling_tolerance(self.d.comparison), self.r.word("formula.reconciling_tolerance"))
        return self.say("document_summary", counts_ok=counts_ok, disagreements=[self.r.margin(self.d.card_row(m)) for m in diff["metric"]],
                        tolerance=tolerance, n=len(self.d.verdict.expected_missed),
                        unassessed=[{"name": r[f"name_{self.data_lang}"], "cell": self.r.cell(self.d.rows[r["result_row_id"]])}
                                    for r in top_na.to_dict("records")])

    def stated_gaps_table(self) -> str:
        sg = G.stated_gaps(self.d.card, self.d.gaps)
        return self.r.table({
            "indicator": self.r.names(sg),
            "stated_gap": [self.r.with_unit(fmt(x), u) if u != G.POINTS else self.r.change(x, "%").lstrip("+")
                           for x, u in zip(sg["stated_gap"], sg["unit"], strict=True)],
            "margin": [self.r.change(m, u) if G.margin_unit(u) == G.POINTS else self.r.with_unit(signed_text(m), u)
                       for m, u in zip(sg["margin"], sg["indicator_unit"], strict=True)],
            "agrees": [self.r.yes_no(a) for a in sg["agrees"]],
        }, sources={"stated_gap": self.r.sourced(sg["gap_row_id"])})

    # --- 3. plan-year targets against the review year ----------------------------------------------

    def targets_html(self) -> str:
        return self.renamed_note() + self.targets_table() + self.targets_summary()

    def renamed_note(self) -> str:
        notes = self.d.renamed_notes[self.lang]
        return self.say("renamed_note", notes=[notes.get(m, "") for m in self.d.comp.loc[self.d.comp["renamed"], "metric"]])

    def targets_table(self) -> str:
        shown = self.d.comp[self.d.comp["target_next"].notna()]
        review, plan = self.d.review, self.d.plan
        t_prev, r_prev, t_next = ((self.r.word("col.target_in", year=review),), (self.r.word("col.result_in", year=review),),
                                  (self.r.word("col.target_in", year=plan),))
        prev_t, prev_r, nxt = (self.r.sourced(shown[c]) for c in ("target_prev_row_id", "result_prev_row_id", "target_next_row_id"))
        units = shown["unit"].tolist()
        columns = {
            "number": shown["code"].astype(str).tolist(), "indicator": self.r.row_names(shown),
            "unit": [vocab.unit(u, self.lang) for u in units],
            t_prev: [self.r.cell(r) or "—" for r in prev_t], r_prev: [self.r.cell(r) or "—" for r in prev_r],
            t_next: [self.r.cell(r) for r in nxt],
            "change_vs_result": [self.r.change(x, u) for x, u in zip(shown["change_vs_result"], units, strict=True)],
            "change_vs_target": [self.r.change(x, u) for x, u in zip(shown["change_vs_target"], units, strict=True)],
            "ambition": [self.r.word(f"ambition.{a}") for a in shown["ambition"]],
            "renamed": [self.r.plain("mid_sentence", name=r[f"name_{self.data_lang}_prev"]) if r["renamed"] else ""
                        for r in shown.to_dict("records")],
        }
        later = ()
        if self.d.later is not None:
            outcome = (W.text("later.outcome", self.lang, year=plan),)
            columns[outcome] = [self.later_outcome(m) for m in shown["metric"]]
            columns[(W.text("later.verdict", self.lang),)] = [self.later_verdict(m) for m in shown["metric"]]
            later = outcome
        return self.r.table(columns, sources={t_prev: prev_t, r_prev: prev_r, t_next: nxt}, html_columns=later, numeric_columns=later)

    def later_outcome(self, metric: str) -> str:
        """The plan year's outcome of a target as published later (sourced and marked), or "—"."""
        later = self.d.later
        if metric not in later.index or later.at[metric, "obs"] is None:
            return "—"
        return self.page.observed(later.at[metric, "obs"])

    def later_verdict(self, metric: str) -> str:
        if metric not in self.d.later.index:
            return ""
        return W.name("verdict", self.d.later.at[metric, "verdict"], self.lang)

    def targets_summary(self) -> str:
        gdp, rates = self.d.gdp(), self.d.rates
        g = gdp["comp"]
        same = rates[rates["ambition"] == "unchanged"]
        beat = -same["change_vs_result"]
        unchanged = None
        if len(same):
            unchanged = {"n": len(same), "names": self.r.names(same), "lo": self.r.points(beat.min(), self.r.word("formula.beat_smallest")),
                         "hi": self.r.points(beat.max(), self.r.word("formula.beat_largest"))}
        return self.say("targets_summary", review=self.d.review, plan=self.d.plan, target=self.r.num(g["target_next_row_id"]),
                        result=self.r.num(g["result_prev_row_id"]),
                        below_result=self.r.points(gdp["below_result"], self.r.change_formula(g, "result")),
                        previous_target=self.r.num(g["target_prev_row_id"]),
                        below_target=self.r.points(gdp["below_target"], self.r.change_formula(g, "target")),
                        rates=len(rates), slower=len(self.d.slower()), unchanged=unchanged, ambition=G.ambition_counts(self.d.comp),
                        dropped=self.r.names(self.d.dropped), not_numeric=int(self.d.comp["target_next"].isna().sum()),
                        ceilings=self.ceilings())

    def ceilings(self) -> list[dict]:
        """Targets that are ceilings (limits not to exceed) are not counted as ambition: what each change means."""
        comp = self.d.comp
        out = []
        for r in comp[(comp["target_kind"] == "ceiling") & (comp["ambition"] != "n/a")].to_dict("records"):
            rise = None
            if r["unit"] == "index":   # a price index, previous year = 100: the ceiling on the price rise is index - 100
                rise = [Markup(self.page.derived(fmt(round(v - 100, 6)) + "%", f"{fmt(v)} − 100")) for v in (r["target_prev"], r["target_next"])]
            out.append({"name": r[f"name_{self.data_lang}"], "previous": self.r.num(r["target_prev_row_id"]),
                        "next": self.r.num(r["target_next_row_id"]), "change": self.r.word(f"ambition.{r['ambition']}"), "rise": rise})
        return out

    def targets_figure(self):
        fr = self.d.rates.sort_values("change_vs_result", ascending=False, kind="stable").reset_index(drop=True)
        fig, ax = plt.subplots(figsize=(8, 0.36 * len(fr) + 1.4))
        y = range(len(fr))
        ax.hlines(y, fr["result_prev"], fr["target_next"], color="#bbbbbb", linewidth=2, zorder=1)
        ax.scatter(fr["target_prev"], y, s=40, facecolors="none", edgecolors=figures.PALETTE[6],
                   label=self.r.word("figure.legend_previous_target"), zorder=2)
        ax.scatter(fr["result_prev"], y, s=40, color=figures.PALETTE[0], label=self.r.word("figure.legend_previous_result"), zorder=3)
        ax.scatter(fr["target_next"], y, s=50, marker="D", color=figures.PALETTE[1], label=self.r.word("figure.legend_planned_target"), zorder=3)
        ax.set_yticks(list(y), fr[f"name_{self.data_lang}"])
        ax.invert_yaxis()
        ax.set_xlabel(self.r.word("figure.growth_axis"))
        ax.set_title(self.r.word("figure.targets_title", review=self.d.review, plan=self.d.plan))
        ax.legend(loc="upper right")
        return fig

    # --- 4. growth by sector ---------------------------------------------------------------------------

    def sectors_html(self) -> str:
        return self.sectors_table() + self.sectors_summary()

    def sectors_table(self) -> str:
        s = self.d.sectors
        reference = (self.r.word("col.vs_reference", ref=self.r.plain("mid_sentence", name=s.loc[s["is_reference"], f"sector_{self.data_lang}"].iloc[0])),)
        return self.r.table({
            "rank": s["rank"].astype(str).tolist(), "sector": self.r.names(s, "sector"),
            "group": [self.r.word(f"sector_group.{x}") for x in s["sector_group"]],
            "growth": [QUALIFIER_MARKS[q] + fmt(x, 1) for x, q in zip(s["value"], s["qualifier"], strict=True)],
            reference: [signed_text(x) for x in s["vs_reference"]],
        }, sources={"growth": self.r.sourced(s["row_id"])})

    def sectors_summary(self) -> str:
        p = self.d.pillars()
        ref, bottom = p["ref"], p["bottom"]

        def shown(r):
            return dict(r, shown=self.r.num(r["row_id"], self.r.stated(r)))

        return self.say("sectors_summary", review=self.d.review, ref=shown(ref), top=shown(p["top"]), pillars=len(p["all"]),
                        above=self.r.names(p["above"], "sector"), bottom=shown(bottom), lead=shown(p["lead"]),
                        below=self.r.points(-bottom["vs_reference"], f"{fmt(ref['value'])} − {fmt(bottom['value'])}"))

    def sectors_figure(self):
        s = self.d.sectors
        ref = s[s["is_reference"]].iloc[0]
        bars = s[~s["is_reference"]].sort_values("value", kind="stable")
        groups = [g for g in SECTOR_GROUPS if g in set(bars["sector_group"])]
        # A growth rate the report states as a projection (预计) is hatched and labelled as an estimate.
        marks = [self.page.mark(self.d.rows[r]) for r in bars["row_id"]]
        fig, ax = plt.subplots(figsize=(8, 0.34 * len(bars) + 1.4))
        drawn = ax.barh(range(len(bars)), bars["value"], color=[SECTOR_COLOURS.get(x, figures.PALETTE[6]) for x in bars["sector_group"]])
        for patch, mark in zip(drawn.patches, marks, strict=True):
            if mark:
                patch.set_hatch("///")
                patch.set_edgecolor("white")
        ax.set_yticks(range(len(bars)), bars[f"sector_{self.data_lang}"])
        for i, (x, q, mark) in enumerate(zip(bars["value"], bars["qualifier"], marks, strict=True)):
            ax.annotate(QUALIFIER_MARKS[q] + fmt(x, 1) + mark, (x, i), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
        ax.axvline(ref["value"], color="black", linestyle="--", linewidth=1)
        ax.set_ylim(-0.6, len(bars) + 0.2)
        ax.annotate(f"{ref[f'sector_{self.data_lang}']} {fmt(ref['value'], 1)}%", (ref["value"], len(bars) - 0.3), xytext=(4, 0),
                    textcoords="offset points", fontsize=8, va="center")
        ax.set_xlabel(self.r.word("figure.growth_axis"))
        ax.set_title(self.r.word("figure.sectors_title", review=self.d.review))
        handles = [plt.Rectangle((0, 0), 1, 1, color=SECTOR_COLOURS[g]) for g in groups]
        labels = [self.r.word(f"sector_group.{g}") for g in groups]
        if any(marks):
            handles.append(plt.Rectangle((0, 0), 1, 1, facecolor="#999999", edgecolor="white", hatch="///"))
            labels.append(self.r.word("figure.legend_estimate"))
        # below the axes: inside, it covered the value labels of the shortest bars (8.3 (estimate), 8.9)
        ax.legend(handles=handles, labels=labels, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, frameon=False, fontsize=9)
        ax.margins(x=0.1)
        return fig

    # --- 5. levels -------------------------------------------------------------------------------------

    def levels_html(self) -> str:
        return self.levels_table() + self.levels_summary()

    def levels_table(self) -> str:
        lv = self.d.levels

        def level(x, printed):
            """An implied level with the precision of the printed one: no decimals for a whole number, else one."""
            return "—" if _missing(x) or x != x else fmt(x, 0 if float(printed).is_integer() else 1)

        return self.r.table({
            "indicator": self.r.names(lv), "level": [fmt(x) for x in lv["level"]],
            "unit": [vocab.unit(u, self.lang) for u in lv["unit"]], "growth": [fmt(x, 1) for x in lv["growth"]],
            "growth_basis": [self.r.word(f"growth_basis.{b}") for b in lv["growth_basis"]],
            "previous": [level(p, x) for p, x in zip(lv["previous"], lv["level"], strict=True)],
            "previous_range": ["—" if lo != lo else f"{level(lo, x)} – {level(hi, x)}"
                               for lo, hi, x in zip(lv["previous_low"], lv["previous_high"], lv["level"], strict=True)],
        }, sources={"level": self.r.sourced(lv["level_row_id"]), "growth": self.r.sourced(lv["growth_row_id"])})

    def levels_summary(self) -> str:
        idx = self.d.levels.set_index("metric")
        gdp = self.d.rows[idx.loc["gdp", "level_row_id"]]
        urban, rural = self.d.income_rows()
        gdp_shown, urban_shown, rural_shown = self.r.amount(gdp), self.r.amount(urban), self.r.amount(rural)
        r = self.d.ratio
        return self.say("levels_summary", review=self.d.review, gdp=gdp_shown, urban=urban_shown, rural=rural_shown,
                        now=self.r.derived(r["ratio"], self.r.word("formula.ratio"), 2),
                        previous=self.r.derived(r["previous"], self.r.word("formula.ratio_previous"), 2),
                        change=self.r.derived(abs(r["change"]), self.r.word("formula.ratio_change"), 2), narrowed=r["change"] < 0)

    # --- data checks, results ----------------------------------------------------------------------------

    def checks_html(self) -> str:
        c = self.d.check_counts
        return self.r.table({"kind": [W.name("check_kind", k, self.lang) for k in c["kind"]],
                           "status": [W.name("check_status", s, self.lang) for s in c["status"]],
                           "n": [f"{int(n):,}" for n in c["n"]]})

    def results(self) -> dict:
        """The headline results; keys carry the edition's years, text values the page's language."""
        d = self.d
        R, P, prev = d.review, d.plan, d.review - 1
        gdp, p, idx = self.d.gdp(), self.d.pillars(), d.levels.set_index("metric")
        diff = self.d.disagreements()
        name = f"name_{self.data_lang}"
        return {
            f"gdp_growth_{R}": float(gdp["card"]["result"]),
            f"gdp_growth_target_{R}": float(gdp["card"]["target"]),
            f"gdp_growth_target_{P}": float(gdp["comp"]["target_next"]),
            f"gdp_growth_target_{P}_minus_result_{R}": round(float(gdp["comp"]["change_vs_result"]), 2),
            f"targets_assessed_{R}": int(len(G.assessed(d.card))),
            f"targets_met_{R}": int(d.counts.loc["total", "met"]),
            f"targets_missed_{R}": G.missed_targets(d.card, name),
            f"targets_not_assessable_{R}": int(d.counts.loc["total", "not_assessable"]),
            f"targets_missed_not_named_by_report_{R}": diff.loc[diff["verdict"] == "missed", name].tolist(),
            f"growth_targets_{P}_below_result_{R}": int(len(self.d.slower())),
            f"growth_targets_{P}_compared": int(len(d.rates)),
            f"{d.reference}_{R}": float(p["ref"]["value"]),
            f"fastest_growing_pillar_industry_{R}": p["top"][f"sector_{self.data_lang}"],
            f"fastest_growing_pillar_industry_growth_{R}": float(p["top"]["value"]),
            f"slowest_growing_pillar_industry_{R}": p["bottom"][f"sector_{self.data_lang}"],
            f"slowest_growing_pillar_industry_growth_{R}": float(p["bottom"]["value"]),
            f"pillar_industries_above_industry_{R}": int(len(p["above"])),
            f"urban_rural_income_ratio_{R}": round(d.ratio["ratio"], 4),
            f"urban_rural_income_ratio_{prev}_implied": round(d.ratio["previous"], 4),
            f"retail_sales_{prev}_implied": round(float(idx.loc["retail_sales", "previous"]), 1),
            f"disposable_income_{prev}_implied": round(float(idx.loc["disposable_income", "previous"]), 0),
        }
