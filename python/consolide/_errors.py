"""The exceptions of :mod:`consolide`, one class per kind of failure of the command line.

The command line exits 1 when the input is refused (:class:`QueryError`, :class:`ImportRefused`,
:class:`TransferError`) and 3 when the store cannot be used (:class:`StoreError` and its
subclasses); every class derives from :class:`ConsolideError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence


class ConsolideError(Exception):
    """Any error of the consolide engine."""


class QueryError(ConsolideError, ValueError):
    """A query or an option was refused: unknown table, measure, dimension or value, a bad
    period, a secrecy threshold under 2. The message lists the valid values, after the one an
    unknown name is a near miss of (``did you mean "niveau"?``), as the command line says it."""

    suggestion: Optional[str]
    """The valid measure, dimension or value an unknown one is a near miss of (``niveau`` for
    ``nivaeu``); ``None`` when nothing is near, or for another refusal."""

    def __init__(self, message: str, suggestion: Optional[str] = None):
        self.suggestion = suggestion
        super().__init__(message)


class StoreError(ConsolideError, OSError):
    """The store file could not be opened, read or written (the command line's exit 3)."""


class StoreNotFound(StoreError, FileNotFoundError):
    """No store at the path given (import a transfer first)."""


class StoreBusy(StoreError):
    """Another process or handle has the store open for writing (an import), or holds it open
    while this one wants to write: try again when it is done."""


class StoreCorrupt(StoreError):
    """The file is not a consolide store, is of an unknown format version, or is damaged."""


class ExportError(ConsolideError):
    """The Parquet export could not be written (its folder is not empty, or a write failed)."""


class TransferError(ConsolideError):
    """A transfer folder could not be read at all (missing, no parcours.csv...)."""


@dataclass(frozen=True)
class Issue:
    """One broken rule of a transfer, positioned as the command line prints it:
    ``file:line:column (field): message — rule: description``."""

    file: str
    """The file of the transfer (``parcours.csv``...)."""
    line: int
    """The physical line where the record starts (the header is line 1)."""
    column: Optional[int]
    """The column (from 1), ``None`` for a problem of the whole line or file."""
    field: Optional[str]
    """The column's name, when the problem is one field's."""
    value: Optional[str]
    """The offending value as read (trimmed); ``None`` when the problem is an absent value."""
    rule: str
    """The rule of the transfer format that is broken, as a sentence."""
    rule_name: str
    """The rule's stable name (``DateFormat``, ``ExitBeforeEntry``...)."""
    message: str
    """What is wrong with this value."""
    text: str
    """The whole line, exactly as the command line prints it after ``error:``."""

    def __str__(self) -> str:
        return self.text


class ImportRefused(TransferError):
    """An import refused: nothing was written. :attr:`errors` holds every positioned error of
    every folder (not only the first), :attr:`conflicts` the problems across folders (a PLIE
    in two folders)."""

    errors: List[Issue]
    conflicts: List[str]

    def __init__(self, message: str, errors: Sequence[Issue], conflicts: Sequence[str]):
        self.errors = list(errors)
        self.conflicts = list(conflicts)
        lines = [message] + list(self.conflicts) + [e.text for e in self.errors]
        super().__init__("\n".join(lines))
