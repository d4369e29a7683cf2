"""The verified facts of an edition: curated numbers indexed by metric and year, with the rounding
each printed number implies (`half_unit`). Analysis functions take one `Facts` object."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd


class Facts:
    """Curated numbers indexed by metric; `edition` is the Edition they come from (or None)."""

    def __init__(self, frame: pd.DataFrame, edition=None):
        self.frame = frame
        self.edition = edition
        self._by_metric = defaultdict(list)
        for row in frame.to_dict("records"):
            self._by_metric[row["metric"]].append(row)

    def year(self, role: str) -> int:
        return self.edition.year(role)

    def rows(self, metric: str, period: int | None = None, basis: str | None = None) -> list[dict]:
        return [r for r in self._by_metric.get(metric, [])
                if (period is None or r["period"] == period) and (basis is None or r["basis"] == basis)]

    def get(self, metric: str, period: int | None = None, basis: str | None = None) -> dict:
        found = self.rows(metric, period, basis)
        if not found:
            raise KeyError(f"no curated number for metric {metric!r} (period {period}, basis {basis})")
        return found[0]

    def value(self, metric: str, period: int | None = None, basis: str | None = None) -> float:
        return self.get(metric, period, basis)["value"]

    def has(self, metric: str, period: int | None = None, basis: str | None = None) -> bool:
        return bool(self.rows(metric, period, basis))
