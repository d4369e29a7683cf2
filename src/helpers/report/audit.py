"""Page 00 — the data audit. The model (`AuditPage`) gathers, per section, the data the prose needs
(counts, curated rows, check records) and lays out the tables; the words are in
`templates/00-data-audit/<lang>.html` and the catalog (`catalog/<lang>/00-data-audit.yaml`); the
figures are named here, not in the notebook. `page.data(section)` gives the table behind a section.

Curated numbers are sourced (`num` in the templates); counts the audit derives carry their formula
(`derived`). Text that comes from data in Chinese (a quote, a heading, a term an English reason
keeps in the original) is wrapped in an element with `lang="zh"` on a page in another language.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Callable, Mapping

import pandas as pd
from markupsafe import Markup

from ..analysis import audit as A
from ..checks.discrepancies import by_nature
from ..checks.engine import checks_frame
from ..data import provenance, vocab
from ..data.edition import Edition
from . import figures
from . import words as W
from .nb import fmt
from .page import CJK, Findings, rows_table, zh_spans
from .protocol import PageModel, register

__all__ = ["AuditPage", "number_style", "shorten"]

# The check statuses' colours in the checks figure.
STATUS_COLOURS = {"pass": "#2c8c6e", "accepted": "#f79646", "fail": "#c0504d"}


def number_style(row: Mapping) -> str:
    """How a curated number reads besides its value: "index" for an index (previous year = 100),
    "unnamed" for a unit in Chinese the shared vocabulary has no entry for (a page in another
    language shows it as printed, after the sourced number), "" otherwise."""
    unit = str(row["unit"])
    if unit == "index":
        return "index"
    return "unnamed" if unit not in vocab.vocabulary("units") and CJK.search(unit) else ""


def shorten(name: str, width: int) -> str:
    """A tick label of at most `width` characters: Chinese is cut by character, other text by word
    (the script of the name decides, not the page's language).

    >>> shorten("Review of the year", 12)
    'Review of…'
    """
    if CJK.search(name):
        return name if len(name) <= width else name[:width - 1] + "…"
    return textwrap.shorten(name, width, placeholder="…")


@register
class AuditPage(PageModel):
    """What was curated, what was checked, where the reports agree, where the numbers come from."""

    NAME = "00-data-audit"
    SECTIONS = ("curation", "checks", "known", "agreement", "coverage")
    FIGURES = {"checks": "00-checks-by-kind", "sections": "00-numbers-by-section"}

    def __init__(self, ed: Edition, lang: str, *, audit: A.Audit | None = None, **out):
        """`audit`: the audit to show instead of the edition's (a test's altered checks)."""
        super().__init__(ed, lang, **out)
        self.audit = A.run(ed) if audit is None else audit

    # --- data behind each section (no words) ----------------------------------------------------------

    def tables(self) -> dict[str, Callable[[], pd.DataFrame]]:
        """The table behind a section: `curation` (rows per table and report), `checks` (by kind and
        status), `known` (the register's entries), `agreement` (every statement of a metric stated in
        several reports), `coverage` (number tokens by section; empty when no coverage check ran)."""
        a = self.audit
        return {
            "curation": lambda: self._coverage(),
            "checks": lambda: A.check_summary(a.checks),
            "known": lambda: checks_frame(A.known_discrepancies(a.checks)).assign(
                nature=[c.extra.get("nature", "discrepancy") for c in A.known_discrepancies(a.checks)]),
            "agreement": lambda: A.cross_document(a.facts, a.checks),
            "coverage": lambda: A.number_coverage(a)[0] if A.coverage_available(a.checks) else pd.DataFrame(),
        }

    def results(self) -> dict:
        return A.results(self.audit)

    def _coverage(self) -> pd.DataFrame:
        """Rows per table and report, with each table's title in the page's language from the
        descriptor (`x_title_<lang>`; the Table Schema's `title` otherwise)."""
        cov = A.coverage(self.audit.tables, self.audit.checks)
        titles = {}
        for name in cov["table"].unique():
            resource = self.ed.resource(name)
            titles[name] = resource.get(f"x_title_{self.data_lang}") or resource.get("title") or name.replace("_", " ")
        return cov.assign(title=cov["table"].map(titles))

    # --- words of the page, by code -------------------------------------------------------------------

    def _header(self, *keys: str) -> list[str]:
        return [html.escape(W.text(f"page00.header.{k}", self.lang)) for k in keys]

    def _document(self, code: str) -> str:
        return vocab.name("documents", code, self.lang)

    def _mixed(self, text) -> str:
        """Text from data, escaped; Chinese in lang="zh" on a page in another language; — when empty."""
        return "—" if text is None or text == "" else zh_spans(str(text), self.lang)

    def _number(self, row: Mapping) -> str:
        return self.say("number", row=row, style=number_style(row))

    # --- the sentences (shared by the findings and the sections) --------------------------------------

    def _curation(self) -> dict:
        cov = A.coverage(self.audit.tables, self.audit.checks)
        return {"tables": len(self.audit.tables), "rows": int(cov["rows"].sum()), "numbers": int(cov["numbers"].sum()),
                "verified": int(cov["verified"].sum())}

    def _checks(self) -> dict:
        summary = A.check_summary(self.audit.checks)
        return {"total": len(self.audit.checks), "counts": {s: int(summary[s].sum()) for s in A.STATUSES},
                "kinds": list(summary["kind"])}

    def _agreement(self, examples: int | None) -> dict:
        agreement = A.cross_document(self.audit.facts, self.audit.checks)
        s = A.agreement_summary(agreement)
        shown = [{"name": a[f"name_{self.data_lang}"], "a": a, "b": b, "a_style": number_style(a), "b_style": number_style(b),
                  "a_document": self._document(a["document"]), "b_document": self._document(b["document"]),
                  "converted": a["canonical_value"], "digits": 2 if abs(a["canonical_value"]) < 1000 else 0}
                 for a, b in A.conversion_examples(agreement)[:examples]]
        return {"metrics": s["metrics"], "disagreements": s["disagreements"], "examples": shown}

    def _known(self) -> dict:
        """What the register holds, by nature: only entries of nature `discrepancy` are called gaps of
        the document; partial lists, conventions and figures that cannot be recomputed are named as such."""
        groups = by_nature(self.audit.checks)
        phrases = W.names("page00.convention", self.lang)
        topics = dict.fromkeys(c.extra.get("topic") for c in groups["convention"])
        return {"counts": {nature: len(entries) for nature, entries in groups.items()},
                "names": {nature: vocab.name("natures", nature, self.lang) for nature in groups},
                "phrases": [phrases[t] for t in topics if t in phrases]}

    def _coverage_counts(self, by_section: pd.DataFrame) -> dict:
        counts = {o: int(by_section[o].sum()) for o in A.TOKEN_OUTCOMES}
        return {"counts": counts, "total": sum(counts.values())}

    # --- findings -------------------------------------------------------------------------------------

    def findings(self) -> Findings:
        """The page's headline findings: 4 sentences (5 when the coverage check ran)."""
        items = [self.say("curation", **self._curation()), self.say("checks", **self._checks()),
                 self.say("agreement", **self._agreement(examples=1)), self.say("known", **self._known())]
        if A.coverage_available(self.audit.checks):
            items.append(self.say("coverage", **self._coverage_counts(A.number_coverage(self.audit)[0])))
        return Findings(items, self.lang, heading=True, source=self.say("findings_source", title=self.ed.title[self.data_lang]))

    # --- sections -------------------------------------------------------------------------------------

    def curation_html(self) -> str:
        """Rows of each curated table by report: rows, numbers, verified rows and their share."""
        rows = [[zh_spans(r["title"], self.lang), html.escape(self._document(r["document"])), f"{r['rows']:,}",
                 f"{r['numbers']:,}", f"{r['verified']:,}", f"{r['verified_share']:.0%}"]
                for r in self._coverage().to_dict("records")]
        table = rows_table(self._header("table", "document", "rows", "numbers", "verified", "verified_share"), rows,
                           right=(2, 3, 4, 5))
        return self.say("curation_section", table=Markup(table), c=self._curation())

    def checks_html(self) -> str:
        """Checks by kind and status, then the failed checks (or a sentence saying none failed)."""
        summary = A.check_summary(self.audit.checks)
        rows = [[html.escape(W.name("check_kind", r["kind"], self.lang))] + [f"{r[s]:,}" for s in A.STATUSES]
                + [f"{r['total']:,}"] for r in summary.to_dict("records")]
        head = (self._header("kind") + [html.escape(W.name("check_status", s, self.lang)) for s in A.STATUSES]
                + self._header("total"))
        failed = [[html.escape(W.name("check_kind", c.kind, self.lang)), zh_spans(c.text("description", self.lang), self.lang),
                   self._mixed(c.expected), self._mixed(c.actual), self._mixed(c.text("reason", self.lang))]
                  for c in A.failed(self.audit.checks)]
        failed_table = rows_table(self._header("kind", "description", "expected", "actual", "reason"), failed) if failed else ""
        return self.say("checks_section", table=Markup(rows_table(head, rows, right=(1, 2, 3, 4))), c=self._checks(),
                        failed=Markup(failed_table))

    def known_html(self) -> str:
        """The registered known discrepancies: what is compared, its nature, the curated figures it
        uses (sourced), the gap, its status and the reason, all in the page's language."""
        rows = []
        for c in A.known_discrepancies(self.audit.checks):
            used = self.say("figures_used", rows=[(r, number_style(r)) for r in c.extra.get("rows", [])])
            gap = "—" if c.actual is None else self.page.derived(fmt(float(c.actual), 1), c.text("description", self.lang))
            rows.append([zh_spans(c.text("description", self.lang), self.lang),
                         html.escape(vocab.name("natures", c.extra.get("nature", "discrepancy"), self.lang)), used, gap,
                         html.escape(W.name("check_status", c.status, self.lang)), zh_spans(c.text("reason", self.lang), self.lang)])
        table = rows_table(self._header("description", "nature", "figures", "gap", "status", "reason"), rows, right=(3,))
        return self.say("known_section", table=Markup(table), c=self._known())

    def agreement_html(self) -> str:
        """Every metric stated in more than one report, its statements side by side (each sourced) and
        the verdict; then the sentence with every unit conversion the comparison needed."""
        # Grouped over plain records (a pandas groupby with a frame per group costs a third of the page).
        groups: dict[tuple, list[dict]] = {}
        for r in self.data("agreement").to_dict("records"):
            groups.setdefault((r["metric"], r["period"], r["basis"], r["verdict"]), []).append(r)
        rows = []
        for key in sorted(groups):
            _, period, basis, verdict = key
            part = groups[key]
            statements = self.say("statements", parts=[(self._document(r["document"]), r, number_style(r)) for r in part])
            rows.append([zh_spans(part[0][f"name_{self.data_lang}"], self.lang), str(int(period)),
                         html.escape(W.name("basis", basis, self.lang)), statements,
                         html.escape(W.name("check_status", verdict, self.lang))])
        table = rows_table(self._header("metric", "period", "basis", "statements", "verdict"), rows)
        return self.say("agreement_section", table=Markup(table), c=self._agreement(examples=None))

    def coverage_html(self) -> str:
        """The `coverage` check kind: number tokens by report and section (curated, excluded, not
        accounted for) and the exclusions by reason with examples; when the checks engine has no such
        kind, a sentence saying so."""
        if not A.coverage_available(self.audit.checks):
            return self.say("coverage_missing")
        by_section, reasons = A.number_coverage(self.audit)
        rows = [[html.escape(self._document(r["document"])), zh_spans(r[f"name_{self.data_lang}"], self.lang)]
                + [f"{r[o]:,}" for o in A.TOKEN_OUTCOMES] + [f"{r['tokens']:,}"] for r in by_section.to_dict("records")]
        head = (self._header("document", "section") + [html.escape(W.name("outcome", o, self.lang)) for o in A.TOKEN_OUTCOMES]
                + self._header("total"))
        lines = provenance.raw_lines(self.ed)

        def context(line, start, token):
            text = lines[line - 1]
            return Markup(html.escape(text[max(0, start - 8):start + len(token) + 8].strip())), line

        by_reason = [[html.escape(vocab.name("exclusion_reasons", r["reason"], self.lang)), f"{r['tokens']:,}",
                      self.say("token_examples", items=[context(*e) for e in r["examples"]])]
                     for r in reasons.to_dict("records")]
        return self.say("coverage_section", sections=Markup(rows_table(head, rows, right=tuple(range(2, len(head))))),
                        c=self._coverage_counts(by_section),
                        reasons=Markup(rows_table(self._header("reason", "tokens", "examples"), by_reason, right=(1,))))

    # --- figures --------------------------------------------------------------------------------------

    def sections_figure(self):
        """Curated numbers by report and section (bars coloured by report)."""
        import matplotlib.pyplot as plt
        from matplotlib.patches import Patch

        table = A.numbers_by_section(self.audit.facts, self.ed)
        documents = list(self.ed.documents)
        width = int(W.text("page00.figure.label_width", self.lang))
        labels = [shorten(n, width) for n in table[f"name_{self.data_lang}"]]
        colors = [figures.PALETTE[documents.index(d) % len(figures.PALETTE)] for d in table["document"]]
        fig, ax = plt.subplots(figsize=(8, 0.42 * len(table) + 1.5))
        positions = list(range(len(table)))[::-1]
        ax.barh(positions, table["numbers"], color=colors)
        for y, n in zip(positions, table["numbers"], strict=True):
            ax.text(n, y, f" {n}", va="center", fontsize=8)
        ax.set_yticks(positions, labels)
        ax.set_xlim(0, table["numbers"].max() * 1.15)
        ax.set_xlabel(W.text("page00.figure.curated_numbers", self.lang))
        ax.set_title(W.text("page00.figure.sections_title", self.lang))
        ax.grid(axis="y", visible=False)
        handles = [Patch(color=figures.PALETTE[i % len(figures.PALETTE)], label=self._document(d))
                   for i, d in enumerate(documents) if d in set(table["document"])]
        ax.legend(handles=handles, loc="lower right", fontsize=8)
        return fig

    def checks_figure(self):
        """Checks by kind, stacked by status and annotated with the counts."""
        import matplotlib.pyplot as plt

        summary = A.check_summary(self.audit.checks).iloc[::-1].reset_index(drop=True)
        fig, ax = plt.subplots(figsize=(8, 0.5 * len(summary) + 1.5))
        labels = [W.name("check_kind", k, self.lang) for k in summary["kind"]]
        left = pd.Series(0, index=summary.index)
        for status in A.STATUSES:
            shown = summary[status] > 0
            ax.barh(summary.index[shown], summary.loc[shown, status], left=left[shown],
                    color=STATUS_COLOURS[status], label=W.name("check_status", status, self.lang))
            left = left + summary[status]
        join = W.text("page00.figure.count_join", self.lang)
        for y, r in summary.iterrows():   # the counts, since provenance checks dwarf the others
            parts = [f"{int(r[s])} {W.name('check_status', s, self.lang)}" for s in A.STATUSES if r[s]]
            ax.text(left[y] + left.max() * 0.01, y, join.join(parts), va="center", fontsize=8)
        ax.set_xlim(0, left.max() * 1.45)
        ax.set_xlabel(W.text("page00.figure.checks", self.lang))
        ax.set_title(W.text("page00.figure.checks_title", self.lang))
        ax.grid(axis="y", visible=False)
        ax.set_yticks(range(len(labels)), labels)
        ax.legend(loc="lower right", fontsize=8)
        return fig
