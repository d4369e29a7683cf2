"""`cq-gazette render` subcommands (issue 20, item 5): each one is its old mode flag, which keeps
working; a subcommand that does not exist, or a subcommand with another one's flag, is a bad request
(exit 2) with a message naming it."""

from __future__ import annotations

import json

import pytest

from helpers import cli
from helpers.cli import build_parser

# (subcommand form, old flag form): the same request.
SAME = [
    (["render", "run"], ["render"]),
    (["render", "run", "--only", "01", "--force", "--keep", "2"], ["render", "--only", "01", "--force", "--keep", "2"]),
    (["render", "list", "--json"], ["render", "--list-jobs", "--json"]),
    (["render", "list", "--only", "02"], ["render", "--list-jobs", "--only", "02"]),
    (["render", "new-run", "--output", "/x/reports"], ["render", "--new-run", "--output", "/x/reports"]),
    (["render", "--output", "/x/reports", "new-run"], ["render", "--new-run", "--output", "/x/reports"]),
    (["render", "job", "01-a--lang-en", "--run-dir", "/x/runs/r"], ["render", "--job", "01-a--lang-en", "--run-dir", "/x/runs/r"]),
    (["render", "assemble", "/x/runs/r", "--wait", "--keep", "3"], ["render", "--assemble", "/x/runs/r", "--wait", "--keep", "3"]),
    (["render", "refresh-notebooks", "--only", "01"], ["render", "--refresh-notebooks", "--only", "01"]),
    (["render", "notebook", "notebooks/a.ipynb", "notebooks/b.ipynb", "-p", "lang", "en"],
     ["render", "--notebook", "notebooks/a.ipynb", "--notebook", "notebooks/b.ipynb", "-p", "lang", "en"]),
    (["render", "--edition", "2022-02", "list"], ["render", "--list-jobs", "--edition", "2022-02"]),
]


def _request(argv: list[str]) -> dict:
    args = vars(build_parser().parse_args(argv))
    args.pop("render_command")
    return args


@pytest.mark.parametrize(("new", "old"), SAME, ids=[" ".join(new[1:3]) for new, _ in SAME])
def test_each_subcommand_is_its_old_flag(new, old):
    """The same namespace reaches the same main(): the subcommand does what its flag did."""
    assert _request(new) == _request(old)


def test_no_subcommand_is_run():
    assert build_parser().parse_args(["render"]).render_command is None
    assert _request(["render"]) == _request(["render", "run"])


def test_render_list_json_prints_what_list_jobs_json_prints(capsys):
    assert cli.main(["render", "list", "--json"]) == 0
    new = capsys.readouterr().out
    assert cli.main(["render", "--list-jobs", "--json"]) == 0
    old = capsys.readouterr().out
    assert new == old
    assert {"id", "notebook", "parameters"} <= set(json.loads(new)[0])


def test_render_new_run_makes_a_run_folder_as_new_run_did(tmp_path, capsys):
    for argv, reports in ((["new-run"], tmp_path / "a"), (["--new-run"], tmp_path / "b")):
        assert cli.main(["render", *argv, "--output", str(reports)]) == 0
        made = capsys.readouterr().out.strip()
        assert made and (reports / "runs").is_dir() and [p.name for p in (reports / "runs").iterdir()] == [made.split("/")[-1]]


def test_an_unknown_subcommand_is_a_bad_request_named(capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["render", "bogus"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'bogus'" in err and "'list'" in err and "'assemble'" in err


@pytest.mark.parametrize(("argv", "flag"), [(["--new-run", "list"], "--new-run"),
                                             (["--list-jobs", "run"], "--list-jobs"),
                                             (["--assemble", "/x", "job", "j", "--run-dir", "/y"], "--assemble")])
def test_a_subcommand_with_another_ones_flag_is_a_bad_request(argv, flag, capsys):
    assert cli.main(["render", *argv]) == 2
    err = capsys.readouterr().err
    assert flag in err and "give one subcommand" in err


def test_the_help_names_each_subcommand_and_the_flag_it_replaces(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["render", "--help"])
    out = capsys.readouterr().out
    for name in ("run", "list", "new-run", "job", "assemble", "refresh-notebooks", "notebook"):
        assert name in out
    assert "--list-jobs" in out and "= render list" in out
