"""What was published after the gazette: the plan year's outcomes and the review year's revisions.

An edition's `observations/` folder holds three tables declared in its datapackage.json (role
`observations`): `outcomes` (one later-published figure a row, with how it was obtained), their
`observation_sources` (publisher, kind of publisher, title, date, address) and `outcomes_unfound`
(target metrics for which no outcome was found, and why). They are facts about the gazette's
numbers, kept apart from the curated tables: a curated number is checked against the gazette's
text; an observation against its own source, its inputs and the curated targets it answers.

    >>> import helpers
    >>> obs = observations()
    >>> row = obs.set_index("obs_id").loc["2022.gdp_growth"]
    >>> float(row["value"]), row["publisher_kind"], row["published"]
    (2.6, 'official', '2023-03-17')
    >>> parse_inputs("a=2023.city_general_revenue;g=2023.city_general_revenue_growth")
    {'a': '2023.city_general_revenue', 'g': '2023.city_general_revenue_growth'}
    >>> round(evaluate("a / (1 + g / 100)", {"a": 2441.0, "g": 16.0}), 2)
    2104.31
"""

from __future__ import annotations

import ast
import operator
import re

import pandas as pd

from ..errors import EditionError
from . import load as loader
from .edition import Edition
from .edition import edition as resolve_edition

OUTCOMES, SOURCES, UNFOUND = "outcomes", "observation_sources", "outcomes_unfound"
#: The source id that stands for the edition's own gazette (a derived row's base from the text).
GAZETTE_SOURCE = "gazette"
#: The curated tables whose plan-year rows are the targets of the scorecard (one metric may be stated
#: in several of them); an outcome may also answer a plan-year row of the budget or of the major projects (a planned amount).
TARGET_TABLES = ("indicators", "economy")
OTHER_PLAN_TABLES = ("budget", "major_projects")
SOURCE_COLUMNS = ["publisher_zh", "publisher_en", "publisher_kind", "title", "published", "url"]

_PAIR = re.compile(r"([a-z]+)=([0-9]{4}\.[a-z0-9_.]+)")
_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def has_observations(ed: Edition) -> bool:
    """Whether the edition declares observation tables (an edition may have none yet)."""
    return any(r["name"] == OUTCOMES for r in ed.descriptor["resources"])


def parse_inputs(text: str) -> dict[str, str]:
    """`name=obs_id;name=obs_id` -> {name: obs_id}; a malformed or repeated name is an EditionError."""
    out: dict[str, str] = {}
    for part in str(text).split(";"):
        m = _PAIR.fullmatch(part.strip())
        if not m:
            raise EditionError(f"inputs {text!r}: {part!r} is not 'name=obs_id' (a lower-case name, '=', then an "
                               "observation id: a year, '.', then the metric)")
        if m[1] in out:
            raise EditionError(f"inputs {text!r}: the name {m[1]!r} is given twice")
        out[m[1]] = m[2]
    return out


def evaluate(formula: str, values: dict[str, float]) -> float:
    """The value of an arithmetic formula (+ − × ÷, parentheses, numbers, the names in `values`);
    anything else — a call, an attribute, an unknown name — is an EditionError, never evaluated."""
    try:
        tree = ast.parse(str(formula), mode="eval")
    except SyntaxError:
        raise EditionError(f"formula {formula!r} is not an arithmetic expression") from None

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in values:
                raise EditionError(f"formula {formula!r}: {node.id!r} is not one of its inputs ({', '.join(values) or 'none'})")
            return float(values[node.id])
        raise EditionError(f"formula {formula!r}: only numbers, input names, + - * / and parentheses are allowed")

    try:
        return ev(tree)
    except ZeroDivisionError:
        raise EditionError(f"formula {formula!r} divides by zero with inputs {values}") from None


def half_unit(value: float) -> float:
    """Half a unit of the last decimal the value shows (2104 -> 0.5, -7.9 -> 0.05, 107.28 -> 0.005)."""
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10 ** -decimals


def observations(edition: str | Edition | None = None) -> pd.DataFrame:
    """Every observation of the edition with its source's publisher, kind, title, date and address
    (an empty frame with those columns for an edition without observations)."""
    ed = resolve_edition(edition)
    if not has_observations(ed):
        return pd.DataFrame(columns=["obs_id", "metric", "period", "kind", "value", "unit", "qualifier", "flag", "basis",
                                     "formula", "inputs", "stands_for", "stands_for_zh", "source_id", "locator", "note", *SOURCE_COLUMNS])
    frame = loader.load(OUTCOMES, ed)
    sources = loader.load(SOURCES, ed).set_index("source_id")
    unknown = sorted(set(frame["source_id"]) - set(sources.index))
    if unknown:
        raise EditionError(f"{ed.table_path(OUTCOMES)}: source_id {unknown} not in {ed.table_path(SOURCES)}; "
                           "every observation needs a source row (publisher, kind, title, date, address)")
    return frame.join(sources[SOURCE_COLUMNS], on="source_id")


def unfound(edition: str | Edition | None = None) -> pd.DataFrame:
    ed = resolve_edition(edition)
    return loader.load(UNFOUND, ed) if has_observations(ed) else pd.DataFrame(columns=["metric", "searched", "reason"])


#: What a later-published figure is besides its value (the pages mark each, in this order).
MARKS = ("estimate", "provisional", "proxy", "derived", "secondary")


def observation_marks(row) -> list[str]:
    """The marks of an observation: an estimate (the source says 预计), preliminary (初步核算), a
    proxy, derived from other figures, or found only on a mirror or news site.

    >>> observation_marks({"qualifier": "estimate", "flag": None, "basis": "derived", "publisher_kind": "mirror"})
    ['estimate', 'derived', 'secondary']
    """
    out = []
    if row.get("qualifier") == "estimate":
        out.append("estimate")
    if row.get("flag") == "provisional":
        out.append("provisional")
    if row.get("basis") in ("proxy", "derived"):
        out.append(row["basis"])
    if row.get("publisher_kind") in ("mirror", "news"):
        out.append("secondary")
    return out


def citation(row, lang: str = "en") -> str:
    """`publisher, title (date), locator, url` — how `helpers find` (English) or a page cites an observation."""
    return f"{row[f'publisher_{lang}']}, {row['title']} ({row['published']}), {row['locator']}, {row['url']}"


def target_rows(facts: pd.DataFrame, plan_year: int) -> pd.DataFrame:
    """The plan year's targets among verified facts: plan-basis rows of the indicator table and of
    the economy table (work and plan reports), one metric possibly stated in several places."""
    mask = facts["table"].isin(TARGET_TABLES) & (facts["period"] == plan_year) & (facts["basis"] == "plan")
    return facts[mask]


#: The columns `helpers facts` adds to the curated facts for the observations: what a row is
#: (`kind`: gazette, or outcome / revision / input), how it was obtained, and its source.
PROVENANCE_COLUMNS = ["kind", "derivation", "formula", "inputs", "stands_for", "stands_for_zh", "source_id", *SOURCE_COLUMNS,
                      "locator"]


def with_observations(edition: str | Edition | None = None) -> pd.DataFrame:
    """The curated facts (`kind` gazette) followed by the observations, in one long table with the
    provenance columns: an observation has no quote of the gazette but a publisher, title, date,
    address and locator; its names are those of the curated metric it answers, where there is one."""
    ed = resolve_edition(edition)
    curated = loader.facts(ed).assign(kind="gazette", derivation="reported")
    for col in PROVENANCE_COLUMNS:
        if col not in curated:
            curated[col] = None
    frame = observations(ed)
    if frame.empty:
        return curated[loader.FACT_COLUMNS + PROVENANCE_COLUMNS]
    names = curated.drop_duplicates("metric").set_index("metric")[["name_zh", "name_en", "topic"]]
    rows = frame.rename(columns={"obs_id": "row_id", "basis": "derivation"}).assign(table=OUTCOMES, basis="actual")
    rows = rows.join(names, on="metric")
    rows["projected"] = rows["qualifier"] == "estimate"     # 预计 travels as in the curated rows
    for col in loader.FACT_COLUMNS:
        if col not in rows:
            rows[col] = None
    columns = loader.FACT_COLUMNS + PROVENANCE_COLUMNS
    return pd.concat([curated[columns], rows[columns]], ignore_index=True)
