"""The page protocol (helpers.report.protocol): one way to open a page and show its parts; a page,
section or figure that does not exist is a named error listing what does."""

from __future__ import annotations

import pytest

import helpers
from helpers.errors import ParameterError
from helpers.report import protocol


class _Tiny(protocol.PageModel):
    NAME = "05-outcomes"          # borrows an existing template folder; never registered
    SECTIONS = ("one",)
    FIGURES = {"bars": "tiny-bars"}

    def one_html(self):
        return "<p>one</p>"


def test_an_unknown_page_is_a_named_error_listing_the_pages():
    with pytest.raises(ParameterError, match=r"no page 'nope'; pages: "):
        protocol.open_page("nope", lang="en")


def test_a_bad_language_is_refused_before_the_page_is_built():
    with pytest.raises(ParameterError, match=r"lang='fr' is not allowed"):
        _Tiny(helpers.edition(), "fr")


def test_sections_and_figures_are_found_by_name_or_named_as_missing():
    page = _Tiny(helpers.edition(), "en")
    assert page.section("one") == "<p>one</p>"
    with pytest.raises(ParameterError, match=r"no section 'two'; sections: findings, one, sources"):
        page.section("two")
    with pytest.raises(ParameterError, match=r"no figure 'pie'; figures: bars"):
        page.figure("pie")


def test_data_is_found_by_name_or_named_as_missing_on_every_page():
    """One rule for every page (protocol.PageModel.data): an unknown name is a ParameterError listing
    the tables the page has (page 04 once raised a bare KeyError)."""
    tiny = _Tiny(helpers.edition(), "en")
    with pytest.raises(ParameterError, match=r"no data 'one'; data: none"):
        tiny.data("one")
    for name, cls in protocol.pages().items():
        assert "data" not in vars(cls), f"{name} overrides data(); it gives its tables() instead"
        assert vars(cls).get("tables"), f"{name} gives no tables()"


def test_every_registered_page_names_its_figures_and_sections():
    for name, cls in protocol.pages().items():
        assert name == cls.NAME
        for section in cls.SECTIONS:
            assert callable(getattr(cls, f"{section}_html", None)), (name, section)
        for figure in cls.FIGURES:
            assert callable(getattr(cls, f"{figure}_figure", None)), (name, figure)


def test_the_findings_a_page_names_for_the_year_in_numbers_travel_as_data():
    from helpers.report.page import FINDINGS_MIME, YEAR_MIME, Findings

    class _WithYear(_Tiny):
        YEAR_FINDINGS = (1,)

        def findings(self):
            return Findings(["first", "second"], self.lang)

    bundle = _WithYear(helpers.edition(), "en").section("findings").bundle()
    assert bundle[FINDINGS_MIME]["items"] == ["first", "second"]
    assert bundle[YEAR_MIME] == {"lang": "en", "items": ["second"]}

    class _Without(_WithYear):
        YEAR_FINDINGS = ()

    assert YEAR_MIME not in _Without(helpers.edition(), "en").section("findings").bundle()


def test_every_notebook_opens_its_page_through_the_protocol():
    from helpers.data import paths

    stems = sorted(p.stem for p in (paths.ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    assert sorted(protocol.pages()) == stems
    for stem in stems:
        text = (paths.ROOT / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8")
        assert f'open_page(\\"{stem}\\"' in text, stem
