"""A synthetic next edition — the real one with every year moved forward by one (raw text, tables,
metadata, folder name; sha256 recomputed) — proves the code holds no knowledge of one edition:
the same checks come out of it, and every notebook runs on it with every parameter set, giving the
same results under the shifted years. It is never published."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from support.synthetic import shift_edition, shift_text

import helpers
from helpers.render import run as render


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    return shift_edition(helpers.edition().root, tmp_path_factory.mktemp("editions"))


def test_the_synthetic_edition_is_the_next_year(synthetic):
    real, nxt = helpers.edition(), helpers.edition(str(synthetic))
    assert nxt.id != real.id and nxt.years == {role: year + 1 for role, year in real.years.items()}
    assert nxt.raw_sha256 != real.raw_sha256


def test_same_checks_of_each_kind_and_none_fails(synthetic):
    real = helpers.run_checks()
    shifted = helpers.run_checks(str(synthetic))
    assert Counter(c.kind for c in shifted) == Counter(c.kind for c in real)
    assert [c.id for c in shifted if c.status == "fail"] == []
    assert sorted(_shift_id(c.id) for c in real) == sorted(c.id for c in shifted)


def _shift_id(text: str) -> str:
    """Years inside ids and result keys (gdp_growth_2021, cross_document.x.2021.actual) moved by one."""
    return re.sub(r"(?<![0-9])(20[0-9]{2})(?![0-9])", lambda m: str(int(m.group(1)) + 1), text)


def _shifted(value):
    if isinstance(value, dict):
        return {_shift_id(k): _shifted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shifted(v) for v in value]
    if isinstance(value, str):
        return shift_text(value)
    return value


@pytest.mark.slow
def test_every_notebook_runs_on_it_with_the_same_results(synthetic, published, tmp_path):
    real_manifest, _ = published
    jobs, _ = render.load_jobs()
    shifted_jobs = render.with_edition(jobs, str(synthetic))
    manifest, _ = render.render(shifted_jobs, reports=tmp_path / "next", workers=2, quiet=True, force=True, log=lambda *_: None)
    assert manifest["status"] == "ok", [j["error"] for j in manifest["jobs"] if j["status"] != "ok"]
    real = {j["notebook"] + repr(sorted(j["parameters"].items())): j["results"] for j in real_manifest["jobs"]}
    for job in manifest["jobs"]:
        params = {k: v for k, v in job["parameters"].items() if k != "edition"}
        expected = real[job["notebook"] + repr(sorted(params.items()))]
        assert job["results"] == _shifted(expected), job["id"]
