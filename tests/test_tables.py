"""Regression tables: the numbers shown are the fitted ones, the footer names
the standard errors each column really uses, and the exports are well formed."""

from __future__ import annotations

import doctest
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import crm_course.tables
from crm_course.tables import RegressionTable, regression_table

N = 400
N_CLUSTERS = 20


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(20240501)
    store = rng.integers(0, N_CLUSTERS, N)
    df = pd.DataFrame(
        {
            "tenure_years": rng.gamma(2.0, 1.5, N),
            "app_user": rng.integers(0, 2, N),
            "store_id": store,
            "region": rng.integers(0, 4, N),
        }
    )
    store_effect = rng.normal(0, 0.5, N_CLUSTERS)[store]
    noise = rng.normal(0, 1 + 0.5 * df["app_user"], N)
    df["spend"] = 2.0 + 0.8 * df["tenure_years"] + 1.5 * df["app_user"] + store_effect + noise
    latent = -1.0 + 0.4 * df["tenure_years"] + 0.7 * df["app_user"] + rng.logistic(size=N)
    df["churned"] = (latent > 0).astype(int)
    df["csat"] = pd.cut(latent, [-np.inf, -1, 0.5, 2, np.inf], labels=False).astype(int)
    hazard = np.exp(-2.0 + 0.3 * df["tenure_years"] - 0.5 * df["app_user"])
    time = rng.exponential(1 / hazard)
    # Censor administratively, after the first event: statsmodels' robust PHReg
    # covariance is undefined for subjects censored before any event.
    cap = np.quantile(time, 0.8)
    df["months"] = np.minimum(time, cap)
    df["event"] = (time <= cap).astype(int)
    return df


@pytest.fixture(scope="module")
def fits(data):
    import statsmodels.api as sm
    import statsmodels.formula.api as smf
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    f = "spend ~ tenure_years + app_user"
    return {
        "ols": smf.ols(f, data).fit(),
        "hc1": smf.ols(f, data).fit(cov_type="HC1"),
        "cluster": smf.ols(f, data).fit(cov_type="cluster", cov_kwds={"groups": data["store_id"]}),
        "cluster_array": smf.ols(f, data).fit(cov_type="cluster", cov_kwds={"groups": data["store_id"].to_numpy()}),
        "twoway": smf.ols(f, data).fit(cov_type="cluster", cov_kwds={"groups": data[["store_id", "region"]]}),
        "short": smf.ols("spend ~ tenure_years", data).fit(),
        "wls": smf.wls(f, data, weights=1 / (1 + data["app_user"])).fit(),
        "logit": smf.logit("churned ~ tenure_years + app_user", data).fit(disp=0),
        "probit": smf.probit("churned ~ tenure_years + app_user", data).fit(disp=0),
        "glm": smf.glm("churned ~ tenure_years + app_user", data, family=sm.families.Binomial()).fit(),
        "mixed": smf.mixedlm(f, data, groups=data["store_id"]).fit(),
        "ordered": OrderedModel.from_formula(
            "csat ~ tenure_years + app_user", data, distr="logit"
        ).fit(disp=0, method="bfgs"),
        "phreg": smf.phreg("months ~ tenure_years + app_user", data, status=data["event"]).fit(),
        "phreg_cluster": smf.phreg("months ~ tenure_years + app_user", data, status=data["event"]).fit(
            groups=data["store_id"]
        ),
    }


def _names(result) -> list[str]:
    params = result.params
    return list(params.index) if isinstance(params, pd.Series) else list(result.model.exog_names)


# --------------------------------------------------------------- the numbers


KINDS = ["ols", "hc1", "cluster", "wls", "logit", "probit", "glm", "mixed", "ordered", "phreg", "phreg_cluster"]


@pytest.mark.parametrize("kind", KINDS)
def test_estimates_and_standard_errors_are_the_fitted_ones(fits, kind):
    result = fits[kind]
    table = regression_table({kind: result})
    tidy = table.to_frame().set_index("term")
    names = _names(result)
    assert list(tidy.index) == names
    params, bse = np.asarray(result.params, dtype=float).copy(), np.asarray(result.bse, dtype=float).copy()
    if kind == "mixed":
        # Variance components are reported on the outcome's scale (result.cov_re),
        # not relative to the residual variance as statsmodels stores them.
        k = result.model.k_fe
        params[k:] *= result.scale
        bse[k:] *= result.scale
        assert params[k] == pytest.approx(float(result.cov_re.iloc[0, 0]))
    np.testing.assert_allclose(tidy["estimate"], params, rtol=1e-12, atol=0)
    np.testing.assert_allclose(tidy["std_error"], bse, rtol=1e-12, atol=0)
    assert np.isfinite(tidy["std_error"]).all()

    shown = table.to_frame(formatted=True)[kind].tolist()
    for i, name in enumerate(names):
        assert shown[2 * i] == f"{params[i]:.3f}".replace("-0.000", "0.000")
        assert shown[2 * i + 1] == f"({bse[i]:.3f})"


def test_intervals_beneath_are_the_fitted_ones(fits):
    result = fits["hc1"]
    table = regression_table([result], beneath="ci", level=0.9, digits=4)
    ci = result.conf_int(alpha=0.1)
    shown = table.to_frame(formatted=True)["(1)"].tolist()
    for i, term in enumerate(_names(result)):
        assert shown[2 * i + 1] == f"[{ci.loc[term, 0]:.4f}, {ci.loc[term, 1]:.4f}]"
    assert table.notes[0].startswith("90% confidence intervals in brackets")
    np.testing.assert_allclose(table.to_frame()["conf_low"], ci[0])


def test_fit_statistics_follow_the_model_kind(fits):
    table = regression_table(
        {"OLS": fits["ols"], "Logit": fits["logit"], "GLM": fits["glm"], "Cox": fits["phreg"]},
        stats=("nobs", "events", "r2", "pseudo_r2", "llf"),
    )
    s = table.statistics
    assert s.loc["nobs"].tolist() == [N, N, N, N]
    assert s.loc["r2", "OLS"] == fits["ols"].rsquared
    assert np.isnan(s.loc["r2", "Logit"]) and np.isnan(s.loc["pseudo_r2", "OLS"])
    assert s.loc["pseudo_r2", "Logit"] == fits["logit"].prsquared
    assert s.loc["pseudo_r2", "GLM"] == pytest.approx(fits["glm"].pseudo_rsquared(kind="mcf"))
    assert s.loc["events", "Cox"] == fits["phreg"].model.status.sum()
    assert s.loc["llf", "Cox"] == fits["phreg"].llf
    r2_line = next(line for line in str(table).splitlines() if line.startswith("R²"))
    assert r2_line.split() == ["R²", f"{fits['ols'].rsquared:.3f}"]


def test_statistics_no_model_has_are_left_out(fits):
    table = regression_table([fits["ols"]], stats=("nobs", "pseudo_r2", "events"))
    assert list(table.statistics.index) == ["nobs"]
    assert "Pseudo" not in str(table)


# ------------------------------------------------------ the footer about SEs


def test_footer_names_nonrobust_hc1_and_clusters(fits):
    table = regression_table({"Plain": fits["ols"], "Robust": fits["hc1"], "Clustered": fits["cluster"]})
    assert table.standard_errors == {
        "Plain": "nonrobust",
        "Robust": "HC1 (heteroskedasticity-robust)",
        "Clustered": f"clustered by store_id ({N_CLUSTERS} clusters)",
    }
    lead = table.notes[0]
    assert lead.startswith("Standard errors in parentheses: Plain: nonrobust; Robust: HC1")
    assert f"Clustered: clustered by store_id ({N_CLUSTERS} clusters)" in lead
    for export in (str(table), table.to_markdown(), table.to_latex(), table._repr_html_()):
        assert "HC1" in export and f"{N_CLUSTERS} clusters" in export


def test_footer_for_unnamed_and_two_way_clusters(fits, data):
    table = regression_table([fits["cluster_array"], fits["twoway"]])
    n_regions = data["region"].nunique()
    assert table.standard_errors["(1)"] == f"clustered ({N_CLUSTERS} clusters)"
    assert table.standard_errors["(2)"] == (
        f"two-way clustered by store_id and region ({N_CLUSTERS} and {n_regions} clusters)"
    )


def test_footer_says_once_when_every_column_agrees(fits):
    table = regression_table([fits["hc1"], fits["hc1"]])
    assert table.notes[0] == "Standard errors in parentheses: HC1 (heteroskedasticity-robust) in every column."
    assert regression_table([fits["ols"]], se_note=False).notes == ("Standard errors in parentheses.",)


def test_footer_for_mixedlm_and_phreg_conventions(fits):
    table = regression_table({"Mixed": fits["mixed"], "Cox": fits["phreg"], "Cox, clustered": fits["phreg_cluster"]})
    assert table.standard_errors == {
        "Mixed": f"model-based, REML ({N_CLUSTERS} groups)",
        "Cox": "model-based (partial likelihood)",
        "Cox, clustered": f"robust, clustered ({N_CLUSTERS} clusters)",
    }
    notes = " ".join(table.notes)
    assert "restricted (REML)" in notes and "log hazard ratios" in notes


def test_variance_components_and_thresholds_follow_the_coefficients(fits):
    table = regression_table({"OLS": fits["ols"], "Mixed": fits["mixed"], "Ordered": fits["ordered"]})
    labels = list(dict.fromkeys(table.to_frame()["label"]))
    thresholds = list(fits["ordered"].params.index[2:])
    assert labels == ["Intercept", "tenure_years", "app_user", "Group Var", *thresholds]
    assert any("cut-point" in n for n in table.notes)
    assert not any("cut-point" in n for n in regression_table([fits["ordered"]], terms=["app_user"]).notes)


def test_missing_standard_errors_are_shown_and_said(fits):
    import statsmodels.formula.api as smf

    df = pd.DataFrame(
        {"t": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "d": [0, 1, 1, 0, 1, 1], "x": [0.1, 0.5, -0.2, 0.3, 0.9, -0.4]}
    )
    # The subject censored before the first event makes statsmodels' robust covariance NaN.
    result = smf.phreg("t ~ x", df, status=df["d"]).fit(groups=np.arange(6))
    if np.isfinite(result.bse).all():
        pytest.skip("this statsmodels computes the robust PHReg errors here")
    table = regression_table({"Cox": result})
    assert "(n/a)" in table.to_markdown()
    assert any("no standard error for x" in n for n in table.notes)


# ------------------------------------------------------ alignment and terms


def test_models_with_different_terms_are_aligned(fits):
    table = regression_table({"Short": fits["short"], "Long": fits["ols"]})
    grid = table.to_frame(formatted=True)
    assert list(grid.index[:6]) == ["Intercept", "", "tenure_years", "", "app_user", ""]
    assert grid.iloc[4].tolist() == ["", f"{fits['ols'].params['app_user']:.3f}"]
    assert grid.iloc[5].tolist() == ["", f"({fits['ols'].bse['app_user']:.3f})"]


def test_a_model_without_any_selected_term_keeps_its_blank_column(fits):
    table = regression_table({"Short": fits["short"], "Long": fits["ols"]}, terms=["app_user"])
    grid = table.to_frame(formatted=True)
    assert grid.columns.tolist() == ["Short", "Long"]
    assert grid.iloc[0].tolist() == ["", f"{fits['ols'].params['app_user']:.3f}"]
    assert table.statistics.loc["nobs"].tolist() == [N, N]


def test_terms_select_and_order_and_labels_rename(fits):
    table = regression_table(
        [fits["ols"], fits["logit"]],
        terms=["app_user", "tenure_years"],
        labels={"app_user": "Uses the app", "tenure_years": "Tenure (years)"},
    )
    assert list(table.to_frame(formatted=True).index[:4]) == ["Uses the app", "", "Tenure (years)", ""]
    assert "Intercept" not in str(table)


def test_labels_can_merge_differently_named_terms(fits, data):
    import statsmodels.api as sm

    arrays = sm.OLS(data["spend"].to_numpy(), sm.add_constant(data[["tenure_years"]].to_numpy())).fit()
    table = regression_table([fits["short"], arrays], labels={"const": "Intercept", "x1": "tenure_years"})
    grid = table.to_frame(formatted=True)
    assert list(grid.index[:4]) == ["Intercept", "", "tenure_years", ""]
    assert grid.iloc[2, 0] == grid.iloc[2, 1] == f"{arrays.params[1]:.3f}"


def test_a_label_clash_within_one_model_is_refused(fits):
    with pytest.raises(ValueError, match="share the row 'x'"):
        regression_table([fits["ols"]], labels={"tenure_years": "x", "app_user": "x"})


# ---------------------------------------------------------------- exporters


def test_markdown_is_a_pipe_table_with_notes(fits):
    table = regression_table({"Short": fits["short"], "Long": fits["ols"]}, stats=("nobs", "r2"))
    md = table.to_markdown()
    body, *notes = md.split("\n\n")
    rows = body.split("\n")
    assert len(rows) == 2 + 2 * 3 + 2
    assert rows[1] == "|:---|:---:|:---:|"
    for row in rows:
        assert row.startswith("|") and row.endswith("|")
        assert len(re.findall(r"(?<!\\)\|", row)) == 4
    assert rows[0] == "|  | Short | Long |"
    assert rows[-2] == f"| N | {N} | {N} |"
    assert rows[4].startswith("| tenure\\_years |")
    assert notes == ["Standard errors in parentheses: nonrobust in every column."]


def test_markdown_escapes_stars_and_pipes(fits):
    table = regression_table({"a|b": fits["ols"]}, stars=True)
    md = table.to_markdown()
    assert "a\\|b" in md and "\\*\\*\\*" in md
    assert "***" not in md.replace("\\*", "")


def test_latex_is_booktabs_balanced_and_escaped(fits):
    table = regression_table({"HC1 & 5%": fits["hc1"], "Logit": fits["logit"]}, stars=True)
    tex = table.to_latex()
    assert tex.startswith("\\begin{tabular}{lcc}\n\\toprule\n")
    assert tex.endswith("\\end{tabular}\n")
    assert re.findall(r"\\(begin|end)\{(\w+)\}", tex) == [("begin", "tabular"), ("end", "tabular")]
    assert [ln for ln in tex.splitlines() if ln in {"\\toprule", "\\midrule", "\\bottomrule"}] == [
        "\\toprule",
        "\\midrule",
        "\\midrule",
        "\\bottomrule",
    ]
    assert "tenure\\_years" in tex and "app\\_user" in tex and "HC1 \\& 5\\%" in tex
    assert "tenure_years" not in tex.replace("\\_", "")
    table_rows = tex.split("\\toprule\n")[1].split("\\bottomrule")[0]
    for line in table_rows.splitlines():
        if line != "\\midrule":
            assert len(re.findall(r"(?<!\\)&", line)) == 2 and line.endswith("\\\\")
    assert "$-$" in tex and "$^{***}$" in tex
    assert tex.count("{") == tex.count("}")


def test_latex_escape_covers_the_specials():
    from crm_course.tables import latex_escape

    assert latex_escape("a_b & c% $d #e {f} ~g ^h \\i") == (
        "a\\_b \\& c\\% \\$d \\#e \\{f\\} \\textasciitilde{}g \\textasciicircum{}h \\textbackslash{}i"
    )


def test_text_and_html_are_deterministic(fits):
    a = regression_table({"OLS": fits["ols"], "Mixed": fits["mixed"]})
    b = regression_table({"OLS": fits["ols"], "Mixed": fits["mixed"]})
    assert str(a) == str(b) == repr(a)
    assert a._repr_html_() == b._repr_html_()
    assert "0x" not in repr(a)
    assert a._repr_html_().startswith('<table class="regression-table">')


def test_stars_are_off_by_default_and_explained_when_on(fits):
    plain = regression_table([fits["ols"]])
    assert "*" not in str(plain)
    starred = regression_table([fits["ols"]], stars=True)
    assert "***" in str(starred)
    assert "* p < 0.05, ** p < 0.01, *** p < 0.001." in starred.notes


def test_to_frame_is_tidy_and_a_copy(fits):
    table = regression_table({"A": fits["ols"], "B": fits["short"]})
    tidy = table.to_frame()
    assert list(tidy.columns) == [
        "model", "term", "label", "estimate", "std_error", "conf_low", "conf_high", "p_value", "standard_errors",
    ]
    assert len(tidy) == 3 + 2
    tidy.loc[0, "estimate"] = 99.0
    assert table.to_frame().loc[0, "estimate"] != 99.0


def test_negative_zero_is_printed_without_sign():
    from crm_course.tables import _fmt

    assert _fmt(-0.0001, 3) == "0.000"
    assert _fmt(-0.0006, 3) == "-0.001"
    assert _fmt(float("nan"), 3) == "n/a"


def test_a_single_result_is_a_one_column_table(fits):
    table = regression_table(fits["ols"])
    assert isinstance(table, RegressionTable) and table.columns == ("(1)",)


# --------------------------------------------------------------- bad input


def test_a_non_result_is_refused_with_its_position_label_and_type(fits):
    with pytest.raises(TypeError, match=r"models\['Robust'\] \(position 2\).*found pandas\.DataFrame"):
        regression_table({"Plain": fits["ols"], "Robust": pd.DataFrame()})
    with pytest.raises(TypeError, match=r"models\[1\] \(position 2\).*found str"):
        regression_table([fits["ols"], "ols"])


def test_an_unfitted_model_is_refused(data):
    import statsmodels.formula.api as smf

    with pytest.raises(TypeError, match=r"unfitted OLS model \(call \.fit\(\)"):
        regression_table([smf.ols("spend ~ tenure_years", data)])


def test_multinomial_results_are_refused(data):
    import statsmodels.formula.api as smf

    result = smf.mnlogit("csat ~ tenure_years", data).fit(disp=0)
    with pytest.raises(TypeError, match="2-D table of parameters"):
        regression_table([result])


@pytest.mark.parametrize("empty", [[], {}, ()])
def test_no_models_is_refused(empty):
    with pytest.raises(ValueError, match="at least one fitted result"):
        regression_table(empty)


def test_models_of_the_wrong_kind_are_refused(fits):
    with pytest.raises(TypeError, match="found str"):
        regression_table("ols")


def test_an_unknown_term_lists_the_available_ones(fits):
    expected = r"\['tenure'\] not found in any model; available terms: \['Intercept', 'tenure_years', 'app_user'\]"
    with pytest.raises(ValueError, match=expected):
        regression_table([fits["ols"]], terms=["tenure"])
    with pytest.raises(ValueError, match="available terms"):
        regression_table([fits["ols"]], labels={"tenure": "Tenure"})
    with pytest.raises(ValueError, match="at least one term"):
        regression_table([fits["ols"]], terms=[])
    with pytest.raises(ValueError, match="listed twice"):
        regression_table([fits["ols"]], terms=["app_user", "app_user"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"stats": ("nobs", "rsquared")}, r"unknown statistic\(s\) \['rsquared'\]"),
        ({"digits": -1}, "digits"),
        ({"digits": 2.5}, "digits"),
        ({"beneath": "t"}, "beneath"),
        ({"level": 1.0}, "level"),
    ],
)
def test_bad_settings_are_refused(fits, kwargs, message):
    with pytest.raises(ValueError, match=message):
        regression_table([fits["ols"]], **kwargs)


# ------------------------------------------------------------ the module


def test_importing_the_module_does_not_import_statsmodels():
    code = "import sys, crm_course.tables; print('statsmodels' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_docstring_examples_run():
    failures, tried = doctest.testmod(crm_course.tables, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried >= 3 and failures == 0
