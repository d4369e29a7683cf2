"""Export: the executed notebook cleaned of what changes between identical runs, and its offline
HTML page (one language, navigation bar, table of contents, results collapsed)."""

from __future__ import annotations

import copy
import html
import json
import re
from pathlib import Path

from ..report import words as W
from . import runs

TEMPLATES = Path(__file__).parent / "templates"
VOLATILE_CELL_KEYS = ("papermill", "execution")

_write_atomic = runs.write_atomic

LANG_TAGS = {"zh": "lang-zh", "en": "lang-en"}    # markdown cells written for one language


def strip_volatile(nb) -> None:
    """Remove what changes between identical runs: papermill timings and paths, cell timings, random
    ids, and the run folder in the injected figure_dir (figures sit next to the notebook)."""
    nb.metadata.pop("papermill", None)
    for index, cell in enumerate(nb.cells):
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        cell["id"] = f"cell-{index:03d}"
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = "\n".join('figure_dir = "figures"  # set by the renderer: figures/ beside this notebook'
                                    if line.startswith("figure_dir = ") else line for line in cell.source.split("\n"))


def results_of(nb) -> dict | None:
    """The headline results: the application/json output of the last code cell."""
    for cell in reversed(nb.cells):
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if "application/json" in data:
                    return data["application/json"]
            return None
    return None


def page_language(nb, lang: str) -> None:
    """Keep the markdown cells of `lang` only (cells tagged for the other language are dropped)."""
    drop = {tag for code, tag in LANG_TAGS.items() if code != lang}
    nb.cells = [c for c in nb.cells if not drop & set(c.get("metadata", {}).get("tags", []))]


def _headings(nb) -> list[tuple[int, str]]:
    out = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                m = re.match(r"(#{1,3})\s+(.+)", line)
                if m:
                    out.append((len(m.group(1)), m.group(2).strip()))
    return out


def page_header(nb, lang: str, links: list[tuple[str, str, str]]) -> str:
    """Navigation bar (front page, the other variants) and a table of contents of the page's headings."""
    def link(label: str, href: str, label_lang: str) -> str:
        # A label in another language (中文 on an English page) is marked as such.
        mark = f' lang="{label_lang}"' if label_lang != lang else ""
        return f'<a href="{html.escape(href)}"{mark}>{html.escape(label)}</a>'

    nav = " | ".join(link(*item) for item in links)
    # The table of contents is filled in after export from the ids nbconvert gave the headings.
    return f'<nav class="page-nav" aria-label="{html.escape(W.text("site.navigation", lang))}">{nav}</nav>{TOC_MARK}'


def collapse_results(nb, lang: str) -> None:
    """On the published page the results JSON (the last cell's application/json) comes last and
    collapsed: a reader opens it on purpose. The executed notebook keeps it as it is."""
    for cell in reversed(nb.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "application/json" in data:
                text = json.dumps(data["application/json"], ensure_ascii=False, indent=1, sort_keys=True)
                summary = html.escape(W.text("site.results", lang))
                output["data"] = {"text/html": f'<details class="results"><summary>{summary}</summary>'
                                               f'<pre lang="{lang}">{html.escape(text)}</pre></details>'}
        return


TOC_MARK = "<!--cq-toc-->"
_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)


def fill_toc(body: str, lang: str) -> str:
    """Replace the contents mark with links to the page's second-level headings, by their real ids."""
    items = []
    for anchor, inner in _H2.findall(body):
        # The heading's text, without its anchor link's pilcrow (the template writes it as &#182;).
        text = html.escape(html.unescape(re.sub(r"<[^>]+>", "", inner)).replace("¶", "").strip(), quote=False)
        items.append(f'<li><a href="#{anchor}">{text}</a></li>')
    contents = html.escape(W.text("site.contents", lang))
    toc = f'<details class="toc" open><summary>{contents}</summary><ul>{"".join(items)}</ul></details>' if items else ""
    return body.replace(TOC_MARK, toc, 1)


_EXPORTERS: dict = {}

# What nbconvert's HTMLExporter does to the page after its template (nbconvert 7): an image without
# alt text gets a placeholder, and each cell's input and output can take the keyboard's focus.
NO_ALT = "No description has been provided for this image"
_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\salt=)")
_FOCUSABLE_DIV = re.compile(r'<div class="((?:[^"]*\s)?(?:jp-Cell-inputWrapper|jp-OutputArea-output)(?:\s[^"]*)?)"')


def _page_exporter_class():
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class PageExporter(HTMLExporter):
        """nbconvert's HTML exporter without re-parsing the finished page: HTMLExporter makes the two
        changes above by reading the whole page into BeautifulSoup and writing it out again, 85 % of
        an export (0.5 s of a 02 page). The template writes every tag the changes apply to as
        `<img …>` and `<div class="…">`, and a page's text is escaped, so two patterns make them."""

        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code",
                                 self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type",
                                 WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            body, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            body = _IMG_WITHOUT_ALT.sub(f'<img alt="{NO_ALT}"', body)
            return _FOCUSABLE_DIV.sub(r'<div class="\1" tabindex="0"', body), resources

    return PageExporter


def _exporter(show_code: bool):
    """One HTML exporter per process and setting (building one, with its templates, costs ~0.3 s)."""
    if show_code not in _EXPORTERS:
        _EXPORTERS[show_code] = _page_exporter_class()(template_name="offline", extra_template_basedirs=[str(TEMPLATES)],
                                                        exclude_input=not show_code, exclude_input_prompt=True,
                                                        exclude_output_prompt=True)
    return _EXPORTERS[show_code]


def warm_exporter(show_code: bool) -> None:
    """Build the exporter and compile its templates (before workers fork, so that they inherit them)."""
    import nbformat

    _exporter(show_code).from_notebook_node(nbformat.v4.new_notebook())


def export_html(nb, target: Path, show_code: bool, lang: str = "zh", links: list | None = None,
                variant: str = "") -> None:
    """The page's HTML; its <title> is its first heading and, when the notebook renders in several
    variants besides the language (02's levels), the variant's name."""
    nb = copy.deepcopy(nb)
    page_language(nb, lang)
    headings = _headings(nb)
    if headings:
        nb.metadata["title"] = re.sub(r"[*`]", "", headings[0][1]) + (f" · {variant}" if variant else "")
    nb.metadata["cq_header"] = page_header(nb, lang, links or [])
    collapse_results(nb, lang)
    exporter = _exporter(show_code)
    exporter.language_code = lang
    body, _ = exporter.from_notebook_node(nb)
    body = fill_toc(body, lang)
    _write_atomic(target, body.encode("utf-8"))
