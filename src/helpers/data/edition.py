"""An edition: one published gazette with its reports, kept as a folder of data.

    >>> import helpers
    >>> ed = helpers.edition()
    >>> ed.id, ed.year("review") + 1 == ed.year("plan")
    ('2022-02', True)

Everything true of one edition only (its raw file and sha256, years by role, report line ranges,
indicator-table layout, identities, known discrepancies, crosswalks, thresholds, labels) lives in
`data/editions/<id>/`: `datapackage.json` (tables, fields and the raw text as a resource with its
hash) and `edition.yaml` (what the analysis needs to know about the edition). The code is the same
for every edition. An edition is resolved once, by `edition()`, into an `Edition` that is passed down.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from ..errors import EditionError, SchemaError
from . import paths
from .parsing import read_yaml

ROLES = ("review", "plan")
EDITION_FILE = "edition.yaml"
DESCRIPTOR_FILE = "datapackage.json"
RAW_RESOURCE = "gazette"
LIST_FILES = {"known_discrepancies"}     # files under `files:` that hold a list; the others hold a mapping


def _read_json(path: Path) -> dict:
    try:
        if path.exists() and not path.is_file():      # a FIFO would block, a device never end
            raise SchemaError(path, "is not a regular file; expected the edition's JSON descriptor")
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SchemaError(path, "descriptor not found") from None
    except UnicodeDecodeError:
        raise SchemaError(path, "not valid UTF-8; expected a UTF-8 JSON file") from None
    except json.JSONDecodeError as exc:
        raise SchemaError(path, f"not valid JSON: {exc.msg}", line=exc.lineno) from None
    if not isinstance(data, dict):
        raise SchemaError(path, "expected a JSON object (a data package descriptor)")
    resources = data.get("resources")
    if not isinstance(resources, list) or not resources:
        raise SchemaError(path, "expected 'resources': a non-empty list of resources", column="resources")
    for k, res in enumerate(resources):
        if not isinstance(res, dict) or not isinstance(res.get("name"), str) or not isinstance(res.get("path"), str):
            raise SchemaError(path, f"resource {k} needs a 'name' and a 'path' (strings)", column="resources")
        _check_inside(path, res["name"], res["path"])
        if "schema" in res and not isinstance(res["schema"], dict):
            raise SchemaError(path, f"resource {res['name']!r}: schema is {type(res['schema']).__name__}; expected an object "
                                    "with 'fields' (or no 'schema' key for a resource that is not a table)", column="schema")
        for key in ("hash", "x_role", "x_topic"):
            if key in res and not isinstance(res[key], str):
                raise SchemaError(path, f"resource {res['name']!r}: {key} must be a string", column=key)
        if res.get("schema") is not None:
            _check_table_schema(path, res["name"], res["schema"])
    return data


FIELD_TYPES = ("string", "integer", "number", "boolean")     # the Table Schema types the loader reads
CONSTRAINTS = {"required": bool, "unique": bool, "enum": list, "pattern": str, "minLength": int,
               "maxLength": int, "minimum": (int, float), "maximum": (int, float)}


def _check_table_schema(path: Path, name: str, schema: dict) -> None:
    """A resource's Table Schema has the shape the loader reads (every mistake a SchemaError naming
    the resource and the key, before any table is read)."""
    def bad(key: str, expected: str) -> SchemaError:
        return SchemaError(path, f"resource {name!r}: {key} must be {expected}", column=key.rsplit(".", 1)[-1])

    def strings(value) -> bool:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)

    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields or not all(isinstance(f, dict) and isinstance(f.get("name"), str)
                                                             for f in fields):
        raise bad("schema.fields", "a non-empty list of objects with a 'name'")
    names = [f["name"] for f in fields]
    if len(set(names)) != len(names):
        raise bad("schema.fields", f"a list of fields with distinct names (got {names!r})")
    for f in fields:
        where = f"schema.fields[{f['name']!r}]"
        if f.get("type", "string") not in FIELD_TYPES:
            raise bad(f"{where}.type", f"one of {', '.join(FIELD_TYPES)}")
        for key in ("trueValues", "falseValues"):
            if key in f and not (strings(f[key]) and f[key]):
                raise bad(f"{where}.{key}", "a non-empty list of strings")
        constraints = f.get("constraints", {})
        if not isinstance(constraints, dict):
            raise bad(f"{where}.constraints", "an object")
        for key, value in constraints.items():
            kind = CONSTRAINTS.get(key)
            if kind is None:
                raise bad(f"{where}.constraints", f"an object of the constraints {', '.join(CONSTRAINTS)}; not {key!r}")
            if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)) or \
                    (isinstance(value, float) and value != value):
                raise bad(f"{where}.constraints.{key}", f"a {getattr(kind, '__name__', 'number')}")
    if "missingValues" in schema and not strings(schema["missingValues"]):
        raise bad("schema.missingValues", "a list of strings")
    key = schema.get("primaryKey", [])
    if isinstance(key, str):
        key = [key]
    if not strings(key) or not set(key) <= set(names):
        raise bad("schema.primaryKey", f"a field name or a list of field names ({', '.join(names)})")


def _check_inside(descriptor: Path, name: str, relative: str) -> None:
    """A resource path is relative, has no '..' and, symlinks resolved, stays inside the edition
    folder: a descriptor may not make the loader read a file elsewhere (its content is never shown)."""
    pure = PurePosixPath(relative)
    root = descriptor.parent.resolve()
    if pure.is_absolute() or ".." in pure.parts or not relative.strip():
        raise SchemaError(descriptor, f"resource {name!r}: path {relative!r} must be a relative path inside the edition "
                                      "folder (no leading '/', no '..')", column="path")
    target = (root / pure).resolve()
    if target != root and root not in target.parents:
        raise SchemaError(descriptor, f"resource {name!r}: path {relative!r} leads outside the edition folder "
                                      "(a symbolic link); refusing to read it", column="path")


def _read_yaml(path: Path) -> dict:
    try:
        if path.exists() and not path.is_file():
            raise EditionError(f"{path}: is not a regular file; expected the edition's YAML metadata")
        data = read_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EditionError(f"{path}: edition metadata not found; expected {EDITION_FILE} in the edition folder") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise EditionError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise EditionError(f"{path}: expected a mapping of edition metadata")
    return data


@dataclass(frozen=True, eq=False)
class Edition:
    """One resolved edition: its folder, descriptor and metadata. Build it with `edition()`."""

    root: Path
    meta: dict = field(repr=False)
    descriptor: dict = field(repr=False)

    @property
    def id(self) -> str:
        return str(self.meta["id"])

    @property
    def title(self) -> dict:
        """{'zh': …, 'en': …}."""
        return self.meta["title"]

    def year(self, role: str) -> int:
        """The calendar year of a role: `review` (the year the reports look back on) or `plan`."""
        try:
            return int(self.meta["years"][role])
        except KeyError:
            raise EditionError(f"{self.root / EDITION_FILE}: no year for role {role!r}; roles: {', '.join(ROLES)}") from None

    @property
    def years(self) -> dict[str, int]:
        return {role: self.year(role) for role in ROLES}

    def role_of(self, year: int) -> str:
        for role, y in self.years.items():
            if y == year:
                return role
        raise EditionError(f"edition {self.id}: {year} is neither the review nor the plan year")

    @property
    def documents(self) -> dict[str, tuple[int, int]]:
        """Report short name -> (first line, last line) of the raw text."""
        return {name: (int(d["lines"][0]), int(d["lines"][1])) for name, d in self.meta["documents"].items()}

    # --- files ---------------------------------------------------------------------------------

    def resource(self, name: str) -> dict:
        for r in self.descriptor["resources"]:
            if r["name"] == name:
                return r
        known = ", ".join(r["name"] for r in self.descriptor["resources"])
        raise SchemaError(self.descriptor_path, f"unknown table {name!r}; known tables: {known}")

    @property
    def table_names(self) -> list[str]:
        """The curated tables, in descriptor order (resources with a table schema and no `x_role`)."""
        return [r["name"] for r in self.descriptor["resources"] if "schema" in r and "x_role" not in r]

    @property
    def support_table_names(self) -> list[str]:
        """The edition's other tables, validated like the curated ones but holding no number of the
        report: crosswalks and check lists (resources with `x_role`)."""
        return [r["name"] for r in self.descriptor["resources"] if "schema" in r and "x_role" in r]

    def table_path(self, name: str) -> Path:
        return self.root / self.resource(name)["path"]

    @property
    def descriptor_path(self) -> Path:
        return self.root / DESCRIPTOR_FILE

    @property
    def raw_path(self) -> Path:
        return self.root / self.resource(RAW_RESOURCE)["path"]

    @property
    def raw_sha256(self) -> str:
        """The sha256 the descriptor records for the raw text (`hash: sha256:…`)."""
        value = str(self.resource(RAW_RESOURCE).get("hash", ""))
        return value.removeprefix("sha256:")

    def data_file(self, key: str) -> Path:
        """A file the edition metadata names under `files:` (crosswalks, checks, expected …): a path
        inside the edition folder (checked when the edition is read; a link out of it is refused here)."""
        try:
            path = self.root / self.meta["files"][key]
        except (KeyError, TypeError):
            raise EditionError(f"{self.root / EDITION_FILE}: no file {key!r} under 'files'") from None
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise EditionError(f"{path}: files.{key} of {EDITION_FILE} leads outside the edition folder (a symbolic "
                               "link); refusing to read it")
        return path

    def load_yaml(self, key: str) -> dict | list:
        """The YAML file named under files.<key>: a mapping (a list for those in LIST_FILES); an empty
        file is an empty one. Anything else is an EditionError naming the file."""
        p = self.data_file(key)
        expected = list if key in LIST_FILES else dict
        try:
            if p.exists() and not p.is_file():
                raise EditionError(f"{p}: is not a regular file; {EDITION_FILE} names it under files.{key}")
            data = read_yaml(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise EditionError(f"{p}: missing; {EDITION_FILE} names it under files.{key}") from None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise EditionError(f"{p}: not valid YAML: {exc}") from None
        except OSError as exc:
            raise EditionError(f"{p}: cannot be read ({exc.strerror or exc})") from None
        if data is None:
            return expected()
        if not isinstance(data, expected):
            what = "a list" if expected is list else "a mapping"
            raise EditionError(f"{p}: expected {what} at the top of the file, got {type(data).__name__} {str(data)[:40]!r}")
        return data

    def state(self) -> str:
        """sha256 over every file of the edition folder and the shared vocabulary: changes when any input does."""
        h = hashlib.sha256()
        root = self.root.resolve()
        for f in sorted(self.root.rglob("*")) + sorted(paths.VOCAB_DIR.glob("*")):
            if f.is_symlink() and f.is_relative_to(self.root) and not f.resolve().is_relative_to(root):
                # a link out of the edition (to /dev/zero, to another user's file) is never read
                raise EditionError(f"{f}: a symbolic link that leads outside the edition folder; every file of the "
                                   "edition must be inside it")
            if f.is_file():
                h.update(str(f.relative_to(f.parents[1] if f.is_relative_to(paths.VOCAB_DIR) else self.root)).encode())
                try:
                    h.update(hashlib.sha256(f.read_bytes()).digest())
                except OSError as exc:
                    raise EditionError(f"{f}: cannot be read ({exc.strerror}); every file of the edition must be readable") from None
        return h.hexdigest()

    # --- the edition's words -------------------------------------------------------------------

    def fill(self, template: str, **values) -> str:
        """A template with `{review}` and `{plan}` replaced by the edition's years (and `values`)."""
        return template.format(**self.years, **values)


def known_editions() -> list[str]:
    """Ids of the editions under data/editions/, oldest first."""
    if not paths.EDITIONS_DIR.is_dir():
        return []
    return sorted(p.name for p in paths.EDITIONS_DIR.iterdir() if (p / EDITION_FILE).is_file())


_CACHE: dict[tuple, Edition] = {}
_ID = re.compile(r"[0-9]{4}-[0-9]{2}[a-z0-9-]*")
#: A name that is safe as one path component: what an edition id must be (it names report folders).
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_meta(path: Path, meta: dict) -> None:
    """The edition metadata the code reads, checked once when the edition is read: every mistake is an
    EditionError naming the file, the key and what was expected (never a KeyError or TypeError later)."""
    def bad(key: str, expected: str, value) -> EditionError:
        shown = repr(value) if len(repr(value)) <= 60 else f"{repr(value)[:60]}…"
        return EditionError(f"{path}: {key}: expected {expected}, got {shown}")

    for required in ("id", "title", "years", "documents"):
        if required not in meta:
            raise EditionError(f"{path}: missing {required!r}")
    # The id names folders of the reports and files of the downloads: it must be one safe name.
    if not isinstance(meta["id"], str) or not SAFE_NAME.fullmatch(meta["id"]):
        raise EditionError(f"{path}: id {meta['id']!r} is not a safe name; expected letters, digits, "
                           "'.', '_' or '-', starting with a letter or digit (no '/', no '..')")
    for key in ("title", "short_title", "publisher"):
        value = meta.get(key, {"zh": "", "en": ""})
        if not isinstance(value, dict) or not all(isinstance(value.get(lang), str) for lang in ("zh", "en")):
            raise bad(key, "a mapping with the texts 'zh' and 'en'", value)
    years = meta["years"]
    if not isinstance(years, dict) or not all(_is_int(years.get(role)) for role in ROLES):
        raise bad("years", f"a mapping of {' and '.join(ROLES)} to whole years (four digits)", years)
    documents = meta["documents"]
    if not isinstance(documents, dict) or not documents:
        raise bad("documents", "a mapping of report names to {lines: [first, last]}", documents)
    for name, document in documents.items():
        lines = document.get("lines") if isinstance(document, dict) else None
        if not (isinstance(name, str) and isinstance(lines, list) and len(lines) == 2 and all(map(_is_int, lines))
                and 1 <= lines[0] <= lines[1]):
            raise bad(f"documents.{name}", "{lines: [first, last]}: two line numbers, 1 ≤ first ≤ last", document)
    tables = meta.get("indicator_tables", {})
    if not isinstance(tables, dict) or not all(
            role in ROLES and isinstance(t, dict) and isinstance(t.get("columns", {}), dict)
            and all(isinstance(b, str) and _is_int(c) and c >= 0 for b, c in t.get("columns", {}).items())
            for role, t in tables.items()):
        raise bad("indicator_tables", f"a mapping of {' or '.join(ROLES)} to {{appendix: N, columns: {{basis: cell index}}}}",
                  tables)
    files = meta.get("files", {})
    if not isinstance(files, dict):
        raise bad("files", "a mapping of roles to file paths inside the edition folder", files)
    for role, relative in files.items():
        pure = PurePosixPath(relative) if isinstance(relative, str) else None
        if pure is None or not relative.strip() or pure.is_absolute() or ".." in pure.parts:
            raise bad(f"files.{role}", "a relative path inside the edition folder (no leading '/', no '..')", relative)


def _stamp(folder: Path) -> tuple:
    """The memo key of an edition's metadata: the content of edition.yaml and datapackage.json."""
    return tuple(paths.content_key(folder / name) for name in (EDITION_FILE, DESCRIPTOR_FILE))


def edition(which: str | os.PathLike | Edition | None = None) -> Edition:
    """Resolve an edition: an `Edition` (returned as is), an id under data/editions/, a path to an
    edition folder anywhere, or None for $CQ_GAZETTE_EDITION or else the latest edition."""
    if isinstance(which, Edition):
        return which
    if which is None or which == "":
        which = os.environ.get(paths.EDITION_ENV_VAR) or None
    if which is None:
        ids = known_editions()
        if not ids:
            raise EditionError(f"no edition under {paths.EDITIONS_DIR}")
        folder = paths.EDITIONS_DIR / ids[-1]
    else:
        text = os.fspath(which)
        candidate = Path(text)
        if (paths.EDITIONS_DIR / text).is_dir() and "/" not in text and text not in (".", ".."):
            folder = paths.EDITIONS_DIR / text
        elif candidate.is_dir() and ("/" in text or candidate.is_absolute() or not _ID.fullmatch(text)):
            folder = candidate
        else:
            raise EditionError(f"unknown edition {text!r}: not an edition id under {paths.EDITIONS_DIR} nor an edition "
                               f"folder; known editions: {', '.join(known_editions()) or 'none'}")
    folder = folder.resolve()
    if not (folder / EDITION_FILE).is_file():
        raise EditionError(f"{folder}: not an edition folder (no {EDITION_FILE}); known editions: "
                           f"{', '.join(known_editions()) or 'none'}")
    key = (str(folder), _stamp(folder))
    if key not in _CACHE:
        meta = _read_yaml(folder / EDITION_FILE)
        _check_meta(folder / EDITION_FILE, meta)
        _CACHE[key] = Edition(folder, meta, _read_json(folder / DESCRIPTOR_FILE))
    return _CACHE[key]
