"""Rendering: papermill jobs (notebook × parameters) into verified, atomically published runs.

Modules: `run` (a run: render the request, one job into a run folder, assemble and publish; the
Python API), `jobs` (render.yaml, job ids, links, validation), `keys` (what an output depends on),
`execute` (one job in a kernel, the worker pool, the notebooks refreshed in place), `export` (the
HTML page), `publish` (the output folder and its published run), `cli` (`cq-gazette render …`),
`runs` (run folders, records, manifests, the verified cache, publication, pruning), `lock` (one
render at a time, a dead owner's lock taken over), `kernels` (kernels forked from a pre-imported
server), `reaper` (nothing a job starts outlives it), `site` (the reader's front pages). The names
of `run` are available here too (`helpers.render.render`, `helpers.render.Job`, …), imported on use.
"""

import importlib

_SUBMODULES = {"run", "runs", "lock", "kernels", "jobs", "keys", "execute", "export", "publish", "cli",
               "reaper", "site"}


def __getattr__(name):
    if name.startswith("__") or name in _SUBMODULES:
        raise AttributeError(name)
    return getattr(importlib.import_module(".run", __name__), name)
