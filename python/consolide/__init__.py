"""consolide from Python: the national consolidation of PLIE parcours.

Open a store (the redb file the ``consolide`` command line writes), import transfer folders,
list its PLIE, and ask for any published table or any cross-tab. Every table comes back as a
:class:`pyarrow.Table` (handed over through the Arrow PyCapsule interface, so that
``polars.from_arrow`` and ``Table.to_pandas`` take it without a copy) whose columns and codes are
those of ``consolide ... --format csv``: the same figures, typed (counts as integers, rates and
shares as fractions, amounts in euros; empty csv cells are nulls)::

    import consolide
    store = consolide.Store("consolide.redb")
    store.import_transfers(["transfers/plie44"])
    t1 = store.tableau("1", year=2017, filters={"region": "Bretagne"})
    x = store.crosstab("sorties_positives", rows="niveau", cols="sexe", years=(2014, 2017))

The engine runs with the GIL released: several threads may query one store at once. Each call
opens the store the way the command line does (read-only for a query, so any number of readers;
for writing for an import, which a reader beside it makes fail with :class:`StoreBusy`) and
reads one consistent snapshot.

:meth:`Store.status` gives each PLIE's observation window (``complet_depuis`` to ``extraction``):
a period is counted only over the PLIE whose window covers it, and the tables name the others.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _consolide
from ._errors import (
    ConsolideError,
    ExportError,
    ImportRefused,
    Issue,
    QueryError,
    StoreBusy,
    StoreCorrupt,
    StoreError,
    StoreNotFound,
    TransferError,
)

if TYPE_CHECKING:
    import pyarrow

__all__ = [
    "Store",
    "TABLEAUX",
    "MEASURES",
    "ConsolideError",
    "QueryError",
    "StoreError",
    "StoreNotFound",
    "StoreBusy",
    "StoreCorrupt",
    "ExportError",
    "TransferError",
    "ImportRefused",
    "Issue",
]

__version__ = _consolide.ENGINE_VERSION

TABLEAUX: Tuple[str, ...] = tuple(_consolide.tableaux())
"""The published tables' codes, as ``consolide tableau T`` takes them."""

MEASURES: Tuple[str, ...] = tuple(_consolide.measures())
"""The measures' codes, as ``consolide crosstab --measure M`` takes them."""

PathLike = Union[str, "os.PathLike[str]"]
Years = Union[str, Tuple[int, int], Sequence[int]]
Filters = Union[Mapping[str, Union[str, int, Iterable[Union[str, int]]]], Iterable[str], None]


def _period(year: Optional[int], years: Optional[Years]) -> str:
    """``--year Y`` or ``--years Y1..Y2`` as the engine parses them."""
    if (year is None) == (years is None):
        raise QueryError("give the period with year=Y or years=(Y1, Y2)")
    if year is not None:
        if isinstance(year, bool) or not isinstance(year, int):
            raise QueryError(f"year={year!r} is not a year; for a range use years=(Y1, Y2)")
        return str(year)
    if isinstance(years, str):
        return years
    first, last = years  # type: ignore[misc]
    return f"{int(first)}..{int(last)}"


def _filters(filters: Filters) -> List[str]:
    """``--filter DIM=V1,V2`` clauses: values of one dimension OR-ed, dimensions AND-ed."""
    if filters is None:
        return []
    if isinstance(filters, Mapping):
        clauses = []
        for dim, values in filters.items():
            if isinstance(values, (str, int)):
                values = [values]
            clauses.append(f"{dim}=" + ",".join(str(v) for v in values))
        return clauses
    if isinstance(filters, str):
        return [filters]
    return [str(c) for c in filters]


class Store:
    """A consolide store: one redb file of PLIE parcours.

    Creating a :class:`Store` checks nothing and holds nothing open: :meth:`import_transfers`
    creates the file when it is absent; every other call raises :class:`StoreNotFound`,
    :class:`StoreCorrupt` or :class:`StoreBusy` as the command line exits 3.
    """

    def __init__(self, path: PathLike = "consolide.redb"):
        self.path: str = os.fspath(path)

    def __repr__(self) -> str:
        return f"consolide.Store({self.path!r})"

    def check(self) -> None:
        """Opens the store for reading and closes it; raises what a query would."""
        _consolide.check_store(self.path)

    def import_transfers(
        self,
        folders: Union[PathLike, Sequence[PathLike]],
        *,
        rejects: Optional[PathLike] = None,
        dry_run: bool = False,
        max_rejected: float = 0.05,
    ) -> Dict[str, Any]:
        """Checks and imports transfer folders, as ``consolide import`` does: each PLIE they
        hold replaces that PLIE's earlier data in one transaction.

        By default any invalid row refuses the whole import: :class:`ImportRefused` is raised
        with every positioned error in its ``errors``, and nothing is written. With ``rejects``
        (a folder) the invalid rows and a report are written there and the valid rows imported,
        unless more than ``max_rejected`` (a share, 0 to 1) of a PLIE's parcours rows are
        refused. ``dry_run`` checks and writes nothing: its errors are returned in
        ``rejected`` (the command line exits 1 for them), never raised.

        Returns ``{"written": bool, "plies": [{"plie", "outcome" ("new", "replaced",
        "unchanged"), "parcours", "etapes"}], "rejected": [Issue], "warnings": [str],
        "held_back": [plie], "rejects_written": [path]}``.
        """
        if isinstance(folders, (str, os.PathLike)):
            folders = [folders]
        return _consolide.import_transfers(
            self.path,
            [os.fspath(f) for f in folders],
            None if rejects is None else os.fspath(rejects),
            dry_run,
            float(max_rejected),
        )

    def status(self) -> pyarrow.Table:
        """The PLIE in the store, the columns of ``consolide status --format csv``: ``plie``,
        ``departement``, ``region``, ``parcours``, ``etapes``, ``annees`` (``2000..2017``),
        ``content_hash``, ``imported_at`` (a UTC timestamp), then the PLIE's observation window
        (docs/tables.md): ``extraction``, the last day observed, and ``complet_depuis``, the
        first day from which every parcours active is in the store (dates; null for a PLIE
        with no parcours that sent none). A PLIE observes a period when its window covers every
        day of it; the others are left out of its figures, and named.

        Two more columns say whether each bound was derived from the parcours rather than sent
        in plie.csv (the csv's ``2017-12-31 (deduite)``): ``extraction_deduite`` and
        ``complet_depuis_deduite`` (booleans, null with their date). The file's size in bytes
        is in the schema's metadata (``file_size``)."""
        table, size = _consolide.status(self.path)
        meta = dict(table.schema.metadata or {})
        meta[b"file_size"] = str(size).encode()
        return table.replace_schema_metadata(meta)

    def plies(self) -> List[str]:
        """The codes of the PLIE in the store."""
        return self.status().column("plie").to_pylist()

    def tableau(
        self,
        tableau: Union[str, int],
        *,
        year: Optional[int] = None,
        years: Optional[Years] = None,
        filters: Filters = None,
        secret: Optional[int] = None,
    ) -> pyarrow.Table:
        """A published table (``1``, ``1bis``, ``taux``, ``2`` ... ``10``, ``6bis``,
        ``periodes``; see :data:`TABLEAUX`) for ``year=Y`` or ``years=(Y1, Y2)``, as
        ``consolide tableau T --format csv`` gives it: the columns ``group``, ``row``,
        ``label``, then one per figure (``entrees``, ``taux_sortie_positive``...).

        ``filters`` restricts the scope: ``{"departement": ["59", "62"], "sexe": "F"}`` (values
        of one dimension OR-ed, dimensions AND-ed) or clauses ``["departement=59,62"]``.
        ``secret=N`` masks every count of 1 to N-1 people and the cells that would give them
        away (nulls). The schema's metadata holds the table's ``title``, ``period``,
        ``filter``, ``plie`` (the number of PLIE counted), ``secret`` and its notes (e.g.
        ``inactivite_moyenne_mois``).
        """
        return _consolide.tableau(
            self.path,
            str(tableau),
            _period(year, years),
            _filters(filters),
            secret,
        )

    def crosstab(
        self,
        measure: str,
        *,
        rows: str,
        cols: Optional[str] = None,
        year: Optional[int] = None,
        years: Optional[Years] = None,
        filters: Filters = None,
        secret: Optional[int] = None,
    ) -> pyarrow.Table:
        """Any measure (see :data:`MEASURES`) by one or two dimensions, in the long form of
        ``consolide crosstab --format csv``: a column per dimension (named by its code, values
        as CLI.md's codes, every combination including zero cells) and one named by the
        measure (an integer count, or a fraction for a rate; null where undefined or masked).
        ``filters`` and ``secret`` as for :meth:`tableau`."""
        return _consolide.crosstab(
            self.path,
            measure,
            rows,
            cols,
            _period(year, years),
            _filters(filters),
            secret,
        )

    def export_parquet(self, folder: PathLike) -> Dict[str, int]:
        """``consolide export --parquet``: the store as Parquet under ``folder`` (new or
        empty), for other engines; returns the counts written."""
        return _consolide.export_parquet(self.path, os.fspath(folder))
