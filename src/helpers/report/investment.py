"""Page 03 — major-project investment by sector, by source of finance and by scale. The model
(`InvestmentPage`) gathers, per section, the curated rows and the numbers the prose needs and lays
out the tables; the words are in `templates/03-investment/<lang>.html` and the catalog
(`catalog/<lang>/03-investment.yaml`); sector, source and portfolio names come from the edition's
data (crosswalk, analysis/investment.yaml); the figures are named here, not in the notebook.
`page.data(section)` gives the table behind a section.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import matplotlib.pyplot as plt
import pandas as pd
from markupsafe import Markup

from ..analysis import investment as inv
from ..checks.engine import KINDS, checks_frame
from ..data import vocab
from ..data.edition import Edition
from . import figures
from . import words as W
from .nb import fmt
from .page import Findings, register_summary, rows_table, zh_spans
from .prose import Prose
from .protocol import PageModel, register


def pct(x: float, digits: int = 1) -> str:
    """A share as a percentage; — for a share that does not exist (NaN)."""
    return "—" if x != x else f"{x:.{digits}%}"


def bars(labels, values, texts, *, title: str, xlabel: str, color: str):
    """A horizontal bar chart, bars top to bottom in the order given, each annotated with its text."""
    labels, values, texts = list(labels), [float(v) for v in values], list(texts)
    if not (len(labels) == len(values) == len(texts)) or not labels:
        raise ValueError(f"bars needs as many labels, values and texts (got {len(labels)}, {len(values)}, {len(texts)})")
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


@register
class InvestmentPage(PageModel):
    """Where the major projects' money went, where it is planned to go, who finances it, and how
    many years of work the portfolio holds."""

    NAME = "03-investment"
    YEAR_FINDINGS = (0,)
    SECTIONS = ("completed", "planned", "crosswalk", "finance", "per_project", "scale", "checks")
    FIGURES = {"completed": "03-sectors-completed", "planned": "03-sectors-planned", "compared": "03-sectors-compared",
               "finance": "03-sources", "per_project": "03-avg-per-project", "scale": "03-portfolio-scale"}

    def __init__(self, ed: Edition, lang: str, *, investment: inv.Investment | None = None, **out):
        """`investment`: the prepared data to show instead of the edition's (a test's altered data)."""
        super().__init__(ed, lang, **out)
        self.d = inv.prepare(ed) if investment is None else investment
        self.names = self.d.crosswalk.names(lang)
        self.unit = self.d.config.amounts["unit"]          # every amount of the page is in this unit
        self.say = Prose(self.NAME, self.page, amount_unit=self.unit)

    # --- data behind each section (no words) ----------------------------------------------------------

    def tables(self) -> dict[str, Callable[[], pd.DataFrame]]:
        """The table behind a section: `completed` / `planned` (by sector), `crosswalk` (both years'
        sectors matched), `finance` (by source of finance, both years), `per_project` (the plan year
        by sector, largest per project first), `scale` (the portfolios), `checks`."""
        d = self.d
        sources = d.config.source_codes()
        return {
            "completed": lambda: inv.sector_table(d.projects, d.review),
            "planned": lambda: inv.sector_table(d.projects, d.plan),
            "crosswalk": lambda: inv.compare_sectors(d.projects, d.crosswalk),
            "finance": lambda: pd.concat([inv.source_table(d.projects, y, sources).assign(period=y) for y in (d.review, d.plan)],
                                         ignore_index=True),
            "per_project": lambda: inv.sector_table(d.projects, d.plan).sort_values("avg_per_project", ascending=False),
            "scale": lambda: inv.portfolio_scale(d.projects, tuple(d.config.portfolios)),
            "checks": lambda: checks_frame(d.checks),
        }

    def results(self) -> dict:
        return inv.results(self.d)

    # --- words and numbers of the page, by code -------------------------------------------------------

    def _row(self, period: int, category: str = "total", measure: str = "investment", portfolio: str = "annual") -> dict:
        return inv.row(self.d.projects, period, category, measure, portfolio)

    def _q(self, period: int, category: str = "total", measure: str = "investment", portfolio: str = "annual",
           bare: bool = False) -> str:
        """One curated number, sourced, with the report's qualifier (about, at least)."""
        return self.say("q", r=self._row(period, category, measure, portfolio), bare=bare)

    def _count(self, period: int, category: str = "total", portfolio: str = "annual") -> str:
        """A curated number of projects, sourced, bare (the header or sentence says "projects")."""
        return self.say("count", r=self._row(period, category, "count", portfolio))

    def _h(self, key: str, unit: str | None = None, year: int | None = None) -> str:
        """A table header with its year and its unit, escaped."""
        text = W.text(f"page03.header.{key}", self.lang)
        if year is not None:
            text = W.text("page03.with_year", self.lang, text=text, year=year)
        if unit:
            text = W.text("page03.with_unit", self.lang, text=text, unit=vocab.unit(unit, self.lang))
        return html.escape(text)

    def _name(self, code: str | None) -> str:
        return W.text("page03.no_counterpart", self.lang) if code is None else self.names[code]

    def _pair(self, a: str | None, b: str | None) -> str:
        """A crosswalk row's name: one name when both years call the sector the same, else both."""
        if a is None or b is None:
            return self._name(a if b is None else b)
        return self.names[a] if self.names[a] == self.names[b] else f"{self.names[a]} → {self.names[b]}"

    def _source_name(self, code: str) -> str:
        return W.text("page03.header.total", self.lang) if code == "total" else self.d.config.sources[code][self.data_lang]

    def _portfolio(self, code: str) -> str:
        return self.d.config.portfolios[code][self.data_lang]

    def _table(self, head: list[str], rows: list[list[str]], right=()) -> Markup:
        return Markup(rows_table(head, rows, tuple(right)))

    def _figure_label(self, key: str, **fields) -> str:
        return W.text(f"page03.figure.{key}", self.lang, **fields)

    def _year_basis(self, year: int, basis: str) -> str:
        return self._figure_label("year_basis", year=year, basis=self._figure_label(basis))

    # --- findings -------------------------------------------------------------------------------------

    def findings(self) -> Findings:
        """The page's headline findings (five sentences)."""
        items = [self._finding_completed(), self._finding_plan(), self._finding_finance(), self._gap_sentence(),
                 self._finding_scale()]
        return Findings(items, self.lang, heading=True, source=self.say("findings_source", title=self.ed.title[self.data_lang]))

    def _finding_completed(self) -> str:
        d, r = self.d, self.d.review
        top = inv.sector_table(d.projects, r).sort_values("investment", ascending=False).iloc[0]
        return self.say("finding_completed", r=r, portfolio=self._portfolio("annual"), total=self._row(r),
                        rate=self._row(r, measure="completion_rate"), top=self.names[top["category"]],
                        top_row=self._row(r, top["category"]), part=top["investment"], whole=inv.amount(d.projects, r, "total"))

    def _finding_plan(self) -> str:
        d, r, p = self.d, self.d.review, self.d.plan
        implied = inv.source_table(d.projects, r, d.config.source_codes()).set_index("category").at["total", "implied_plan"]
        return self.say("finding_plan", r=r, p=p, plan_row=self._row(p), done=inv.amount(d.projects, r, "total"),
                        plan=inv.amount(d.projects, p, "total"), implied=implied,
                        rate=self._row(r, measure="completion_rate")["value"])

    def _finding_finance(self) -> str:
        d, r, p = self.d, self.d.review, self.d.plan
        sources = d.config.source_codes()
        lead = d.config.headline["source"]
        done = inv.source_table(d.projects, r, sources).set_index("category")
        plan = inv.source_table(d.projects, p, sources).set_index("category")
        return self.say("finding_finance", r=r, p=p, lead=self._source_name(lead), lead_row=self._row(r, lead),
                        lead_done=done.at[lead, "investment"], total_done=inv.amount(d.projects, r, "total"),
                        lead_plan=plan.at[lead, "investment"], total_plan=inv.amount(d.projects, p, "total"),
                        others=[(self._source_name(c), plan.at[c, "investment"]) for c in sources if c != lead])

    def _gap_sentence(self) -> str:
        """The completion rates of the sources against the overall one: the known discrepancy."""
        d, r = self.d, self.d.review
        sources = d.config.source_codes()
        table = inv.source_table(d.projects, r, sources).set_index("category")
        known = [c for c in d.checks if c.kind == "known_discrepancy"]
        return self.say("gap", r=r, total_rate=self._row(r, measure="completion_rate"),
                        rates=[self._row(r, c, "completion_rate") for c in sources], total=table.loc["total"].to_dict(),
                        parts=[(table.at[c, "investment"], table.at[c, "completion_rate"]) for c in sources],
                        by_sources=sum(table.at[c, "implied_plan"] for c in sources),
                        difference=inv.completion_rate_gap(table.reset_index(), sources),
                        status=known[0].status if known else None)

    def _finding_scale(self) -> str:
        d, r, p = self.d, self.d.review, self.d.plan
        annual, *others = d.config.portfolios
        scale = inv.portfolio_scale(d.projects, tuple(d.config.portfolios)).set_index(["portfolio", "period"])
        more = [(self._row(y, measure="count", portfolio=o), self._portfolio(o), self._row(y, measure="total_investment", portfolio=o))
                for o in others for y in [y for (q, y) in scale.index if q == o]]
        return self.say("finding_scale", r=r, p=p, total_r=self._row(r, measure="total_investment"),
                        total_p=self._row(p, measure="total_investment"), scale_r=scale.loc[(annual, r)].to_dict(),
                        scale_p=scale.loc[(annual, p)].to_dict(), others=more)

    # --- 1-2. by sector -------------------------------------------------------------------------------

    def completed_html(self) -> str:
        return self._sectors(review=True)

    def planned_html(self) -> str:
        return self._sectors(review=False)

    def _sectors(self, review: bool) -> str:
        """One year's investment by sector (the review year: completed; the plan year: planned, with
        project counts and the average per project), then a sentence on the largest and smallest."""
        d = self.d
        y = d.review if review else d.plan
        table = inv.sector_table(d.projects, y)
        total = inv.amount(d.projects, y, "total")
        has_count = table["count"].notna().all()
        head = [self._h("sector"), self._h("completed" if review else "planned", self.unit), self._h("share")]
        if has_count:
            head[1:1] = [self._h("count")]
            head.append(self._h("avg", self.unit))
        rows = []
        for t in table.to_dict("records"):
            cells = [zh_spans(self.names[t["category"]], self.lang), self._q(y, t["category"], bare=True), pct(t["share"])]
            if has_count:
                cells[1:1] = [self._count(y, t["category"])]
                cells.append(fmt(t["avg_per_project"], 2))
            rows.append(cells)
        rows.append([self._h("total")] + ([self._count(y)] if has_count else []) + [self._q(y, bare=True), pct(1.0)]
                    + ([fmt(total / self._row(y, measure="count")["value"], 2)] if has_count else []))
        order = table.sort_values("investment", ascending=False).assign(name=lambda t: t["category"].map(self.names))
        top, second, low = (order.iloc[i].to_dict() for i in (0, 1, -1))
        return self.say("sectors", table=self._table(head, rows, right=range(1, len(head))), review=review, y=y,
                        n=len(table), top=top, second=second, low=low, low_row=self._row(y, low["category"]))

    def _sectors_figure(self, review: bool):
        """Bars of one year's investment by sector, largest first."""
        d = self.d
        y = d.review if review else d.plan
        order = inv.sector_table(d.projects, y).sort_values("investment", ascending=False)
        title = self._figure_label("completed_title" if review else "planned_title", year=y, portfolio=self._portfolio("annual"))
        return bars(order["category"].map(self.names), order["investment"],
                    [f"{v:,.0f} ({s:.1%})" for v, s in zip(order["investment"], order["share"], strict=True)],
                    title=title, xlabel=vocab.unit(self.unit, self.lang), color=figures.PALETTE[0 if review else 1])

    def completed_figure(self):
        return self._sectors_figure(review=True)

    def planned_figure(self):
        return self._sectors_figure(review=False)

    # --- 3. the two years compared through the crosswalk -------------------------------------------------

    def crosswalk_html(self) -> str:
        """The crosswalk (both years' sectors and the note on each correspondence), then the
        comparison it allows, then a sentence on the largest changes."""
        d, r, p, names = self.d, self.d.review, self.d.plan, self.names
        frame = d.crosswalk.frame
        pairs = list(zip(frame["sector_from"], frame["sector_to"], strict=True))
        counts = {"r": len(d.crosswalk.sectors(r)), "p": len(d.crosswalk.sectors(p)),
                  "renamed": sum(1 for a, b in pairs if a is not None and b is not None and names[a] != names[b]),
                  "alone": sum(b is None for _, b in pairs), "new": sum(a is None for a, _ in pairs)}
        rows = [[zh_spans(self._name(a), self.lang), zh_spans(self._name(b), self.lang), zh_spans(note, self.lang)]
                for (a, b), note in zip(pairs, frame[f"note_{self.data_lang}"], strict=True)]
        crosswalk = self._table([self._h("sector", year=r), self._h("sector", year=p), self._h("note")], rows)

        compared = inv.compare_sectors(d.projects, d.crosswalk)
        rows = []
        for c in compared.to_dict("records"):
            a, b = c["sector_from"], c["sector_to"]
            rows.append([zh_spans(self._pair(a, b), self.lang),
                         self._q(r, a, bare=True) if a is not None else "—",
                         self._q(p, b, bare=True) if b is not None else "—",
                         "—" if c["change"] != c["change"] else f"{c['change']:+,.0f}", pct(c["change_rate"]),
                         pct(c["share_completed"]), pct(c["share_planned"]),
                         "—" if c["share_change"] != c["share_change"] else f"{100 * c['share_change']:+.1f}"])
        head = [self._h("sector"), self._h("completed", self.unit, r), self._h("planned", self.unit, p), self._h("change", self.unit),
                self._h("change_rate"), self._h("share_completed", year=r), self._h("share_planned", year=p),
                self._h("share_change")]
        comparison = self._table(head, rows, right=range(1, len(head)))
        matched = compared.dropna(subset=["change_rate"])
        up, down = (dict(matched.loc[i].to_dict(), pair=self._pair(matched.at[i, "sector_from"], matched.at[i, "sector_to"]))
                    for i in (matched["change"].idxmax(), matched["change"].idxmin()))
        alone = [(names[a], self._row(r, a)) for a, b in zip(compared["sector_from"], compared["sector_to"], strict=True) if b is None]
        return self.say("crosswalk", r=r, p=p, counts=counts, crosswalk_table=crosswalk, comparison_table=comparison,
                        done=inv.amount(d.projects, r, "total"), plan=inv.amount(d.projects, p, "total"), up=up, down=down,
                        alone=alone, unit=vocab.unit(self.unit, self.lang))

    def compared_figure(self):
        """Paired bars per crosswalk row, the review year's completed against the plan year's planned."""
        r, p = self.d.review, self.d.plan
        compared = inv.compare_sectors(self.d.projects, self.d.crosswalk)
        positions = list(range(len(compared)))[::-1]
        fig, ax = plt.subplots(figsize=(8, 0.6 * len(compared) + 1.5))
        none = self._name(None)
        for column, offset, color, label in (("completed", 0.2, figures.PALETTE[0], self._year_basis(r, "actual_basis")),
                                             ("planned", -0.2, figures.PALETTE[1], self._year_basis(p, "plan_basis"))):
            values = compared[column]
            ax.barh([q + offset for q in positions], values.fillna(0), height=0.4, color=color, label=label)
            for q, v in zip(positions, values, strict=True):
                ax.text(0 if v != v else v, q + offset, f" {v:,.0f}" if v == v else f" {none}", va="center", fontsize=8)
        labels = [self._pair(a, b) for a, b in zip(compared["sector_from"], compared["sector_to"], strict=True)]
        ax.set_yticks(positions, [t.replace(" → ", " →\n") if len(t) > 30 else t for t in labels])
        ax.set_xlim(0, max(compared["completed"].max(), compared["planned"].max()) * 1.2)
        ax.set_xlabel(vocab.unit(self.unit, self.lang))
        ax.set_title(self._figure_label("compared_title", review=r, plan=p))
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower right")
        return fig

    # --- 4. sources of finance ----------------------------------------------------------------------------

    def finance_html(self) -> str:
        """Projects and investment by source of finance for both years, with the completion rates and
        the plans they imply; then the known discrepancy those rates make, as registered."""
        d = self.d
        sources = d.config.source_codes()
        rows = []
        for y in (d.review, d.plan):
            for t in inv.source_table(d.projects, y, sources).to_dict("records"):
                c = t["category"]
                cells = [str(y), zh_spans(self._source_name(c), self.lang), self._count(y, c), self._q(y, c, bare=True),
                         pct(t["share_count"]), pct(t["share_investment"]), fmt(t["avg_per_project"], 2)]
                cells.append("—" if t["completion_rate"] != t["completion_rate"] else self._q(y, c, "completion_rate"))
                cells.append("—" if t["implied_plan"] != t["implied_plan"] else fmt(t["implied_plan"], 1))
                rows.append(cells)
        head = [self._h("year"), self._h("source"), self._h("count"), self._h("investment", self.unit), self._h("share_count"),
                self._h("share_investment"), self._h("avg", self.unit), self._h("completion_rate"), self._h("implied_plan", self.unit)]
        table = self._table(head, rows, right=range(2, len(head)))
        gap = self._gap_sentence()
        known = [c for c in d.checks if c.kind == "known_discrepancy"]
        known_table = self._table([self._h("description"), self._h("status"), self._h("reason")],
                                  [[zh_spans(c.text("description", self.lang), self.lang),
                                    html.escape(W.name("check_status", c.status, self.lang)),
                                    zh_spans(c.text("reason", self.lang), self.lang)] for c in known]) if known else ""
        done = inv.source_table(d.projects, d.review, sources).set_index("category")
        return self.say("finance", table=table, r=d.review, averages=[(self._source_name(c), done.loc[c].to_dict()) for c in sources],
                        gap_sentence=Markup(gap), known_table=known_table)

    def finance_figure(self):
        """Grouped bars per source: the review year's implied plan and completed, the plan year's planned."""
        d, r, p = self.d, self.d.review, self.d.plan
        sources = d.config.source_codes()
        done = inv.source_table(d.projects, r, sources).set_index("category")
        plan = inv.source_table(d.projects, p, sources).set_index("category")
        series = [(self._year_basis(r, "implied_basis"), done["implied_plan"], figures.PALETTE[6]),
                  (self._year_basis(r, "actual_basis"), done["investment"], figures.PALETTE[0]),
                  (self._year_basis(p, "plan_basis"), plan["investment"], figures.PALETTE[1])]
        fig, ax = plt.subplots(figsize=(8, 4.5))
        for i, (label, values, color) in enumerate(series):
            xs = [g + (i - 1) * 0.27 for g in range(len(sources))]
            ys = [values[c] for c in sources]
            ax.bar(xs, ys, width=0.27, color=color, label=label)
            for x, y in zip(xs, ys, strict=True):
                if y == y:
                    ax.text(x, y, f"{y:,.0f}", ha="center", va="bottom", fontsize=8)
        ax.set_xticks(range(len(sources)), [self._source_name(c) for c in sources])
        ax.set_ylabel(vocab.unit(self.unit, self.lang))
        ax.set_title(self._figure_label("finance_title", review=r, plan=p))
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper left")
        return fig

    # --- 5. per project -----------------------------------------------------------------------------------

    def per_project_html(self) -> str:
        """A sentence on the plan year's planned investment per project, overall and by sector."""
        d, p = self.d, self.d.plan
        table = self.data("per_project").assign(name=lambda t: t["category"].map(self.names))
        return self.say("per_project", p=p, count_row=self._row(p, measure="count"), total=inv.amount(d.projects, p, "total"),
                        n=self._row(p, measure="count")["value"], hi=table.iloc[0].to_dict(), lo=table.iloc[-1].to_dict())

    def per_project_figure(self):
        """Bars of the plan year's planned investment per project by sector; the overall average dashed."""
        d, p = self.d, self.d.plan
        table = self.data("per_project")
        overall = inv.amount(d.projects, p, "total") / self._row(p, measure="count")["value"]
        unit = self._figure_label("projects_unit")
        fig = bars(table["category"].map(self.names), table["avg_per_project"],
                   [f"{v:,.2f} ({int(n)} {unit})" for v, n in zip(table["avg_per_project"], table["count"], strict=True)],
                   title=self._figure_label("per_project_title", year=p),
                   xlabel=self._figure_label("per_project_axis", unit=vocab.unit(self.unit, self.lang)), color=figures.PALETTE[3])
        fig.axes[0].axvline(overall, color=figures.PALETTE[6], linestyle="--", linewidth=1)
        return fig

    # --- 6. scale -----------------------------------------------------------------------------------------

    def scale_html(self) -> str:
        """Each portfolio's total investment against the year's investment, with the bounds the
        printed rounding allows."""
        rows = [[zh_spans(self._portfolio(s["portfolio"]), self.lang), str(int(s["period"])),
                 self._count(int(s["period"]), portfolio=s["portfolio"]),
                 self._q(int(s["period"]), measure="total_investment", portfolio=s["portfolio"]),
                 fmt(s["total_investment"]), self._q(int(s["period"])), fmt(s["years_of_work"], 2),
                 f"{s['years_low']:.2f}–{s['years_high']:.2f}"] for s in self.data("scale").to_dict("records")]
        head = [self._h("portfolio"), self._h("year"), self._h("count"), self._h("total_investment"),
                self._h("total_investment", self.unit), self._h("pace"), self._h("years_of_work"), self._h("years_range")]
        return str(self._table(head, rows, right=range(2, len(head))))

    def scale_figure(self):
        """Paired bars per portfolio and year: total investment against the year's investment, with
        the years of work; a year's investment the report flags (provisional …) is hatched and labelled."""
        scale = self.data("scale")
        years_unit = self._figure_label("years_unit")
        fig, ax = plt.subplots(figsize=(8, 4.5))
        xs = range(len(scale))
        ax.bar([x - 0.2 for x in xs], scale["total_investment"], width=0.4, color=figures.PALETTE[0],
               label=W.text("page03.header.total_investment", self.lang))
        drawn = ax.bar([x + 0.2 for x in xs], scale["pace"], width=0.4, color=figures.PALETTE[5],
                       label=W.text("page03.header.pace", self.lang))
        by_id = {r["row_id"]: r for r in self.d.projects.to_dict("records")}
        marks = [self.page.mark(by_id[i]) if i in by_id else "" for i in scale["pace_row_id"]]
        for patch, mark in zip(drawn.patches, marks, strict=True):
            if mark:
                patch.set_hatch("///")
                patch.set_edgecolor("white")
        for x, t, n, q, mark in zip(xs, scale["total_investment"], scale["years_of_work"], scale["pace"], marks, strict=True):
            ax.text(x - 0.2, t, f"{t:,.0f}\n≈ {n:.1f} {years_unit}", ha="center", va="bottom", fontsize=8)
            ax.text(x + 0.2, q, f"{q:,.0f}{mark}", ha="center", va="bottom", fontsize=8)
        ticks = [f"{self._portfolio(s)}\n{y}" for s, y in zip(scale["portfolio"], scale["period"], strict=True)]
        ax.set_xticks(list(xs), ticks, fontsize=8)
        ax.set_ylim(0, scale["total_investment"].max() * 1.2)
        ax.set_ylabel(vocab.unit(self.unit, self.lang))
        ax.set_title(self._figure_label("scale_title"))
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper right")
        return fig

    # --- 7. checks ----------------------------------------------------------------------------------------

    def checks_html(self) -> str:
        """The checks on the major-project numbers: counts by kind and status, then every identity and
        known discrepancy with the figures it uses (sourced)."""
        checks = self.d.checks
        frame = pd.DataFrame([{"kind": c.kind, "status": c.status} for c in checks])
        counts = frame.groupby(["kind", "status"], sort=False).size()
        kinds = [k for k in KINDS if k in set(frame["kind"])]
        rows = [[html.escape(W.name("check_kind", k, self.lang)), html.escape(W.name("check_status", s, self.lang)), f"{n:,}"]
                for k in kinds for (kk, s), n in counts.items() if kk == k]
        counts_table = self._table([self._h("kind"), self._h("status"), self._h("n")], rows, right=(2,))
        detail = [c for c in checks if c.kind in ("identity", "known_discrepancy")]
        rows = [[html.escape(W.name("check_kind", c.kind, self.lang)), zh_spans(c.text("description", self.lang), self.lang),
                 self.say("figures_used", rows=c.extra.get("rows", [])), html.escape(W.name("check_status", c.status, self.lang))]
                for c in detail]
        detail_table = self._table([self._h("kind"), self._h("description"), self._h("figures"), self._h("status")], rows)
        return self.say("checks", counts_table=counts_table, detail_table=detail_table, n=len(checks),
                        passed=sum(c.status == "pass" for c in checks), accepted=sum(c.status == "accepted" for c in checks),
                        register=Markup(html.escape(register_summary(detail, self.lang))))
