"""The short words of the pages, one catalog per language, key → text: `catalog/<lang>.yaml` (words
shared by the pages) and `catalog/<lang>/<page>.yaml` (a page's own section, e.g. `page01:`), read
as one mapping — a key defined in two files is a CatalogError, so the files cannot disagree.

A key is `section.code` (`check_kind.identity`, `qualifier.at_least`); a text may hold `{}` or
`{name}` placeholders, filled by `text(key, lang, …)`. Every language's catalog has the same keys
with the same placeholders (tests/test_words.py), so that a page never shows a code or a word of
another language, and adding a language is adding a file (its code in `data/vocab/languages.csv`).

    >>> text("check_kind.identity", "en"), text("qualifier.at_least", "zh", "5%")
    ('identity', '5%以上')
    >>> names("mark", "zh")["projected"]
    '预计'
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

from ..data.parsing import read_yaml
from ..data.vocab import LANGS
from ..errors import HelpersError

CATALOG_DIR = Path(__file__).parent / "catalog"


class CatalogError(HelpersError):
    """A missing language, section or key, or a catalog file that is not a mapping of texts."""


def _flatten(tree: dict, path: Path, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, path, f"{full}."))
        elif isinstance(value, str):
            out[full] = value
        else:
            raise CatalogError(f"{path}: {full!r} is {type(value).__name__}; expected a text or a section of texts")
    return out


def catalog_files(lang: str, root: Path | None = None) -> list[Path]:
    """The files of one language's catalog: the shared file first, then the pages' files by name."""
    root = CATALOG_DIR if root is None else root
    return [root / f"{lang}.yaml", *sorted((root / lang).glob("*.yaml"))]


@cache
def catalog(lang: str) -> dict[str, str]:
    """Every key of one language's catalog, flat (`section.code` → text)."""
    if lang not in LANGS:
        raise CatalogError(f"lang={lang!r}: no such language; the languages are {', '.join(LANGS)}")
    out: dict[str, str] = {}
    for path in catalog_files(lang):
        try:
            tree = read_yaml(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CatalogError(f"{path}: missing; every language of data/vocab/languages.csv needs a catalog") from None
        if not isinstance(tree, dict):
            raise CatalogError(f"{path}: expected a mapping of sections")
        for key, value in _flatten(tree, path).items():
            if key in out:
                raise CatalogError(f"{path}: key {key!r} is already defined in another file of the {lang} catalog")
            out[key] = value
    return out


def text(key: str, lang: str, *args, **fields) -> str:
    """The text of `key` in `lang`, its placeholders filled from `args` and `fields` (none: as is)."""
    try:
        found = catalog(lang)[key]
    except KeyError:
        raise CatalogError(f"{CATALOG_DIR / (lang + '.yaml')}: no key {key!r}") from None
    return found.format(*args, **fields) if args or fields else found


def names(section: str, lang: str) -> dict[str, str]:
    """code → text for every key of one section (`names("check_kind", "en")`)."""
    prefix = f"{section}."
    found = {k[len(prefix):]: v for k, v in catalog(lang).items() if k.startswith(prefix) and "." not in k[len(prefix):]}
    if not found:
        raise CatalogError(f"{CATALOG_DIR / (lang + '.yaml')}: no section {section!r}")
    return found


def name(section: str, code: str, lang: str) -> str:
    """The text of one code of a section; an unknown code is a CatalogError, never the code shown."""
    return text(f"{section}.{code}", lang)


def placeholders(template: str) -> list[str]:
    """The placeholder names of a text, in order ('' for a positional `{}`).

    >>> placeholders("{n} 项：{}")
    ['n', '']
    """
    return [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
