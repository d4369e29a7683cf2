"""Notebook 04's page (helpers.report.programme): sourced sentences and tables in one language,
derived numbers with their formula, results collapsed by topic, the figure under a stable name."""

from __future__ import annotations

import math
import re
import warnings

import matplotlib
import pytest
from test_report_audit import CJK, SNAKE, visible

from helpers.analysis import programme as P
from helpers.report import figures
from helpers.report import programme as report
from helpers.report.nb import fmt
from helpers.report.page import Page

matplotlib.use("Agg")
SUP = re.compile(r'<sup class="src">.*?</sup>')


@pytest.fixture(scope="module")
def data():
    return P.prepare()


def page_html(data, lang):
    page = Page(lang)
    parts = [report.findings_html(data, page), report.commitments_html(data, page), report.achievements_html(data, page),
             report.holdings_html(data, page), report.checks_html(data, page)]
    return "".join(parts) + page.sources_html(), page


@pytest.fixture(scope="module")
def pages(data):
    return {lang: page_html(data, lang)[0] for lang in ("zh", "en")}


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

def test_findings_are_three_to_five_sourced_sentences(data):
    results = P.results(data)
    for lang in ("zh", "en"):
        page = Page(lang)
        findings = report.findings_html(data, page)
        assert 3 <= findings.count("<li>") <= 5
        assert findings.count('class="sourced"') >= 6 and 'class="derived"' in findings
        for k in (f"commitments_{data.plan}", f"commitments_with_review_counterpart_{data.plan}", f"results_{data.review}"):
            assert re.search(rf'class="derived" title="[^"]*">{results[k]:,}</span>', findings), (lang, k)
    en = text(report.findings_html(data, Page("en")))
    top = P.largest_topics(P.topic_counts(data), "target")
    assert f"{report.topic_name(top.index[0], Page('en'))} ({top.iloc[0]})" in en
    assert f"The {data.plan} programme makes {results[f'commitments_{data.plan}']} quantitative commitments" in en
    assert "none is flagged" in en if results["flagged"] == 0 else "flagged" in en


def test_the_largest_steps_carry_their_formula(data):
    cmp = P.comparisons(P.commitments(data))
    up = cmp["step_up"]
    findings = report.findings_html(data, Page("en"))
    formula = (f"target {data.plan} − actual {data.review} = {fmt(up['value'])} − {fmt(up['review_value'])} = "
               f"{fmt(up['change'])}; change ÷ actual {data.review}")
    assert formula in findings
    zh = report.findings_html(data, Page("zh"))
    assert f"{data.plan}年目标 − {data.review}年实际 = {fmt(up['value'])} − {fmt(up['review_value'])}" in zh


# --- Commitments by topic -------------------------------------------------------------------------

def test_commitment_tables_source_every_curated_cell(data):
    c = P.commitments(data)
    page = Page("en")
    html = report.commitments_html(data, page)
    tables = html.split("<table")[1:]
    # the counts, one per topic, then the figures that describe a commitment without being one
    assert len(tables) == 1 + c["topic"].nunique() + 1
    for topic, rows in c.groupby("topic", sort=False):
        table = tables[1 + list(dict.fromkeys(c["topic"])).index(topic)].split("</table>")[0]
        assert table.count("<tr>") == 1 + len(rows)
        expected = len(rows) + int(rows["review_row"].notna().sum()) + int(rows["n_statements"].sum())
        assert table.count('class="sourced"') == expected, topic
        assert table.count('class="derived"') == int(rows["comparable"].sum())
    assert f"<h3>{report.topic_name(c['topic'].iloc[0], page)} (" in html


def test_a_change_reads_in_points_or_with_its_rate(data):
    page = Page("en")
    c = P.commitments(data)
    rate = c[c["comparable"] & (c["unit"] == "%") & (c["change"] != 0)].iloc[0].to_dict()
    assert "percentage point" in report.change_html(rate, page, data.review, data.plan)
    level = c[c["comparable"] & c["change_rate"].notna() & (c["change"] != 0)].iloc[0].to_dict()
    shown = text(report.change_html(level, page, data.review, data.plan))
    assert shown.endswith(f"({level['change_rate']:+.1%})")
    other = {**level, "comparable": False, "review_unit": "公里", "change": math.nan, "change_rate": math.nan}  # an inconvertible unit
    assert report.change_html(other, page, data.review, data.plan) == "different unit"
    assert report.change_html({**other, "review_row": None}, page, data.review, data.plan) == "—"


def test_figure_is_saved_under_its_stable_name_without_missing_glyphs(data, tmp_path):
    figures.setup()
    for lang, kind in (("zh", "png"), ("en", "svg")):
        with warnings.catch_warnings():
            warnings.simplefilter("error")                            # a missing CJK glyph warns
            path = report.commitments_figure(data, Page(lang), figure_dir=tmp_path, figure_format=kind)
        assert path.name == f"04-commitments-by-topic.{lang}.{kind}" and path.stat().st_size > 0


# --- Results, totals and stocks -------------------------------------------------------------------

def test_results_are_listed_in_full_in_collapsed_topics(data):
    a = P.achievements(data)
    html = report.achievements_html(data, Page("zh"))
    details = html.split("<details>")[1:-1]                   # the last: figures about the reports
    assert len(details) == a["topic"].nunique()
    assert html.split("<details>")[-1].split("</summary>")[1].count("<tr>") - 1 == len(P.about_reports(data))
    assert sum(d.split("</summary>")[1].count("<tr>") - 1 for d in details) == len(a)   # every result listed
    assert "<details open" not in html
    assert f"全部{len(a)}项" in text(html)


def test_totals_and_stocks_and_later_targets(data):
    h, later = P.holdings(data), P.later_targets(data)
    html = report.holdings_html(data, Page("en"))
    assert html.count("<details>") == h["topic"].nunique()
    body = text(html)
    assert "stock" in body and "cumulative total" in body
    if len(later):
        assert f"a later year than {data.plan}" in body
        assert str(int(later["period"].iloc[0])) in body


def test_checks_sentence_counts_the_checks(data):
    html = report.checks_html(data, Page("en"))
    assert f">{len(data.checks):,}</span> checks concern this page" in html


# --- Words ----------------------------------------------------------------------------------------

def test_units_read_naturally_in_each_language():
    en, zh = Page("en"), Page("zh")
    assert report.unit_name("家", en) == "number" and report.unit_name("家", zh) == "家"
    assert report.unit_name("万个", en) == "10,000" and report.unit_name("公里", en) == "km"
    assert report.with_unit("1.5", "万户", en) == "1.5 (10,000 households)"
    assert report.with_unit("4", "家", en) == "4" and report.with_unit("839", "公里", zh) == "839公里"
    assert report.with_unit("5.5", "%", en) == "5.5%"


def test_values_carry_qualifier_projection_and_flag():
    en, zh = Page("en"), Page("zh")
    row = {"value": 1000.0, "unit": "公里", "qualifier": "at_least", "projected": False, "flag": None}
    assert report.value_text(row, en) == "at\u00a0least\u00a01,000" and report.value_text(row, zh, unit=True) == "1,000公里以上"
    row = {"value": 30.0, "unit": "%", "qualifier": "exact", "projected": True, "flag": "advance_quota"}
    assert report.value_text(row, en, unit=True) == "30% (estimate, advance quota)"
    assert report.value_text(row, zh) == "30（预计，中央提前下达）"


def test_points_and_names():
    en = Page("en")
    assert report.points_text(-2.8, "%", en) == "-2.8 percentage points"
    assert report.points_text(1.0, "%", en) == "+1 percentage point" and report.points_text(0.0, "%", en) == "0 percentage points"
    assert report.name_html({"name_zh": "快速路", "name_en": "Urban expressways (快速路)"}, en) == \
        'Urban expressways (<span lang="zh">快速路</span>)'
