"""The languages are data (data/vocab/languages.csv): the one list every page, parameter check and
catalog reads; a language added there without its vocabulary names is a named error."""

from __future__ import annotations

import shutil

import pytest

from helpers.data import paths, vocab
from helpers.errors import SchemaError
from helpers.report import nb


@pytest.fixture
def vocab_copy(tmp_path, monkeypatch):
    shutil.copytree(paths.VOCAB_DIR, tmp_path / "vocab")
    monkeypatch.setattr(paths, "VOCAB_DIR", tmp_path / "vocab")
    vocab.languages.cache_clear()
    vocab.vocabulary.cache_clear()
    yield tmp_path / "vocab"
    vocab.languages.cache_clear()
    vocab.vocabulary.cache_clear()


def test_the_languages_are_the_rows_of_the_file_in_order():
    assert list(vocab.LANGS) == ["zh", "en"]
    assert nb.ALLOWED["lang"] is vocab.LANGS
    assert vocab.autonym("zh") == "中文" and vocab.autonym("en") == "English"


def test_a_language_added_to_the_file_is_allowed_everywhere_and_needs_its_names(vocab_copy):
    with (vocab_copy / "languages.csv").open("a", encoding="utf-8") as fh:
        fh.write("xx,伪语言,pseudo-language,Pseudo,Latn,\n")
    assert list(vocab.LANGS) == ["zh", "en", "xx"]
    assert nb.validate(lang="xx") == {"lang": "xx"}
    with pytest.raises(SchemaError, match=r"budgets\.csv.*line 2.*missing: name_xx"):
        vocab.vocabulary("budgets")


def test_a_language_without_an_autonym_is_a_named_error(vocab_copy):
    (vocab_copy / "languages.csv").write_text("code,name_zh,name_en,autonym,script,names_from\nzh,中文,Chinese,,Hans,\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"languages\.csv.*line 2.*autonym"):
        list(vocab.LANGS)


def test_a_language_may_show_another_languages_names_of_the_data_until_they_are_translated(vocab_copy):
    with (vocab_copy / "languages.csv").open("a", encoding="utf-8") as fh:
        fh.write("xx,伪语言,pseudo-language,Pseudo,Latn,en\n")
    assert vocab.data_lang("xx") == "en" and vocab.data_lang("en") == "en"
    assert vocab.name("budgets", "fund", "xx") == vocab.name("budgets", "fund", "en")
    with (vocab_copy / "languages.csv").open("a", encoding="utf-8") as fh:
        fh.write("yy,伪语言二,pseudo-language 2,Pseudo2,Latn,xx\n")
    vocab.languages.cache_clear()
    with pytest.raises(SchemaError, match=r"yy: names_from 'xx' must be a language whose names are its own"):
        vocab.data_lang("yy")
