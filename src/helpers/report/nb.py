"""What every notebook needs and should not write itself: parameter validation, number
formatting, displaying a page's markup and stable tables, and the results cell.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import pandas as pd

from ..data.vocab import LANGS
from ..errors import ParameterError

ALLOWED = {
    "lang": LANGS,
    "figure_format": ("png", "svg"),
    "level": ("city", "municipal", "district"),
}


def validate(**params) -> dict:
    """Stop at once, naming the parameter and the allowed values, if any value is not allowed.

    >>> validate(lang="fr")
    Traceback (most recent call last):
    ...
    helpers.errors.ParameterError: lang='fr' is not allowed; allowed values: 'zh', 'en'
    """
    for name, value in params.items():
        allowed = ALLOWED.get(name)
        if allowed is None:
            raise ParameterError(f"unknown parameter {name!r}; known: {', '.join(ALLOWED)}")
        if value not in allowed:
            raise ParameterError(f"{name}={value!r} is not allowed; allowed values: {', '.join(map(repr, allowed))}")
    return params


def fmt(value: float, digits: int | None = None) -> str:
    """A number as text: integers without decimals, otherwise as printed (up to `digits`)."""
    if digits is None:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.{_decimals(value)}f}"
    return f"{value:,.{digits}f}"


def _decimals(value: float) -> int:
    text = f"{value:.6f}".rstrip("0")
    return min(len(text.split(".")[1]), 3)


def show_html(markup: str) -> None:
    """Display markup; a page's findings (`page.Findings`) also carry their items as data."""
    from IPython.display import HTML, display

    if hasattr(markup, "bundle"):
        display(markup.bundle(), raw=True)
    else:
        display(HTML(markup))


def show_table(frame: pd.DataFrame, floatfmt: str = "{:,.1f}") -> None:
    """Display a table as plain, deterministic HTML (no Styler: its ids are random)."""
    from IPython.display import HTML, display

    formatters = {c: floatfmt.format for c in frame.columns if pd.api.types.is_float_dtype(frame[c])}
    display(HTML(frame.to_html(index=False, formatters=formatters, na_rep="—", escape=True, border=0)))


def show_results(results: Mapping) -> None:
    """Display the notebook's headline results as one JSON object (MIME application/json)."""
    from IPython.display import display

    clean = json.loads(json.dumps(results, ensure_ascii=False, default=_jsonable))
    display({"application/json": clean, "text/plain": json.dumps(clean, ensure_ascii=False, indent=1, sort_keys=True)}, raw=True)


def _jsonable(value):
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON-serialisable: {value!r}")
