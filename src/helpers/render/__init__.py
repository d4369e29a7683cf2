"""Rendering: papermill jobs (notebook × parameters) into verified, atomically published runs.

Modules: `run` (jobs, one job, a run, assembly and the command line), `runs` (run folders,
records, manifests, the verified cache, publication, pruning), `lock` (one render at a time, a
dead owner's lock taken over), `kernels` (kernels forked from a pre-imported server). The names of
`run` are available here too (`helpers.render.render`, `helpers.render.Job`, …), imported on use.
"""

import importlib

_SUBMODULES = {"run", "runs", "lock", "kernels"}


def __getattr__(name):
    if name.startswith("__") or name in _SUBMODULES:
        raise AttributeError(name)
    return getattr(importlib.import_module(".run", __name__), name)
