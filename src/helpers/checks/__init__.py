"""Checks over an edition: schema, provenance, identities, cross-document agreement, known discrepancies."""

from .engine import CONVERSIONS, KINDS, Check, checks_frame, run_checks, verified_facts
from ..data.facts import Facts

__all__ = ["CONVERSIONS", "KINDS", "Check", "Facts", "checks_frame", "run_checks", "verified_facts"]
