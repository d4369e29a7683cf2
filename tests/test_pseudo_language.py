"""Issue 20, item 3: a language is data. A pseudo-language made from English — a row of
data/vocab/languages.csv (its data names taken from English), a catalog whose every text is the
English one in brackets, and a copy of every page's English templates — renders every page through
the page protocol with no missing key, no missing template, and the catalog's words in brackets."""

from __future__ import annotations

import shutil

import pytest
import yaml

from helpers.data import paths, vocab
from helpers.report import prose, protocol, words

PSEUDO = "xx"


def _bracketed(node):
    """Every text in brackets; a number (a layout setting such as a wrap width) stays a number."""
    if isinstance(node, dict):
        return {k: _bracketed(v) for k, v in node.items()}
    return node if str(node).strip().isdigit() else f"«{node}»"


@pytest.fixture
def pseudo_language(tmp_path, monkeypatch):
    shutil.copytree(paths.VOCAB_DIR, tmp_path / "vocab")
    with (tmp_path / "vocab" / "languages.csv").open("a", encoding="utf-8") as fh:
        fh.write(f"{PSEUDO},伪语言,pseudo-language,Pseudo,Latn,en\n")
    monkeypatch.setattr(paths, "VOCAB_DIR", tmp_path / "vocab")

    catalog = tmp_path / "catalog"
    shutil.copytree(words.CATALOG_DIR, catalog)
    for path in words.catalog_files("en"):
        target = catalog / f"{PSEUDO}.yaml" if path.parent == words.CATALOG_DIR else catalog / PSEUDO / path.name
        target.parent.mkdir(exist_ok=True)
        target.write_text(yaml.safe_dump(_bracketed(yaml.safe_load(path.read_text(encoding="utf-8"))), allow_unicode=True),
                          encoding="utf-8")
    monkeypatch.setattr(words, "CATALOG_DIR", catalog)

    templates = tmp_path / "templates"
    shutil.copytree(prose.TEMPLATE_DIR, templates)
    for english in templates.glob("*/en.html"):
        shutil.copy(english, english.with_name(f"{PSEUDO}.html"))
    monkeypatch.setattr(prose, "TEMPLATE_DIR", templates)

    for cached in (vocab.languages, vocab.vocabulary, words.catalog, prose.environment):
        cached.cache_clear()
    yield tmp_path
    for cached in (vocab.languages, vocab.vocabulary, words.catalog, prose.environment):
        cached.cache_clear()


@pytest.mark.slow
def test_every_page_renders_in_a_pseudo_language(pseudo_language):
    from helpers.report import figures

    figures.setup()
    shown = []
    for name, cls in protocol.pages().items():
        page = protocol.open_page(name, None, PSEUDO, figure_dir=pseudo_language / "figures")
        for section in ("findings", *cls.SECTIONS, "sources"):
            shown.append(str(page.section(section)))
        for figure in cls.FIGURES:
            page.figure(figure)
        page.results()
    text = "".join(shown)
    assert "«Sources»" in text            # the shared catalog's words, in the pseudo-language
    assert text.count("«") == text.count("»")
