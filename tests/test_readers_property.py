"""Issue 24, point 5: the readers of the project's configuration — an edition's `edition.yaml`, its
`datapackage.json` and `render.yaml` — given random YAML/JSON structures, either succeed or raise a
named error (a HelpersError), never another exception. Each example starts from the real file and
puts a random value at one place of it (or replaces the whole file), so that the structure around
the random part is valid and the check of that part is what is exercised."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import helpers
from helpers.data import edition as edition_module
from helpers.data import load as loader
from helpers.errors import HelpersError
from helpers.render import run as render

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
SCALARS = st.none() | st.booleans() | st.integers(-10**6, 10**20) | st.floats(allow_nan=True) | TEXT
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(TEXT | st.integers(-5, 5), inner, max_size=4), max_leaves=16)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _put(document, path: tuple, value):
    """`document` with `value` at `path` (keys and list indexes; a missing key is added)."""
    if not path:
        return value
    out = copy.deepcopy(document)
    target = out
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return out


def _dump_yaml(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="module")
def edition_copy(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("property") / "edition"
    shutil.copytree(helpers.edition().root, target)
    return target


def _use_edition(folder: Path):
    """The edition in `folder`, read afresh (the cache is keyed by modification times, which two
    writes within one clock tick share), and every part of it the code reads."""
    edition_module._CACHE.clear()
    ed = helpers.edition(str(folder))
    ed.id, ed.title, ed.years, ed.documents, ed.raw_path, ed.raw_sha256      # noqa: B018
    for key in ed.meta.get("files", {}):
        ed.load_yaml(key)
    for name in ed.table_names + ed.support_table_names:
        ed.table_path(name)
    return ed


META_PLACES = [(), ("id",), ("title",), ("title", "en"), ("years",), ("years", "review"), ("documents",),
               ("documents", "work_report"), ("documents", "work_report", "lines"), ("indicator_tables",),
               ("indicator_tables", "plan", "columns"), ("files",), ("files", "sections"), ("short_title",),
               ("publisher",), ("extra",)]


@SETTINGS
@given(place=st.sampled_from(META_PLACES), value=VALUES)
def test_any_edition_yaml_is_read_or_named(edition_copy, place, value):
    meta_path = edition_copy / "edition.yaml"
    original = meta_path.read_text(encoding="utf-8")
    try:
        meta_path.write_text(_dump_yaml(_put(yaml.safe_load(original), place, value)), encoding="utf-8")
        try:
            _use_edition(edition_copy)
        except HelpersError:
            pass
    finally:
        meta_path.write_text(original, encoding="utf-8")


@SETTINGS
@given(text=st.text(max_size=60))
def test_any_text_as_edition_yaml_is_read_or_named(edition_copy, text):
    meta_path = edition_copy / "edition.yaml"
    original = meta_path.read_text(encoding="utf-8")
    try:
        meta_path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            _use_edition(edition_copy)
        except HelpersError:
            pass
    finally:
        meta_path.write_text(original, encoding="utf-8")


DESCRIPTOR_PLACES = [(), ("resources",), ("resources", 0), ("resources", 0, "path"), ("resources", 0, "name"),
                     ("resources", "T", "schema"), ("resources", "T", "schema", "fields"),
                     ("resources", "T", "schema", "fields", 0), ("resources", "T", "schema", "fields", 0, "type"),
                     ("resources", "T", "schema", "fields", 1, "constraints"),
                     ("resources", "T", "schema", "fields", 1, "trueValues"),
                     ("resources", "T", "schema", "missingValues"), ("resources", "T", "schema", "primaryKey"),
                     ("resources", "T", "hash"), ("resources", "T", "x_role"), ("resources", "T", "x_topic")]


@SETTINGS
@given(place=st.sampled_from(DESCRIPTOR_PLACES), value=VALUES)
def test_any_descriptor_is_read_or_named(edition_copy, place, value):
    path = edition_copy / "datapackage.json"
    original = path.read_text(encoding="utf-8")
    try:
        descriptor = json.loads(original)
        table = next(k for k, r in enumerate(descriptor["resources"]) if "schema" in r)
        place = tuple(table if step == "T" else step for step in place)     # the first table resource
        path.write_text(json.dumps(_put(descriptor, place, value), ensure_ascii=False), encoding="utf-8")
        try:
            ed = _use_edition(edition_copy)
            if ed.table_names:
                loader.load(ed.table_names[0], ed)         # the first table against its (changed) schema
        except HelpersError:
            pass
    finally:
        path.write_text(original, encoding="utf-8")


JOBS_PLACES = [(), ("default_parameter_sets",), ("default_parameter_sets", 0), ("notebooks",), ("notebooks", 0),
               ("notebooks", 0, "path"), ("notebooks", 0, "parameter_sets"), ("editions",), ("keep_runs",),
               ("limits",), ("limits", "cell_timeout_s"), ("limits", "job_timeout_s"), ("edition",)]


@SETTINGS
@given(place=st.sampled_from(JOBS_PLACES), value=VALUES)
def test_any_render_yaml_is_read_or_named(tmp_path, place, value):
    jobs_file = tmp_path / "render.yaml"
    base = yaml.safe_load((render.JOBS_FILE).read_text(encoding="utf-8"))
    jobs_file.write_text(_dump_yaml(_put(base, place, value)), encoding="utf-8")
    try:
        jobs, _ = render.load_jobs(jobs_file, render.paths.ROOT)
        render.validate_jobs(jobs, render.paths.ROOT)
    except HelpersError:
        pass


@pytest.mark.parametrize("text", ["[" * 1000 + "]" * 1000, "editions: " + "[" * 5000 + "]" * 5000,
                                  "edition: 5", "edition: true", "edition: .nan", "&a [*a]",
                                  "limits: {cell_timeout_s: .inf}", "limits: {max_page_mb: .nan}"])
def test_hostile_render_yaml_is_a_named_error(tmp_path, text):
    jobs_file = tmp_path / "render.yaml"
    jobs_file.write_text(text, encoding="utf-8")
    with pytest.raises(HelpersError):
        render.load_jobs(jobs_file, tmp_path)
