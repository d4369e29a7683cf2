"""Page 05 (what happened next): every section renders in both languages from the model, the
templates and the catalog; later figures carry their marks and sources; each page keeps to its
language; the data behind every section is one call away."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from helpers.analysis import outcomes as A
from helpers.errors import ParameterError
from helpers.report import outcomes as R
from helpers.report import prose
from helpers.report.protocol import open_page


@pytest.fixture(scope="module")
def data():
    return A.prepare()


def _page(data, lang, tmp_path):
    page = open_page("05-outcomes", None, lang, figure_dir=tmp_path)
    parts = {
        "findings": str(page.findings()), "method": page.method_html(), "scorecard": page.scorecard_html(),
        "unfound": page.unfound_html(), "fiscal": page.fiscal_html(), "projects": page.projects_html(),
        "revisions": page.revisions_html(), "sources_table": page.sources_table_html(), "checks": page.checks_html(),
    }
    parts["sources"] = page.section("sources")
    return page, parts


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_cited_figure_has_its_entry_in_the_source_list(data, lang, tmp_path):
    _, parts = _page(data, lang, tmp_path)
    body = "".join(v for k, v in parts.items() if k != "sources")
    cited = {int(n) for n in re.findall(r'href="#src-(\d+)"', body)}
    listed = {int(n) for n in re.findall(r'<li id="src-(\d+)"', parts["sources"])}
    assert cited == listed and cited
    # a later publication is cited by its address, the gazette by its line and quote
    assert re.search(r'<a href="https?://', parts["sources"]) and '<q lang="zh">' in parts["sources"]


@pytest.mark.parametrize(("lang", "estimate", "preliminary", "proxy"), [("zh", "预计", "初步核算", "替代指标"),
                                                                      ("en", "estimate", "preliminary", "proxy")])
def test_an_outcome_carries_its_marks_wherever_it_is_shown(data, lang, estimate, preliminary, proxy, tmp_path):
    _, parts = _page(data, lang, tmp_path)
    html = "".join(parts.values())
    spans = re.findall(r'<span class="observed" data-observation="([^"]+)"[^>]*>(.*?)<sup', html)
    by_id = {}
    for obs_id, shown in spans:
        by_id.setdefault(obs_id, []).append(shown)
    assert all(estimate in s for s in by_id["2022.disposable_income_growth"])
    assert all(preliminary in s for s in by_id["2022.gdp_growth"])
    assert all(proxy in s for s in by_id["2022.services_value_added_growth"])
    plain = {o for o in by_id if o in ("2022.new_urban_jobs", "2022.urbanisation_rate")}
    assert plain and all('class="mark"' not in s for o in plain for s in by_id[o])


def test_the_chinese_page_shows_no_english_from_the_data(data, tmp_path):
    _, parts = _page(data, "zh", tmp_path)
    text = re.sub(r"<[^>]+>", " ", "".join(v for k, v in parts.items() if k != "sources"))
    for english in ("Growth of tertiary-industry", "Not printed", "reported", "derived", "The budget report of early"):
        assert english not in text
    for stands_for in data.observations["stands_for"].dropna():
        assert stands_for not in text


def test_the_english_page_shows_chinese_only_as_original_names(data, tmp_path):
    _, parts = _page(data, "en", tmp_path)
    for key in ("findings", "method", "scorecard", "unfound", "fiscal", "projects", "revisions", "checks"):
        visible = re.sub(r'<span lang="zh">.*?</span>|<q lang="zh">.*?</q>|<cite lang="zh">.*?</cite>|<[^>]+>', "", parts[key])
        visible = re.sub(r'title="[^"]*"', "", visible)
        assert not re.search(r"[\u4e00-\u9fff]", visible), (key, re.findall(r".{20}[\u4e00-\u9fff]+.{5}", visible)[:3])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_findings_are_data_for_the_front_page(data, lang, tmp_path):
    page, _ = _page(data, lang, tmp_path)
    bundle = page.findings().bundle()
    items = bundle["application/vnd.cq-gazette.findings+json"]["items"]
    assert len(items) == 5 and all(items)


def test_every_section_has_its_data_as_a_table(data, tmp_path):
    page = open_page("05-outcomes", None, "en", figure_dir=tmp_path)
    for section in R.OutcomesPage.SECTIONS:
        assert isinstance(page.data(section), pd.DataFrame) and len(page.data(section))
    with pytest.raises(ParameterError, match="no data 'nowhere'; data: year, method, scorecard"):
        page.data("nowhere")


def test_the_page_owns_its_figure_names(data, tmp_path):
    from helpers.report import figures

    figures.setup()
    page = open_page("05-outcomes", None, "zh", figure_dir=tmp_path)
    assert page.figure("scorecard").name == "05-scorecard.zh.png"
    assert page.figure("fiscal").name == "05-fiscal.zh.png"


def test_results_name_every_target_with_an_outcome(data):
    res = A.results(data)
    card = A.scorecard(data)
    listed = card[card["scope"] == "listed"]
    assert res["targets_with_outcome"] == listed["outcome"].notna().sum()
    assert res["targets_with_outcome"] + res["targets_further_with_outcome"] == card["outcome"].notna().sum()
    assert res["targets"] + res["targets_further"] == res["target_metrics"] == len(card)
    assert res["targets_met"] + res["targets_missed"] + res["targets_not_assessable"] + res["targets_no_outcome"] == res["targets"]
    for metric in card[card["outcome"].notna()]["metric"]:
        assert f"outcome_{metric}" in res
    assert res["outcome_gdp_growth"] == 2.6


def test_a_language_without_templates_is_a_named_error():
    from helpers.report.page import Page
    from helpers.report.words import CatalogError

    page = Page("en")
    page.lang = "fr"
    with pytest.raises(CatalogError, match="fr.html: missing"):
        prose.Prose(R.OutcomesPage.NAME, page)


def test_every_macro_exists_in_every_language():
    env = prose.environment()
    names = {}
    for lang in ("zh", "en"):
        source = env.loader.get_source(env, f"{R.OutcomesPage.NAME}/{lang}.html")[0]
        names[lang] = set(re.findall(r"{%\s*macro\s+(\w+)", source))
        env.parse(source)          # valid Jinja
    assert names["zh"] == names["en"]


@pytest.mark.slow
def test_the_front_page_opens_each_edition_with_its_year_in_numbers(published):
    """Page 05 displays the year in numbers as data, and the other pages give the findings their
    YEAR_FINDINGS name; each front page shows them all, in its language and in reading order, with
    source links into each page."""
    import nbformat

    from helpers.report.page import YEAR_MIME
    from helpers.report.protocol import pages

    manifest, latest = published
    for lang, front in (("zh", "index.html"), ("en", "index.en.html")):
        page = (latest / front).read_text(encoding="utf-8")
        heading = "<h3>" + ("一年的数字" if lang == "zh" else "The year in numbers") + "</h3>"
        block = page.split(heading)[1].split("</ul>")[0]
        assert page.index(heading) < page.index("<h3><a href=")
        expected = 0
        for name, cls in pages().items():
            job = next(j for j in manifest["jobs"] if j["notebook"].endswith(f"{name}.ipynb") and j["parameters"].get("lang") == lang)
            nb = nbformat.read(latest / job["id"] / f"{job['id']}.ipynb", as_version=4)
            items = [o["data"][YEAR_MIME]["items"] for c in nb.cells for o in c.get("outputs", []) if YEAR_MIME in o.get("data", {})]
            if name == "05-outcomes":
                assert len(items) == 1 and len(items[0]) == 5
            else:
                assert len(items) == (1 if cls.YEAR_FINDINGS else 0)
            if items:
                expected += len(items[0])
                if any('href="#src-' in item for item in items[0]):     # links into its own page
                    assert f'href="{job["id"]}/{job["id"]}.html#src-' in block, name
        assert block.count("<li>") == expected >= 8
