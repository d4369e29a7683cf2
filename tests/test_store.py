"""Check runs kept between processes (helpers.checks.store): taken only for the same inputs and code,
never by `helpers check`, never for an edition outside data/editions/, ignored when damaged."""

from __future__ import annotations

import pytest

import helpers
import helpers.cli as cli
from helpers.checks import engine, store
from helpers.data import paths


@pytest.fixture
def kept(tmp_path, monkeypatch):
    """A private store folder, and no run of this process remembered (as in a new process)."""
    monkeypatch.setenv(store.CACHE_ENV_VAR, str(tmp_path / "cache"))
    monkeypatch.setattr(engine, "_RUN_MEMO", {})
    return tmp_path / "cache" / "checks"


def _verify_counted(monkeypatch) -> list:
    calls = []
    real = engine._verify

    def counted(ed, state):
        calls.append(str(ed.root))
        return real(ed, state)

    monkeypatch.setattr(engine, "_verify", counted)
    return calls


def _as_dicts(checks) -> list[dict]:
    return [c.as_dict() for c in checks]


def test_a_new_process_takes_the_kept_run_of_the_same_inputs(kept, monkeypatch):
    first = helpers.run_checks()
    facts = helpers.verified_facts().frame
    assert len(list(kept.glob("*.pickle"))) == 1
    monkeypatch.setattr(engine, "_RUN_MEMO", {})
    calls = _verify_counted(monkeypatch)
    again = helpers.run_checks()
    assert calls == [] and _as_dicts(again) == _as_dicts(first)
    assert helpers.verified_facts().frame.equals(facts)


def test_the_check_command_runs_every_check_itself(kept, monkeypatch, capsys):
    helpers.run_checks()
    monkeypatch.setattr(engine, "_RUN_MEMO", {})
    monkeypatch.setattr(store, "read", lambda *a: pytest.fail("helpers check read a kept run"))
    calls = _verify_counted(monkeypatch)
    assert cli.main(["check"]) == 0
    assert calls == [str(helpers.edition().root)]
    assert ", 0 failed" in capsys.readouterr().out


def test_a_changed_file_or_changed_code_is_checked_afresh(kept, monkeypatch, data_copy):
    monkeypatch.setattr(paths, "EDITIONS_DIR", data_copy.parent)      # the copy counts as a project edition
    before = helpers.run_checks(str(data_copy))
    assert [c for c in before if c.status == "fail"] == [] and len(list(kept.glob("*.pickle"))) == 1
    budget = data_copy / "curated" / "budget.csv"
    budget.write_text(budget.read_text(encoding="utf-8").replace("2285", "2286", 1), encoding="utf-8")
    monkeypatch.setattr(engine, "_RUN_MEMO", {})
    calls = _verify_counted(monkeypatch)
    after = helpers.run_checks(str(data_copy))
    assert calls == [str(data_copy)] and any(c.status == "fail" for c in after)
    monkeypatch.setattr(engine, "_RUN_MEMO", {})
    monkeypatch.setattr(store, "_code_state", lambda: "other code")
    helpers.run_checks(str(data_copy))
    assert calls == [str(data_copy)] * 2


def test_a_damaged_kept_run_is_ignored_and_replaced(kept, monkeypatch):
    first = helpers.run_checks()
    (path,) = kept.glob("*.pickle")
    path.write_bytes(b"not a pickle")
    monkeypatch.setattr(engine, "_RUN_MEMO", {})
    calls = _verify_counted(monkeypatch)
    assert _as_dicts(helpers.run_checks()) == _as_dicts(first) and len(calls) == 1
    assert store.read(helpers.edition().root, engine.state_of(helpers.edition())) is not None


def test_an_edition_outside_data_editions_is_never_kept(kept, data_copy):
    helpers.run_checks(str(data_copy))
    assert not kept.exists() or list(kept.iterdir()) == []


def test_where_runs_are_kept(monkeypatch, tmp_path):
    monkeypatch.delenv(store.CACHE_ENV_VAR, raising=False)
    assert store.folder() == paths.ROOT / ".cache" / "checks"          # a checkout: its own git-ignored folder
    monkeypatch.setattr(paths, "IS_CHECKOUT", False)
    assert store.folder() is None                                       # installed: nothing, unless asked
    monkeypatch.setenv(store.CACHE_ENV_VAR, str(tmp_path))
    assert store.folder() == tmp_path / "checks"
    for off in ("off", "", "0"):
        monkeypatch.setenv(store.CACHE_ENV_VAR, off)
        assert store.folder() is None


def test_a_cache_folder_linked_out_of_the_project_keeps_nothing(monkeypatch, tmp_path):
    """Containment: the default folder is used only where it resolves inside the project."""
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (project / ".cache").symlink_to(outside, target_is_directory=True)
    monkeypatch.delenv(store.CACHE_ENV_VAR, raising=False)
    monkeypatch.setattr(paths, "ROOT", project)
    assert store.folder() is None
    (project / ".cache").unlink()
    assert store.folder() == project / ".cache" / "checks"


def test_a_kept_run_is_never_written_through_a_link(kept, monkeypatch, tmp_path):
    ed = helpers.edition()
    state = engine.state_of(ed)
    path = store._path(ed.root, state)
    path.parent.mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    tmp = path.with_name(f".{path.name}.{__import__('os').getpid()}.tmp")
    tmp.symlink_to(victim)
    store.write(ed.root, state, [], None, {})
    assert victim.read_text(encoding="utf-8") == "keep me" and tmp.is_symlink() and not path.exists()
