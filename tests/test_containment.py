"""Containment (issue 24): no path outside the project is read or written, through an edition id, a
descriptor's resource path, a symbolic link planted in the reports folder or left by a notebook, or
a special file; each case is a named error, and no error shows the content of a refused file."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

import helpers
import helpers.cli as cli
from helpers.data import load as loader
from helpers.errors import EditionError, SchemaError
from helpers.render import runs
from helpers.render.lock import LockError, RenderLock


def _descriptor(copy: Path, edit) -> None:
    path = copy / "datapackage.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize("bad_id", ["../../../../../../tmp/x", "/tmp/x", "a/b", "..", ".hidden", ""])
def test_an_edition_id_that_is_not_one_safe_name_is_refused(data_copy, bad_id):
    meta = data_copy / "edition.yaml"
    text = meta.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("id:"))
    meta.write_text(text.replace(line, f"id: {json.dumps(bad_id)}"), encoding="utf-8")
    with pytest.raises(EditionError, match="is not a safe name"):
        helpers.edition(str(data_copy))


@pytest.mark.parametrize("path, message", [
    ("../../etc/passwd", "must be a relative path inside the edition folder"),
    ("/etc/passwd", "must be a relative path inside the edition folder"),
    ("curated/../../x.csv", "must be a relative path inside the edition folder"),
])
def test_a_resource_path_outside_the_edition_is_refused_without_reading_it(data_copy, path, message):
    def edit(d):
        d["resources"][0]["path"] = path
    _descriptor(data_copy, edit)
    with pytest.raises(SchemaError, match=message) as caught:
        helpers.edition(str(data_copy))
    assert "root:" not in str(caught.value)              # nothing of /etc/passwd is shown


def test_a_resource_that_is_a_link_out_of_the_edition_is_refused(data_copy, tmp_path):
    outside = tmp_path / "secret.csv"
    outside.write_text("secret line\n", encoding="utf-8")
    target = data_copy / "curated" / "budget.csv"
    target.unlink()
    target.symlink_to(outside)
    with pytest.raises(SchemaError, match="leads outside the edition folder") as caught:
        helpers.edition(str(data_copy))
    assert "secret" not in str(caught.value)


def test_a_schema_that_is_not_an_object_is_named(data_copy):
    def edit(d):
        d["resources"][0]["schema"] = None
    _descriptor(data_copy, edit)
    with pytest.raises(SchemaError, match="schema is NoneType; expected an object"):
        helpers.edition(str(data_copy))


def test_a_fifo_in_place_of_a_table_is_refused_before_it_is_opened(data_copy):
    table = data_copy / "curated" / "budget.csv"
    schema = helpers.edition(str(data_copy)).resource("budget")["schema"]
    table.unlink()
    os.mkfifo(table)
    with pytest.raises(SchemaError, match="is not a regular file"):   # opening it would block forever
        loader.read_table(table, schema)


def test_a_gbk_table_is_named_by_file_and_line(data_copy):
    table = data_copy / "curated" / "budget.csv"
    table.write_bytes(table.read_text(encoding="utf-8").encode("gbk", errors="replace"))
    with pytest.raises(SchemaError, match=r"not valid UTF-8 .*is it GBK"):
        helpers.load("budget", str(data_copy))


@pytest.mark.parametrize("name", [".render.lock", ".render.lock.guard"])
def test_a_lock_file_that_is_a_link_is_refused_and_its_target_kept(tmp_path, name):
    reports = tmp_path / "reports"
    reports.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (reports / name).symlink_to(victim)
    lock = RenderLock(reports, False)
    if name == ".render.lock":
        with pytest.raises(LockError, match="is a symbolic link"):
            lock.__enter__()
    else:                                  # the guard is opened only to take a dead owner's lock over
        with pytest.raises(LockError, match="is a symbolic link"):
            lock._take_over(os.open(tmp_path / "other", os.O_RDWR | os.O_CREAT), 1)
    assert victim.read_text(encoding="utf-8") == "precious\n"


def test_a_write_probe_planted_as_a_link_is_not_followed(tmp_path, capsys):
    reports = tmp_path / "reports"
    reports.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (reports / ".write-test").symlink_to(victim)
    from helpers.render.publish import _check_writable

    _check_writable(reports)
    assert victim.read_text(encoding="utf-8") == "precious\n"


def test_a_link_a_job_leaves_is_never_recorded_nor_followed(tmp_path):
    job = tmp_path / "job"
    (job / "figures").mkdir(parents=True)
    (job / "page.html").write_text("<p>ok</p>", encoding="utf-8")
    secret = tmp_path / "shadow"
    secret.write_text("root:x\n", encoding="utf-8")
    (job / "figures" / "a.png").symlink_to(secret)
    os.mkfifo(job / "figures" / "pipe")
    assert runs.unsafe_outputs(job) == ["figures/a.png", "figures/pipe"]
    assert runs.hash_outputs(job) == {"page.html": runs.sha256_file(job / "page.html")}
    recorded = {"figures/a.png": runs.sha256_file(secret)}
    assert "is a symbolic link" in runs.verify_outputs(job, recorded)


def test_a_render_into_a_reports_folder_whose_lock_is_a_link_stops_with_a_named_error(tmp_path, capsys):
    reports = tmp_path / "reports"
    (reports / "runs").mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (reports / ".render.lock").symlink_to(victim)
    assert cli.main(["render", "--quiet", "--output", str(reports)]) != 0
    assert "is a symbolic link" in capsys.readouterr().err
    assert victim.read_text(encoding="utf-8") == "precious\n" and not (reports / "latest").exists()


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_a_regular_file_or_folder_at_reports_latest_is_refused_before_any_work(tmp_path, capsys, kind):
    reports = tmp_path / "reports"
    reports.mkdir()
    if kind == "file":
        (reports / "latest").write_text("mine\n", encoding="utf-8")
    else:
        (reports / "latest").mkdir()
    assert cli.main(["render", "--quiet", "--output", str(reports)]) == 2
    assert f"is a {kind}, not the link to the published run" in capsys.readouterr().err
    assert not (reports / "runs").exists() or not any((reports / "runs").iterdir())


def test_a_key_given_twice_in_an_edition_file_is_a_named_error(data_copy):
    meta = data_copy / "edition.yaml"
    text = meta.read_text(encoding="utf-8")
    id_line = next(x for x in text.splitlines() if x.startswith("id:"))
    meta.write_text(text + "\n" + id_line + "\n", encoding="utf-8")
    with pytest.raises(EditionError, match="duplicate key 'id'"):
        helpers.edition(str(data_copy))


def test_a_key_given_twice_in_render_yaml_is_a_bad_request(tmp_path, capsys):
    jobs = tmp_path / "render.yaml"
    jobs.write_text("keep_runs: 3\nkeep_runs: 4\n", encoding="utf-8")
    assert cli.main(["render", "--quiet", "--jobs-file", str(jobs), "--output", str(tmp_path / "r")]) == 2
    assert "duplicate key 'keep_runs'" in capsys.readouterr().err


# --- edition files that once gave tracebacks ---------------------------------------------------------

def _edit_meta(copy: Path, old: str, new: str) -> None:
    meta = copy / "edition.yaml"
    text = meta.read_text(encoding="utf-8")
    assert old in text
    meta.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("old, new, message", [
    ("  review: 2021", "  review: twenty-one", "years: expected a mapping of review and plan to whole years"),
    ("{lines: [41, 231]}", "{lines: [41]}", "documents.work_report: expected {lines: [first, last]}"),
    ("{lines: [41, 231]}", "{lines: [231, 41]}", "1 ≤ first ≤ last"),
    ("documents:\n", "documents: [a, b]\nold_documents:\n", "documents: expected a mapping of report names"),
    ("  sections: checks/sections.yaml", "  sections: ../../../../etc/passwd", "files.sections: expected a relative path"),
])
def test_malformed_edition_metadata_is_named_when_read(data_copy, old, new, message):
    _edit_meta(data_copy, old, new)
    with pytest.raises(EditionError, match=re.escape(message)):
        helpers.edition(str(data_copy))


@pytest.mark.parametrize("content, message", [("5\n", "expected a mapping at the top of the file, got int"),
                                              ("- a\n", "expected a mapping at the top of the file, got list")])
def test_a_check_file_of_the_wrong_shape_is_named(data_copy, capsys, content, message):
    (data_copy / "checks" / "sections.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(EditionError, match=message):
        helpers.edition(str(data_copy)).load_yaml("sections")
    assert cli.main(["check", "--edition", str(data_copy)]) != 0      # the command names it, no traceback
    assert message in capsys.readouterr().err


def test_a_gbk_table_is_named_by_check(data_copy, capsys):
    """The check command read every curated file once more for its units (provenance), with a traceback."""
    table = data_copy / "curated" / "budget.csv"
    table.write_bytes(table.read_text(encoding="utf-8").encode("gbk", errors="replace"))
    assert cli.main(["check", "--edition", str(data_copy)]) != 0
    assert "not valid UTF-8" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["folder", "dev-zero"])
def test_a_table_that_is_a_folder_or_a_device_is_refused_before_it_is_read(data_copy, kind):
    table = data_copy / "curated" / "budget.csv"
    schema = helpers.edition(str(data_copy)).resource("budget")["schema"]
    table.unlink()
    if kind == "folder":
        table.mkdir()
        match = "is a folder"
    else:                                  # a link to /dev/zero once read until memory ran out
        table.symlink_to("/dev/zero")
        match = "is not a regular file"
    with pytest.raises(SchemaError, match=match):
        loader.read_table(table, schema)


# --- requests refused before any kernel starts (exit 2) -------------------------------------------

def _tiny_notebook(path: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('lang = "zh"\nedition = None\nfigure_dir = "."')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell("1")]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


@pytest.mark.parametrize("jobs_yaml, message", [
    ("notebooks:\n  - path: ../outside/30-out.ipynb\n", "is outside the project folder"),
    ("notebooks:\n  - path: OUTSIDE\n", "is outside the project folder"),
    ("notebooks:\n  - path: notebooks/link/30-out.ipynb\n", "is outside the project folder"),
    ("notebooks:\n  - {path: notebooks/index.html.ipynb, parameter_sets: [{}]}\n", "is a name the run folder uses"),
    ("notebooks:\n  - {path: notebooks/manifest.json.ipynb, parameter_sets: [{}]}\n", "is a name the run folder uses"),
    ("notebooks:\n  - {path: notebooks/logs.ipynb, parameter_sets: [{}]}\n", "is a name the run folder uses"),
    ("notebooks:\n  - path: notebooks/10-x.ipynb\neditions: [COPY, '2022-02']\n", "has the id of the edition in"),
])
def test_a_request_that_would_leave_the_project_or_collide_is_a_bad_request(tmp_path, data_copy, capsys, jobs_yaml,
                                                                            message):
    root = tmp_path / "project"
    outside = tmp_path / "outside" / "30-out.ipynb"
    for path in (outside, root / "notebooks" / "10-x.ipynb", root / "notebooks" / "index.html.ipynb",
                 root / "notebooks" / "manifest.json.ipynb", root / "notebooks" / "logs.ipynb"):
        _tiny_notebook(path)
    (root / "notebooks" / "link").symlink_to(outside.parent)
    (root / "render.yaml").write_text(jobs_yaml.replace("OUTSIDE", str(outside)).replace("COPY", str(data_copy)), encoding="utf-8")
    reports = tmp_path / "reports"
    assert cli.main(["render", "--quiet", "--root", str(root), "--output", str(reports)]) == 2
    assert message in capsys.readouterr().err
    assert not (reports / "runs").exists()                   # refused before any work


def test_a_project_folder_without_jobs_is_a_bad_request(tmp_path, capsys):
    """`--root /etc` once rendered a run of zero jobs and exited 1."""
    assert cli.main(["render", "--quiet", "--root", "/etc", "--output", str(tmp_path / "reports")]) == 2
    assert "no jobs: /etc has no notebooks" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()


def test_a_link_out_of_the_edition_folder_is_never_read_for_its_state(data_copy, tmp_path):
    """The state of an edition (part of every render key) hashes its files; a link out of the folder
    (to another user's file, to a file that grows without end) is refused instead of read."""
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("not the edition's\n", encoding="utf-8")
    (data_copy / "notes").symlink_to(outside)
    with pytest.raises(EditionError, match="leads outside the edition folder"):
        helpers.edition(str(data_copy)).state()


@pytest.mark.parametrize("which", ["datapackage.json", "raw", "render.yaml"])
def test_a_fifo_in_place_of_a_configuration_file_is_refused_before_it_is_opened(data_copy, tmp_path, capsys, which):
    """Opening a FIFO blocks until someone writes to it: every reader checks the file is a regular one first."""
    if which == "render.yaml":
        jobs = tmp_path / "render.yaml"
        os.mkfifo(jobs)
        assert cli.main(["render", "--quiet", "--jobs-file", str(jobs), "--output", str(tmp_path / "r")]) == 2
        assert "is not a regular file" in capsys.readouterr().err
        return
    if which == "raw":
        raw = helpers.edition(str(data_copy)).raw_path
        raw.unlink()
        os.mkfifo(raw)
    else:
        (data_copy / which).unlink()
        os.mkfifo(data_copy / which)
    assert cli.main(["check", "--edition", str(data_copy)]) != 0
    said = capsys.readouterr()
    assert "is not a regular file" in said.out + said.err      # the raw text's failure is a failed check
