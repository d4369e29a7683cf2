"""Page 04 — the work programme: the plan year's commitments by topic, the review year's results, the
multi-year totals and stocks.

The model (`ProgrammePage`, opened with `helpers.report.protocol.open_page("04-programme", …)`)
computes what each section needs from `helpers.analysis.programme`; its prose is
`templates/04-programme/<lang>.html` and its short words the catalog (`catalog/<lang>/04-programme.yaml`,
section `page04`). Curated numbers go through the page's `num` (a table cell through
`table_html(..., sources=...)`); derived numbers and counts through `derived` with what they count or
their formula. Names come from the data (`name_<lang>`; Chinese inside an English name is wrapped in
`lang="zh"`), topics and units from the shared vocabulary. `page.data(section)` gives the table behind
any section.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Mapping

import matplotlib.pyplot as plt
import pandas as pd
from markupsafe import Markup

from ..analysis import programme as P
from ..checks.engine import KINDS, checks_frame
from ..data import vocab
from ..data.edition import Edition
from . import figures
from . import words as W
from .nb import fmt
from .page import Findings, zh_spans
from .protocol import PageModel, register

# A unit's English name after its multiplier ("10,000 households" → "households"): the word a row's
# count noun replaces.
_MULTIPLIER = re.compile(r"^[\d,.]+\s*(million\s*)?")


@register
class ProgrammePage(PageModel):
    NAME = "04-programme"
    YEAR_FINDINGS = (0,)
    SECTIONS = ("commitments", "achievements", "holdings", "checks")
    FIGURES = {"commitments": "04-commitments-by-topic"}

    def __init__(self, ed: Edition, lang: str, *, figure_dir=None, figure_format: str = "png"):
        super().__init__(ed, lang, figure_dir=figure_dir, figure_format=figure_format)
        self.p = P.prepare(ed)        # verified numbers only; a failed check stops here (a named error)
        # Counters that count without naming what (个, 项, 家 …) and ten thousand of one: their names on
        # this page (the catalog), in English "number" and "10,000", the figure's name saying what.
        self.counters = W.names("page04.counter", lang)
        self.ten_thousands = W.names("page04.ten_thousand", lang)

    # --- the data behind each section (no words) -----------------------------------------------------

    def tables(self) -> dict[str, Callable[[], pd.DataFrame]]:
        """The table behind a section: `findings` (counts by topic), `commitments`, `achievements`,
        `holdings`, `checks`; and the parts of sections: `describing` (figures that describe a
        commitment), `about_reports`, `later_targets`."""
        p = self.p
        return {
            "findings": lambda: P.topic_counts(p),
            "commitments": lambda: P.commitments(p),
            "describing": lambda: P.describing(p),
            "achievements": lambda: P.achievements(p),
            "about_reports": lambda: P.about_reports(p),
            "holdings": lambda: P.holdings(p),
            "later_targets": lambda: P.later_targets(p),
            "checks": lambda: checks_frame(p.checks),
        }

    def results(self) -> dict:
        return P.results(self.p)

    # --- words and numbers -----------------------------------------------------------------------------

    def word(self, key: str, **fields) -> str:
        """A short word of this page (`page04.<key>` in the catalog), its placeholders filled."""
        return W.text(f"page04.{key}", self.lang, **fields)

    def header(self, key: str, year: int | None = None) -> str:
        return self.word(f"header.{key}", **({} if year is None else {"y": year}))

    def topic_name(self, code: str) -> str:
        return vocab.name("topics", code, self.lang)

    def name_html(self, row: Mapping) -> str:
        """A figure's name in the page's language (HTML; Chinese inside an English name in lang="zh")."""
        return zh_spans(row[f"name_{self.data_lang}"], self.lang)

    def quoted(self, row: Mapping) -> Markup:
        return Markup(f"“{self.name_html(row)}”")

    def unit_name(self, unit: str) -> str:
        """A unit as the page's reader writes it: a counter as the catalog says ("number" in English),
        ten thousand of one as "10,000", any other unit by the vocabulary."""
        return self.counters.get(unit) or self.ten_thousands.get(unit) or vocab.unit(unit, self.lang)

    def unit_html(self, row: Mapping) -> str:
        """A table's unit cell: on an English page a counter reads as what its row counts (`count_noun`:
        "hospitals", "10,000 childcare places"), never as the counter's generic word ("firms", "number")."""
        unit, noun = row["unit"], self.page.count_noun(row)
        name = self.unit_name(unit)
        if noun and unit in self.counters:
            return html.escape(noun)
        if noun and unit in self.ten_thousands:
            return html.escape(self.word("ten_thousand_of", unit=name, noun=noun))
        generic = _MULTIPLIER.sub("", name)
        if noun and generic and generic in name:
            name = name.replace(generic, noun)
        return zh_spans(name, self.lang)

    def value_text(self, row: Mapping, unit: bool = False) -> str:
        """A curated number as it reads (plain text), qualified as the catalog says (`at least 1,000`),
        with its unit when asked, and marked when the report states it as a projection or flags it."""
        number = fmt(row["value"])
        if unit:
            name = self.unit_name(row["unit"])
            number = html.unescape(self.say("with_unit", n=number, unit=name, pct=row["unit"] == "%",
                                            counter=row["unit"] in self.counters, multiplied=name[:1].isdigit()))
        return W.text(f"qualifier.{row['qualifier']}", self.lang, number) + self.page.mark(row)

    def sourced(self, row: Mapping, unit: bool = True) -> Markup:
        """A curated number in a sentence: its text, source and hover title."""
        return Markup(self.page.num(row, self.value_text(row, unit)))

    def where_label(self, row: Mapping) -> str:
        label = W.name("document_short", row["document"], self.lang)
        if row.get("table") in W.names("page04.table_suffix", self.lang):
            label += self.word(f"table_suffix.{row['table']}")
        return label

    def stated_in(self, statements: list) -> str:
        """Every statement of a figure as its report's name, each sourced."""
        return self.word("list_sep").join(self.page.num(r, self.where_label(r)) for r in statements)

    def count(self, n: int, key: str, **fields) -> Markup:
        """A count the page derives, with what it counts (`page04.count.<key>`) as its title."""
        return Markup(self.page.derived(f"{n:,}", self.word(f"count.{key}", **fields)))

    def change_html(self, row: Mapping) -> str:
        """The change from the review year's figure to the plan year's target, with its formula; a
        counterpart in another unit reads "different unit"; none: —."""
        review, plan = self.p.review, self.p.plan
        if row["review_row"] is None:
            return "—"
        if not row["comparable"]:
            return html.escape(self.header("different_unit"))
        a, b, d, q = row["value"], row["review_value"], row["change"], row["change_rate"]
        formula = self.word("formula.change", plan=plan, review=review, a=fmt(a), b=fmt(b), d=fmt(d))
        signed = "0" if d == 0 else f"{'+' if d > 0 else ''}{fmt(d)}"
        if row["unit"] in P.POINT_UNITS:
            kind = "pct" if row["unit"] == "%" else "index"
            return self.page.derived(self.word(f"points.{kind}{'_one' if abs(d) == 1 else ''}", n=signed), formula)
        text = signed
        if not math.isnan(q) and d != 0:
            text += self.word("rate_in_brackets", q=f"{q:+.1%}")
            formula += self.word("formula.rate", review=review, d=fmt(d), b=fmt(b), q=f"{q:+.1%}")
        return self.page.derived(text, formula)

    # --- headline findings -----------------------------------------------------------------------------

    def _topics(self, top: pd.Series, what: str, **fields) -> Markup:
        what_text = self.word(f"count.{what}", **fields)
        items = [(self.topic_name(t), self.count(int(n), "topic_item", topic=self.topic_name(t), what=what_text))
                 for t, n in top.items()]
        return Markup(self.say("topics_list", items=items))

    def _pair(self, row: Mapping) -> Markup:
        return Markup(self.say("pair", q=self.quoted(row), before=self.sourced(row["review_row"]), after=self.sourced(row),
                               change=Markup(self.change_html(row)), r=self.p.review, y=self.p.plan))

    def findings(self) -> Findings:
        """The page's headline findings (three to five sentences) as a list, after the source line."""
        p = self.p
        r, y = p.review, p.plan
        c, a, d = P.commitments(p), P.achievements(p), P.describing(p)
        counts, cmp = P.topic_counts(p), P.comparisons(c)
        items = [
            self.say("finding_commitments", y=y, n=self.count(len(c), "commitments", y=y),
                     s=self.count(int(c["n_statements"].sum()), "commitment_statements"),
                     topics=self.count(int((counts["target"] > 0).sum()), "commitment_topics"),
                     top=self._topics(P.largest_topics(counts, "target"), "commitments_for", y=y),
                     m=self.count(len(d), "describing_total"),
                     kinds=[(role, k, Markup(self.page.derived(f"{k:,}", self.word(f"role.{role}"))))
                            for role in P.DESCRIBING if (k := int((d["role"] == role).sum()))]),
            self.say("finding_counterparts", r=r, m=self.count(int(c["review_row"].notna().sum()), "with_counterpart", r=r),
                     k=self.count(cmp["compared"], "same_unit"), hi=self.count(cmp["higher"], "higher", r=r),
                     lo=self.count(cmp["lower"], "lower", r=r), eq=self.count(cmp["equal"], "equal", r=r),
                     ce=self.count(cmp["ceilings"], "ceilings"), n_ceilings=cmp["ceilings"],
                     ceilings=[(self.quoted(row), self.sourced(row)) for row in cmp["ceiling_rows"]]),
        ]
        if cmp["step_up"] is not None or cmp["step_down"] is not None:
            items.append(self.say("finding_steps", n=self.count(cmp["levels"], "levels"),
                                  up=cmp["step_up"] is not None and self._pair(cmp["step_up"]),
                                  down=cmp["step_down"] is not None and self._pair(cmp["step_down"])))
        if cmp["points"]:
            items.append(self.say("finding_points", r=r, n=self.count(cmp["points"], "points"),
                                  k=self.count(cmp["points_lower"], "points_lower", r=r),
                                  down=cmp["points_down"] is not None and self._pair(cmp["points_down"])))
        shown = P.shown_figures(p)
        marks = P.marked(shown)
        examples = shown[shown["projected"]].head(2).to_dict("records")   # shown with their mark, as everywhere
        items.append(self.say(
            "finding_results", r=r, n=self.count(len(a), "results", r=r),
            s=self.count(int(a["n_statements"].sum()), "result_statements"),
            topics=self.count(int((counts["result"] > 0).sum()), "result_topics"),
            top=self._topics(P.largest_topics(counts, "result"), "results_of", r=r),
            about=self.count(len(P.about_reports(p)), "about_reports_finding"),
            total=self.count(len(shown), "shown"), proj=self.count(marks["projected"], "projected"),
            n_proj=marks["projected"], examples=[(self.quoted(e), self.sourced(e)) for e in examples],
            flagged=self.count(marks["flagged"], "flagged"), n_flagged=marks["flagged"]))
        source = self.say("findings_source", title=Markup(zh_spans(p.edition.title[self.data_lang], self.lang)))
        return Findings(items, self.lang, source=source)

    # --- 1. commitments by topic -----------------------------------------------------------------------

    def commitments_figure(self):
        """Horizontal bars of the plan year's commitments by topic, most first, split into those with
        and without a review-year figure of the same metric."""
        p = self.p
        counts = P.topic_counts(p)
        counts = counts[counts["target"] > 0]
        order = sorted(range(len(counts)), key=lambda i: (-counts["target"].iloc[i], i))
        counts = counts.iloc[order]
        positions = list(range(len(counts)))[::-1]
        fig, ax = plt.subplots(figsize=(8, 0.4 * len(counts) + 1.5))
        matched = counts["with_counterpart"].to_numpy()
        alone = (counts["target"] - counts["with_counterpart"]).to_numpy()
        ax.barh(positions, matched, color=figures.PALETTE[0], label=self.word("figure.with_counterpart", r=p.review))
        ax.barh(positions, alone, left=matched, color=figures.PALETTE[4],
                label=self.word("figure.without_counterpart", r=p.review))
        for y, total in zip(positions, counts["target"], strict=True):
            ax.text(total, y, f" {int(total)}", va="center", fontsize=9)
        ax.set_yticks(positions, [self.topic_name(t) for t in counts.index])
        ax.set_xlim(0, counts["target"].max() * 1.15)
        ax.set_xlabel(self.word("figure.xlabel"))
        ax.set_title(self.word("figure.title", y=p.plan))
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower right")
        return fig

    def _commitment_counts(self) -> str:
        """Commitments by topic: figures, statements, with a review-year figure, comparable."""
        counts = P.topic_counts(self.p)
        counts = counts[counts["target"] > 0]
        h = self.header
        return self.page.table_html(pd.DataFrame({
            h("topic"): [self.topic_name(t) for t in counts.index],
            h("commitments"): counts["target"].to_list(),
            h("statements"): counts["target_statements"].to_list(),
            h("with_counterpart"): counts["with_counterpart"].to_list(),
            h("comparable"): counts["comparable"].to_list(),
        }))

    def commitment_table(self, rows: pd.DataFrame) -> str:
        """One topic's commitments: name, target (sourced), unit, the review-year figure (sourced; with
        its unit when it differs), the change (derived) and every statement's report (sourced)."""
        records = rows.to_dict("records")
        h = self.header
        target, actual = h("target_year", self.p.plan), h("actual_year", self.p.review)
        frame = pd.DataFrame({
            h("commitment"): [self.name_html(c) for c in records],
            target: [self.value_text(c) for c in records],
            h("unit"): [self.unit_html(c) for c in records],
            actual: [None if c["review_row"] is None else self.value_text(c["review_row"], unit=not c["comparable"])
                     for c in records],
            h("change"): [self.change_html(c) for c in records],
            h("stated_in"): [self.stated_in(c["statements"]) for c in records],
        })
        return self.page.table_html(frame, sources={target: records, actual: [c["review_row"] for c in records]},
                                    html_columns=(h("commitment"), h("unit"), h("change"), h("stated_in")),
                                    numeric_columns=(target, actual, h("change")))

    def commitments_html(self) -> str:
        """The counts by topic, each topic's commitments under its own heading, then the figures that
        describe a commitment without being one."""
        counts = self._commitment_counts()            # first: the page's sources are numbered in reading order
        topics = [(Markup(html.escape(self.topic_name(topic))), len(rows), Markup(self.commitment_table(rows)))
                  for topic, rows in P.commitments(self.p).groupby("topic", sort=False)]
        d = P.describing(self.p)
        described = None if d.empty else {
            "n": self.count(len(d), "describing"),
            "table": Markup(self.figure_table(d, first="figure", kind=True))}
        return self.say("commitments", counts=Markup(counts), topics=topics, described=described)

    # --- 2. the review year's results ----------------------------------------------------------------

    def figure_table(self, rows: pd.DataFrame, first: str = "result", year: bool = False, kind: bool = False) -> str:
        """Figures: name, (kind), (year), value (sourced, qualified), unit, every statement's report."""
        records = rows.to_dict("records")
        h = self.header
        value = h("value")
        columns = {h(first): [self.name_html(f) for f in records]}
        if kind:
            columns[h("kind")] = [self.word(f"role.{f['role']}") for f in records]
        if year:
            columns[h("year")] = [str(int(f["period"])) for f in records]
        columns[value] = [self.value_text(f) for f in records]
        columns[h("unit")] = [self.unit_html(f) for f in records]
        columns[h("stated_in")] = [self.stated_in(f["statements"]) for f in records]
        return self.page.table_html(pd.DataFrame(columns), sources={value: records},
                                    html_columns=(h(first), h("unit"), h("stated_in")), numeric_columns=(value,))

    def achievements_html(self) -> str:
        """Results by topic (a count table), each topic's results in a collapsed list, then the figures
        about the reports themselves (not results)."""
        p, h = self.p, self.header
        a, counts = P.achievements(p), P.topic_counts(p)
        counts = counts[counts["result"] > 0]
        table = self.page.table_html(pd.DataFrame({h("topic"): [self.topic_name(t) for t in counts.index],
                                                   h("results"): counts["result"].to_list(),
                                                   h("statements"): counts["result_statements"].to_list()}))
        n = self.count(len(a), "results_of", r=p.review)
        topics = [(Markup(html.escape(self.topic_name(topic))), len(rows), Markup(self.figure_table(rows)))
                  for topic, rows in a.groupby("topic", sort=False)]
        about = P.about_reports(p)
        about_part = None if about.empty else {
            "n": self.count(len(about), "about_reports"), "k": len(about), "review": p.review,
            "table": Markup(self.figure_table(about, first="figure", year=True))}
        return self.say("achievements", counts=Markup(table), n=n, topics=topics, about=about_part)

    # --- 3. multi-year totals and stocks -------------------------------------------------------------

    def holdings_html(self) -> str:
        """Stocks and multi-year totals by topic (a count table), the full list collapsed by topic,
        then the targets for years after the plan year."""
        p, h = self.p, self.header
        held, counts = P.holdings(p), P.topic_counts(p)
        counts = counts[(counts["stock"] + counts["cumulative"]) > 0]
        table = self.page.table_html(pd.DataFrame({h("topic"): [self.topic_name(t) for t in counts.index],
                                                   h("stocks"): counts["stock"].to_list(),
                                                   h("cumulative"): counts["cumulative"].to_list()}))
        topics = [(Markup(html.escape(self.topic_name(topic))), len(rows),
                   Markup(self.figure_table(rows, first="figure", year=True, kind=True)))
                  for topic, rows in held.groupby("topic", sort=False)]
        later = P.later_targets(p)
        later_part = None if later.empty else {
            "n": self.count(len(later), "later_targets", y=p.plan), "k": len(later), "y": p.plan,
            "table": Markup(self.figure_table(later, first="figure", year=True))}
        return self.say("holdings", counts=Markup(table), topics=topics, later=later_part)

    # --- checks ----------------------------------------------------------------------------------------

    def checks_html(self) -> str:
        """A sentence on the checks behind the page's numbers, by kind (all passed, or `prepare` would
        have stopped)."""
        checks = self.p.checks
        by_kind = pd.Series([c.kind for c in checks]).value_counts()
        parts = [(W.name("check_kind", k, self.lang),
                  self.count(int(by_kind[k]), "checks_of_kind", kind=W.name("check_kind", k, self.lang)))
                 for k in KINDS if k in by_kind.index]
        return self.say("checks", total=self.count(len(checks), "checks"), parts=parts)
