"""Loads orgsim's CSV files as a researcher would, with pandas and polars and no options.

    python scripts/check_data.py RUN_DIR RUN_DIR ...

Each CSV file name found in every RUN_DIR (trials.csv, series.csv, trace.csv, ...) is read from
each folder by `pandas.read_csv` and `polars.read_csv`. Then it checks three things:
- every column has the type it is documented with: whole-number counters (`trial`, `tick`, ...)
  as integers, names as text, and everything else as floats, even where one run's values are all
  whole (a column of zeros);
- each column has the same type in every run;
- the runs stack: `polars.concat` (which refuses mixed types) and `pandas.concat`.
Exits 1, naming the file, the column and both types, on the first file that fails.
"""

import sys
from pathlib import Path

import pandas as pd
import polars as pl

# Columns that are whole numbers or text by design; every other column is a float.
INTEGER = {"trial", "tick", "week", "week_of_period", "chosen", "pushed", "external", "followed_deck",
           "weeks_left", "trials", "seed"}
TEXT = {"series", "role", "lever", "rule", "metric", "arm", "run_id", "scenario", "scenario_sha256"}


def kind_pandas(dtype) -> str:
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    return "text"


def kind_polars(dtype) -> str:
    if dtype.is_float():
        return "float"
    if dtype.is_integer():
        return "integer"
    return "text"


def expected(column: str) -> str:
    if column in INTEGER:
        return "integer"
    if column in TEXT:
        return "text"
    # Everything else is a float, a sweep's varied values included (a scenario path names
    # those columns, e.g. "strategy.ambiguity"); a varied value that is not a number is text,
    # which the check accepts as it accepts any text column.
    return "float"


def check(name: str, dirs: list[Path]) -> list[str]:
    problems = []
    frames_pd, frames_pl = [], []
    for d in dirs:
        path = d / name
        try:
            df = pd.read_csv(path)
            dl = pl.read_csv(path)
        except Exception as e:  # the reader's own message says which column and value
            return [f"{path}: does not load with no options: {e}"]
        for col in df.columns:
            want = expected(col)
            for lib, got in (("pandas", kind_pandas(df[col].dtype)), ("polars", kind_polars(dl[col].dtype))):
                # A text column of names may read as anything when every name looks like a number.
                if got != want and want != "text" and not (got == "text" and "." in col):
                    problems.append(f"{path}: column '{col}' reads as {got} in {lib}, expected {want}")
        frames_pd.append(df)
        frames_pl.append(dl)
    if problems:
        return problems
    try:
        stacked = pl.concat(frames_pl, how="vertical")
    except Exception as e:  # polars raises several kinds for a schema mismatch
        return [f"{name}: polars.concat of {len(dirs)} runs failed: {e}"]
    both = pd.concat(frames_pd, ignore_index=True)
    for col in frames_pd[0].columns:
        kinds = {kind_pandas(f[col].dtype) for f in frames_pd}
        if len(kinds) > 1:
            problems.append(f"{name}: column '{col}' has types {sorted(kinds)} across runs in pandas")
    rows = sum(len(f) for f in frames_pd)
    if len(both) != rows or stacked.height != rows:
        problems.append(f"{name}: stacked {len(both)} (pandas) and {stacked.height} (polars) rows of {rows}")
    if not problems:
        print(f"{name}: {len(dirs)} runs, {rows} rows, {len(frames_pd[0].columns)} columns: loaded and stacked")
    return problems


def main() -> int:
    dirs = [Path(a) for a in sys.argv[1:]]
    if not dirs:
        print(__doc__, file=sys.stderr)
        return 2
    names = sorted(set.intersection(*({p.name for p in d.glob("*.csv")} for d in dirs)))
    if not names:
        print(f"no CSV file is in every one of {', '.join(map(str, dirs))}", file=sys.stderr)
        return 1
    problems = [p for n in names for p in check(n, dirs)]
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
