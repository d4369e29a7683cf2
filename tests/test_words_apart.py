"""Issue 20, item 1: words apart from computation. Outside the catalog and the templates, the
package's Python holds no words of a page in any language: nowhere a (zh, en) pair, a t(zh, en) /
Labels call or a branch on a language code; in report/, analysis/ and render/ (the code that makes
pages) no Chinese string literal either. Counted by parsing the source (ast), so comments and
docstrings do not count. (checks/ and data/ keep the gazette's own words they parse the text with —
预计, 左右, 以上 … — and the check records' descriptions, which are data of the checks.)

Nor does a page model or the analysis build HTML: no string literal in report/ or analysis/ holds an
HTML element, except in report/page.py, the one renderer of the pages' data tables (a DataFrame to
a sourced <table>), which every page's templates call. (One scan for the whole package: it replaced
four per-page scanners that counted the same things in a module list each.)"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import helpers

SRC = Path(helpers.__file__).parent
CODE = re.compile(r"[a-z0-9_]+")   # ("以上", "at_least"): a gazette word mapped to a code, not a pair of words
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
PAGE_CODE = ("report", "analysis", "render")
NO_HTML = ("report", "analysis")
HTML_RENDERER = Path("report/page.py")
# An HTML element of the pages (not any <word>: an error message may say `sector_<year>`).
TAG = re.compile(r"<\s*/?(?:p|span|div|table|thead|tbody|tr|td|th|ul|ol|li|a|q|sup|sub|strong|em|b|i|br|h[1-6]|cite|abbr|code|details|summary|blockquote)[\s>/]")


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                ids.add(id(first.value))
    return ids


def _is_lang_test(node: ast.Compare) -> bool:
    names = [n for n in [node.left, *node.comparators] if isinstance(n, (ast.Name, ast.Attribute))]
    consts = [n for n in [node.left, *node.comparators] if isinstance(n, ast.Constant) and n.value in ("zh", "en")]
    named = any((n.id if isinstance(n, ast.Name) else n.attr) == "lang" for n in names)
    return named and bool(consts)


def findings(path: Path, literals: bool = True, html: bool = False) -> list[str]:
    """What a module holds of a page's words; `literals=False` leaves out Chinese literals; `html=True`
    counts string literals holding an HTML element too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(SRC) if path.is_relative_to(SRC) else path.name}:{getattr(node, 'lineno', '?')}"
        if (literals and isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
                and CJK.search(node.value)):
            found.append(f"{where}: Chinese string literal {node.value[:30]!r}")
        elif (html and isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
                and TAG.search(node.value)):
            found.append(f"{where}: HTML string literal {node.value[:30]!r}")
        elif (isinstance(node, ast.Tuple) and len(node.elts) == 2 and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts) \
                and CJK.search(node.elts[0].value) and not CJK.search(node.elts[1].value)
                and not CODE.fullmatch(node.elts[1].value) and node.elts[1].value.strip()):
            found.append(f"{where}: (zh, en) pair {node.elts[0].value[:20]!r}")
        elif isinstance(node, ast.Compare) and _is_lang_test(node):
            found.append(f"{where}: branch on the language")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("t", "Labels") and len(node.args) >= 2:
                found.append(f"{where}: {name}(zh, en) call")
    return found


def test_no_words_of_a_page_in_the_packages_python():
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        found += findings(path, literals=rel.parts[0] in PAGE_CODE, html=rel.parts[0] in NO_HTML and rel != HTML_RENDERER)
    assert found == [], f"{len(found)} words in Python:\n" + "\n".join(found[:60])


def test_the_scan_finds_each_kind(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('''"""A docstring in 中文 does not count."""
PAIR = ("年份", "Year:")


def f(page, lang):
    if lang == "zh":
        return page.t("年份", "year")
    return f"{lang}年" + "<td>" + "expected sector_<year> columns"
''', encoding="utf-8")
    kinds = sorted(line.split(": ", 1)[1].split(" ")[0] for line in findings(probe, html=True))
    assert kinds == ["(zh,", "Chinese", "Chinese", "Chinese", "HTML", "branch", "t(zh,"], kinds
    assert not any("docstring" in line for line in findings(probe))
