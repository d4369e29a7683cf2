"""Every notebook runs with each allowed value of each of its parameters, without any warning or
stream output (a missing CJK glyph would show up here), and stops on a bad value.

A value that render.yaml renders (other languages, levels) is read from the shared render of the
session (conftest.published): the same papermill execution, done once. A value it does not render
(figure_format="svg") is executed here with papermill, in a kernel forked from the renderer's kernel
server (conftest.forked_kernels), as `helpers render` would run it."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
import pytest

from helpers.data import paths
from helpers.report import nb

pytestmark = pytest.mark.slow
NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))


def _cases():
    for notebook in NOTEBOOKS:
        declared = papermill.inspect_notebook(str(notebook))
        for name, allowed in nb.ALLOWED.items():
            if name not in declared:
                continue
            default = declared[name]["default"].strip("\"'")
            for value in allowed:
                if value != default:
                    yield pytest.param(notebook, {name: value}, id=f"{notebook.stem}-{name}-{value}")


def _run(notebook, params, tmp_path, kernel_manager_class):
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(notebook), str(out), cwd=str(notebook.parent), kernel_name="python3",
                               parameters={**params, "figure_dir": str(tmp_path / "figures")},
                               progress_bar=False, log_output=False, kernel_manager_class=kernel_manager_class)
    return nbformat.read(out, as_version=4)


def _published(published, notebook, params) -> Path | None:
    """The shared render's job for `params` with every other parameter at the notebook's default."""
    manifest, latest = published
    declared = papermill.inspect_notebook(str(notebook))
    wanted = {name: spec["default"].strip("\"'") for name, spec in declared.items()} | params
    found = [j for j in manifest["jobs"] if Path(j["notebook"]).name == notebook.name
             and all(wanted.get(k) == v for k, v in j["parameters"].items()) and all(k in j["parameters"] for k in params)]
    return latest / found[0]["id"] if found else None


@pytest.mark.parametrize("notebook, params", list(_cases()))
def test_notebook_runs_with_each_allowed_value(notebook, params, published, tmp_path, request):
    job = _published(published, notebook, params)
    if job is not None:
        executed = nbformat.read(job / f"{job.name}.ipynb", as_version=4)
        figure_folder = job / "figures"
    else:
        executed = _run(notebook, params, tmp_path, request.getfixturevalue("forked_kernels"))
        figure_folder = tmp_path / "figures"
    streams = [o for c in executed.cells for o in c.get("outputs", []) if o["output_type"] in ("stream", "error")]
    assert not streams, f"{notebook.name} {params}: unexpected output {streams[:2]}"
    figures = list(figure_folder.iterdir())
    assert figures
    expected_suffix = "." + params.get("figure_format", "png")
    assert all(f.suffix == expected_suffix for f in figures)
    results = executed.cells[-1]["outputs"][-1]["data"]["application/json"]
    assert isinstance(results, dict) and results


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_stops_on_a_bad_value_naming_the_allowed_ones(notebook, tmp_path, forked_kernels):
    with pytest.raises(papermill.PapermillExecutionError) as err:
        _run(notebook, {"lang": "fr"}, tmp_path, forked_kernels)
    assert err.value.ename == "ParameterError"
    assert "lang='fr' is not allowed; allowed values: 'zh', 'en'" in err.value.evalue
