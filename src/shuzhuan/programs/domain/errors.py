"""Errors of the programme rules: bad input named by field, bad data files named by file and key."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One offending input field, e.g. `items.0.category` (list positions are 0-based, dot-separated)."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class QuoteInputError(ValueError):
    """The request does not fit the programme; `errors` names every offending field."""

    def __init__(self, errors: Iterable[FieldError]):
        self.errors: tuple[FieldError, ...] = tuple(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


class ProgrammeFileError(ValueError):
    """A programme data file that cannot be used: names the file, the key path and what is wrong."""

    def __init__(self, origin: str, key: str, message: str):
        self.origin, self.key, self.message = origin, key, message
        super().__init__(f"{origin}: {key or '(文件)'}: {message}")
