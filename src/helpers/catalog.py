"""Reads `datapackage.json`: the one place where tables, fields, types and units are defined."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from . import paths
from .errors import SchemaError


@lru_cache(maxsize=8)
def _read(path: str) -> dict:
    p = Path(path)
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SchemaError(p, "descriptor not found") from None
    except json.JSONDecodeError as exc:
        raise SchemaError(p, f"not valid JSON: {exc}", line=exc.lineno) from None


def descriptor(data_dir=None) -> dict:
    return _read(str(paths.descriptor_path(data_dir)))


def table_names(data_dir=None) -> list[str]:
    """Names of the curated tables, in descriptor order."""
    return [r["name"] for r in descriptor(data_dir)["resources"]]


def resource(name: str, data_dir=None) -> dict:
    for r in descriptor(data_dir)["resources"]:
        if r["name"] == name:
            return r
    raise SchemaError(paths.descriptor_path(data_dir),
                      f"unknown table {name!r}; known tables: {', '.join(table_names(data_dir))}")


def fields(name: str, data_dir=None) -> list[dict]:
    return resource(name, data_dir)["schema"]["fields"]


def table_path(name: str, data_dir=None) -> Path:
    return paths.data_dir(data_dir) / resource(name, data_dir)["path"]


def field_enum(name: str, field: str, data_dir=None) -> list:
    for f in fields(name, data_dir):
        if f["name"] == field:
            return list(f.get("constraints", {}).get("enum", []))
    raise SchemaError(table_path(name, data_dir), f"no field {field!r} in table {name!r}")
