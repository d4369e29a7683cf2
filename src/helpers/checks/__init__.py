"""Checks over an edition: schema, provenance, identities, cross-document agreement, known discrepancies."""

from ..data.facts import Facts
from .engine import CONVERSIONS, KINDS, Check, checked, checks_frame, run_checks, verified_facts

__all__ = ["CONVERSIONS", "KINDS", "Check", "Facts", "checked", "checks_frame", "run_checks", "verified_facts"]
