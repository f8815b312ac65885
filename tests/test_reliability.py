"""Regression tests for the reliability defects of issue 20.

Each test reproduces one defect found by feeding the helpers bad input as a
careful user would (stale tables, numbers stored as text, tiny samples,
negative money, damaged files, duplicated rows, degenerate targeting rules),
and checks the behaviour that replaced it. The property-based bad-input suite
that keeps every public function honest is ``tests/test_bad_input.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crm_course import experiments, multilevel, profitability, ratings, regression, segmentation, spend_models
from crm_course import survival, uplift
from crm_course.clv import BGNBDFitter, GammaGammaFitter, calibration_holdout, rfm_summary, simulate_bgnbd
from crm_course.data import load
from crm_course.kopilka.support import support_frame
from crm_course.world import simulate
from crm_course.world.datapackage import write

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def world():
    return simulate(n_members=3_000, seed=11)


# --- 1. load() returned stale tables -------------------------------------------------------------


def test_load_rereads_a_folder_after_another_world_is_written_to_it(tmp_path):
    """The README's workflow: write a world, load it, write another world to the same folder, load again."""
    folder = tmp_path / "my_world"
    write(simulate(n_members=300, seed=1), folder)
    first = load("transactions", folder=folder)
    second_world = simulate(n_members=400, seed=2)
    write(second_world, folder)
    second = load("transactions", folder=folder)
    assert len(second) == len(second_world.tables["transactions"]) != len(first)
    assert second["order_value"].sum() == pytest.approx(second_world.tables["transactions"]["order_value"].sum())


def test_load_rechecks_the_checksum_of_a_file_damaged_after_the_first_load(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    load("agents", folder=folder)  # cached
    path = folder / "agents.csv"
    stat = path.stat()
    text = path.read_text()
    damaged = text.replace("\n1,", "\n7,", 1)
    assert damaged != text and len(damaged) == len(text)
    path.write_text(damaged)
    # Even with the modification time put back and the size unchanged, verify=True reads the bytes again.
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    with pytest.raises(ValueError, match=r"agents \(agents.csv\): the file differs .*checksum mismatch"):
        load("agents", folder=folder)


# --- 2. formula helpers turned numbers stored as text into dummies -------------------------------


def _as_text(df: pd.DataFrame, column: str) -> pd.DataFrame:
    out = df.copy()
    out[column] = out[column].astype(str).astype(object)
    return out


@pytest.fixture(scope="module")
def support(world):
    return support_frame(world.tables["contacts"], world.tables["agents"])


@pytest.mark.parametrize(
    "call, column",
    [
        (lambda w, s: regression.key_account_growth(_as_text(w.tables["key_accounts"], "relationship_quality")),
         "relationship_quality"),
        (lambda w, s: regression.engagement_drivers(_as_text(w.tables["agents"], "training_hours")),
         "training_hours"),
        (lambda w, s: ratings.csat_ols(_as_text(s, "engagement_c")), "engagement_c"),
        (lambda w, s: ratings.csat_ordered_logit(_as_text(s, "engagement_c")), "engagement_c"),
        (lambda w, s: multilevel.csat_mixed(_as_text(s, "engagement_c"), "engagement_c"), "engagement_c"),
        (lambda w, s: survival.cox_model(
            _as_text(s.assign(duration=np.arange(len(s)) % 50 + 1.0, lapsed=np.arange(len(s)) % 3 == 0), "csat"),
            "csat + C(reason)", key="contact_id"), "csat"),
        (lambda w, s: spend_models.spend_regression(
            _as_text(s.assign(next_spend=np.arange(len(s), dtype=float)), "engagement"), demographics=["engagement"],
            key="contact_id"),
         "engagement"),
        (lambda w, s: spend_models.first_order_model(
            _as_text(pd.DataFrame({"days_to_first_order": np.r_[np.arange(40.0), [np.nan] * 20],
                                   "days_observed": 60, "age": np.arange(60) % 7 + 20}), "age"), ["age"]),
         "age"),
    ],
    ids=["key_account_growth", "engagement_drivers", "csat_ols", "csat_ordered_logit", "csat_mixed", "cox_model",
         "spend_regression", "first_order_model"],
)
def test_numbers_stored_as_text_are_refused_naming_the_column(world, support, call, column):
    with pytest.raises(ValueError, match=rf"column '{column}' should be numeric; found numbers stored as text"):
        call(world, support)


def test_text_mixed_into_a_numeric_column_is_refused(world):
    agents = world.tables["agents"].copy()
    agents["training_hours"] = agents["training_hours"].astype(object)
    agents.loc[agents.index[3], "training_hours"] = "n/a"
    with pytest.raises(ValueError, match=r"column 'training_hours' should be numeric; found numbers stored as text"):
        regression.engagement_drivers(agents)


def test_genuine_categories_still_enter_formulas(world, support):
    """Text labels, categoricals and numbers declared categorical with C() are legitimate."""
    frame = support.assign(reason_text=support["reason"].astype(str).astype(object),
                           grade=(support["engagement"] // 20).astype(int).astype(str).astype(object))
    fit = ratings.csat_ols(frame, "first_contact_resolution + reason_text + C(grade)", se="HC1")
    assert any(term.startswith("reason_text[T.") for term in fit.params.index)
    assert any(term.startswith("C(grade)[T.") for term in fit.params.index)
    ordered = ratings.csat_ordered_logit(frame, "first_contact_resolution + C(reason)")
    assert np.isfinite(ordered.params).all()


# --- 3. BG/NBD and Gamma-Gamma fitted samples they cannot identify --------------------------------


@pytest.mark.parametrize("n", [1, 3, 39])
def test_bgnbd_refuses_too_few_members(n):
    rows = pd.DataFrame({"frequency": [2, 0, 5] * 13 + [1], "recency": [10.0, 0.0, 30.0] * 13 + [4.0],
                         "T": 39.0}).iloc[:n]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no Hessian warning on the way to the error
        with pytest.raises(ValueError, match=rf"summary: too few members to fit the BG/NBD model: {n} for its 4 "
                                             r"parameters; expected at least 40"):
            BGNBDFitter().fit(rows)


def test_bgnbd_refuses_too_few_repeat_buyers():
    rows = pd.DataFrame({"frequency": [0] * 100 + [3] * 5, "recency": [0.0] * 100 + [20.0] * 5, "T": 39.0})
    with pytest.raises(ValueError, match=r"summary: too few repeat buyers .*: 5; expected at least 20 .*"
                                         r"drop-out is seen only after a repeat purchase"):
        BGNBDFitter().fit(rows)
    with pytest.raises(ValueError, match=r"column 'frequency' is 0 for every member"):
        BGNBDFitter().fit(rows.assign(frequency=0, recency=0.0))


def test_gamma_gamma_refuses_too_few_repeat_customers():
    rows = pd.DataFrame({"frequency": [0] * 200 + [2] * 29, "monetary_value": [0.0] * 200 + [50.0] * 29})
    with pytest.raises(ValueError, match=r"summary: too few customers with repeat purchases \(frequency > 0\) to fit "
                                         r"the Gamma-Gamma model: 29; expected at least 30 .*spend is seen only in "
                                         r"repeat purchases"):
        GammaGammaFitter().fit(rows)
    with pytest.raises(ValueError, match=r"summary: too few distinct rows to fit the Gamma-Gamma model: 1 for its 3 "
                                         r"parameters; expected at least 4"):
        GammaGammaFitter().fit(pd.DataFrame({"frequency": [2] * 40, "monetary_value": 50.0}))


def test_weights_count_as_members_in_the_identification_rule():
    members = simulate_bgnbd(2_000, r=0.5, alpha=5.0, a=0.8, b=2.5, T=39.0, rng=np.random.default_rng(5),
                             period=1.0)
    counted = members.groupby(list(members.columns)).size().rename("n").reset_index()
    by_weight = BGNBDFitter().fit(counted[["frequency", "recency", "T"]], weights=counted["n"])
    by_row = BGNBDFitter().fit(members)
    assert by_weight.params_.to_numpy() == pytest.approx(by_row.params_.to_numpy(), rel=1e-4)
    with pytest.raises(ValueError, match="too few members"):
        BGNBDFitter().fit(counted[["frequency", "recency", "T"]].iloc[:10], weights=np.full(10, 0.5))


# --- 4. member_value did not range-check commission and cashback ---------------------------------


@pytest.mark.parametrize("column", ["commission", "cashback"])
def test_member_value_refuses_negative_commission_or_cashback(world, column):
    orders = world.tables["transactions"].copy()
    orders.loc[orders.index[0], column] = -40.0
    with pytest.raises(ValueError, match=rf"transactions: column '{column}' should lie in \[0, inf\]"):
        profitability.member_value(world.tables["customers"], orders)
    with pytest.raises(ValueError, match=rf"transactions: column '{column}' should lie in \[0, inf\]"):
        profitability.relationship_value(orders, world.tables["contacts"])


# --- 5. damaged CSV files read with verify=False --------------------------------------------------


@pytest.fixture()
def copy_of_data(tmp_path):
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    return dest


def test_empty_file_is_refused_naming_the_file(copy_of_data):
    (copy_of_data / "agents.csv").write_bytes(b"")
    with pytest.raises(ValueError, match=r"agents \(agents.csv\): the file is empty"):
        load("agents", folder=copy_of_data, verify=False)


def test_header_only_file_is_refused_naming_the_file(copy_of_data):
    path = copy_of_data / "agents.csv"
    path.write_text(path.read_text().split("\n", 1)[0] + "\n")
    with pytest.raises(ValueError, match=r"agents \(agents.csv\): the file has a header but no rows"):
        load("agents", folder=copy_of_data, verify=False)


def test_header_only_file_that_matches_its_checksum_is_what_the_world_wrote(copy_of_data):
    """With verify=True the checksum, not the row count, decides: a world may write an empty table."""
    path = copy_of_data / "agents.csv"
    path.write_text(path.read_text().split("\n", 1)[0] + "\n")
    descriptor = json.loads((copy_of_data / "datapackage.json").read_text())
    for res in descriptor["resources"]:
        if res["name"] == "agents":
            res["hash"] = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    (copy_of_data / "datapackage.json").write_text(json.dumps(descriptor))
    assert len(load("agents", folder=copy_of_data)) == 0


# --- 6. duplicated rows were silently double-counted ----------------------------------------------


def _repeat(df: pd.DataFrame, n: int = 50) -> pd.DataFrame:
    return pd.concat([df, df.iloc[:n]], ignore_index=True)


def test_fifty_repeated_orders_no_longer_add_to_revenue(world):
    orders = _repeat(world.tables["transactions"])
    first = int(world.tables["transactions"]["order_id"].iloc[0])
    with pytest.raises(ValueError, match=rf"transactions: column 'order_id' should identify each row once \(a key\); "
                                         rf"found 50 repeated value\(s\), the first {first!r}"):
        profitability.member_value(world.tables["customers"], orders)


@pytest.mark.parametrize(
    "call, key",
    [
        (lambda w: experiments.arm_summary(_repeat(w.tables["offer_experiment"])), "customer_id"),
        (lambda w: experiments.fit_lift_model(_repeat(w.tables["offer_experiment"])), "customer_id"),
        (lambda w: rfm_summary(_repeat(w.tables["transactions"]), "2024-12-29"), "order_id"),
        (lambda w: calibration_holdout(_repeat(w.tables["transactions"]), "2024-06-30", "2024-12-29"), "order_id"),
        (lambda w: segmentation.rfm_scores(_repeat(w.tables["transactions"])), "order_id"),
        (lambda w: profitability.relationship_value(_repeat(w.tables["transactions"]), w.tables["contacts"]),
         "order_id"),
        (lambda w: profitability.relationship_value(w.tables["transactions"], _repeat(w.tables["contacts"])),
         "contact_id"),
        (lambda w: ratings.csat_ordered_logit(_repeat(support_frame(w.tables["contacts"], w.tables["agents"])),
                                              "first_contact_resolution"), "contact_id"),
    ],
    ids=["arm_summary", "fit_lift_model", "rfm_summary", "calibration_holdout", "rfm_scores",
         "relationship_value-orders", "relationship_value-contacts", "csat_ordered_logit"],
)
def test_repeated_keys_are_refused_naming_the_key_and_the_first_repeat(world, call, key):
    with pytest.raises(ValueError, match=rf"column '{key}' should identify each row once \(a key\); found 50 "
                                         r"repeated value\(s\), the first"):
        call(world)


def test_a_key_argument_names_another_key_or_skips_the_check(world):
    orders = _repeat(world.tables["transactions"]).rename(columns={"order_id": "order_no"})
    with pytest.raises(ValueError, match=r"column 'order_no' should identify each row once"):
        segmentation.rfm_scores(orders, key="order_no")
    # Without a key column nothing can tell a repeated row from a second identical order: documented, not refused.
    assert len(segmentation.rfm_scores(orders)) == orders["customer_id"].nunique()
    assert len(segmentation.rfm_scores(orders, key=None)) == orders["customer_id"].nunique()


# --- 7. targeting_value's edge cases ---------------------------------------------------------------


@pytest.fixture(scope="module")
def campaign():
    rng = np.random.default_rng(3)
    n = 20_000
    return pd.DataFrame({"arm": rng.choice(["none", "personalised"], n), "profit": rng.normal(5, 20, n)})


def test_targeting_nobody_is_worth_exactly_zero(campaign):
    value = uplift.targeting_value(campaign, np.zeros(len(campaign), bool), arms=None)
    assert value["share_targeted"] == 0
    assert (value[["value_per_customer", "se", "ci_low", "ci_high"]] == 0).all()
    assert np.isnan(value["lift_among_targeted"])  # no targeted customer: no lift to measure (documented)


@pytest.mark.parametrize("n_targeted", [1, 2, 3])
def test_targeting_too_few_to_measure_is_refused_with_the_counts(campaign, n_targeted):
    mask = np.zeros(len(campaign), bool)
    mask[:n_targeted] = True
    with pytest.raises(ValueError, match=rf"target: selects {n_targeted} of the 20000 customers .* at least 2 targeted "
                                         r"customers in each arm"):
        uplift.targeting_value(campaign, mask, arms=None)


def test_uplift_curve_follows_the_same_rules(campaign):
    score = np.arange(len(campaign), dtype=float)
    curve = uplift.uplift_curve(campaign, score, shares=[0, 0.5, 1], arms=None)
    assert curve.loc[0, ["value_per_customer", "se"]].tolist() == [0.0, 0.0]
    assert np.isfinite(curve["value_per_customer"]).all()
    with pytest.raises(ValueError, match=r"shares: the share 0.0001 targets 2 of the 20000 customers .* at least 2 "
                                         r"targeted customers in each arm"):
        uplift.uplift_curve(campaign, score, shares=[0, 0.0001, 1], arms=None)
