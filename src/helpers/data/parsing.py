"""Reading numbers out of the gazette's text: prose quotes and indicator-table cells.

The rules are the curation rules of data/raw/README.md, written once here so that the checks and
the tests read numbers the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import yaml

# A ratio written `1.80：1` or `1.8左右:1` is one number (1.80) in this document. Digits are ASCII
# [0-9] only: Python's `\d` also matches full-width (２２８５) and other Unicode digits, which the
# gazette does not use for numbers and which must not pass for them.
_NUMBER = re.compile(r"([0-9]+(?:\.[0-9]+)?)(?:\s*(?:左右|以下|以上)?\s*[:：]\s*1(?![0-9.]))?")
DECLINE_WORDS = ("下降", "压减", "减少")

# Qualifier words of table cells, and the qualifier each one means.
_CELL_QUALIFIERS = {"以上": "at_least", "左右": "about", "以内": "at_most", "以下": "at_most"}
TABLE_SYMBOLS = ("—", "▽", "○", "□")
TABLE_TEXTS = ("由负转正", "实现转正", "正增长")

# libyaml's loader when PyYAML was built with it (the wheels are): the same safe subset of YAML,
# about ten times faster than the pure-Python one, and an edition's YAML is read in every process.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The safe loader that also refuses a key given twice in one mapping (YAML keeps the last one
    silently, so an edited metadata file could lose a value without anyone seeing it)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def read_yaml(text: str):
    """`yaml.safe_load(text)`, with libyaml where available; raises yaml.YAMLError on bad YAML,
    a key given twice in one mapping included.

    >>> read_yaml("a: [1, 2.5, x]")
    {'a': [1, 2.5, 'x']}
    >>> read_yaml("{a: 1, a: 2}")
    Traceback (most recent call last):
    ...
    yaml.constructor.ConstructorError: duplicate key 'a'
      in "<unicode string>", line 1, column 8
    """
    return yaml.load(text, Loader=_Loader)  # noqa: S506  (a safe loader: C or Python SafeLoader)


@dataclass(frozen=True)
class Number:
    text: str      # the digits as printed, e.g. "109.3"
    start: int
    end: int

    @property
    def value(self) -> float:
        return float(self.text)

    @property
    def half_unit(self) -> float:
        """Half a unit of the last printed digit: the rounding the printed number implies."""
        exponent = Decimal(self.text).as_tuple().exponent
        return float(Decimal(5) * Decimal(10) ** (exponent - 1))


def numbers_in(text: str) -> list[Number]:
    """Every number in `text`, in order; a ratio `a:1` counts once, as `a`.

    >>> [n.text for n in numbers_in("人均地区生产总值比值预计为1.80：1以下")]
    ['1.80']
    >>> [n.text for n in numbers_in("分别增长 8.7%、10.6%")]
    ['8.7', '10.6']
    """
    return [Number(m.group(1), m.start(1), m.end(1)) for m in _NUMBER.finditer(text)]


def last_number(text: str) -> Number | None:
    """The number a quote states: by the curation rule, the last one in it."""
    found = numbers_in(text)
    return found[-1] if found else None


def has_decline_word(text: str) -> bool:
    return any(w in text for w in DECLINE_WORDS)


# Words that fix a prose number's qualifier: after the number (`15% 以上`, `40% 左右`) or right
# before it (`超过3000`, `约7.3`); 预计 anywhere before it makes the number a projection.
_WORDS_AFTER = {"左右": "about", "以上": "at_least", "以内": "at_most", "以下": "at_most"}
_WORDS_BEFORE = (("超过", "at_least"), ("突破", "at_least"), ("超", "at_least"), ("约", "about"),
                 ("近", "about"), ("低于", "at_most"))


def implied_qualifier(quote: str) -> tuple[str, str] | None:
    """The qualifier the words around a quote's number imply, with the word; None when no word does.

    >>> implied_qualifier("数字经济增加值增长 15% 以上")
    ('at_least', '以上')
    >>> implied_qualifier("民间投资增速完成情况好于预期约7.3个百分点")
    ('about', '约')
    >>> implied_qualifier("超预期17.8个百分点") is None   # 超 as a verb: "exceeded (the target) by"
    True
    """
    number = last_number(quote)
    if number is None:
        return None
    after = quote[number.end:]
    for word, qualifier in _WORDS_AFTER.items():
        if word in after:
            return qualifier, word
    before = quote[max(0, number.start - 3):number.start].strip()
    for word, qualifier in _WORDS_BEFORE:
        if before.endswith(word):
            return qualifier, word
    before_number = quote[:number.start]
    # 预计 reaches to the end of its sentence: 为预计数。7项… does not make 7 a projection.
    if "预计" in before_number and "。" not in before_number[before_number.rindex("预计"):]:
        return "about", "预计"
    return None


def is_projected(quote: str) -> bool:
    """Whether the quote states its number as a projection: 预计 before the number, in its sentence.

    >>> is_projected("“一区”与“两群”人均地区生产总值比值预计为1.80：1以下"), is_projected("为预计数）。7项约束性指标")
    (True, False)
    """
    number = last_number(quote)
    if number is None:
        return False
    before = quote[:number.start]
    return "预计" in before and "。" not in before[before.rindex("预计"):]


@dataclass(frozen=True)
class Cell:
    status: str             # number | text | symbol | blank
    value: float | None
    qualifier: str
    number: Number | None = None


def parse_cell(cell: str) -> Cell:
    """Read one cell of the plan report's indicator tables.

    >>> parse_cell("6以上")
    Cell(status='number', value=6.0, qualifier='at_least', number=Number(text='6', start=0, end=1))
    >>> parse_cell("1.8左右:1").qualifier
    'about'
    >>> parse_cell("▽").status
    'symbol'
    """
    text = cell.strip()
    if not text:
        return Cell("blank", None, "exact")
    if text in TABLE_SYMBOLS:
        return Cell("symbol", None, "exact")
    if text in TABLE_TEXTS:
        return Cell("text", None, "exact")
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(以上|左右|以内|以下)?(?:\s*[:：]\s*1)?(以上|左右|以内|以下)?", text)
    if not m or (m.group(2) and m.group(3)):
        raise ValueError(f"not a known indicator-table cell: {cell!r}")
    word = m.group(2) or m.group(3)
    number = Number(m.group(1), m.start(1), m.end(1))
    return Cell("number", number.value, _CELL_QUALIFIERS.get(word, "exact"), number)
