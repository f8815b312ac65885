r"""The customer summary of :func:`~crm_course.clv.rfm_summary` as SQL, and its out-of-core run in DuckDB.

A transaction log too large for pandas is summarised where it lies:

* :func:`rfm_summary_sql` — the SQL text that turns one row per order into one
  row per customer (``frequency``, ``recency``, ``T``, ``monetary_value``), or
  into the distinct (frequency, recency, T) rows with their counts. It uses
  no engine-specific date function, so the same text runs in DuckDB, Spark
  SQL (and Databricks), Trino/Athena, Snowflake and BigQuery;
* :func:`~crm_course.clv.rfm_summary` given a path, a list of paths or a glob
  of Parquet or CSV files runs that SQL in DuckDB (embedded, no server),
  reading the files in streams and never loading the log into memory.

Why SQL, and why DuckDB. The summary is two ``GROUP BY`` aggregations, which
every SQL engine runs in parallel and out of core; a customer base of a
hundred million orders is summarised on a laptop in DuckDB, and one of
billions in a warehouse with the same text. The BG/NBD and Pareto/NBD
likelihoods depend on a customer only through (frequency, recency, T), so
``distinct=True`` returns the distinct rows with their counts: as dates are
whole days, far fewer rows than customers (about 150,000 for a million
CDNOW-like customers, see :mod:`crm_course.clv`), which the fitters take with
``weights=`` on one machine. DuckDB is an optional dependency: install ``crm-course[scale]``.

The text follows the pandas path exactly (a test checks row for row): orders
on one calendar day are one purchase occasion with their values added up;
orders after ``observation_end`` are ignored, and so are customers whose first
order is later; ``recency`` and ``T`` are whole days divided by the unit's
length (7 for weeks, 365.25/12 for months).

Portability details. Differences between dates are taken through a day
number computed from the calendar fields with ``EXTRACT`` and ``FLOOR``
(1 March of year 0 is day 1, in the proleptic Gregorian calendar), because
engines disagree on date-difference functions (``date_diff('day', a, b)``,
``datediff(b, a)``, ``DATE_DIFF(b, a, DAY)``); the first purchase day's value
uses ``MIN_BY``, which DuckDB, Spark 3+, Trino, Snowflake and BigQuery have
(PostgreSQL and Redshift do not: join ``purchase_days`` to ``customers`` on
the first date instead). Column names must be plain identifiers (letters,
digits, ``_``); engines that fold unquoted names to lower case return ``t``
for ``T``.

Examples
--------
>>> sql = rfm_summary_sql("2024-12-29")
>>> print(sql.splitlines()[0])
-- One row per customer: frequency, recency, T (in weeks) and monetary_value.
>>> "FROM transactions" in sql and "DATE '2024-12-29'" in sql
True
"""

from __future__ import annotations

import glob
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from crm_course.clv.checks import _day, _unit_days

__all__ = ["rfm_summary_sql"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_UNIT_NAMES = {"D": "days", "W": "weeks", "M": "average months of 365.25/12 days"}
#: Orders summarised in one pass of the out-of-core run: larger logs are split
#: into passes over disjoint sets of customers, so memory stays about flat.
#: Small passes keep DuckDB's hash tables in cache (on 100 million orders, 16
#: passes took 45 CPU-seconds and 1.0 GB, 4 passes 58 and 1.9 GB); at most
#: MAX_PASSES, as the split writes one file per pass at once.
ROWS_PER_PASS = 6_250_000
MAX_PASSES = 32


def _identifier(name: Any, what: str) -> str:
    if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name):
        raise ValueError(
            f"{what}: expected a plain column name (letters, digits and _, not starting with a digit) "
            f"for the SQL; found {name!r}"
        )
    return name


def _calendar(column: str, prefix: str) -> str:
    """Year and month counted from March (so that the leap day ends the year), and day."""
    spring = f"CASE WHEN EXTRACT(MONTH FROM {column}) <= 2 THEN 1 ELSE 0 END"
    return (f"        EXTRACT(YEAR FROM {column}) - {spring} AS {prefix}_y,\n"
            f"        EXTRACT(MONTH FROM {column}) + 12 * {spring} - 3 AS {prefix}_m,\n"
            f"        EXTRACT(DAY FROM {column}) AS {prefix}_d")


def _day_number(prefix: str) -> str:
    y, m, d = f"{prefix}_y", f"{prefix}_m", f"{prefix}_d"
    return (f"365 * {y} + FLOOR({y} / 4) - FLOOR({y} / 100) + FLOOR({y} / 400) "
            f"+ FLOOR((153 * {m} + 2) / 5) + {d} AS {prefix}_day")


def rfm_summary_sql(
    observation_end: Any,
    *,
    source: str = "transactions",
    time_unit: str = "W",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    value_col: str | None = "order_value",
    distinct: bool = False,
    order: bool = True,
) -> str:
    """SQL that summarises one row per order into one (frequency, recency, T) row per customer.

    The same summary as :func:`~crm_course.clv.rfm_summary` (whose out-of-core
    path runs this text in DuckDB), as text to run on any engine that holds
    the transactions: Spark SQL, a warehouse, DuckDB.

    Parameters
    ----------
    observation_end : date-like
        Last day observed (inclusive); written as ``DATE 'YYYY-MM-DD'``.
    source : str
        What follows ``FROM``: a table or view name (default
        ``transactions``), or any table expression such as DuckDB's
        ``read_parquet('orders/*.parquet')``. Inserted as given; pass
        ``"{source}"`` to keep a placeholder for ``str.format``.
    time_unit : {"W", "D", "M"}
        Unit of ``recency`` and ``T``: weeks, days or average months.
    customer_col, date_col, value_col : str
        Column names in ``source`` (plain identifiers); ``date_col`` holds a
        date or timestamp. ``value_col=None`` leaves out ``monetary_value``.
    distinct : bool
        Return the distinct (``frequency``, ``recency``, ``T``) rows with
        ``n_customers``, how many customers share each: the input of a
        BG/NBD or Pareto/NBD fit with ``weights=n_customers``, small
        whatever the number of customers.
    order : bool
        End with ``ORDER BY`` (by customer, or by the three columns).

    Returns
    -------
    str
        The statement, headed by comments that state every choice above.
        Its result columns are ``customer_col``, ``frequency``, ``recency``,
        ``T`` and ``monetary_value`` (or ``frequency``, ``recency``, ``T``,
        ``n_customers``).

    Examples
    --------
    >>> import duckdb
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "customer_id": [1, 1, 1, 2],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-08"]),
    ...     "order_value": [10.0, 20.0, 40.0, 5.0],
    ... })
    >>> sql = rfm_summary_sql("2024-01-29", source="orders")
    >>> duckdb.sql(sql).df()                 # DuckDB finds the DataFrame ``orders`` by its name
       customer_id  frequency  recency    T  monetary_value
    0            1          2      2.0  4.0            30.0
    1            2          0      0.0  3.0             0.0
    """
    unit = _unit_days(time_unit)
    end = _day(observation_end, "observation_end")
    if not isinstance(source, str) or not source.strip():
        raise ValueError(f"source: expected a table name or table expression as text; found {source!r}")
    customer = _identifier(customer_col, "customer_col")
    date = _identifier(date_col, "date_col")
    value = None if value_col is None else _identifier(value_col, "value_col")
    unit_literal = f"{unit!r}E0" if "e" not in repr(unit).lower() else repr(unit)
    end_literal = f"DATE '{end:%Y-%m-%d}'"
    money = value is not None
    what = "the distinct (frequency, recency, T) rows and how many customers share each" if distinct else (
        "frequency, recency, T (in " + _UNIT_NAMES[time_unit] + ")" + (" and monetary_value" if money else ""))
    header = "\n".join([
        f"-- One row per customer: {what}." if not distinct else f"-- {what[0].upper() + what[1:]}.",
        "-- From one row per order; orders on one calendar day are one purchase occasion, orders",
        f"-- after the end of observation ({end:%Y-%m-%d}, inclusive) are ignored. Written by",
        "-- crm_course.clv.rfm_summary_sql; portable: no engine-specific date functions.",
        f"-- source: {source}; customer: {customer}; date: {date}; value: {value or '(none)'}.",
    ])
    value_select = f",\n        SUM({value}) AS day_value" if money else ""
    value_aggregates = (",\n        SUM(day_value) AS total_value,\n"
                        "        MIN_BY(day_value, purchase_date) AS first_value") if money else ""
    value_columns = ", total_value, first_value" if money else ""
    monetary = (",\n    CASE WHEN frequency > 0 THEN (total_value - first_value) / frequency ELSE 0E0 END"
                " AS monetary_value") if money else ""
    summary = f"""WITH purchase_days AS (
    SELECT
        {customer} AS customer,
        CAST({date} AS DATE) AS purchase_date{value_select}
    FROM {source}
    WHERE CAST({date} AS DATE) <= {end_literal}
    GROUP BY {customer}, CAST({date} AS DATE)
),
customers AS (
    SELECT
        customer,
        COUNT(*) - 1 AS frequency,
        MIN(purchase_date) AS first_date,
        MAX(purchase_date) AS last_date{value_aggregates}
    FROM purchase_days
    GROUP BY customer
),
calendar AS (
    -- year and month counted from March, so that a leap day ends its year
    SELECT
        customer, frequency{value_columns},
{_calendar("first_date", "first")},
{_calendar("last_date", "last")},
{_calendar(end_literal, "end")}
    FROM customers
),
day_numbers AS (
    -- a day number (1 March of year 0 is day 1, proleptic Gregorian): differences are days
    SELECT
        customer, frequency{value_columns},
        {_day_number("first")},
        {_day_number("last")},
        {_day_number("end")}
    FROM calendar
)
SELECT
    customer AS {customer},
    frequency,
    (last_day - first_day) / {unit_literal} AS recency,
    (end_day - first_day) / {unit_literal} AS T{monetary}
FROM day_numbers"""
    if distinct:
        inner = summary.replace("\n", "\n    ")
        summary = (f"SELECT frequency, recency, T, COUNT(*) AS n_customers\nFROM (\n    {inner}\n) AS per_customer\n"
                   "GROUP BY frequency, recency, T")
        tail = "\nORDER BY frequency, recency, T" if order else ""
    else:
        tail = f"\nORDER BY {customer}" if order else ""
    return f"{header}\n{summary}{tail}\n"


# --------------------------------------------------------------------------
# The out-of-core run (called by rfm_summary when given files)
# --------------------------------------------------------------------------

_FORMATS = {".parquet": "parquet", ".parq": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "csv",
            ".txt": "csv"}
_NUMERIC = re.compile(r"(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT"
                      r"|FLOAT|DOUBLE|DECIMAL.*)")


def _is_files(transactions: Any) -> bool:
    if isinstance(transactions, (str, os.PathLike)):
        return True
    return (isinstance(transactions, (list, tuple)) and len(transactions) > 0
            and all(isinstance(p, (str, os.PathLike)) for p in transactions))


def _format_of(path: str) -> str:
    name = path.lower()
    for compressed in (".gz", ".zst", ".bz2"):
        name = name.removesuffix(compressed)
    suffix = os.path.splitext(name)[1]
    if suffix not in _FORMATS:
        raise ValueError(f"transactions: expected Parquet (.parquet) or CSV (.csv) files; found {path!r}")
    return _FORMATS[suffix]


def _files(transactions: Any) -> tuple[list[str], str]:
    """Every file named by a path, a glob or a list of them, and their one format."""
    items = [transactions] if isinstance(transactions, (str, os.PathLike)) else list(transactions)
    found: list[str] = []
    for item in items:
        path = os.fspath(item)
        if "://" in path:  # a remote URL: DuckDB reads it (with its httpfs extension); nothing to check here
            found.append(path)
        elif any(c in path for c in "*?["):
            matches = sorted(glob.glob(path, recursive=True))
            if not matches:
                raise ValueError(f"transactions: the pattern {path!r} matches no file")
            found.extend(matches)
        elif os.path.isdir(path):
            raise ValueError(f"transactions: {path!r} is a folder; give its files, e.g. {os.path.join(path, '*.parquet')!r}")
        elif not os.path.isfile(path):
            raise ValueError(f"transactions: no such file {path!r}")
        else:
            found.append(path)
    formats = {_format_of(p) for p in found}
    if len(formats) > 1:
        raise ValueError("transactions: expected files of one format; found both Parquet and CSV files")
    return found, formats.pop()


def _connect(config: Mapping[str, Any] | None):
    try:
        import duckdb
    except ImportError:
        raise ImportError(
            "rfm_summary reads transaction files with DuckDB, which is not installed: "
            "pip install 'crm-course[scale]' (or pip install duckdb)"
        ) from None
    if config is not None and not isinstance(config, Mapping):
        raise ValueError(f"duckdb_config: expected a dict of DuckDB settings; found {type(config).__name__}")
    try:
        con = duckdb.connect(config=dict(config or {}))
    except duckdb.Error as error:
        raise ValueError(f"duckdb_config: DuckDB refused the settings {dict(config or {})}: {error}") from None
    # No progress bar: DuckDB would print it into the caller's output (a notebook, a log).
    con.execute("SET enable_progress_bar = false")
    if "preserve_insertion_order" not in (config or {}):
        # Every result that needs an order says ORDER BY; without the guarantee the passes use
        # less memory and about 15% less CPU.
        con.execute("SET preserve_insertion_order = false")
    return con


def _check_files(con, source: str, customer: str, date: str, value: str | None, end: pd.Timestamp) -> int:
    """Check the columns and values of the files as the pandas path checks a DataFrame; return the order count."""
    described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    types = {row[0]: str(row[1]).upper() for row in described}
    for column in [customer, date] + ([value] if value else []):
        if column not in types:
            raise ValueError(f"transactions: missing column {column!r}; the files have {sorted(types)}")
    if not (types[date] == "DATE" or types[date].startswith("TIMESTAMP")):
        raise ValueError(f"transactions: column {date!r} should be a date or timestamp column; "
                         f"found {types[date]} (write dates as YYYY-MM-DD)")
    if value and not _NUMERIC.fullmatch(types[value]):
        raise ValueError(f"transactions: column {value!r} should be numeric; found {types[value]}")
    value_checks = (f", COUNT(*) FILTER (WHERE {value} IS NULL), COUNT(*) FILTER (WHERE {value} < 0), "
                    f"MIN({value})") if value else ", 0, 0, 0"
    n, no_customer, no_date, earliest, in_window, no_value, negative, smallest = con.execute(
        f"SELECT COUNT(*), COUNT(*) FILTER (WHERE {customer} IS NULL), COUNT(*) FILTER (WHERE {date} IS NULL), "
        f"MIN({date}), COUNT(*) FILTER (WHERE CAST({date} AS DATE) <= DATE '{end:%Y-%m-%d}'){value_checks} "
        f"FROM {source}"
    ).fetchone()
    if no_customer:
        raise ValueError(f"transactions: column {customer!r} has {no_customer} missing value(s)")
    if no_date:
        raise ValueError(f"transactions: column {date!r} has {no_date} missing value(s)")
    if no_value:
        raise ValueError(f"transactions: column {value!r} has {no_value} missing value(s)")
    if negative:
        raise ValueError(f"transactions: column {value!r} should be >= 0; found {negative} value(s), "
                         f"e.g. {float(smallest)!r}")
    if not in_window:
        raise ValueError(f"transactions: expected orders on or before observation_end {end.date()}; found none "
                         f"(earliest order {earliest})")
    return int(n)


def _by_partitions(con, source: str, passes: int, end: pd.Timestamp, sql_args: dict) -> pd.DataFrame:
    """Summarise a large log in passes over disjoint sets of customers, so memory stays about flat.

    The log is read once and written to a temporary folder split by a hash of
    the customer (one read, one write); each part is then summarised by the same
    SQL, with hash tables of 1/passes the size. Filtering the original files
    in every pass instead would read the whole log once per pass.
    """
    customer, date, value = sql_args["customer_col"], sql_args["date_col"], sql_args["value_col"]
    # Dates are cut to days and later orders dropped on the way (the SQL does both again, to no effect).
    columns = f"{customer}, CAST({date} AS DATE) AS {date}" + (f", {value}" if value else "")
    with tempfile.TemporaryDirectory(prefix="crm-course-rfm-") as folder:
        quoted = folder.replace("'", "''")
        con.execute(f"COPY (SELECT {columns}, hash({customer}) % {passes} AS rfm_part FROM {source} "
                    f"WHERE CAST({date} AS DATE) <= DATE '{end:%Y-%m-%d}') "
                    f"TO '{quoted}' (FORMAT parquet, PARTITION_BY (rfm_part))")
        parts = sorted(glob.glob(os.path.join(folder, "rfm_part=*")))
        for k, part in enumerate(parts):
            files = os.path.join(part, "*.parquet").replace("'", "''")
            body = rfm_summary_sql(end, source=f"read_parquet('{files}', hive_partitioning = false)", order=False,
                                   **sql_args)
            con.execute(("CREATE TEMP TABLE rfm AS " if k == 0 else "INSERT INTO rfm ") + body)
        return con.execute(f"SELECT * FROM rfm ORDER BY {customer}").df()


def _summarise_files(
    transactions: str | os.PathLike | Sequence[str | os.PathLike],
    observation_end: Any,
    *,
    time_unit: str,
    customer_col: str,
    date_col: str,
    value_col: str | None,
    duckdb_config: Mapping[str, Any] | None,
) -> pd.DataFrame:
    """rfm_summary of Parquet or CSV files, run out of core in DuckDB."""
    end = _day(observation_end, "observation_end")
    sql_args = dict(time_unit=time_unit, customer_col=customer_col, date_col=date_col, value_col=value_col)
    rfm_summary_sql(end, **sql_args)  # checks the names and the unit before any file is opened
    paths, kind = _files(transactions)
    listed = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
    source = f"read_{kind}([{listed}])"
    con = _connect(duckdb_config)
    try:
        n_orders = _check_files(con, source, customer_col, date_col, value_col, end)
        passes = min(MAX_PASSES, max(1, -(-n_orders // ROWS_PER_PASS)))
        if passes == 1:
            out = con.execute(rfm_summary_sql(end, source=source, **sql_args)).df()
        else:
            out = _by_partitions(con, source, passes, end, sql_args)
    finally:
        con.close()
    out = out.set_index(customer_col)
    out["frequency"] = out["frequency"].astype("int64")
    for column in out.columns.drop("frequency"):
        out[column] = out[column].astype("float64")
    return out
