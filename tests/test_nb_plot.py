"""Notebook support: parameters, sourced numbers; figures: CJK font and deterministic bytes."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import pytest

from helpers.errors import ParameterError
from helpers.report import figures as plot
from helpers.report import nb


@pytest.mark.parametrize("params, message", [
    ({"lang": "fr"}, "lang='fr' is not allowed; allowed values: 'zh', 'en'"),
    ({"figure_format": "jpg"}, "figure_format='jpg' is not allowed; allowed values: 'png', 'svg'"),
    ({"level": "province"}, "level='province' is not allowed; allowed values: 'city', 'municipal'"),
    ({"colour": "red"}, "unknown parameter 'colour'"),
])
def test_validate_names_the_parameter_and_allowed_values(params, message):
    with pytest.raises(ParameterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        nb.validate(**params)


def test_a_sourced_number_carries_report_line_and_quote():
    from helpers.report.page import Page

    row = {"document": "budget_report", "line": 655, "quote": "全市一般公共预算收入2285亿元", "value": 2285.0, "unit": "亿元"}
    html = Page("en").num(row)
    assert 'title="budget report, line 655: 全市一般公共预算收入2285亿元"' in html
    assert ">2,285 CNY 100 million<" in html
    assert "第655行" in Page("zh").num(row)
    assert "&lt;b&gt;" in Page("en").num(dict(row, quote="<b>"))


def test_fmt_prints_as_published():
    assert nb.fmt(2285.0) == "2,285"
    assert nb.fmt(109.3) == "109.3"
    assert nb.fmt(0.035) == "0.035"
    assert nb.fmt(1.23456, 2) == "1.23"


def _figure():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.bar(["汽车产业", "电子产业"], [12.6, 17.3])
    ax.set_title("支柱产业增加值增速（%）")
    return fig


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_savefig_is_deterministic_and_has_every_glyph(tmp_path, fmt):
    plot.setup()
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # "Glyph ... missing from font(s)" would raise here
        first = plot.savefig(_figure(), "t", figure_dir=tmp_path / "a", figure_format=fmt, lang="zh", show=False)
        second = plot.savefig(_figure(), "t", figure_dir=tmp_path / "b", figure_format=fmt, lang="zh", show=False)
    plt.close("all")
    assert first.name == f"t.zh.{fmt}"
    assert first.read_bytes() == second.read_bytes()
    assert not list((tmp_path / "a").glob(".*"))   # no temporary file left behind


def test_savefig_refuses_unknown_format(tmp_path):
    with pytest.raises(ParameterError, match="allowed: png, svg"):
        plot.savefig(_figure(), "t", figure_dir=tmp_path, figure_format="pdf")
    plt.close("all")
