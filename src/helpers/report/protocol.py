"""One page protocol for every notebook: open a page for an edition, a language and parameters,
then show its sections, figures, sources and results — the same calls on every page.

    page = open_page("05-outcomes", edition=None, lang="en", figure_dir=None)
    page.show("findings")          # any section, by name (PageModel.SECTIONS)
    page.show_figure("scorecard")  # any figure, by name; its file name is the page's (FIGURES)
    page.data("scorecard")         # the table behind a section, for exploring in JupyterLab
    page.show("sources")           # the numbered source list of every number shown so far
    page.show_results()            # the headline results as one JSON object

A page is a subclass of `PageModel` registered with `@register`. Its Python computes: the data each
section needs, with no words and no HTML; its words are `templates/<NAME>/<lang>.html` (one macro per
piece of prose, rendered by `self.say(macro, **data)`) and its short words the catalog
(`catalog/<lang>/<NAME>.yaml`, read with `helpers.report.words`). A section `x` is the method `x_html`,
a figure `y` the method `y_figure` (returning the matplotlib figure; `figure()` saves it under the
page's file name), the table behind a section `data(x)`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import ClassVar

import pandas as pd

from ..data.edition import Edition
from ..data.edition import edition as resolve_edition
from ..errors import ParameterError
from . import figures, nb
from .page import Findings, Page
from .prose import Prose

# The modules that hold the pages, in reading order: importing them registers their classes.
PAGE_MODULES = ("audit", "growth", "fiscal", "investment", "programme", "outcomes")

_PAGES: dict[str, type[PageModel]] = {}


def register(cls: type[PageModel]) -> type[PageModel]:
    """Class decorator: make a page openable by its NAME."""
    if cls.NAME in _PAGES and _PAGES[cls.NAME] is not cls:
        raise ValueError(f"two pages are named {cls.NAME!r}: {_PAGES[cls.NAME].__qualname__} and {cls.__qualname__}")
    _PAGES[cls.NAME] = cls
    return cls


def pages() -> dict[str, type[PageModel]]:
    """NAME → page class, for every page of the project."""
    for module in PAGE_MODULES:
        importlib.import_module(f"{__package__}.{module}")
    return dict(_PAGES)


def open_page(name: str, edition: str | os.PathLike | Edition | None = None, lang: str = "zh", **params) -> PageModel:
    """The page `name` (a notebook's stem, e.g. "01-growth") for an edition (id, folder, Edition or None
    for the latest), a language and the page's parameters — the one way a notebook opens its page.
    The edition is resolved here, once; the page's code takes an `Edition`."""
    known = pages()
    if name not in known:
        raise ParameterError(f"no page {name!r}; pages: {', '.join(known)}")
    nb.validate(lang=lang, **{k: v for k, v in params.items() if k in nb.ALLOWED})
    return known[name](resolve_edition(edition), lang, **params)


class PageModel:
    """What every page is: computation per section, words in templates and the catalog."""

    NAME: ClassVar[str]                     # the notebook's stem: templates/<NAME>/, catalog/<lang>/<NAME>.yaml
    SECTIONS: ClassVar[tuple[str, ...]] = ()
    FIGURES: ClassVar[dict[str, str]] = {}  # figure name → file stem (saved as <stem>.<lang>.<format>)
    # Which headline findings (by position) the front page's "year in numbers" takes from this page.
    YEAR_FINDINGS: ClassVar[tuple[int, ...]] = ()

    def __init__(self, ed: Edition, lang: str, *, figure_dir=None, figure_format: str = "png"):
        nb.validate(lang=lang, figure_format=figure_format)
        self.ed, self.lang = ed, lang
        self.page = Page(lang)
        self.data_lang = self.page.data_lang    # the suffix of the data's name columns (name_zh, sector_en …)
        self.say = Prose(self.NAME, self.page)
        self.out = {"figure_dir": figure_dir, "figure_format": figure_format}

    # --- what a page defines -------------------------------------------------------------------------

    def findings(self) -> Findings:
        raise NotImplementedError(f"{type(self).__qualname__} defines no findings")

    def tables(self) -> dict[str, Callable[[], pd.DataFrame]]:
        """Name -> a function giving the table behind that section (or part of one); each page says which."""
        return {}

    def data(self, name: str) -> pd.DataFrame:
        """The table behind a section, as the analysis computes it (no words, no HTML)."""
        tables = self.tables()
        if name not in tables:
            raise ParameterError(f"{self.NAME}: no data {name!r}; data: {', '.join(tables) or 'none'}")
        return tables[name]()

    def results(self) -> dict:
        raise NotImplementedError(f"{type(self).__qualname__} defines no results")

    # --- the same on every page ----------------------------------------------------------------------

    def section(self, name: str) -> str:
        """A section's HTML in the page's language."""
        if name == "findings":
            found = self.findings()
            found.year = [found.items[i] for i in self.YEAR_FINDINGS if i < len(found.items)]
            return found
        if name == "sources":
            return self.page.sources_html()
        if name not in self.SECTIONS:
            raise ParameterError(f"{self.NAME}: no section {name!r}; sections: findings, {', '.join(self.SECTIONS)}, sources")
        return getattr(self, f"{name}_html")()

    def figure(self, name: str):
        """Draw a figure and save it under the page's file name; returns what `figures.savefig` returns,
        or None when the page has nothing to draw for it (its `x_figure` returned None)."""
        if name not in self.FIGURES:
            raise ParameterError(f"{self.NAME}: no figure {name!r}; figures: {', '.join(self.FIGURES)}")
        fig = getattr(self, f"{name}_figure")()
        if fig is None:
            return None
        return figures.savefig(fig, self.FIGURES[name], lang=self.lang, **self.out)

    def show(self, name: str) -> None:
        """Display a section in the notebook (findings also carry their items as data)."""
        nb.show_html(self.section(name))

    def show_figure(self, name: str) -> None:
        self.figure(name)

    def show_results(self) -> None:
        nb.show_results(self.results())
