"""Finding a fact: every curated number, and every later-published observation, whose name (zh or
en), quote, metric or topic matches a text. A curated number's source is its report, line and
quote; an observation's is its publisher, title, date, locator and address.

    >>> import helpers
    >>> hits = helpers.find("土地")
    >>> bool(len(hits)) and set(hits["document"]) <= {"work_report", "plan_report", "budget_report"}
    True
"""

from __future__ import annotations

import pandas as pd

from . import vocab
from .edition import Edition
from .edition import edition as resolve_edition
from .observations import citation, with_observations

COLUMNS = ["table", "row_id", "metric", "period", "basis", "level", "budget", "item", "topic", "topic_zh", "topic_en",
           "name_zh", "name_en", "value", "unit", "qualifier", "projected", "flag", "kind", "derivation", "publisher_kind",
           "document", "line", "quote", "source"]


def find(text: str, edition: str | Edition | None = None) -> pd.DataFrame:
    """Rows whose Chinese or English name, quote, metric or topic (code or name) contains `text`
    (case-insensitive), each with its source: report, line and verbatim quote for a number of the
    gazette (`kind` gazette); publisher, title, date, locator and address for an observation."""
    ed = resolve_edition(edition)
    frame = with_observations(ed).copy()
    topics = vocab.vocabulary("topics")
    frame["topic_zh"] = [topics.get(t, {}).get("zh", t) if isinstance(t, str) else None for t in frame["topic"]]
    frame["topic_en"] = [topics.get(t, {}).get("en", t) if isinstance(t, str) else None for t in frame["topic"]]
    frame["source"] = [f"{vocab.name('documents', r['document'], 'en')}, line {r['line']}: {r['quote']}" if r["kind"] == "gazette"
                       else citation(r) for r in frame.to_dict("records")]
    needle = str(text).casefold()
    haystack = frame[["name_zh", "name_en", "quote", "metric", "topic", "topic_zh", "topic_en"]].fillna("").astype(str)
    mask = haystack.apply(lambda col: col.str.casefold().str.contains(needle, regex=False)).any(axis=1)
    return frame.loc[mask, COLUMNS].reset_index(drop=True)

