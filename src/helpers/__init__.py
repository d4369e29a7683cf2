"""helpers: curated tables of the Chongqing Gazette 2022 No. 2, their checks, and the analysis.

    >>> import helpers
    >>> helpers.load("debt").query("metric == 'city_debt_ratio'")["value"].item()
    109.0
"""

from .checks import Check, run_checks
from .errors import (
           DataError,
           HelpersError,
           ParameterError,
           ProvenanceError,
           RenderError,
           SchemaError,
)
from .loader import facts, load, load_all

__all__ = ["Check", "DataError", "HelpersError", "ParameterError", "ProvenanceError", "RenderError",
           "SchemaError", "facts", "load", "load_all", "run_checks"]
