"""Finding a fact: every curated number whose name (zh or en), quote or topic matches a text.

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
from .load import facts

COLUMNS = ["table", "row_id", "metric", "period", "basis", "level", "budget", "item", "topic", "topic_zh", "topic_en",
           "name_zh", "name_en", "value", "unit", "qualifier", "document", "line", "quote", "source"]


def find(text: str, edition: str | Edition | None = None) -> pd.DataFrame:
    """Rows whose Chinese or English name, quote, metric or topic (code or name) contains `text`
    (case-insensitive), each with its source (report, line, verbatim quote)."""
    ed = resolve_edition(edition)
    frame = facts(ed).copy()
    topics = vocab.vocabulary("topics")
    frame["topic_zh"] = [topics.get(t, {}).get("zh", t) if isinstance(t, str) else None for t in frame["topic"]]
    frame["topic_en"] = [topics.get(t, {}).get("en", t) if isinstance(t, str) else None for t in frame["topic"]]
    frame["source"] = [f"{vocab.name('documents', d, 'en')}, line {n}: {q}" for d, n, q in
                       zip(frame["document"], frame["line"], frame["quote"], strict=True)]
    needle = str(text).casefold()
    haystack = frame[["name_zh", "name_en", "quote", "metric", "topic", "topic_zh", "topic_en"]].fillna("").astype(str)
    mask = haystack.apply(lambda col: col.str.casefold().str.contains(needle, regex=False)).any(axis=1)
    return frame.loc[mask, COLUMNS].reset_index(drop=True)

