"""Page 02 (fiscal balances and government debt) as a registered page model: open it with
`open_page("02-fiscal", edition, lang, level=level)`, then `show(section)`, `show_figure(name)`,
`data(section)`, `show_results()` (see `helpers.report.protocol`).

The computing is `helpers.analysis.fiscal`; the sections are split by subject into `budgets`
(sources and uses, who pays, ratios, the draft, history, social insurance, execution, revisions),
`debt` (debt, districts, the reports' words on risk, bonds, sensitivity, the debt ratio), `spending`
(municipal spending by function, checks), `risk` (the risk summary) and `findings`; `base` holds the
context (facts at the page's level, checks, fiscal.yaml) and how a number is shown.

    >>> import helpers
    >>> page = FiscalPage(helpers.edition(), "en", level="district")
    >>> page.results()["level"], "risk" in page.SECTIONS
    ('district', True)
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import pandas as pd

from ...analysis import fiscal as af
from ...data import load as loader
from ...data.edition import Edition
from ..page import Findings
from ..protocol import PageModel, register
from . import budgets, debt, findings, risk, spending
from .base import NAME, context, results

__all__ = ["FiscalPage"]


@register
class FiscalPage(PageModel):
    """Notebook 02 at one level: city-wide, municipal or district (city-wide − municipal)."""

    NAME = NAME
    YEAR_FINDINGS = (0, 2)     # self-sufficiency and the explicit debt, for the front page
    SECTIONS = ("risk", "sources_uses", "who_pays", "measures", "draft_changes", "history", "social_insurance",
                "debt", "districts", "statements", "bonds", "sensitivity", "debt_ratio", "spending", "execution",
                "revisions", "checks")
    # The section functions, by section name (each takes the page's Context and returns HTML).
    _HTML = {"risk": risk.risk_section, "sources_uses": budgets.sources_uses, "who_pays": budgets.who_pays,
             "measures": budgets.measures_section, "draft_changes": budgets.draft_changes,
             "history": budgets.history_section, "social_insurance": budgets.social_insurance_section,
             "debt": debt.debt_section, "districts": debt.districts_section, "statements": debt.statements_section,
             "bonds": debt.bonds_section, "sensitivity": debt.sensitivity_section, "debt_ratio": debt.debt_ratio_section,
             "spending": spending.spending_section, "execution": budgets.execution_section,
             "revisions": budgets.revisions_section, "checks": spending.checks_section}
    # figure name → file stem ({level}: the page's level; the budgets' figures are per level)
    FIGURES = {"sources_uses": "02-sources-uses-{level}", "financing": "02-financing-{level}", "debt": "02-debt",
               "debt_ratio": "02-debt-ratio", "spending": "02-municipal-spending", "sensitivity": "02-sensitivity-{level}"}
    _FIGURES = {"sources_uses": budgets.sources_uses_figure, "financing": budgets.financing_figure,
                "debt": debt.debt_figure, "debt_ratio": debt.debt_ratio_figure, "spending": spending.spending_figure,
                "sensitivity": debt.sensitivity_figure}

    def __init__(self, ed: Edition, lang: str, *, level: str = "city", figure_dir=None, figure_format: str = "png"):
        super().__init__(ed, lang, figure_dir=figure_dir, figure_format=figure_format)
        self.level = level
        self.ctx = context(ed, lang, level, figure_dir, figure_format, page=self.page)
        self.FIGURES = {name: stem.format(level=level) for name, stem in type(self).FIGURES.items()}

    def figure(self, name: str):
        """Draw and save a figure; a figure the level has none of (a district's budgets) is skipped: None."""
        target = super().figure(name)
        plt.close("all")
        return target

    def findings(self) -> Findings:
        return findings.findings(self.ctx)

    def results(self) -> dict:
        return results(self.ctx)

    def tables(self) -> dict[str, Callable[[], pd.DataFrame]]:
        """The table behind a section, as `analysis.fiscal` computes it (no words, no HTML)."""
        ctx, facts, y0, y1 = self.ctx, self.ctx.facts, self.ctx.y0, self.ctx.y1
        budget_levels = self.level in af.LEVELS
        return {
            "risk": lambda: pd.DataFrame([{k: v for k, v in r.items() if k != "entry"}
                                          for r in af.risk_summary(facts, self.level, ctx.spec, self.results())]),
            "sources_uses": lambda: _concat({(b, y): af.sources_and_uses(facts, self.level, b, y)
                                             for b in af.budgets_at(facts, self.level, y0) for y in (y0, y1)
                                             if budget_levels and af.has_budget(facts, self.level, b, y)}),
            "who_pays": lambda: _concat({(b, y): af.financing(facts, self.level, b, y)
                                         for b in ("general", "fund") for y in (y0, y1) if budget_levels}),
            "measures": lambda: af.measure_table(facts, self.level, af.MEASURE_KEYS, (y0, y1)).drop(columns=["evaluated"]),
            "draft_changes": lambda: af.year_on_year(facts, self.level, y0, y1),
            "history": lambda: af.history(facts, self.level, y0).drop(columns=["value_row", "growth_row"]),
            "social_insurance": lambda: pd.DataFrame([af.social_insurance(facts, y) for y in (y0, y1)
                                                      if facts.has(f"{self.level}_social_insurance_revenue", y)]),
            "debt": lambda: af.debt_summary(facts, y0),
            "districts": lambda: af.district_level(facts, y0, y1)["lines"],
            "statements": lambda: loader.load("risk_statements", self.ed),
            "bonds": lambda: pd.DataFrame([af.bonds_and_debt_path(facts, y0, y1)]),
            "sensitivity": lambda: debt._land_shock(ctx),
            "debt_ratio": lambda: af.debt_ratio_attempts(facts, y0, af.debt_ratio_variants(ctx.spec)).drop(columns=["rows", "note"]),
            "spending": lambda: af.growth_bases(facts, y0, y1),
            "execution": lambda: af.execution(facts, self.level, y0) if budget_levels else pd.DataFrame(),
            "revisions": lambda: pd.DataFrame(budgets.revision_rows(ctx)),
            "checks": lambda: pd.DataFrame([{"id": c.id, "kind": c.kind, "status": c.status, "expected": c.expected,
                                             "actual": c.actual, "nature": c.extra.get("nature")}
                                            for c in af.fiscal_discrepancies(ctx.checks, ctx.spec)]),
        }


def _section(draw):
    def html(self) -> str:
        return draw(self.ctx)
    return html


def _figure(draw):
    def figure(self):
        return draw(self.ctx)
    return figure


# `x_html` and `y_figure`, as the protocol names them, for every section and figure
for _name, _draw in FiscalPage._HTML.items():
    setattr(FiscalPage, f"{_name}_html", _section(_draw))
for _name, _draw in FiscalPage._FIGURES.items():
    setattr(FiscalPage, f"{_name}_figure", _figure(_draw))


def _concat(tables: dict) -> pd.DataFrame:
    """Tables keyed by (budget, period) as one frame with those two columns first."""
    parts = [t.assign(budget=b, period=y) for (b, y), t in tables.items()]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
