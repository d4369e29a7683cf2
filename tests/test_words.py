"""The catalog of short words (helpers.report.words): every language has every key with the same
placeholders, every key the code asks for exists, and a language added as a file works."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from helpers.data.vocab import LANGS
from helpers.report import words

SRC = Path(words.__file__).parents[1]


def test_every_language_has_the_same_keys_and_placeholders():
    reference = words.catalog("en")
    for lang in LANGS:
        found = words.catalog(lang)
        assert set(found) == set(reference), (lang, set(found) ^ set(reference))
        for key, value in found.items():
            assert value.strip() or key.endswith(".exact"), (lang, key)
            assert sorted(words.placeholders(value)) == sorted(words.placeholders(reference[key])), (lang, key)


# W.name("section", "code", …) / W.text("section.code", …) / W.names("section", …), and the
# f-string forms W.text(f"section.{…}") and W.name("section", variable).
_CALL = re.compile(r"""W\.(name|names|text)\(\s*(f?)["']([\w.]+)(?:\{[^"']*)?["']\s*(?:,\s*["'](\w+)["'])?""")


def test_every_key_the_code_asks_for_is_in_the_catalog():
    keys = set(words.catalog("en"))
    sections = {k.rsplit(".", 1)[0] for k in keys}
    asked = 0
    for path in SRC.rglob("*.py"):
        for call, is_f, first, code in _CALL.findall(path.read_text(encoding="utf-8")):
            asked += 1
            if call == "text" and not is_f:
                assert first in keys, f"{path}: W.text({first!r}) is not in the catalog"
            elif call == "text":
                assert first.rstrip(".") in sections, f"{path}: W.text(f'{first}…'): no section {first.rstrip('.')!r}"
            elif code:
                assert f"{first}.{code}" in keys, f"{path}: W.name({first!r}, {code!r}) is not in the catalog"
            else:
                assert first in sections, f"{path}: W.{call}({first!r}, …): no such section"
    assert asked >= 20        # the pattern still finds the calls


def test_check_kinds_and_statuses_are_named_for_every_code_the_checks_use():
    from helpers.analysis.audit import STATUSES
    from helpers.checks.engine import KINDS

    for lang in LANGS:
        assert set(words.names("check_kind", lang)) >= set(KINDS)
        assert set(words.names("check_status", lang)) >= set(STATUSES)


def test_an_unknown_key_or_language_is_a_named_error():
    with pytest.raises(words.CatalogError, match=r"en\.yaml: no key 'check_kind\.nope'"):
        words.name("check_kind", "nope", "en")
    with pytest.raises(words.CatalogError, match="no section 'nope'"):
        words.names("nope", "en")
    with pytest.raises(words.CatalogError, match=r"lang='fr': no such language"):
        words.text("findings.heading", "fr")


def test_a_language_added_as_a_catalog_file_is_complete(tmp_path, monkeypatch):
    """A pseudo-language made from the English catalog (every text bracketed, placeholders kept)
    loads through the same code and gives its own text for every key."""
    def pseudo(node):
        if isinstance(node, dict):
            return {k: pseudo(v) for k, v in node.items()}
        return f"⟦{node}⟧"

    shutil.copytree(words.CATALOG_DIR, tmp_path, dirs_exist_ok=True)
    for path in words.catalog_files("en"):     # the shared file and every page's file, bracketed
        english = yaml.safe_load(path.read_text(encoding="utf-8"))
        target = tmp_path / "xx.yaml" if path.parent == words.CATALOG_DIR else tmp_path / "xx" / path.name
        target.parent.mkdir(exist_ok=True)
        target.write_text(yaml.safe_dump(pseudo(english), allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(words, "CATALOG_DIR", tmp_path)
    monkeypatch.setattr(words, "LANGS", (*LANGS, "xx"))
    words.catalog.cache_clear()
    try:
        for key, value in words.catalog("en").items():
            args = ["1"] * words.placeholders(value).count("")
            fields = {f: "1" for f in words.placeholders(value) if f}
            assert words.text(key, "xx", *args, **fields) == f"⟦{words.text(key, 'en', *args, **fields)}⟧"
    finally:
        words.catalog.cache_clear()


def test_a_key_defined_in_two_files_of_one_catalog_is_a_named_error(tmp_path, monkeypatch):
    shutil.copytree(words.CATALOG_DIR, tmp_path, dirs_exist_ok=True)
    (tmp_path / "en").mkdir(exist_ok=True)
    (tmp_path / "en" / "zz-page.yaml").write_text("check_kind:\n  identity: again\n", encoding="utf-8")
    monkeypatch.setattr(words, "CATALOG_DIR", tmp_path)
    words.catalog.cache_clear()
    try:
        with pytest.raises(words.CatalogError, match=r"zz-page\.yaml: key 'check_kind\.identity' is already defined"):
            words.catalog("en")
    finally:
        words.catalog.cache_clear()
