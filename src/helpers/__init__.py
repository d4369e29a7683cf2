"""helpers: the curated tables of the Chongqing gazette's editions, their checks, and the analysis.

    >>> import helpers
    >>> helpers.load("debt").query("metric == 'city_debt_ratio'")["value"].item()
    109.0

The public API: `edition(E)` resolves an edition (an id under data/editions/, a folder, or None for
the latest); `load(name, edition=None)`, `load_all`, `facts` read its curated tables; `run_checks`
and `verified_facts` check them; `find(text, edition=None)` searches every curated number by
name (zh or en), quote or topic. `__version__` is the installed distribution's version (pyproject.toml).
"""

from importlib import metadata as _metadata

from .checks import Check, Facts, run_checks, verified_facts
from .data.edition import Edition, edition, known_editions
from .data.find import find
from .data.load import facts, load, load_all
from .errors import (
    DataError,
    EditionError,
    HelpersError,
    ParameterError,
    ProvenanceError,
    RenderError,
    SchemaError,
)

try:
    __version__ = _metadata.version("cq-gazette-analysis")
except _metadata.PackageNotFoundError:     # imported from a source folder that was never installed
    __version__ = "0+unknown"

__all__ = ["Check", "DataError", "Edition", "EditionError", "Facts", "HelpersError", "ParameterError",
           "ProvenanceError", "RenderError", "SchemaError", "edition", "facts", "find", "known_editions", "load",
           "load_all", "run_checks", "verified_facts"]
