"""A page's prose as per-language Jinja templates, apart from the computation.

`templates/<page>/<lang>.html` holds one macro per piece of prose (a finding, a paragraph, a table's
header row). The page model passes data only — rows, numbers, booleans — and the template says it
in its language, through the page's renderings of numbers: `num(row)` for a curated number of the
gazette (source: report, line, quote), `obs(row)` for a later-published figure (source: publisher,
title, date, locator), `amount(value, unit)`, `signed(value)`, `pct(share)`, `word(key)` for a
catalog entry. Autoescaped: text from data is escaped; the renderings return markup.

Adding a language is adding `<lang>.html` next to the others (and its catalog); a page that lacks
one, or a macro that one language lacks, is a CatalogError naming the file.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound
from markupsafe import Markup

from . import words as W
from .nb import fmt
from .page import Page, zh_spans

TEMPLATE_DIR = Path(__file__).parent / "templates"
_CJK = re.compile(r"[\u4e00-\u9fff]")


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.tests["cjk"] = lambda text: bool(_CJK.search(str(text)))     # `{% if title is cjk %}`: a Chinese title
    return env


def signed(value: float, digits: int | None = None) -> str:
    """`+1.2` / `-3.4` (ASCII minus, as the pages print declines); `0` without a sign."""
    text = fmt(abs(value), digits)
    return text if float(value) == 0 else ("+" if value > 0 else "-") + text


def _wrap_last(markup: str, shown: str, wrapped: str) -> str:
    """`markup` with its last `shown` (the visible text, after the hover title) replaced by `wrapped`."""
    head, _, tail = markup.rpartition(shown)
    return head + wrapped + tail


class Prose:
    """The templates of one page in the page's language, bound to that page's number renderings."""

    def __init__(self, name: str, page: Page, **given):
        """`given`: values every macro of the page may use besides its arguments (e.g. the unit the
        page states its amounts in)."""
        self.page = page
        self.path = TEMPLATE_DIR / name / f"{page.lang}.html"
        try:
            template = environment().get_template(f"{name}/{page.lang}.html")
        except TemplateNotFound:
            raise W.CatalogError(f"{self.path}: missing; every language needs the page's templates") from None
        self.module = template.make_module({
            # (a text made by a macro is Markup; page.num escapes the text it is given, as plain text)
            "num": lambda row, text=None: Markup(page.num(row, None if text is None else str(text))),
            "obs": lambda row, text=None: Markup(page.observed(row, text)),
            # a curated number with its qualifier in words ("about 5.5%", "at most 3%"), sourced
            "stated": lambda row: Markup(page.num(row, W.text(f"qualifier.{row['qualifier']}", page.lang,
                                                               html.unescape(page.amount(row["value"], row["unit"]))))),
            # an original Chinese cell (a symbol or words of a table), sourced, marked lang="zh"
            "original": lambda row, text: Markup(_wrap_last(page.num(row, text), html.escape(text), page.zh(text))),
            "amount": lambda value, unit, digits=None: Markup(page.amount(value, unit, digits)),
            # a number the page derives, with its formula (words of the template) as the hover title
            "derived": lambda text, formula: Markup(page.derived(str(text), str(formula))),
            # text from data that may hold Chinese (a check's reason, a name): escaped, and on a page
            # in another language each run of Chinese inside lang="zh"
            "mixed": lambda text: Markup(zh_spans(str(text), page.lang)),
            "fmt": fmt,
            "signed": signed,
            # a change with its unit: "+27 CNY 100 million" / "+27亿元"
            "signed_amount": lambda value, unit: Markup(("+" if value > 0 else "") + page.amount(value, unit)),
            "pct": lambda share, digits=0: f"{fmt(share * 100, digits)}%",
            "word": lambda key, *args: W.text(key, page.lang, *args),
            "lang": page.lang,
            **given,
        })

    def __call__(self, macro: str, **data) -> str:
        try:
            found = getattr(self.module, macro)
        except AttributeError:
            raise W.CatalogError(f"{self.path}: no macro {macro!r}") from None
        return str(found(**data)).strip()
