"""A small, safe expression language over the facts of an edition, so that identities and known
discrepancies are data (YAML) rather than Python.

A term `metric@role` (or `metric@role#basis`) is the curated value of `metric` in the edition's
review or plan year. Arithmetic (+ − × ÷, parentheses, numbers) and two functions are allowed:
`sum_rows(table, role, measure)` and `count_rows(table, role, measure)` over the verified rows of a
table. Nothing else is evaluated (no names, attributes or calls of Python).

    >>> parse_term("-city_debt_balance@review#actual")
    Term(metric='city_debt_balance', role='review', basis='actual', sign=-1, optional=False)
"""

from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass

from ..errors import EditionError

TERM = re.compile(r"(?P<metric>[a-z][a-z0-9_]*)@(?P<role>review|plan)(?:#(?P<basis>actual|plan))?")
_TERM_TEXT = re.compile(r"(?P<sign>-?)" + TERM.pattern + r"(?P<optional>\??)")
_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


@dataclass(frozen=True)
class Term:
    metric: str
    role: str
    basis: str | None = None
    sign: int = 1
    optional: bool = False


def parse_term(text: str) -> Term:
    m = _TERM_TEXT.fullmatch(text.strip())
    if not m:
        raise EditionError(f"not a term {text!r}: expected 'metric@review' or 'metric@plan' (optionally '-' before, "
                           f"'#actual'/'#plan' basis, '?' after)")
    return Term(m["metric"], m["role"], m["basis"], -1 if m["sign"] else 1, bool(m["optional"]))


class Evaluator:
    """Evaluates expressions against one Facts object; `used` collects the fact rows read."""

    def __init__(self, facts):
        self.facts = facts
        self.used: list[dict] = []

    def term(self, t: Term) -> dict:
        row = self.facts.get(t.metric, self.facts.year(t.role), t.basis)
        self.used.append(row)
        return row

    def _rows(self, table: str, role: str, measure: str):
        frame = self.facts.frame
        rows = frame[(frame["table"] == table) & (frame["period"] == self.facts.year(role))]
        rows = rows[rows["measure"] == measure]
        if rows.empty:
            raise KeyError(f"no verified rows of {table} for {role} ({self.facts.year(role)}) with measure {measure!r}")
        return rows

    def evaluate(self, expression: str) -> float:
        source = TERM.sub(lambda m: f"__term__({m.group(0)!r})", expression)
        try:
            tree = ast.parse(source, mode="eval")
        except SyntaxError as exc:
            raise EditionError(f"expression {expression!r} is not valid: {exc.msg}") from None
        return float(self._eval(tree.body, expression))

    def _eval(self, node, expression: str):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](self._eval(node.left, expression), self._eval(node.right, expression))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self._eval(node.operand, expression)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if len(args) == len(node.args):
                if node.func.id == "__term__" and len(args) == 1:
                    return float(self.term(parse_term(args[0]))["value"])
                if node.func.id in ("sum_rows", "count_rows") and len(args) == 3:
                    rows = self._rows(*args)
                    self.used.extend(rows.to_dict("records"))
                    return float(rows["value"].sum()) if node.func.id == "sum_rows" else len(rows)
        raise EditionError(f"expression {expression!r}: only terms, numbers, + - * / and sum_rows/count_rows(table, role, measure) "
                           f"are allowed")


def fill(template: str, evaluator: Evaluator, **values) -> str:
    """Replace `{review}`, `{plan}`, `{name}` (from `values`) and `{expression}` (evaluated, shown with
    up to one decimal) in a description or reason template."""
    years = evaluator.facts.edition.years

    def one(m):
        key = m.group(1)
        if key in years:
            return str(years[key])
        if key in values:
            return str(values[key])
        value = evaluator.evaluate(key)
        return f"{round(value, 1):g}"

    return re.sub(r"\{([^{}]+)\}", one, template)
