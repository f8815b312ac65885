"""rfm_summary at any scale: the SQL text, the DuckDB path over Parquet and CSV files, and the pandas path agree."""

from __future__ import annotations

import sys

import duckdb  # the `scale` extra for users; in the dev group, so these tests always run
import numpy as np
import pandas as pd
import pytest

from crm_course.clv import BGNBDFitter, rfm_summary, rfm_summary_sql, summary_sql
from crm_course.data import load

COLUMNS = ["customer_id", "order_date", "order_value"]


def _write(df: pd.DataFrame, path, kind: str = "parquet") -> str:
    con = duckdb.connect()
    con.register("frame", df)
    options = "(FORMAT parquet)" if kind == "parquet" else "(HEADER)"
    con.execute(f"COPY frame TO '{path}' {options}")
    con.close()
    return str(path)


def _same(pandas_path: pd.DataFrame, files_path: pd.DataFrame) -> None:
    """Row for row: the same customers in the same order, counts and days exact, spend to rounding."""
    assert pandas_path.index.tolist() == files_path.index.tolist()
    assert pandas_path.index.name == files_path.index.name
    assert list(pandas_path.columns) == list(files_path.columns)
    for column in ("frequency", "recency", "T"):
        np.testing.assert_array_equal(pandas_path[column].to_numpy(), files_path[column].to_numpy())
    assert (files_path.dtypes == pandas_path.dtypes).all()
    if "monetary_value" in pandas_path:
        np.testing.assert_allclose(files_path["monetary_value"], pandas_path["monetary_value"], rtol=1e-12)


@pytest.fixture(scope="module")
def kopilka(tmp_path_factory):
    orders = load("transactions")[COLUMNS]
    folder = tmp_path_factory.mktemp("kopilka")
    return orders, _write(orders, folder / "orders.parquet"), _write(orders, folder / "orders.csv", "csv")


@pytest.mark.parametrize("end", ["2024-12-29", "2023-09-15"])
@pytest.mark.parametrize("unit", ["W", "D", "M"])
def test_parquet_and_csv_paths_agree_with_pandas_on_kopilka(kopilka, end, unit):
    orders, parquet, csv = kopilka
    expected = rfm_summary(orders, end, time_unit=unit)
    _same(expected, rfm_summary(parquet, end, time_unit=unit))
    _same(expected, rfm_summary(csv, end, time_unit=unit))


def test_without_values_and_with_other_column_names(kopilka, tmp_path):
    orders, parquet, _ = kopilka
    _same(rfm_summary(orders, "2024-12-29", value_col=None), rfm_summary(parquet, "2024-12-29", value_col=None))
    renamed = orders.rename(columns={"customer_id": "member", "order_date": "paid_at", "order_value": "amount"})
    path = _write(renamed, tmp_path / "renamed.parquet")
    names = dict(customer_col="member", date_col="paid_at", value_col="amount")
    _same(rfm_summary(renamed, "2024-12-29", **names), rfm_summary(path, "2024-12-29", **names))


def test_several_passes_give_the_same_summary_and_leave_no_files(kopilka, monkeypatch, tmp_path):
    orders, parquet, csv = kopilka
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(summary_sql.tempfile, "tempdir", str(scratch))  # where the split is written
    seen = []

    def spy(con, source, passes, end, sql_args):
        seen.append(passes)
        return real(con, source, passes, end, sql_args)

    real = summary_sql._by_partitions
    monkeypatch.setattr(summary_sql, "_by_partitions", spy)
    folders = []
    real_folder = summary_sql.tempfile.TemporaryDirectory

    class Folder(real_folder):
        def __enter__(self):
            folders.append(self.name)
            return super().__enter__()

    monkeypatch.setattr(summary_sql.tempfile, "TemporaryDirectory", Folder)
    monkeypatch.setattr(summary_sql, "ROWS_PER_PASS", 20_000)  # 74,684 orders: four passes
    expected = rfm_summary(orders, "2024-06-30")
    _same(expected, rfm_summary(parquet, "2024-06-30"))
    monkeypatch.setattr(summary_sql, "ROWS_PER_PASS", 1_000)  # 75 passes, capped at MAX_PASSES
    monkeypatch.setattr(summary_sql, "MAX_PASSES", 7)
    _same(expected, rfm_summary(csv, "2024-06-30"))
    _same(rfm_summary(orders, "2024-06-30", value_col=None), rfm_summary(csv, "2024-06-30", value_col=None))
    assert seen == [4, 7, 7]
    assert len(folders) == 3 and all(f.startswith(str(scratch)) for f in folders)
    assert list(scratch.iterdir()) == []  # every split deleted


def test_a_list_of_files_and_a_glob(kopilka, tmp_path):
    orders, _, _ = kopilka
    parts = np.array_split(np.arange(len(orders)), 3)  # a customer's orders spread over several files
    paths = [_write(orders.iloc[p], tmp_path / f"part-{i}.parquet") for i, p in enumerate(parts)]
    expected = rfm_summary(orders, "2024-12-29")
    _same(expected, rfm_summary(paths, "2024-12-29"))
    _same(expected, rfm_summary(str(tmp_path / "part-*.parquet"), "2024-12-29"))
    _same(rfm_summary(orders.iloc[parts[1]], "2024-12-29"), rfm_summary(tmp_path / "part-1.parquet", "2024-12-29"))


# --------------------------------------------------------------------------
# Edge cases, with the expected values worked out by hand
# --------------------------------------------------------------------------

EDGE = pd.DataFrame({
    "customer_id": ["solo", "sameday", "sameday", "sameday", "late", "late", "after", "leap", "leap", "leap"],
    "order_date": pd.to_datetime([
        "2024-03-01 09:00",                                        # one order only
        "2024-01-02 08:00", "2024-01-02 23:59", "2024-01-16 12:00",  # two orders on one day, then one more
        "2024-01-01", "2024-04-01",                                # the second order is after the end
        "2024-04-01",                                              # first order after the end: left out
        "2024-02-28", "2024-02-29", "2024-03-01",                  # across a leap day
    ], format="ISO8601"),
    "order_value": [5.0, 10.0, 15.0, 40.0, 7.0, 100.0, 9.0, 1.0, 2.0, 4.0],
})
END = "2024-03-03"
# solo:    frequency 0, recency 0, T = 2 days (1 Mar -> 3 Mar), monetary 0
# sameday: days 2 Jan (10 + 15 = 25) and 16 Jan (40): frequency 1, recency 14 days, T 61 days, monetary 40
# late:    only 1 Jan counts: frequency 0, recency 0, T 62 days, monetary 0
# leap:    28 Feb, 29 Feb, 1 Mar: frequency 2, recency 2 days, T 4 days, monetary (2 + 4) / 2 = 3
HAND = pd.DataFrame({"frequency": [0, 2, 1, 0], "recency": [0.0, 2.0, 14.0, 0.0], "T": [62.0, 4.0, 61.0, 2.0],
                     "monetary_value": [0.0, 3.0, 40.0, 0.0]},
                    index=pd.Index(["late", "leap", "sameday", "solo"], name="customer_id"))


@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_edge_cases_agree_with_the_hand_computation_on_both_paths(tmp_path, kind):
    path = _write(EDGE, tmp_path / f"edge.{kind}", kind)
    by_pandas = rfm_summary(EDGE, END, time_unit="D")
    by_files = rfm_summary(path, END, time_unit="D")
    pd.testing.assert_frame_equal(by_pandas, HAND, check_index_type=False)
    pd.testing.assert_frame_equal(by_files, HAND, check_index_type=False)


def test_day_differences_are_right_across_two_centuries(tmp_path):
    # Random pairs of dates from 1890 to 2110: leap years, 1900 and 2100 (not leap), 2000 (leap).
    rng = np.random.default_rng(1)
    n = 5_000
    first = pd.Timestamp("1890-01-01") + pd.to_timedelta(rng.integers(0, 80_000, n), unit="D")
    second = first + pd.to_timedelta(rng.integers(0, 3_000, n), unit="D")
    orders = pd.DataFrame({"customer_id": np.r_[np.arange(n), np.arange(n)],
                           "order_date": np.r_[first.to_numpy(), second.to_numpy()],
                           "order_value": 1.0})
    by_files = rfm_summary(_write(orders, tmp_path / "dates.parquet"), "2120-01-01", time_unit="D")
    assert (by_files["recency"].to_numpy() == (second - first).days.to_numpy()).all()
    assert (by_files["T"].to_numpy() == (pd.Timestamp("2120-01-01") - first).days.to_numpy()).all()


# --------------------------------------------------------------------------
# The SQL as text
# --------------------------------------------------------------------------


def test_the_sql_text_runs_unchanged_and_names_no_engine_specific_date_function():
    sql = rfm_summary_sql("2024-03-03", source="edge", time_unit="D")
    for word in ("date_diff", "datediff", "epoch", "julian", "::", "date_part", "strftime"):
        assert word not in sql.lower()
    con = duckdb.connect()
    con.register("edge", EDGE)
    result = con.execute(sql).df().set_index("customer_id")
    pd.testing.assert_frame_equal(result, HAND, check_index_type=False, check_dtype=False)
    placeholder = rfm_summary_sql("2024-03-03", source="{source}")
    assert placeholder.format(source="edge") == rfm_summary_sql("2024-03-03", source="edge")


def test_distinct_rows_fit_the_same_model_as_every_customer(kopilka):
    orders, parquet, _ = kopilka
    per_customer = rfm_summary(orders, "2024-12-29")
    con = duckdb.connect()
    distinct = con.execute(rfm_summary_sql("2024-12-29", source=f"read_parquet('{parquet}')", distinct=True)).df()
    assert list(distinct.columns) == ["frequency", "recency", "T", "n_customers"]
    assert distinct["n_customers"].sum() == len(per_customer)
    assert len(distinct) == len(per_customer[["frequency", "recency", "T"]].drop_duplicates()) < len(per_customer)
    whole = BGNBDFitter().fit(per_customer)
    weighted = BGNBDFitter().fit(distinct, weights=distinct["n_customers"])
    np.testing.assert_allclose(weighted.params_, whole.params_, rtol=1e-6)


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------


def test_bad_files_raise_value_errors_naming_the_problem(tmp_path, kopilka):
    orders, parquet, csv = kopilka
    with pytest.raises(ValueError, match="no such file"):
        rfm_summary(tmp_path / "missing.parquet", "2024-12-29")
    with pytest.raises(ValueError, match="matches no file"):
        rfm_summary(str(tmp_path / "nothing-*.parquet"), "2024-12-29")
    with pytest.raises(ValueError, match="is a folder"):
        rfm_summary(tmp_path, "2024-12-29")
    (tmp_path / "orders.json").write_text("{}")
    with pytest.raises(ValueError, match="Parquet .* or CSV"):
        rfm_summary(tmp_path / "orders.json", "2024-12-29")
    with pytest.raises(ValueError, match="one format"):
        rfm_summary([parquet, csv], "2024-12-29")
    with pytest.raises(ValueError, match="missing column 'member'"):
        rfm_summary(parquet, "2024-12-29", customer_col="member")
    with pytest.raises(ValueError, match="expected orders on or before observation_end 2020-01-01"):
        rfm_summary(parquet, "2020-01-01")
    with pytest.raises(ValueError, match="time_unit"):
        rfm_summary(parquet, "2024-12-29", time_unit="Y")
    with pytest.raises(ValueError, match="observation_end"):
        rfm_summary(parquet, "not a date")


@pytest.mark.parametrize("change, message", [
    (lambda d: d.assign(order_value=d["order_value"] - 1000), "should be >= 0"),
    (lambda d: d.assign(customer_id=d["customer_id"].astype(float).where(d.index > 5)), "'customer_id' has 6 missing"),
    (lambda d: d.assign(order_date=d["order_date"].where(d.index > 2)), "'order_date' has 3 missing"),
    (lambda d: d.assign(order_value=d["order_value"].where(d.index > 0)), "'order_value' has 1 missing"),
    (lambda d: d.assign(order_date="soon"), "should be a date or timestamp column; found VARCHAR"),
    (lambda d: d.assign(order_value="ten"), "should be numeric; found VARCHAR"),
])
def test_bad_values_in_files_are_caught_like_the_pandas_path(tmp_path, change, message):
    orders = change(load("transactions")[COLUMNS].head(50).copy())
    with pytest.raises(ValueError, match=message):
        rfm_summary(_write(orders, tmp_path / "bad.parquet"), "2024-12-29")


def test_pandas_path_now_refuses_missing_dates_too():
    orders = load("transactions")[COLUMNS].head(20).copy()
    orders.loc[3, "order_date"] = pd.NaT
    with pytest.raises(ValueError, match="'order_date' has 1 missing"):
        rfm_summary(orders, "2024-12-29")


def test_bad_sql_arguments():
    with pytest.raises(ValueError, match="customer_col: expected a plain column name"):
        rfm_summary_sql("2024-12-29", customer_col="customer id")
    with pytest.raises(ValueError, match="value_col"):
        rfm_summary_sql("2024-12-29", value_col="x; DROP TABLE t")
    with pytest.raises(ValueError, match="source"):
        rfm_summary_sql("2024-12-29", source="  ")
    with pytest.raises(ValueError, match="duckdb_config: only used when transactions are files"):
        rfm_summary(load("transactions").head(5), "2024-12-29", duckdb_config={"threads": 1})


def test_duckdb_settings_pass_through_and_bad_ones_are_named(kopilka):
    orders, parquet, _ = kopilka
    _same(rfm_summary(orders, "2024-12-29"),
          rfm_summary(parquet, "2024-12-29", duckdb_config={"threads": 1, "memory_limit": "500MB"}))
    with pytest.raises(ValueError, match="duckdb_config"):
        rfm_summary(parquet, "2024-12-29", duckdb_config={"no_such_setting": 1})


def test_a_missing_duckdb_says_which_extra_to_install(kopilka, monkeypatch):
    _, parquet, _ = kopilka
    monkeypatch.setitem(sys.modules, "duckdb", None)  # import duckdb now fails
    with pytest.raises(ImportError, match=r"crm-course\[scale\]"):
        rfm_summary(parquet, "2024-12-29")
