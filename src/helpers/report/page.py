"""One rendered page in one language: sourced numbers, tables whose cells carry their sources, and
the numbered source list that ends the page.

    >>> page = Page("en")
    >>> row = {"document": "budget_report", "line": 655, "quote": "全市一般公共预算收入2285亿元", "value": 2285.0, "unit": "亿元"}
    >>> page.num(row)
    '<span class="sourced" title="budget report, line 655: 全市一般公共预算收入2285亿元">2,285 CNY 100 million<sup class="src"><a href="#src-1">1</a></sup></span>'
    >>> page.num(row, "2,285") .endswith('<a href="#src-1">1</a></sup></span>')   # same source, same number
    True

Every curated number a page shows goes through `num` (in sentences) or `cell` (in tables): it gets
a hover title with report, line and verbatim quote, and a superscript link to its entry in the
numbered list `sources_html()` prints at the end of the page, so a reader can check it on a touch
screen or on paper. A Chinese quote on an English page sits in an element with `lang="zh"`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

import pandas as pd

from ..data import vocab
from ..data.observations import observation_marks
from ..data.vocab import LANGS
from ..errors import ParameterError
from . import words as W
from .nb import fmt

# A run of Chinese (with the spaces, digits and punctuation between its characters).
# The curated rows' count nouns (count_noun, count_noun_one) are written in English.
COUNT_NOUN_LANG = "en"
CJK = re.compile(r"[\u2e80-\u2fdf\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+(?:[\s\d.,%+\-–—()\uff08\uff09\u3001]*"
                 r"[\u2e80-\u2fdf\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+)*")


def zh_spans(text: str, lang: str) -> str:
    """Escape `text` for HTML; on an English page, wrap each run of Chinese in `<span lang="zh">`.

    >>> zh_spans("debt revenue (地方政府债务收入) differs", "en")
    'debt revenue (<span lang="zh">地方政府债务收入</span>) differs'
    """
    if vocab.writes_han(lang):           # a Chinese page needs no mark on its own script
        return html.escape(text)
    out, last = [], 0
    for m in CJK.finditer(text):
        out.append(html.escape(text[last:m.start()]))
        out.append(f'<span lang="zh">{html.escape(m.group(0))}</span>')
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def rows_table(head: list[str], rows: list[list[str]], right=()) -> str:
    """The one HTML table of every page: header and cells as markup already; the columns whose index
    is in `right` (numbers) are right-aligned, the others left-aligned; no random ids."""
    def align(i: int) -> str:
        return "right" if i in right else "left"

    th = "".join(f'<th style="text-align:{align(i)}">{h}</th>' for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(f'<td style="text-align:{align(i)}">{c}</td>' for i, c in enumerate(r)) + "</tr>"
                   for r in rows)
    return f'<table class="dataframe"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def _is_one(value) -> bool:
    try:
        return float(value) == 1.0
    except (TypeError, ValueError):
        return False


def marks_of(row: Mapping) -> list[str]:
    """The meaning codes of a curated row: `projected` when the report states it as a projection
    (预计), then its flag (provisional, advance_quota), if any.

    >>> marks_of({"projected": True, "flag": None}), marks_of({"projected": "false", "flag": "provisional"})
    (['projected'], ['provisional'])
    """
    out = []
    projected = row.get("projected")
    if projected is True or str(projected).lower() == "true":
        out.append("projected")
    flag = row.get("flag")
    if isinstance(flag, str) and flag:
        out.append(flag)
    return out


class Page:
    def __init__(self, lang: str):
        if lang not in LANGS:
            raise ParameterError(f"lang={lang!r} is not allowed; allowed values: {', '.join(map(repr, LANGS))}")
        self.lang = lang
        self.data_lang = vocab.data_lang(lang)   # read `name_<data_lang>` columns of the data
        self._sources: dict[tuple, int] = {}
        self._rows: list[Mapping] = []

    # --- words ------------------------------------------------------------------------------------

    def unit(self, code: str) -> str:
        return vocab.unit(code, self.lang)

    def amount(self, value: float, unit: str, digits: int | None = None) -> str:
        """`2285亿元` / `2,285 CNY 100 million`; `%` sticks to the number in both languages."""
        number = fmt(value, digits)
        if unit == "%":
            return f"{number}%"
        name = self.unit(unit)
        if "{n}" in name:                       # "CNY {n} trillion": the number goes inside the name
            return name.replace("{n}", number)
        if vocab.vocabulary("units").get(unit) is None:
            name = zh_spans(unit, self.lang)    # no name in the vocabulary: shown as printed
        return W.text("amount.with_unit", self.lang, number=number, unit=name)

    @staticmethod
    def zh(text: str) -> str:
        """Chinese shown on purpose on an English page (a quote, an original name): inside lang="zh"."""
        return f'<span lang="zh">{html.escape(text)}</span>'

    # --- sources ----------------------------------------------------------------------------------

    def source_number(self, row: Mapping) -> int:
        key = (row["document"], int(row["line"]), row["quote"])
        if key not in self._sources:
            self._sources[key] = len(self._sources) + 1
            self._rows.append(row)
        return self._sources[key]

    def where(self, row: Mapping) -> str:
        doc = vocab.name("documents", row["document"], self.lang)
        return W.text("sources.where", self.lang, doc=doc, line=row["line"])

    def mark(self, row: Mapping) -> str:
        """What the report says a number is, besides its value: `（预计）` / ` (estimate)` for a
        projection, `（暂列）` / ` (provisional)`, `（中央提前下达）` / ` (advance quota)`; "" for a plain
        number. From the curated row's `projected` and `flag`, so it travels with the number."""
        words = [W.name("mark", code, self.lang) for code in marks_of(row)]
        if not words:
            return ""
        return W.text("mark_wrap.around", self.lang, W.text("mark_wrap.join", self.lang).join(words))

    def counted(self, row: Mapping, shown: str) -> str:
        """On an English page, a number counted with a Chinese counter (件, 家, 户, 人次 …) names what
        its row counts (`count_noun`: proposals, hospitals, enterprises …) instead of the counter's
        generic English word (patents, firms, households …), which fits only some rows."""
        noun = row.get("count_noun_one") if _is_one(row.get("value")) else row.get("count_noun")
        if self.lang != COUNT_NOUN_LANG or not isinstance(noun, str) or not noun:
            return shown
        generic = re.sub(r"^[\d,.]+\s*(million\s*)?", "", vocab.unit(str(row.get("unit", "")), "en"))
        return shown.replace(generic, html.escape(noun)) if generic and generic in shown else shown

    def count_noun(self, row: Mapping) -> str | None:
        """On an English page, what a row's counter counts (`count_noun`; `count_noun_one` for exactly
        one of a unit without a multiplier, whose English name does not start with a number such as
        "10,000"); None on other pages or where the row names nothing."""
        unit = str(row.get("unit", ""))
        multiplied = unit in vocab.vocabulary("units") and vocab.unit(unit, COUNT_NOUN_LANG)[:1].isdigit()
        noun = row.get("count_noun_one") if _is_one(row.get("value")) and not multiplied else row.get("count_noun")
        return noun if self.lang == COUNT_NOUN_LANG and isinstance(noun, str) and noun else None

    def num(self, row: Mapping, text: str | None = None) -> str:
        """HTML for a curated number: the text shown with its mark (`mark`: an estimate, a provisional
        figure or an advance quota says so wherever it is shown), a hover title (report, line, quote)
        and a superscript link to the page's numbered source list."""
        n = self.source_number(row)
        shown = html.escape(text) if text is not None else self.amount(row["value"], row["unit"])
        shown = self.counted(row, shown)
        mark = self.mark(row)
        if mark and not (text or "").endswith(mark):          # a caller may have put it in its text already
            shown += f'<span class="mark">{html.escape(mark)}</span>'
        title = f"{self.where(row)}: {row['quote']}"
        # data-row: the curated row behind the number (table and row_id), for a reader or a test.
        ident = f"{row.get('table') or ''}:{row.get('row_id') or ''}" if row.get("row_id") else ""
        attr = f' data-row="{html.escape(ident, quote=True)}"' if ident else ""
        return (f'<span class="sourced"{attr} title="{html.escape(title, quote=True)}">{shown}'
                f'<sup class="src"><a href="#src-{n}">{n}</a></sup></span>')

    def num_places(self, rows: Sequence[Mapping], text: str) -> str:
        """One statement the report makes in several places (the same words on two of its lines, e.g.
        of the past year and again of the plan year): the text shown once, every place cited — a
        superscript per source, and a hover title naming each line. One row: `num`."""
        if len(rows) == 1:
            return self.num(rows[0], text)
        numbers = [self.source_number(row) for row in rows]
        title = "; ".join(f"{self.where(row)}: {row['quote']}" for row in rows)
        idents = [f"{row.get('table') or ''}:{row.get('row_id') or ''}" for row in rows if row.get("row_id")]
        attr = f' data-row="{html.escape(idents[0], quote=True)}"' if idents else ""
        attr += f' data-also="{html.escape(" ".join(idents[1:]), quote=True)}"' if idents[1:] else ""
        # one superscript, the numbers apart (two superscripts side by side read as one number: 78)
        links = ",".join(f'<a href="#src-{n}">{n}</a>' for n in numbers)
        return (f'<span class="sourced"{attr} title="{html.escape(title, quote=True)}">{html.escape(text)}'
                f'<sup class="src">{links}</sup></span>')

    def observed(self, row: Mapping, text: str | None = None) -> str:
        """HTML for a figure published after the gazette (`helpers.data.observations`): its marks
        (estimate, preliminary, proxy, derived, secondary source), a hover title citing publisher,
        title, date and locator, and a superscript link to its entry in the page's source list."""
        key = ("observation", row["source_id"], row["locator"])
        if key not in self._sources:
            self._sources[key] = len(self._sources) + 1
            self._rows.append({**row, "_observation": True})
        n = self._sources[key]
        shown = html.escape(text) if text is not None else self.amount(row["value"], row["unit"])
        marks = [W.name("obs_mark", code, self.lang) for code in observation_marks(row)]
        if marks:
            mark = W.text("obs_mark_wrap.around", self.lang, W.text("obs_mark_wrap.join", self.lang).join(marks))
            shown += f'<span class="mark">{html.escape(mark)}</span>'
        title = f"{row[f'publisher_{self.data_lang}']}, {row['title']} ({row['published']}), {row['locator']}"
        ident = f"{row.get('obs_id') or ''}"
        return (f'<span class="observed" data-observation="{html.escape(ident, quote=True)}" title="{html.escape(title, quote=True)}">'
                f'{shown}<sup class="src"><a href="#src-{n}">{n}</a></sup></span>')

    def derived(self, text: str, formula: str) -> str:
        """HTML for a derived number: the text shown with its formula and inputs as a title."""
        return f'<span class="derived" title="{html.escape(formula, quote=True)}">{html.escape(text)}</span>'

    def sources_html(self) -> str:
        """The numbered list of every source the page cited, in order of first citation."""
        items = []
        for n, row in enumerate(self._rows, start=1):
            if row.get("_observation"):
                items.append(f'<li id="src-{n}">{self._observation_source(row)}</li>')
                continue
            quote = html.escape(row["quote"]).replace("\t", " ")
            items.append(f'<li id="src-{n}">{html.escape(self.where(row))}: <q lang="zh">{quote}</q></li>')
        heading = W.text("sources.heading", self.lang)
        note = W.text("sources.note", self.lang)
        if any(row.get("_observation") for row in self._rows):
            note += " " + W.text("sources.later_note", self.lang)
        return f'<h2 id="sources">{heading}</h2><p>{note}</p><ol class="sources">{"".join(items)}</ol>'

    def _observation_source(self, row: Mapping) -> str:
        """A later publication in the source list: publisher, title, date, locator, kind, address."""
        kind = W.name("publisher_kind", row["publisher_kind"], self.lang)
        url = html.escape(row["url"], quote=True)
        return (f'{zh_spans(row[f"publisher_{self.data_lang}"], self.lang)}, <cite lang="zh">{html.escape(row["title"])}</cite> '
                f'({html.escape(str(row["published"]))}), {zh_spans(row["locator"], self.lang)} — {html.escape(kind)}: '
                f'<a href="{url}">{url}</a>')

    # --- tables -----------------------------------------------------------------------------------

    def table_html(self, frame: pd.DataFrame, sources: Mapping[str, list] | None = None,
                   floatfmt: str = "{:,.1f}", html_columns: tuple = (), numeric_columns: tuple = ()) -> str:
        """A deterministic HTML table: text left-aligned, numbers right-aligned; `sources` maps a
        column to one curated row (or None) per table row, so that cell shows its source;
        `html_columns` hold ready HTML (escaped by their builder); `numeric_columns` are right-aligned
        even when they hold formatted text."""
        sources = sources or {}
        right = [i for i, c in enumerate(frame.columns) if c in numeric_columns or self._align(frame[c]) == "right"]
        body = []
        for i in range(len(frame)):
            cells = []
            for c in frame.columns:
                value = frame[c].iloc[i]
                text = self._cell_text(value, floatfmt)
                row = sources.get(c, [None] * len(frame))[i]
                if row is not None:
                    cells.append(self.num(row, text))
                elif c in html_columns:
                    cells.append(str(value))
                else:
                    cells.append(html.escape(text))
            body.append(cells)
        return rows_table([html.escape(str(c)) for c in frame.columns], body, right)

    @staticmethod
    def _align(series: pd.Series) -> str:
        return "right" if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series) else "left"

    @staticmethod
    def _cell_text(value, floatfmt: str) -> str:
        if value is None or (isinstance(value, float) and value != value):
            return "—"
        if isinstance(value, float):
            return floatfmt.format(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return str(value)


# --- headline findings: one partial for every page ---------------------------------------------------

#: The MIME type of a page's findings as data (read by the front page, `helpers.render.site`).
FINDINGS_MIME = "application/vnd.cq-gazette.findings+json"


class Findings(str):
    """A page's headline findings: the HTML every page shows them in (a str, so that it is joined and
    searched like any other markup), and, for display, the same items as data, so that the front
    page takes them from the notebook's output rather than from its HTML.

    >>> f = Findings(["One.", "Two."], "en", source="Source: the gazette")
    >>> str(f)
    '<p class="findings-source">Source: the gazette</p><ul class="findings"><li>One.</li><li>Two.</li></ul>'
    >>> sorted(f.bundle())
    ['application/vnd.cq-gazette.findings+json', 'text/html']
    """

    def __new__(cls, items, lang: str, *, heading: bool = False, source: str | None = None):
        items = [i for i in items if i]
        head = f"<h2>{W.text('findings.heading', lang)}</h2>" if heading else ""
        intro = f'<p class="findings-source">{source}</p>' if source else ""
        self = super().__new__(cls, head + intro + '<ul class="findings">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
        self.items, self.lang = items, lang
        self.year: list[str] = []       # the items the front page's year in numbers takes (PageModel.YEAR_FINDINGS)
        return self

    mime = FINDINGS_MIME

    def bundle(self) -> dict:
        out = {"text/html": str(self), self.mime: {"lang": self.lang, "items": list(self.items)}}
        if self.year:                   # carried as data only: the page shows them once, among its findings
            out[YEAR_MIME] = {"lang": self.lang, "items": list(self.year)}
        return out


#: The MIME type of an edition's "year in numbers" (page 05 emits it; the front page shows it first).
YEAR_MIME = "application/vnd.cq-gazette.year-in-numbers+json"


class YearInNumbers(Findings):
    """The few numbers that tell an edition's story from plan to outcome, for the front page: shown
    like findings, carried as data under their own MIME type."""

    mime = YEAR_MIME


# --- the register of known discrepancies, counted by nature ----------------------------------------



def register_summary(checks, lang: str) -> str:
    """How many register entries there are of each nature, in words (plain text, no HTML): the one
    sentence every page and the front page use, so that only the entries whose nature is
    `discrepancy` are ever called discrepancies of the document.

    >>> from types import SimpleNamespace as C
    >>> print(register_summary([C(kind="known_discrepancy", extra={"nature": "partial_list"})], "en"))
    Register entries, 1 in all: the document's own figures disagree: 0; partial lists (the report lists only its main items; not an error): 1. Only the first kind is an error of the document.
    """
    from ..checks.discrepancies import by_nature

    groups = by_nature(checks)
    parts = [W.text(f"register.{nature}", lang, n=len(entries)) for nature, entries in groups.items()
             if entries or nature == "discrepancy"]
    return (W.text("register.head", lang, n=sum(map(len, groups.values())))
            + W.text("register.join", lang).join(parts) + W.text("register.end", lang))
