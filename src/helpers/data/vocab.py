"""Vocabulary shared by every edition (levels, budgets, documents, units, topics …), defined once in
`data/vocab/<name>.csv` (code, name_<lang> for every language) and referenced by every edition.
The languages are data too: `data/vocab/languages.csv` (code, names, autonym — the language's name
in itself, for a link to its page — script, ISO 15924, and names_from: the language whose names of
the data (vocabulary, curated names) a page in this language shows until they are translated). `LANGS` is read from it when first used.

    >>> name("budgets", "fund", "en")
    'government fund budget'
    >>> name("units", "亿元", "en")
    'CNY 100 million'
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from functools import cache

from ..errors import DataError, SchemaError
from . import paths


def _rows(kind: str) -> list[dict[str, str]]:
    path = paths.VOCAB_DIR / f"{kind}.csv"
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    except FileNotFoundError:
        if not paths.VOCAB_DIR.is_dir():     # not a wrong name: the project's data is not where it should be
            raise DataError(f"no shared vocabulary at {paths.VOCAB_DIR}: helpers reads data/ from its source "
                            f"checkout or, installed, from the package data helpers/_project/data (reinstall "
                            f"the package, or run from the project folder)") from None
        raise SchemaError(path, f"unknown vocabulary {kind!r}; expected data/vocab/{kind}.csv") from None


@cache
def languages() -> dict[str, dict[str, str]]:
    """code -> its row of data/vocab/languages.csv (names and autonym), in the file's order."""
    path = paths.VOCAB_DIR / "languages.csv"
    out = {}
    for k, row in enumerate(_rows("languages"), start=2):
        if not row.get("code") or not row.get("autonym"):
            raise SchemaError(path, "every language needs a code and an autonym", line=k)
        out[row["code"]] = row
    return out


class _Languages(Sequence):
    """The language codes of data/vocab/languages.csv, read when first used (not at import)."""

    def _codes(self) -> tuple[str, ...]:
        return tuple(languages())

    def __getitem__(self, i):
        return self._codes()[i]

    def __len__(self) -> int:
        return len(self._codes())

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes())

    def __contains__(self, code) -> bool:
        return code in languages()

    def __repr__(self) -> str:
        return repr(self._codes())


LANGS: Sequence[str] = _Languages()


def data_lang(lang: str) -> str:
    """The language whose names of the data a page in `lang` shows: `lang` itself, or the language its
    `names_from` names (a new language can be published before the data's names are translated).
    Columns of the data named for a language (`name_zh`, `sector_en`, `publisher_en` …) are read for this one."""
    row = languages()[lang]
    source = row.get("names_from") or lang
    if source not in languages() or (languages()[source].get("names_from") or source) != source:
        raise SchemaError(paths.VOCAB_DIR / "languages.csv", f"{lang}: names_from {source!r} must be a language "
                          "whose names are its own")
    return source


def data_langs() -> list[str]:
    """The languages the data carries names in (`name_<lang>` columns): those whose names are their own."""
    return [lang for lang in LANGS if data_lang(lang) == lang]


def writes_han(lang: str) -> bool:
    """Whether a language is written in Chinese characters (its `script` is Hans or Hant): its pages
    need no lang="zh" mark around the gazette's words."""
    return languages()[lang].get("script") in ("Hans", "Hant")


def autonym(lang: str) -> str:
    """A language's name in itself ("中文", "English"): the label of a link to its page."""
    return languages()[lang]["autonym"]


# The unit code of percentage points (units.csv), as the curated tables write it: the unit of a
# difference of two values in % or in a price index (previous year = 100).
POINTS = "百分点"


@cache
def vocabulary(kind: str) -> dict[str, dict[str, str]]:
    """code -> {lang: name} for one vocabulary file, with a name in every language."""
    path = paths.VOCAB_DIR / f"{kind}.csv"
    out = {}
    for k, row in enumerate(_rows(kind), start=2):
        own = sorted({data_lang(lang) for lang in LANGS}, key=list(LANGS).index)
        missing = [f"name_{lang}" for lang in own if not row.get(f"name_{lang}")]
        if not row.get("code") or missing:
            raise SchemaError(path, f"every row needs code and {', '.join(f'name_{lang}' for lang in own)}"
                              + (f" (missing: {', '.join(missing)})" if missing else ""), line=k)
        out[row["code"]] = {lang: row[f"name_{data_lang(lang)}"] for lang in LANGS}
    return out


def name(kind: str, code: str, lang: str) -> str:
    """The name of `code` in `lang`; the code itself when the vocabulary does not list it."""
    if lang not in LANGS:
        raise SchemaError(paths.VOCAB_DIR, f"unknown language {lang!r}; expected one of {tuple(LANGS)}")
    entry = vocabulary(kind).get(code)
    return entry[lang] if entry else code


def unit(code: str, lang: str) -> str:
    """A unit as a reader of `lang` writes it (亿元 → 'CNY 100 million' in English)."""
    return name("units", code, lang)
