"""The project's exceptions: one base class, specific subclasses (papermill's pattern)."""

from __future__ import annotations


class HelpersError(Exception):
    """Base class of every error the helpers package raises on purpose."""


class DataError(HelpersError):
    """A curated file does not match its descriptor.

    The message always names the file and, where they apply, the line, the column and what was
    expected, so that the person fixing the CSV can go straight to the cell.
    """

    def __init__(self, path, problem: str, *, line: int | None = None, column: str | None = None):
        self.path = str(path)
        self.line = line
        self.column = column
        self.problem = problem
        where = self.path
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {problem}")


class SchemaError(DataError):
    """Wrong columns, types, vocabularies or keys."""


class ProvenanceError(DataError):
    """A quote is not on its line of the gazette, or the value is not the number in its quote."""


class ParameterError(HelpersError, ValueError):
    """A notebook or command parameter has a value outside the allowed ones."""


class RenderError(HelpersError):
    """A render job failed or a render request is invalid."""


class EditionError(HelpersError, ValueError):
    """An edition cannot be found or its metadata is incomplete."""
