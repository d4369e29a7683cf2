from hypothesis import given
from hypothesis import strategies as st

from helpers.data.parsing import last_number, numbers_in, parse_cell

decimals = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False).map(lambda d: format(d, "f"))


@given(prefix=st.sampled_from(["收入", "增长 ", "完成预算的", "达到"]), number=decimals,
       suffix=st.sampled_from(["亿元", "%", " 亿元", "% 以上", ""]))
def test_last_number_is_the_printed_number(prefix, number, suffix):
    found = last_number(f"全市{prefix}{number}{suffix}")
    assert found.text == number
    assert found.value == float(number)


@given(a=decimals, b=decimals)
def test_list_of_numbers_in_order(a, b):
    assert [n.text for n in numbers_in(f"分别增长{a}%、{b}%")] == [a, b]


@given(number=decimals, word=st.sampled_from(["", "以上", "左右", "以内", "以下"]))
def test_parse_cell_reads_number_and_qualifier(number, word):
    cell = parse_cell(number + word)
    assert cell.status == "number"
    assert cell.value == float(number)
    assert cell.qualifier == {"": "exact", "以上": "at_least", "左右": "about", "以内": "at_most", "以下": "at_most"}[word]


def test_ratio_counts_once_and_symbols_are_not_numbers():
    assert [n.text for n in numbers_in("比值预计为1.80：1以下")] == ["1.80"]
    assert parse_cell("1.80:1以下").value == 1.80
    assert parse_cell("1.8左右:1").qualifier == "about"
    assert parse_cell("□").status == "symbol" and parse_cell("实现转正").status == "text"


def test_half_unit_follows_printed_precision():
    assert numbers_in("109.3")[0].half_unit == 0.05
    assert numbers_in("1092.8")[0].half_unit == 0.05
    assert numbers_in("2285")[0].half_unit == 0.5
