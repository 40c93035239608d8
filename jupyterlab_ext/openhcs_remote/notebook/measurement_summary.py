"""A run's table as the widget's heatmap and well table want it: means per well, one well's rows."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: Place columns the heatmap does not offer (they say where a row is, not what was measured).
NOT_MEASURED = frozenset({"well", "site", "step", "step_index", "slice_index"})


def _plain(value: Any) -> Any:
    """Make a cell JSON-safe: numbers as numbers (NaN as null), anything else as text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float) or hasattr(value, "item"):
        number = value.item() if hasattr(value, "item") else value
        if isinstance(number, int | float) and not isinstance(number, bool):
            return None if isinstance(number, float) and not math.isfinite(number) else number
    return str(value)


def numeric_columns(frame: pd.DataFrame) -> list[str]:
    """Return the measured columns that hold numbers (booleans and place columns left out)."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    return [
        str(c)
        for c in frame.columns
        if c not in NOT_MEASURED and is_numeric_dtype(frame[c]) and not is_bool_dtype(frame[c])
    ]


def summary(frame: pd.DataFrame, table: str | None, tables: list[str]) -> dict[str, Any]:
    """Build the ``measurements`` reply: each numeric column's mean per well, and rows per well."""
    if frame.empty or "well" not in frame:
        return {"table": table, "tables": tables, "columns": [], "wells": {}, "rows": {}}
    columns = numeric_columns(frame)
    groups = frame.groupby("well", sort=True)
    means = groups[columns].mean() if columns else None
    wells = {
        str(well): {c: _plain(means.at[well, c]) for c in columns} if means is not None else {}
        for well in groups.groups
    }
    rows = {str(well): int(size) for well, size in groups.size().items()}
    return {"table": table, "tables": tables, "columns": columns, "wells": wells, "rows": rows}


def well_rows(frame: pd.DataFrame, well: str, limit: int) -> dict[str, Any]:
    """Build the ``well_rows`` reply: one well's first ``limit`` rows and their total."""
    mine = frame[frame["well"] == well] if "well" in frame else frame.iloc[0:0]
    shown = mine.head(max(0, limit))
    return {
        "well": well,
        "columns": [str(c) for c in frame.columns],
        "rows": [[_plain(v) for v in row] for row in shown.itertuples(index=False, name=None)],
        "total": len(mine),
    }
