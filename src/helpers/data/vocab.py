"""Vocabulary shared by every edition (levels, budgets, documents, units, topics …), defined once in
`data/vocab/<name>.csv` (code, name_zh, name_en) and referenced by every edition.

    >>> name("budgets", "fund", "en")
    'government fund budget'
    >>> name("units", "亿元", "en")
    'CNY 100 million'
"""

from __future__ import annotations

import csv
from functools import cache

from ..errors import DataError, SchemaError
from . import paths

LANGS = ("zh", "en")


@cache
def vocabulary(kind: str) -> dict[str, dict[str, str]]:
    """code -> {'zh': …, 'en': …} for one vocabulary file."""
    path = paths.VOCAB_DIR / f"{kind}.csv"
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        if not paths.VOCAB_DIR.is_dir():     # not a wrong name: the project's data is not where it should be
            raise DataError(f"no shared vocabulary at {paths.VOCAB_DIR}: helpers reads data/ from its source "
                            f"checkout or, installed, from the package data helpers/_project/data (reinstall "
                            f"the package, or run from the project folder)") from None
        raise SchemaError(path, f"unknown vocabulary {kind!r}; expected data/vocab/{kind}.csv") from None
    out = {}
    for k, row in enumerate(rows, start=2):
        if not row.get("code") or not row.get("name_zh") or not row.get("name_en"):
            raise SchemaError(path, "every row needs code, name_zh and name_en", line=k)
        out[row["code"]] = {"zh": row["name_zh"], "en": row["name_en"]}
    return out


def name(kind: str, code: str, lang: str) -> str:
    """The name of `code` in `lang`; the code itself when the vocabulary does not list it."""
    if lang not in LANGS:
        raise SchemaError(paths.VOCAB_DIR, f"unknown language {lang!r}; expected one of {LANGS}")
    entry = vocabulary(kind).get(code)
    return entry[lang] if entry else code


def unit(code: str, lang: str) -> str:
    """A unit as a reader of `lang` writes it (亿元 → 'CNY 100 million' in English)."""
    return name("units", code, lang)
