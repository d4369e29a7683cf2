"""The plan year's work programme: its quantitative commitments by topic, beside what the review
year achieved, and the multi-year totals and stocks the reports state.

The source is the curated `statements` table (every quantity of the three reports with its topic
and role: `result` of the review year, `target` of the plan year, `cumulative` multi-year total,
`stock` level at a point in time; `threshold`, `range_end` and `scope` describe a commitment without
setting one, `reporting` is about the reports themselves), plus the headline targets of the plan year that other tables
hold (`economy`: the reports' headline targets; `indicators`: the plan report's indicator table).
Every curated row carries its topic (data/vocab/topics.csv); the code knows no edition. Only
numbers verified against the gazette are used (`helpers.verified_facts`).

A **figure** is one quantity: a metric of a year on a basis (`metric`, `period`, `basis`). The same
commitment is often stated in both the work report and the plan report, and a headline target
also in the indicator table: it is one figure with several statements (the cross-document checks
make them agree). A figure shows its first statement (`TABLE_ORDER`, then the edition's order of
reports, then the line); `statements` lists them all, in reading order.

A commitment's **review-year counterpart** is the review year's actual figure of the same metric
in any verified table, in the commitment's unit where one is (the comparison is then made), in
another unit otherwise (shown, not compared).

    >>> rank_of(["b", "a"])("a"), rank_of(["b", "a"])("c")
    (1, 2)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..data import vocab
from ..data.edition import Edition
from ..errors import HelpersError

ROLES = ("target", "result", "stock", "cumulative")
#: Roles of figures that describe a commitment without being one, counted apart and never as
#: commitments: a size threshold of what it covers (settlements of 200 households or more), the upper
#: end of a range whose lower end is the commitment (4–6 centres), the scope of work already under
#: way that the plan continues or speeds up (4 hospitals, 1,346 km of expressway, a project's capacity).
DESCRIBING = ("threshold", "range_end", "scope")
#: The role of figures about the reports themselves (the indicators a plan sets and how they fared,
#: bulletin issues sent to deputies): neither a result nor a commitment.
REPORTING = "reporting"
STATEMENTS = "statements"
#: Tables whose plan-year rows on the plan basis are headline targets of the programme: the reports'
#: headline targets (`economy`) and the plan report's indicator table (`indicators`).
HEADLINE_TABLES = ("economy", "indicators")
#: Which statement of a figure comes first: the statements table, then the headline tables.
TABLE_ORDER = (STATEMENTS, "economy", "indicators")
#: Units whose differences are points (percentage points, index points), not a relative change.
POINT_UNITS = ("%", "index")
FLAGS = ("provisional", "advance_quota")
KEY = ["metric", "period", "basis"]
COLUMNS = ["table", "row_id", "metric", "period", "basis", "role", "topic", "measure", "name_zh", "name_en", "value",
           "unit", "qualifier", "projected", "flag", "count_noun_one", "count_noun", "document", "line", "quote"]


# --- Reading the figures --------------------------------------------------------------------------

def statement_rows(facts_frame: pd.DataFrame, statements: pd.DataFrame) -> pd.DataFrame:
    """The verified rows of `statements` with their role, projected mark and flag (joined by row_id
    from the curated table). HelpersError names any curated row that was not verified."""
    verified = facts_frame[facts_frame["table"] == STATEMENTS]
    missing = sorted(set(statements["row_id"]) - set(verified["row_id"]))
    if missing:
        raise HelpersError(f"{STATEMENTS}: rows not verified against the gazette: {', '.join(missing)}")
    extra = statements[["row_id", "role", "projected", "flag"]]
    rows = verified.drop(columns=[c for c in ("role", "projected", "flag") if c in verified.columns])
    rows = rows.merge(extra, on="row_id", how="left", validate="one_to_one")
    return _tidy(rows)


def headline_rows(facts_frame: pd.DataFrame, plan: int) -> pd.DataFrame:
    """The verified plan-year rows on the plan basis of the headline tables (`HEADLINE_TABLES`), as
    targets, each with the topic its curated row gives."""
    rows = facts_frame[facts_frame["table"].isin(HEADLINE_TABLES) & (facts_frame["period"] == plan)
                       & (facts_frame["basis"] == "plan")].copy()
    rows["role"] = "target"
    return _tidy(rows)


def _tidy(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows.reindex(columns=COLUMNS).copy()
    out["period"] = out["period"].astype(int)
    out["line"] = out["line"].astype(int)
    out["value"] = out["value"].astype(float)
    out["projected"] = out["projected"].fillna(False).astype(bool)
    out["flag"] = out["flag"].astype(object).where(out["flag"].notna(), None)
    for noun in ("count_noun_one", "count_noun"):     # what a counter counts (English): a text or None
        out[noun] = out[noun].astype(object).where(out[noun].notna() & (out[noun] != ""), None)
    return out.reset_index(drop=True)


def rank_of(order: Sequence[str]):
    """A sort key: the position of a value in `order`, values not in it last."""
    position = {v: i for i, v in enumerate(order)}
    return lambda v: position.get(v, len(position))


def ordered(rows: pd.DataFrame, documents: Sequence[str]) -> pd.DataFrame:
    """Statements in the order a figure shows them: table (TABLE_ORDER), report (the edition's
    order), line, row id."""
    table, document = rank_of(TABLE_ORDER), rank_of(documents)
    keys = pd.DataFrame({"t": rows["table"].map(table), "d": rows["document"].map(document), "l": rows["line"],
                         "r": rows["row_id"]}, index=rows.index)
    return rows.loc[keys.sort_values(["t", "d", "l", "r"]).index]


def collapse(rows: pd.DataFrame, documents: Sequence[str]) -> pd.DataFrame:
    """One row per figure (metric, period, basis), in the order of their first statements: the
    first statement's columns (see `ordered`), `statements` (every statement's row as a dict, in
    reading order), `n_statements`, `projected` (any statement states it as a projection) and `flag`
    (the first flag)."""
    if rows.empty:
        return pd.DataFrame(columns=[*COLUMNS, "statements", "n_statements"])
    table, document = rank_of(TABLE_ORDER), rank_of(documents)
    records = sorted(rows.to_dict("records"),
                     key=lambda r: (table(r["table"]), document(r["document"]), r["line"], r["row_id"]))
    groups: dict[tuple, list[dict]] = {}
    for r in records:
        groups.setdefault(tuple(r[k] for k in KEY), []).append(r)
    out = []
    for group in groups.values():
        first = dict(group[0])
        first["statements"] = sorted(group, key=lambda r: (document(r["document"]), r["line"], r["row_id"]))
        first["n_statements"] = len(group)
        first["projected"] = any(bool(r["projected"]) for r in group)
        flags = [r["flag"] for r in group if r["flag"] is not None]
        first["flag"] = flags[0] if flags else None
        out.append(first)
    return pd.DataFrame(out).reset_index(drop=True)


# --- The programme --------------------------------------------------------------------------------

@dataclass
class Programme:
    """Everything notebook 04 analyses, read once: `rows` (every statement the page uses: the
    statements table and the headline targets), `pool` (the review year's actual rows of every
    verified table: the counterparts), the `checks` that concern these numbers and the edition
    (its years and order of reports)."""

    edition: Edition
    rows: pd.DataFrame
    pool: pd.DataFrame
    checks: list = field(repr=False, default_factory=list)
    # Figures derived from rows and pool, made once: the page asks for the commitments a dozen times.
    # Keyed by the frames' identity, so that assigning new rows or a new pool makes them afresh.
    _derived: dict = field(repr=False, default_factory=dict, compare=False)

    def derived(self, name: str, make) -> pd.DataFrame:
        """`make(self)`, computed once per (name, rows, pool); each caller gets its own copy."""
        key = (name, id(self.rows), id(self.pool))
        if key not in self._derived:
            self._derived[key] = make(self)
        return self._derived[key].copy()

    @property
    def review(self) -> int:
        return self.edition.year("review")

    @property
    def plan(self) -> int:
        return self.edition.year("plan")

    @property
    def documents(self) -> list[str]:
        return list(self.edition.documents)


def prepare(ed: Edition) -> Programme:
    """Load, verify and check the numbers of an edition's programme (the years from the edition)."""
    from ..checks.engine import checked
    from ..data.load import load

    checks, verified = checked(ed)          # one reading of the edition's state for both
    facts = verified.frame
    statements = load(STATEMENTS, ed)
    rows = pd.concat([statement_rows(facts, statements), headline_rows(facts, ed.year("plan"))], ignore_index=True)
    # Every table's rows keep their own projected (预计) mark and flag (暂列 …): an estimate stays one.
    pool = facts[(facts["period"] == ed.year("review")) & (facts["basis"] == "actual")].copy()
    pool["role"] = None
    return Programme(ed, rows, _tidy(pool), programme_checks(checks, rows))


def programme_checks(checks: list, rows: pd.DataFrame) -> list:
    """The checks on the numbers the page uses (`helpers.checks.engine.require`, the one gate of
    every page): the schema and provenance of their tables, the agreement between reports of their
    metrics, the identities and discrepancies that read their rows. DataError if none ran or any
    failed."""
    from ..checks.engine import require

    return require(checks, "the programme's numbers", tables=set(rows["table"]), metrics=set(rows["metric"]))


# --- Figures by role ------------------------------------------------------------------------------

def commitments(p: Programme) -> pd.DataFrame:
    """The plan year's targets, one per figure, in topic order (the vocabulary's) then reading
    order, each with its review-year counterpart: `review_row` (dict or None), `review_value`,
    `review_unit`, `comparable` (same or convertible unit; `review_value` is then in the commitment's
    unit), `change` (plan − review, rounded to the printed
    precision) and `change_rate` (change ÷ review, for units other than points)."""
    return p.derived("commitments", _commitments)


def _commitments(p: Programme) -> pd.DataFrame:
    targets = collapse(p.rows[(p.rows["role"] == "target") & (p.rows["period"] == p.plan)], p.documents)
    out = by_topic(targets)
    first = _first_statements(p.pool, p.documents)
    matched = [_counterpart(r, first) for r in out.to_dict("records")]
    out["review_row"] = matched
    out["review_value"] = [math.nan if m is None else m["value"] for m in matched]
    out["review_unit"] = [None if m is None else m["unit"] for m in matched]
    # A counterpart in a convertible unit (1.5万户 against 20,100户) is compared in the commitment's unit.
    converted = [None if m is None else in_unit(m["value"], m["unit"], u) for m, u in zip(matched, out["unit"], strict=True)]
    out["comparable"] = [v is not None for v in converted]
    out["review_value"] = [v if v is not None else r for v, r in zip(converted, out["review_value"], strict=True)]
    changes = [change(r["value"], r["review_value"], r["unit"]) if r["comparable"] else (math.nan, math.nan)
               for r in out.to_dict("records")]
    out["change"] = [c for c, _ in changes]
    out["change_rate"] = [q for _, q in changes]
    return out


def in_unit(value: float, unit: str, target: str) -> float | None:
    """`value` (in `unit`) expressed in `target`, when the two are the same unit or convert into the
    same one by a factor (the unit conversions of the cross-document checks); None otherwise:
    20,100 households are 2.01 (10,000 households), km are no per cent (tests/test_programme.py).

    >>> in_unit(3.0, "%", "%"), in_unit(5.0, "ratio", "%")
    (3.0, None)
    """
    from ..checks.engine import CONVERSIONS

    if unit == target:
        return float(value)

    def linear(u):                       # (canonical unit, factor) for a proportional conversion
        if u in CONVERSIONS and u != "index":
            canonical, convert, _ = CONVERSIONS[u]
            return canonical, convert(1.0)
        return u, 1.0

    (a, fa), (b, fb) = linear(unit), linear(target)
    return round(float(value) * fa / fb, 10) if a == b else None


def counterpart(commitment: dict, pool: pd.DataFrame, documents: Sequence[str]) -> dict | None:
    """The review year's actual figure of the commitment's metric: its first statement in the
    commitment's unit if there is one, else in any unit; None if the review year has none."""
    candidates = pool[pool["metric"] == commitment["metric"]]
    if candidates.empty:
        return None
    same = candidates[candidates["unit"] == commitment["unit"]]
    chosen = ordered(same if not same.empty else candidates, documents)
    return chosen.iloc[0].to_dict()


def _first_statements(pool: pd.DataFrame, documents: Sequence[str]) -> dict[str, list[dict]]:
    """The pool's rows by metric, each metric's rows in reading order (`ordered`): `counterpart` for
    many commitments at once."""
    out: dict[str, list[dict]] = {}
    for r in ordered(pool, documents).to_dict("records"):
        out.setdefault(r["metric"], []).append(r)
    return out


def _counterpart(commitment: dict, first: dict[str, list[dict]]) -> dict | None:
    candidates = first.get(commitment["metric"], [])
    same = [r for r in candidates if r["unit"] == commitment["unit"]]
    return dict((same or candidates)[0]) if candidates else None


def decimals(value: float) -> int:
    """Decimals of a number as printed (up to 6): decimals(1.25) == 2, decimals(839.0) == 0."""
    text = f"{float(value):.6f}".rstrip("0")
    return len(text.split(".")[1])


def change(plan: float, review: float, unit: str) -> tuple[float, float]:
    """(plan − review rounded to the finer of the two printed precisions, that change ÷ review);
    the ratio is NaN for units whose differences are points, or a review value of zero or less.

    >>> change(1000.0, 839.0, "km")
    (161.0, 0.19189511323003575)
    >>> change(5.5, 8.3, "%")
    (-2.8, nan)
    """
    diff = round(plan - review, max(decimals(plan), decimals(review))) + 0.0
    rate = math.nan if unit in POINT_UNITS or not review > 0 else diff / review
    return diff, rate


def achievements(p: Programme) -> pd.DataFrame:
    """The review year's results (role `result`), one per figure, by topic then reading order."""
    return p.derived("achievements", lambda p: by_topic(
        collapse(p.rows[(p.rows["role"] == "result") & (p.rows["period"] == p.review)], p.documents)))


def holdings(p: Programme) -> pd.DataFrame:
    """Multi-year totals and stocks (roles `cumulative` and `stock`, any year), one per figure (a
    figure stated as a stock in one report and as a total in the other takes its first
    statement's role), by topic then reading order."""
    return p.derived("holdings", lambda p: by_topic(
        collapse(p.rows[p.rows["role"].isin(["stock", "cumulative"])], p.documents)))


def describing(p: Programme) -> pd.DataFrame:
    """Figures that describe a plan-year commitment without being one (roles `DESCRIBING`: thresholds,
    range ends, the scope of work under way), one per figure, by topic then reading order."""
    return p.derived("describing", lambda p: by_topic(
        collapse(p.rows[p.rows["role"].isin(DESCRIBING)], p.documents)))


def about_reports(p: Programme) -> pd.DataFrame:
    """Figures about the reports themselves (role `reporting`), one per figure, in reading order."""
    return p.derived("about_reports", lambda p: collapse(p.rows[p.rows["role"] == REPORTING], p.documents))


def later_targets(p: Programme) -> pd.DataFrame:
    """Targets for a year other than the plan year (a five-year plan's end year), one per figure."""
    return by_topic(collapse(p.rows[(p.rows["role"] == "target") & (p.rows["period"] != p.plan)], p.documents))


def by_topic(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by topic in the vocabulary's order, keeping their order within a topic."""
    if frame.empty:
        return frame.reset_index(drop=True)
    rank = rank_of(list(vocab.vocabulary("topics")))
    return frame.assign(_t=frame["topic"].map(rank)).sort_values("_t", kind="stable").drop(columns="_t").reset_index(drop=True)


def shown_figures(p: Programme) -> pd.DataFrame:
    """Every figure of the page: commitments, their review-year counterparts (shown beside them),
    the figures describing commitments, results, figures about the reports, totals and stocks, later
    targets; each curated row once."""
    c = commitments(p)
    counterparts = pd.DataFrame([r for r in c["review_row"] if isinstance(r, dict)])
    if not counterparts.empty:
        counterparts = _tidy(counterparts).assign(statements=None, n_statements=1)
    parts = [c, counterparts, describing(p), achievements(p), about_reports(p), holdings(p), later_targets(p)]
    shown = pd.concat([f[COLUMNS + ["statements", "n_statements"]] for f in parts if not f.empty], ignore_index=True)
    return shown.drop_duplicates(subset=["table", "row_id"], keep="first").reset_index(drop=True)


# --- Counts and comparisons -----------------------------------------------------------------------

def topic_counts(p: Programme) -> pd.DataFrame:
    """Figures by topic (index: topic codes in the vocabulary's order, topics with any figure):
    `target` (plan-year commitments), `result`, `stock`, `cumulative`, `with_counterpart`,
    `comparable`, and the statements behind them (`target_statements`, `result_statements`)."""
    c, a, h = commitments(p), achievements(p), holdings(p)
    topics = [t for t in vocab.vocabulary("topics") if t in set(c["topic"]) | set(a["topic"]) | set(h["topic"])]
    frame = pd.DataFrame(index=pd.Index(topics, name="topic"))

    def count(f, mask=None):
        f = f if mask is None else f[mask]
        return f.groupby("topic").size().reindex(topics, fill_value=0).astype(int)

    frame["target"] = count(c)
    frame["result"] = count(a)
    frame["stock"] = count(h, h["role"] == "stock") if not h.empty else 0
    frame["cumulative"] = count(h, h["role"] == "cumulative") if not h.empty else 0
    frame["with_counterpart"] = count(c, c["review_row"].notna())
    frame["comparable"] = count(c, c["comparable"])
    frame["target_statements"] = c.groupby("topic")["n_statements"].sum().reindex(topics, fill_value=0).astype(int)
    frame["result_statements"] = a.groupby("topic")["n_statements"].sum().reindex(topics, fill_value=0).astype(int)
    return frame


def largest_topics(counts: pd.DataFrame, column: str, n: int = 3) -> pd.Series:
    """The `n` topics with the most figures in `column` (ties in the vocabulary's order)."""
    ranked = counts[column][counts[column] > 0]
    order = sorted(range(len(ranked)), key=lambda i: (-ranked.iloc[i], i))
    return ranked.iloc[order[:n]]


def comparisons(c: pd.DataFrame) -> dict:
    """How the comparable commitments stand against the review year: `higher`, `lower`, `equal`
    (counts); among units other than points, the commitment with the largest relative increase
    (`step_up`) and decrease (`step_down`); among points, `points` (how many), `points_lower`
    (how many below the review year) and the largest fall (`points_down`). Rows are dicts, or
    None where there is none. A commitment stated as a ceiling (qualifier at_most: "within" or
    "below" in the text, such as a CPI rise within 3%) is a limit not to exceed, not a level to reach: it is counted apart
    (`ceilings`, `ceiling_rows`) and in none of the other counts."""
    comp = c[c["comparable"]]
    is_ceiling = comp["qualifier"].eq("at_most") if "qualifier" in comp else pd.Series(False, index=comp.index)
    ceilings, comp = comp[is_ceiling], comp[~is_ceiling]
    levels = comp[comp["change_rate"].notna()]
    points = comp[comp["unit"].isin(POINT_UNITS)]

    def pick(frame, column, largest):
        if frame.empty:
            return None
        i = frame[column].idxmax() if largest else frame[column].idxmin()
        return frame.loc[i].to_dict()

    up = pick(levels[levels["change_rate"] > 0], "change_rate", True)
    down = pick(levels[levels["change_rate"] < 0], "change_rate", False)
    return {"compared": len(comp), "ceilings": len(ceilings), "ceiling_rows": ceilings.to_dict("records"),
            "higher": int((comp["change"] > 0).sum()), "lower": int((comp["change"] < 0).sum()),
            "equal": int((comp["change"] == 0).sum()), "levels": len(levels), "step_up": up, "step_down": down,
            "points": len(points), "points_lower": int((points["change"] < 0).sum()),
            "points_down": pick(points[points["change"] < 0], "change", False)}


def marked(figures: pd.DataFrame) -> dict:
    """Figures marked projected (stated as a projection) and flagged (provisional, advance quota)."""
    return {"projected": int(figures["projected"].sum()), "flagged": int(figures["flag"].notna().sum()),
            **{flag: int((figures["flag"] == flag).sum()) for flag in FLAGS}}


def results(p: Programme) -> dict:
    """The notebook's results JSON: counts of figures by role and topic, with the years of the
    edition in the keys."""
    c, a, h, later = commitments(p), achievements(p), holdings(p), later_targets(p)
    described = describing(p)
    counts = topic_counts(p)
    figures = shown_figures(p)
    r, y = p.review, p.plan
    return {
        f"commitments_{y}": len(c),
        f"commitment_statements_{y}": int(c["n_statements"].sum()),
        f"commitment_topics_{y}": int((counts["target"] > 0).sum()),
        f"commitments_with_review_counterpart_{y}": int(c["review_row"].notna().sum()),
        f"commitments_comparable_{y}": int(c["comparable"].sum()),
        f"describing_commitments_{y}": {role: int((described["role"] == role).sum()) if not described.empty else 0
                                        for role in DESCRIBING},
        f"results_{r}": len(a),
        f"result_statements_{r}": int(a["n_statements"].sum()),
        "about_reports": len(about_reports(p)),
        "stocks": int((h["role"] == "stock").sum()) if not h.empty else 0,
        "cumulative": int((h["role"] == "cumulative").sum()) if not h.empty else 0,
        "later_targets": len(later),
        "by_topic": {t: {role: int(counts.at[t, role]) for role in ROLES} for t in counts.index},
        **marked(figures),
    }
