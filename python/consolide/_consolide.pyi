"""Type hints of the compiled engine module; use :class:`consolide.Store` rather than these."""

from typing import Any, Dict, List, Optional, Tuple

import pyarrow

ENGINE_VERSION: str

def check_store(db: str) -> None: ...
def tableaux() -> List[str]: ...
def measures() -> List[str]: ...
def tableau(
    db: str, code: str, period: str, filters: List[str], secret: Optional[int] = None
) -> pyarrow.Table: ...
def crosstab(
    db: str,
    measure: str,
    rows: str,
    cols: Optional[str],
    period: str,
    filters: List[str],
    secret: Optional[int] = None,
) -> pyarrow.Table: ...
def status(db: str) -> Tuple[pyarrow.Table, int]: ...
def import_transfers(
    db: str,
    folders: List[str],
    rejects: Optional[str] = None,
    dry_run: bool = False,
    max_rejected: float = 0.05,
) -> Dict[str, Any]: ...
def export_parquet(db: str, dir: str) -> Dict[str, int]: ...
