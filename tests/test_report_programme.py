"""Notebook 04's page (helpers.report.programme, opened with open_page): sourced sentences and tables
in one language, derived numbers with their formula, results collapsed by topic, the figure under the
page's own name."""

from __future__ import annotations

import math
import re
import warnings

import matplotlib
import pytest
from test_report_audit import CJK, SNAKE, visible

import helpers
from helpers.analysis import programme as P
from helpers.report import figures
from helpers.report.nb import fmt
from helpers.report.programme import ProgrammePage
from helpers.report.protocol import open_page

matplotlib.use("Agg")
SUP = re.compile(r'<sup class="src">.*?</sup>')


@pytest.fixture(scope="module")
def ed():
    return helpers.edition()


@pytest.fixture(scope="module")
def data(ed):
    return P.prepare(ed)


@pytest.fixture(scope="module")
def new(ed):
    """A fresh page in a language (its own numbered sources), figures into a scratch folder."""
    def make(lang: str, **out) -> ProgrammePage:
        return open_page("04-programme", ed, lang, **out)
    return make


def page_html(page: ProgrammePage) -> str:
    return "".join(page.section(name) for name in ("findings", *page.SECTIONS, "sources"))


@pytest.fixture(scope="module")
def pages(new):
    return {lang: page_html(new(lang)) for lang in ("zh", "en")}


def text(markup: str) -> str:
    return visible(SUP.sub("", markup))


# --- One language per page ------------------------------------------------------------------------

def test_english_page_has_no_chinese_outside_lang_zh(pages):
    leaked = sorted(set(CJK.findall(visible(pages["en"]))))
    assert not leaked, leaked
    en = visible(pages["en"])
    assert "km" in en and "CNY 100 million" in en and "percentage points" in en
    for word in ("公里", "亿元", "百分点", "左右", "以上"):
        assert word not in en


def test_chinese_page_shows_no_codes_or_english_words(pages):
    zh = visible(pages["zh"])
    assert not SNAKE.findall(zh), SNAKE.findall(zh)[:5]
    for word in ("target", "result", "stock", "cumulative", "about", "at least", "projected", "number", "transport"):
        assert word not in zh, word
    assert "交通" in zh and "公里" in zh and "个百分点" in zh


def test_every_curated_number_is_sourced_and_the_list_ends_the_page(pages):
    for lang, markup in pages.items():
        cited = {int(n) for n in re.findall(r'<a href="#src-(\d+)">', markup)}
        listed = {int(n) for n in re.findall(r'<li id="src-(\d+)">', markup)}
        assert cited == listed and listed == set(range(1, len(listed) + 1)), lang
        assert markup.rindex('<h2 id="sources">') > markup.rindex("<table")


# --- Headline findings ----------------------------------------------------------------------------

def test_findings_are_three_to_five_sourced_sentences(data, new):
    results = P.results(data)
    for lang in ("zh", "en"):
        findings = new(lang).section("findings")
        assert 3 <= findings.count("<li>") <= 5
        assert findings.count('class="sourced"') >= 6 and 'class="derived"' in findings
        for k in (f"commitments_{data.plan}", f"commitments_with_review_counterpart_{data.plan}", f"results_{data.review}"):
            assert re.search(rf'class="derived" title="[^"]*">{results[k]:,}</span>', findings), (lang, k)
    en = text(new("en").section("findings"))
    top = P.largest_topics(P.topic_counts(data), "target")
    assert f"{new('en').topic_name(top.index[0])} ({top.iloc[0]})" in en
    assert f"The {data.plan} programme makes {results[f'commitments_{data.plan}']} quantitative commitments" in en
    assert "none is flagged" in en if results["flagged"] == 0 else "flagged" in en


def test_the_largest_steps_carry_their_formula(data, new):
    cmp = P.comparisons(P.commitments(data))
    up = cmp["step_up"]
    findings = new("en").section("findings")
    formula = (f"target {data.plan} − actual {data.review} = {fmt(up['value'])} − {fmt(up['review_value'])} = "
               f"{fmt(up['change'])}; change ÷ actual {data.review}")
    assert formula in findings
    zh = new("zh").section("findings")
    assert f"{data.plan}年目标 − {data.review}年实际 = {fmt(up['value'])} − {fmt(up['review_value'])}" in zh


# --- Commitments by topic -------------------------------------------------------------------------

def test_commitment_tables_source_every_curated_cell(data, new):
    c = P.commitments(data)
    page = new("en")
    html = page.section("commitments")
    tables = html.split("<table")[1:]
    # the counts, one per topic, then the figures that describe a commitment without being one
    assert len(tables) == 1 + c["topic"].nunique() + 1
    for topic, rows in c.groupby("topic", sort=False):
        table = tables[1 + list(dict.fromkeys(c["topic"])).index(topic)].split("</table>")[0]
        assert table.count("<tr>") == 1 + len(rows)
        expected = len(rows) + int(rows["review_row"].notna().sum()) + int(rows["n_statements"].sum())
        assert table.count('class="sourced"') == expected, topic
        assert table.count('class="derived"') == int(rows["comparable"].sum())
    assert f"<h3>{page.topic_name(c['topic'].iloc[0])} (" in html


def _change_row(value, review_value, unit, comparable=True):
    d, q = P.change(value, review_value, unit)
    return {"value": value, "review_value": review_value, "unit": unit, "comparable": comparable, "change": d,
            "change_rate": q, "review_row": {"value": review_value, "unit": unit}}


def test_a_change_reads_in_points_or_with_its_rate(data, new):
    page = new("en")
    c = P.commitments(data)
    rate = c[c["comparable"] & (c["unit"] == "%") & (c["change"] != 0)].iloc[0].to_dict()
    assert "percentage point" in page.change_html(rate)
    level = c[c["comparable"] & c["change_rate"].notna() & (c["change"] != 0)].iloc[0].to_dict()
    shown = text(page.change_html(level))
    assert shown.endswith(f"({level['change_rate']:+.1%})")
    other = {**level, "comparable": False, "review_unit": "公里", "change": math.nan, "change_rate": math.nan}  # an inconvertible unit
    assert page.change_html(other) == "different unit"
    assert page.change_html({**other, "review_row": None}) == "—"
    assert text(page.change_html(_change_row(5.5, 8.3, "%"))) == "-2.8 percentage points"
    assert text(page.change_html(_change_row(6.0, 5.0, "%"))) == "+1 percentage point"
    assert text(page.change_html(_change_row(5.0, 5.0, "%"))) == "0 percentage points"
    assert text(new("zh").change_html(_change_row(5.5, 8.3, "%"))) == "-2.8个百分点"


def test_figure_is_saved_under_the_pages_name_without_missing_glyphs(new, tmp_path):
    figures.setup()
    for lang, kind in (("zh", "png"), ("en", "svg")):
        with warnings.catch_warnings():
            warnings.simplefilter("error")                            # a missing CJK glyph warns
            path = new(lang, figure_dir=tmp_path, figure_format=kind).figure("commitments")
        assert path.name == f"04-commitments-by-topic.{lang}.{kind}" and path.stat().st_size > 0


# --- Results, totals and stocks -------------------------------------------------------------------

def test_results_are_listed_in_full_in_collapsed_topics(data, new):
    a = P.achievements(data)
    html = new("zh").section("achievements")
    details = html.split("<details>")[1:-1]                   # the last: figures about the reports
    assert len(details) == a["topic"].nunique()
    assert html.split("<details>")[-1].split("</summary>")[1].count("<tr>") - 1 == len(P.about_reports(data))
    assert sum(d.split("</summary>")[1].count("<tr>") - 1 for d in details) == len(a)   # every result listed
    assert "<details open" not in html
    assert f"全部{len(a)}项" in text(html)


def test_totals_and_stocks_and_later_targets(data, new):
    h, later = P.holdings(data), P.later_targets(data)
    html = new("en").section("holdings")
    assert html.count("<details>") == h["topic"].nunique()
    body = text(html)
    assert "stock" in body and "cumulative total" in body
    if len(later):
        assert f"a later year than {data.plan}" in body
        assert str(int(later["period"].iloc[0])) in body


def test_checks_sentence_counts_the_checks(data, new):
    html = new("en").section("checks")
    assert f">{len(data.checks):,}</span> checks concern this page" in html


# --- Words ----------------------------------------------------------------------------------------

def _row(value, unit, qualifier="exact", projected=False, flag=None):
    return {"value": value, "unit": unit, "qualifier": qualifier, "projected": projected, "flag": flag}


def test_units_read_naturally_in_each_language(new):
    en, zh = new("en"), new("zh")
    assert en.unit_name("家") == "number" and zh.unit_name("家") == "家"
    assert en.unit_name("万个") == "10,000" and en.unit_name("公里") == "km"
    assert en.value_text(_row(1.5, "万户"), unit=True) == "1.5 (10,000 households)"
    assert en.value_text(_row(4.0, "家"), unit=True) == "4" and zh.value_text(_row(839.0, "公里"), unit=True) == "839公里"
    assert en.value_text(_row(5.5, "%"), unit=True) == "5.5%"
    assert en.value_text(_row(1.0, "万个"), unit=True) == "1 (10,000)"


def test_values_carry_qualifier_projection_and_flag(new):
    en, zh = new("en"), new("zh")
    row = _row(1000.0, "公里", "at_least")
    assert en.value_text(row) == "at\u00a0least\u00a01,000" and zh.value_text(row, unit=True) == "1,000公里以上"
    row = _row(30.0, "%", projected=True, flag="advance_quota")
    assert en.value_text(row, unit=True) == "30% (estimate, advance quota)"
    assert zh.value_text(row) == "30（预计，中央提前下达）"


def test_names_keep_their_chinese_in_lang_zh(new):
    assert new("en").name_html({"name_zh": "快速路", "name_en": "Urban expressways (快速路)"}) == \
        'Urban expressways (<span lang="zh">快速路</span>)'
