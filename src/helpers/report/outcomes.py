"""Page 05 — what happened next. The model (`OutcomesPage`, a registered page of the page protocol)
gathers, per section, the data the prose needs; the words are in `templates/05-outcomes/<lang>.html`
and the catalog; figures are named here, not in the notebook. `page.data(section)` gives the table
behind any section, for exploring.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import matplotlib.pyplot as plt
import pandas as pd

from ..analysis import outcomes as A
from ..checks.engine import checks_frame
from ..data import observations as obs_data
from ..data.edition import Edition
from . import figures
from . import words as W
from .page import Findings, YearInNumbers
from .protocol import PageModel, register


@register
class OutcomesPage(PageModel):
    NAME = "05-outcomes"
    SECTIONS = ("year", "method", "scorecard", "unfound", "fiscal", "projects", "revisions", "sources_table", "checks")
    FIGURES = {"scorecard": "05-scorecard", "fiscal": "05-fiscal"}

    def __init__(self, ed: Edition, lang: str, *, figure_dir=None, figure_format: str = "png"):
        super().__init__(ed, lang, figure_dir=figure_dir, figure_format=figure_format)
        figures.setup()
        self.d = A.prepare(ed)        # runs every check first: a failed check stops here
        self.card = A.scorecard(self.d)
        self.counts = A.counts(self.card)

    # --- data behind each section (no words) ----------------------------------------------------------

    def tables(self) -> dict[str, Callable[[], pd.DataFrame]]:
        """The table behind a section, as analysis computes it (`scorecard`, `unfound`, `fiscal`,
        `projects`, `revisions`, `sources_table`, `checks`; `method` and `year` give the scorecard)."""
        return {
            "year": lambda: self.card.drop(columns=["target_row", "obs"]),
            "method": lambda: self.card.drop(columns=["target_row", "obs"]),
            "scorecard": lambda: self.card.drop(columns=["target_row", "obs"]),
            "unfound": lambda: self.d.unfound,
            "fiscal": lambda: A.fiscal(self.d).drop(columns=["outturn_row", "budget_row", "obs"]),
            "projects": lambda: pd.DataFrame([{k: v for k, v in A.projects(self.d).items() if not isinstance(v, dict)}]),
            "revisions": lambda: A.revisions(self.d).drop(columns=["gazette_row", "obs"]),
            "sources_table": lambda: A.sources(self.d),
            "checks": lambda: checks_frame(self.d.checks),
        }

    def results(self) -> dict:
        return A.results(self.d)

    def year_html(self) -> YearInNumbers:
        return self.year_in_numbers()

    def _name(self, row) -> str:
        return row[f"name_{self.data_lang}"]

    # --- findings -------------------------------------------------------------------------------------

    def findings(self) -> Findings:
        card = self.card.set_index("metric")
        first = card.loc[self.d.config.headline[0]]
        held = self.card[self.card["headline"] & (self.card["verdict"] == "met")]
        items = [
            self.say("finding_counts", c=self.counts, plan=self.d.plan, near=self.d.config.near,
                     missing=[self._name(r) for r in self.card[self.card["headline"] & self.card["outcome"].isna()].to_dict("records")]),
            self.say("finding_headline", row=first, name=self._name(first), later=first["obs"], target=first["target_row"])
            + " " + self.say("finding_misses", misses=[(self._name(r), r) for r in A.largest_misses(self.card, 3).to_dict("records")]),
            self.say("finding_held", held=[(self._name(r), r) for r in held.to_dict("records")]),
            self.say("finding_fiscal", lines=A.fiscal(self.d).to_dict("records"), plan=self.d.plan)
            + " " + self.say("finding_projects", p=A.projects(self.d), plan=self.d.plan),
            self.say("finding_revisions", rows=self._revision_rows(), review=self.d.review),
        ]
        return Findings(items, self.lang, source=self.say("findings_source"))

    def year_in_numbers(self) -> YearInNumbers:
        """For the front page: the headline metric from the review year's result to the plan year's
        outcome, the scorecard's counts, revenue against the budget, and the revisions."""
        metric = self.d.config.headline[0]
        before = [r for r in self.d.facts.rows(metric, self.d.review, "actual") if r["table"] == "indicators"]
        aimed = [r for r in self.d.facts.rows(metric, self.d.review, "plan") if r["table"] == "indicators"]
        card = self.card.set_index("metric")
        first = A.fiscal(self.d).to_dict("records")[0]
        rows = self._revision_rows()
        items = [
            self.say("year_review", name=self._name(card.loc[metric]), result=before[0], target=aimed[0], review=self.d.review) if before and aimed else "",
            self.say("year_plan", name=self._name(card.loc[metric]), row=card.loc[metric], later=card.at[metric, "obs"],
                     target=card.at[metric, "target_row"], plan=self.d.plan),
            self.say("year_targets", c=self.counts, plan=self.d.plan),
            self.say("year_fiscal", r=first, plan=self.d.plan),
            self.say("year_revisions", changed=sum(bool(r["changed"]) for r in rows), n=len(rows), review=self.d.review),
        ]
        return YearInNumbers(items, self.lang)

    # --- 1. the scorecard -----------------------------------------------------------------------------

    def method_html(self) -> str:
        names = self.card.set_index("metric")[f"name_{self.data_lang}"]
        lower = [names[m] for m in self.d.config.lower_is_better if m in names.index]
        return self.say("method", cfg=self.d.config, lower=lower, plan=self.d.plan, review=self.d.review)

    def scorecard_figure(self):
        """outcome − target of every assessed listed target in %, coloured by verdict (the targets the
        counts are about; sub-items and plan-text targets are in the table only); an outcome that is
        an estimate, a proxy or derived is hatched, and the legend says so."""
        rows = self.card[self.card["verdict"].isin(["met", "missed"]) & (self.card["unit"] == "%") & (self.card["scope"] == "listed")]
        rows = rows.assign(favourable=[-g if (q == "at_most" or m in self.d.config.lower_is_better) else g
                                       for g, q, m in zip(rows["gap"], rows["qualifier"], rows["metric"], strict=True)])
        rows = rows.sort_values("favourable", kind="stable")
        fig, ax = plt.subplots(figsize=(8, 0.34 * len(rows) + 1.4))
        soft = {"estimate", "proxy", "derived"}
        for i, r in enumerate(rows.to_dict("records")):
            colour = figures.PALETTE[1] if r["verdict"] == "missed" else figures.PALETTE[0]
            ax.barh(i, r["favourable"], color=colour, hatch="///" if soft & set(r["marks"]) else None, edgecolor="white")
            v = r["favourable"]
            ax.annotate(signed_text(v), (v, i), xytext=(3 if v >= 0 else -3, 0), textcoords="offset points",
                        ha="left" if v >= 0 else "right", va="center", fontsize=8)
        ax.set_yticks(range(len(rows)), [self._name(r) for r in rows.to_dict("records")])
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel(W.text("page05.axis_margin", self.lang))
        ax.set_title(W.text("page05.scorecard_title", self.lang, plan=self.d.plan))
        handles = [plt.Rectangle((0, 0), 1, 1, color=figures.PALETTE[0]), plt.Rectangle((0, 0), 1, 1, color=figures.PALETTE[1]),
                   plt.Rectangle((0, 0), 1, 1, facecolor="#bbbbbb", hatch="///", edgecolor="white")]
        ax.legend(handles=handles, labels=[W.name("verdict", "met", self.lang), W.name("verdict", "missed", self.lang),
                                           W.text("page05.legend_soft", self.lang)], loc="upper left", fontsize=8)
        ax.margins(x=0.15)
        return fig

    def _inputs(self, row) -> list[tuple[str, dict]]:
        """A derived observation's inputs: (name in its formula, the input's row with its source)."""
        if not row or not row.get("inputs"):
            return []
        by_id = self.d.observations.set_index("obs_id")
        return [(name, {**by_id.loc[i].to_dict(), "obs_id": i}) for name, i in obs_data.parse_inputs(row["inputs"]).items()]

    def scorecard_html(self) -> str:
        rows = []
        for r in self.card[self.card["verdict"] != "no_outcome"].to_dict("records"):
            rows.append({"name": self._name(r), "r": r, "target": r["target_row"], "obs": r["obs"], "inputs": self._inputs(r["obs"]),
                         "numeric": bool(pd.notna(r["target"])), "has_gap": bool(pd.notna(r["gap"]))})
        return self.say("scorecard_table", rows=rows, plan=self.d.plan)

    def unfound_html(self) -> str:
        reasons = self.d.unfound.set_index("metric")
        rows = [{"name": self._name(r), "target": r["target_row"], "headline": r["headline"], "scope": r["scope"],
                 "reason": reasons.at[r["metric"], "reason"], "reason_zh": reasons.at[r["metric"], "reason_zh"]}
                for r in self.card[self.card["verdict"] == "no_outcome"].to_dict("records")]
        groups: dict[str, list] = {}
        for row in rows:             # one reason, many targets: the reason is said once
            groups.setdefault(row["reason"], []).append(row)
        return self.say("unfound_table", groups=list(groups.values()), n=len(rows),
                        further=sum(row["scope"] != "listed" for row in rows))

    # --- 2. the fiscal year -----------------------------------------------------------------------------

    def fiscal_figure(self):
        f = A.fiscal(self.d)
        fig, ax = plt.subplots(figsize=(8, 3.8))
        width = 0.26
        wrap = int(W.text("page05.tick_wrap", self.lang))
        names = [textwrap.fill(r[f"name_{self.data_lang}"], wrap) for r in f["outturn_row"]]
        series = [("outturn", self.d.review, figures.PALETTE[6]), ("budget", self.d.plan, figures.PALETTE[4]),
                  ("outcome", self.d.plan, figures.PALETTE[0])]
        for k, (col, year, colour) in enumerate(series):
            xs = [i + (k - 1) * width for i in range(len(f))]
            bars = ax.bar(xs, f[col], width, color=colour, label=W.text(f"fiscal_series.{col}", self.lang, year=year),
                          hatch="///" if col == "outcome" else None, edgecolor="white")
            ax.bar_label(bars, labels=[f"{v:,.0f}" for v in f[col]], fontsize=7, padding=2)
        ax.set_xticks(range(len(f)), names)
        ax.set_ylabel(self.page.unit(f["outturn_row"].iloc[0]["unit"]))
        ax.set_title(W.text("page05.fiscal_title", self.lang, plan=self.d.plan))
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, frameon=False)
        ax.margins(y=0.12)
        return fig

    def fiscal_html(self) -> str:
        return self.say("fiscal_table", lines=[{**r, "name": r["outturn_row"][f"name_{self.data_lang}"]}
                                               for r in A.fiscal(self.d).to_dict("records")],
                        review=self.d.review, plan=self.d.plan)

    # --- 3. the major projects ----------------------------------------------------------------------------

    def projects_html(self) -> str:
        return self.say("projects", p=A.projects(self.d), review=self.d.review, plan=self.d.plan)

    # --- 4. the review year revised -------------------------------------------------------------------------

    def _revision_rows(self) -> list[dict]:
        """Each revision with the name of its gazette row in the page's language."""
        return [{**r, "name": r["gazette_row"][f"name_{self.data_lang}"]} for r in A.revisions(self.d).to_dict("records")]

    def revisions_html(self) -> str:
        return self.say("revisions_table", rows=self._revision_rows(), review=self.d.review)

    # --- 5. sources and checks --------------------------------------------------------------------------------

    def sources_table_html(self) -> str:
        s = A.sources(self.d)
        by_kind = s.groupby("publisher_kind")["rows"].sum().to_dict()
        return self.say("sources_table", sources=s.to_dict("records"), by_kind=by_kind)

    def checks_html(self) -> str:
        obs_checks = [c for c in self.d.checks if c.kind == "observation"]
        return self.say("checks", n=len(obs_checks), passed=sum(c.status == "pass" for c in obs_checks),
                        total=len(self.d.checks))


def signed_text(value: float) -> str:
    from .prose import signed

    return signed(round(value, 2))
