"""Mass personalisation: read a randomised offer campaign and target offers by uplift (chapter 3).

The functions take any experiment table with one row per customer, an arm
column (the randomly assigned offer) and outcome columns; the defaults are
the names of Kopilka's ``offer_experiment`` table, and every name can be
changed so that researchers can pass their own data.

The analysis runs in four steps, one group of functions each:

1. **Was the randomisation clean?** :func:`balance_table` (shares of the
   arms and covariate means by arm) and :func:`balance_test` (can the
   covariates predict the arm?).
2. **What did each offer do on average?** :func:`arm_summary` (means,
   differences from the control arm, confidence intervals),
   :func:`fit_lift_model` (a logit or a linear probability model, with an
   optional arm × moderator interaction) and :func:`arm_effects` (average
   effects of each arm on the probability scale, also at chosen values of
   the moderator), :func:`persuadable_share` (the share of would-be
   non-buyers an offer converts).
3. **Whom should we send it to?** :func:`split_sample`,
   :func:`history_features`, :func:`fit_uplift_model` (a two-model
   "T-learner") and :func:`cross_fit_uplift` (its predictions for held-out
   customers), :func:`value_per_order`, :func:`expected_incremental_profit`,
   :func:`targeting_value` and :func:`uplift_curve` (profit and Qini-style
   curves on held-out customers).
4. **What is the truth?** :func:`planted_campaign_effects` reads the hidden
   truth of a simulated Kopilka world, for recovery tests and power studies.

Standard errors are heteroskedasticity-robust (HC1) in every regression; the
intervals of means and differences use the normal approximation with the
unequal-variance (Welch) standard error, which is accurate for arms of a few
hundred customers or more.

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.personalisation import arm_summary
>>> campaign = load("offer_experiment")
>>> summary = arm_summary(campaign, "converted")
>>> list(summary["arm"])
['none', 'generic', 'personalised']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from crm_course.validation import check_categories, check_frame, check_number, check_range

__all__ = [
    "ARMS",
    "HISTORY_FEATURES",
    "UpliftModel",
    "arm_effects",
    "arm_summary",
    "balance_table",
    "balance_test",
    "cross_fit_uplift",
    "expected_incremental_profit",
    "fit_lift_model",
    "fit_uplift_model",
    "history_features",
    "persuadable_share",
    "planted_campaign_effects",
    "split_sample",
    "targeting_value",
    "uplift_curve",
    "value_per_order",
]

#: The arms of Kopilka's campaign; the first is the control arm.
ARMS: tuple[str, ...] = ("none", "generic", "personalised")

#: The columns :func:`history_features` adds, in the order models use them.
HISTORY_FEATURES: tuple[str, ...] = ("log_orders", "log_spend", "no_history", "log_recency", "tenure_years")


# --------------------------------------------------------------------------
# Input checks shared by the public functions
# --------------------------------------------------------------------------


def _check_level(level: float) -> float:
    return float(check_number(level, "level", low=0, high=1, inclusive=False))


def _z(level: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2))


def _check_experiment(
    df: Any,
    *,
    arm: str,
    control: str,
    arms: Sequence[str] | None,
    columns: Mapping[str, str] | None = None,
    name: str = "data",
    min_per_arm: int = 2,
) -> list[str]:
    """Validate an experiment table and return its arms, the control first.

    Checks that ``df`` is a non-empty DataFrame holding ``arm`` and
    ``columns`` (name -> kind, as in :func:`crm_course.validation.check_frame`),
    that the arm column has no missing or unknown labels, that the control
    arm and at least one other arm are present, and that every arm present
    has at least ``min_per_arm`` rows.
    """
    if not isinstance(arm, str):
        raise TypeError(f"arm: expected the name of the arm column as text; found {type(arm).__name__}")
    if not isinstance(control, str):
        raise TypeError(f"control: expected the label of the control arm as text; found {type(control).__name__}")
    check_frame(df, {arm: "any", **dict(columns or {})}, name=name)
    labels = df[arm]
    n_missing = int(labels.isna().sum())
    if n_missing:
        raise ValueError(f"{name}: column {arm!r} has {n_missing} missing value(s); every row needs an arm")
    if arms is not None:
        if isinstance(arms, str) or len(arms) < 2:
            raise ValueError(f"arms: expected a list of at least two arm labels; found {arms!r}")
        try:
            check_categories(df, arm, list(arms), name=name)
        except ValueError as err:
            raise ValueError(f"{err} (declare your labels with arms=[...], or pass arms=None to accept any)") from None
    present = list(pd.unique(labels.astype(str)))
    if control not in present:
        known = list(arms) if arms is not None else present
        hint = "" if control in known else f" (the arms are {known}; pass control=...)"
        raise ValueError(
            f"{name}: the control arm {control!r} has no rows in column {arm!r}; found only {present}{hint}"
        )
    if len(present) < 2:
        raise ValueError(
            f"{name}: expected at least two arms in column {arm!r} (a control and a treatment) to compare; "
            f"found only {present}"
        )
    if arms is not None:
        order = [a for a in arms if a in present]
    elif isinstance(labels.dtype, pd.CategoricalDtype):
        order = [str(c) for c in labels.cat.categories if str(c) in present]
    else:
        order = sorted(present)
    order = [control] + [a for a in order if a != control]
    counts = labels.astype(str).value_counts()
    small = [a for a in order if counts.get(a, 0) < min_per_arm]
    if small:
        raise ValueError(
            f"{name}: expected at least {min_per_arm} rows in every arm; "
            + ", ".join(f"arm {a!r} has {int(counts.get(a, 0))}" for a in small)
        )
    return order


def _check_labels(arms: list[str], *, treatment: str | None = None, arm: str = "arm") -> None:
    if treatment is not None and treatment not in arms:
        raise ValueError(f"treatment: expected one of the arms found in column {arm!r}, {arms}; found {treatment!r}")


def _columns(names: Any, what: str) -> list[str]:
    if isinstance(names, str):
        return [names]
    if names is None:
        return []
    names = list(names)
    bad = [n for n in names if not isinstance(n, str)]
    if bad:
        raise TypeError(f"{what}: expected column names as text; found {bad[0]!r}")
    return names


def _score(df: pd.DataFrame, score: Any, name: str = "score") -> np.ndarray:
    """A score given as a column name, a Series aligned with ``df`` or an array."""
    if isinstance(score, str):
        check_frame(df, {score: "numeric"}, name="data")
        values = df[score].to_numpy(dtype=float)
    elif isinstance(score, pd.Series):
        if len(score) != len(df) or not score.index.equals(df.index):
            if len(score) == len(df) and set(score.index) == set(df.index):
                score = score.reindex(df.index)
            else:
                raise ValueError(f"{name}: expected a Series with the same index as data ({len(df)} rows); "
                                 f"found {len(score)} values with a different index")
        values = pd.to_numeric(score, errors="coerce").to_numpy(dtype=float)
    else:
        # a plain sequence or array, in the order of the rows of df
        values = np.asarray(score, dtype=float)
        if values.ndim != 1 or len(values) != len(df):
            raise ValueError(f"{name}: expected one value per row of data ({len(df)}); found shape {values.shape}")
    if not np.isfinite(values).all():
        bad = int((~np.isfinite(values)).sum())
        raise ValueError(f"{name}: expected finite numbers; found {bad} missing or infinite")
    return values


def _mean_se(values: np.ndarray) -> tuple[float, float]:
    n = len(values)
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")


# --------------------------------------------------------------------------
# 1. The randomisation check
# --------------------------------------------------------------------------


def balance_table(
    df: pd.DataFrame,
    covariates: Sequence[str] = ("prior_orders", "prior_spend", "weeks_since_last_order", "tenure_weeks"),
    *,
    arm: str = "arm",
    control: str = "none",
    arms: Sequence[str] | None = ARMS,
    expected_shares: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Check a randomisation: arm sizes and pre-treatment covariates by arm.

    The first row compares the share of customers in each arm with the
    intended shares (equal by default) by a chi-square goodness-of-fit test:
    a mismatch ("sample ratio mismatch") means the assignment or the data
    pipeline went wrong. Each further row compares one covariate across the
    arms: its mean in every arm, the largest absolute standardised
    difference from the control arm,

    .. math:: d = (\\bar x_a - \\bar x_c) / \\sqrt{(s_a^2 + s_c^2) / 2},

    and the p-value of a one-way analysis of variance (F-test) of equal
    means. A covariate with missing values gets a second row for the share
    missing, and its mean is over the rows where it is known.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per customer.
    covariates : sequence of str
        Numeric or boolean columns measured *before* the treatment. Never
        include outcomes of the treatment (opened, clicked): they differ by
        design.
    arm, control, arms : str, str, sequence of str or None
        The arm column, the label of the control arm and the labels allowed
        (``None`` accepts any).
    expected_shares : mapping of arm -> share, optional
        The intended allocation; equal shares by default.

    Returns
    -------
    pandas.DataFrame
        Columns ``variable``, one column per arm (mean, or share for the
        first row), ``max_abs_std_diff`` and ``p_value``.

    Notes
    -----
    Under a clean randomisation, p-values are uniform: about one covariate
    in twenty "fails" at 5 % by chance. Standardised differences below 0.1
    are the usual rule of thumb for negligible imbalance.

    Examples
    --------
    >>> from crm_course.data import load
    >>> table = balance_table(load("offer_experiment"), ["prior_orders"])
    >>> list(table["variable"])
    ['share of customers', 'prior_orders']
    """
    from scipy import stats

    covariates = _columns(covariates, "covariates")
    if not covariates:
        raise ValueError("covariates: expected at least one column name; found none")
    check_frame(df, covariates, name="data")
    for col in covariates:
        s = df[col]
        if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
            raise ValueError(f"data: column {col!r} should be a numeric or boolean column; found dtype {s.dtype}")
    order = _check_experiment(df, arm=arm, control=control, arms=arms)
    labels = df[arm].astype(str)
    counts = labels.value_counts().reindex(order)
    if expected_shares is None:
        expected = pd.Series(1 / len(order), index=order)
    else:
        expected = pd.Series({a: float(expected_shares.get(a, np.nan)) for a in order})
        if expected.isna().any() or (expected <= 0).any():
            raise ValueError(f"expected_shares: expected a positive share for every arm {order}; found {dict(expected_shares)}")
        expected = expected / expected.sum()
    chi2 = stats.chisquare(counts.to_numpy(dtype=float), expected.to_numpy() * counts.sum())
    rows = [{"variable": "share of customers", **(counts / counts.sum()).to_dict(),
             "max_abs_std_diff": np.nan, "p_value": float(chi2.pvalue)}]
    for col in covariates:
        x = df[col].astype(float)
        known = x.notna()
        variants = [(col, x[known], labels[known])]
        if not known.all():
            variants.append((f"{col}: share missing", (~known).astype(float), labels))
        for label, values, lab in variants:
            groups = {a: values[lab == a].to_numpy() for a in order}
            means = {a: float(g.mean()) if len(g) else np.nan for a, g in groups.items()}
            c = groups[control]
            diffs = []
            for a in order[1:]:
                pooled = np.sqrt((groups[a].var(ddof=1) + c.var(ddof=1)) / 2) if len(groups[a]) > 1 and len(c) > 1 else np.nan
                diffs.append(abs(means[a] - means[control]) / pooled if pooled > 0 else 0.0)
            usable = [g for g in groups.values() if len(g) > 1]
            if len(usable) >= 2 and any(np.var(g) > 0 for g in usable):
                p = float(stats.f_oneway(*usable).pvalue)
            else:
                p = np.nan
            rows.append({"variable": label, **means, "max_abs_std_diff": float(np.nanmax(diffs)), "p_value": p})
    return pd.DataFrame(rows, columns=["variable", *order, "max_abs_std_diff", "p_value"])


def balance_test(
    df: pd.DataFrame,
    covariates: Sequence[str] = HISTORY_FEATURES,
    *,
    arm: str = "arm",
    control: str = "none",
    arms: Sequence[str] | None = ARMS,
):
    """Test jointly whether pre-treatment covariates predict the assigned arm.

    Fits a multinomial logit of the arm on the covariates,

    .. math:: \\log \\frac{P(\\text{arm} = a)}{P(\\text{arm} = c)} = \\alpha_a + x' \\gamma_a,

    and returns the statsmodels result; its ``llr_pvalue`` is the
    likelihood-ratio test of :math:`\\gamma_a = 0` for every arm. Under a
    randomised assignment the covariates carry no information about the arm,
    so a small p-value signals a broken randomisation (or a covariate that
    was in fact measured after the treatment).

    Parameters
    ----------
    df : pandas.DataFrame
    covariates : sequence of str
        Numeric columns without missing values (see :func:`history_features`
        for a way to code missing recency).
    arm, control, arms : str, str, sequence of str or None
        As in :func:`balance_table`.

    Returns
    -------
    statsmodels MNLogitResults
        Model-based standard errors; the likelihood-ratio test is what to read.

    Examples
    --------
    >>> from crm_course.data import load
    >>> campaign = history_features(load("offer_experiment"))
    >>> bool(balance_test(campaign).llr_pvalue > 0.01)
    True
    """
    import statsmodels.api as sm

    covariates = _columns(covariates, "covariates")
    if not covariates:
        raise ValueError("covariates: expected at least one column name; found none")
    order = _check_experiment(df, arm=arm, control=control, arms=arms, columns={c: "numeric" for c in covariates})
    codes = pd.Categorical(df[arm].astype(str), categories=order).codes
    exog = sm.add_constant(df[covariates].astype(float), has_constant="add")
    return sm.MNLogit(pd.Series(codes, index=df.index, name=arm), exog).fit(disp=0, maxiter=200)


# --------------------------------------------------------------------------
# 2. Average effects
# --------------------------------------------------------------------------


def arm_summary(
    df: pd.DataFrame,
    outcomes: str | Sequence[str] = ("converted", "revenue_30d", "margin_30d"),
    *,
    arm: str = "arm",
    control: str = "none",
    arms: Sequence[str] | None = ARMS,
    level: float = 0.95,
) -> pd.DataFrame:
    """Mean outcome per arm and each arm's difference from the control arm.

    For arm :math:`a` and outcome :math:`y`, the lift is
    :math:`\\hat\\tau_a = \\bar y_a - \\bar y_c` with the unequal-variance
    standard error :math:`\\sqrt{s_a^2/n_a + s_c^2/n_c}`, a normal-approximation
    confidence interval and a two-sided p-value. With a randomised arm this
    difference estimates the average causal effect of the offer. For a
    0/1 outcome the mean is a rate and the lift is in shares (0.01 = one
    percentage point).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per customer.
    outcomes : str or sequence of str
        Numeric or boolean outcome columns, without missing values.
    arm, control, arms : str, str, sequence of str or None
        The arm column, the control arm's label and the labels allowed, in
        the order to report them. ``None`` accepts any labels, ordered as
        the column's categories (or alphabetically), the control first.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per outcome and arm: ``outcome``, ``arm``, ``n``, ``mean``,
        ``se``, ``ci_low``, ``ci_high``, ``lift``, ``lift_se``,
        ``lift_ci_low``, ``lift_ci_high``, ``p_value`` (the lift columns are
        empty in the control rows).

    Examples
    --------
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"arm": ["none"] * 4 + ["generic"] * 4,
    ...                     "converted": [0, 0, 1, 0, 1, 0, 1, 1]})
    >>> arm_summary(toy, "converted", arms=None)[["arm", "mean", "lift"]]
           arm  mean  lift
    0     none  0.25   NaN
    1  generic  0.75   0.5
    """
    level = _check_level(level)
    outcomes = _columns(outcomes, "outcomes")
    if not outcomes:
        raise ValueError("outcomes: expected at least one outcome column; found none")
    order = _check_experiment(df, arm=arm, control=control, arms=arms, columns={o: "numeric" for o in outcomes})
    z = _z(level)
    labels = df[arm].astype(str)
    n = labels.value_counts()
    rows = []
    for outcome in outcomes:
        y = df[outcome].astype(float)
        stats = {a: _mean_se(y[labels == a].to_numpy()) for a in order}
        mc, sc = stats[control]
        for a in order:
            m, s = stats[a]
            row = {"outcome": outcome, "arm": a, "n": int(n[a]), "mean": m, "se": s,
                   "ci_low": m - z * s, "ci_high": m + z * s}
            if a == control:
                row.update(lift=np.nan, lift_se=np.nan, lift_ci_low=np.nan, lift_ci_high=np.nan, p_value=np.nan)
            else:
                d, se = m - mc, float(np.hypot(s, sc))
                row.update(lift=d, lift_se=se, lift_ci_low=d - z * se, lift_ci_high=d + z * se,
                           p_value=_two_sided_p(d, se))
            rows.append(row)
    return pd.DataFrame(rows)


def _two_sided_p(estimate, se):
    from scipy.stats import norm

    with np.errstate(divide="ignore", invalid="ignore"):
        return 2 * norm.sf(np.abs(np.asarray(estimate, dtype=float) / np.asarray(se, dtype=float)))


def persuadable_share(
    df: pd.DataFrame,
    outcome: str = "converted",
    *,
    by: str | None = None,
    arm: str = "arm",
    control: str = "none",
    arms: Sequence[str] | None = ARMS,
    level: float = 0.95,
) -> pd.DataFrame:
    """Share of would-be non-buyers whom each offer converts.

    If an offer converts a member who would not have bought anyway with
    probability :math:`\\delta` and leaves everyone else's behaviour as it
    was, then :math:`p_a = p_c + (1 - p_c)\\,\\delta`, so

    .. math:: \\hat\\delta = \\frac{\\hat p_a - \\hat p_c}{1 - \\hat p_c}
              = 1 - \\frac{1 - \\hat p_a}{1 - \\hat p_c}.

    The standard error is the delta method's,
    :math:`\\sqrt{v_a / (1-p_c)^2 + (1-p_a)^2 v_c / (1-p_c)^4}` with
    :math:`v` the squared standard errors of the two rates. Unlike the lift
    in percentage points, this share is not mechanically capped by the
    members who buy anyway, so it compares offers across groups with very
    different base rates. It averages :math:`\\delta` over the would-be
    non-buyers of each group: members who respond less (for instance those
    who have silently stopped using the service) pull it down.

    Parameters
    ----------
    df : pandas.DataFrame
    outcome : str
        A 0/1 or boolean column, without missing values.
    by : str, optional
        A column to group by (e.g. a band of purchase history); one result
        per group.
    arm, control, arms, level
        As in :func:`arm_summary`.

    Returns
    -------
    pandas.DataFrame
        One row per group (if ``by``) and treated arm: ``control_rate``,
        ``arm_rate``, ``lift`` (arm rate minus control rate) and its standard
        error ``lift_se``, ``share`` (the persuadable share) with ``se``,
        ``ci_low``, ``ci_high``, and the group sizes ``n_arm``, ``n_control``.

    Examples
    --------
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"arm": ["none"] * 4 + ["generic"] * 4,
    ...                     "converted": [0, 0, 1, 1, 1, 0, 1, 1]})
    >>> float(persuadable_share(toy, arms=None)["share"].iloc[0])
    0.5
    """
    level = _check_level(level)
    columns = {outcome: "bool"}
    if by is not None:
        columns[by] = "any"
    order = _check_experiment(df, arm=arm, control=control, arms=arms, columns=columns)
    if by is not None and df[by].isna().any():
        raise ValueError(f"data: column {by!r} has {int(df[by].isna().sum())} missing value(s); "
                         "drop them or give them a group of their own")
    z = _z(level)
    work = pd.DataFrame({"y": df[outcome].astype(float), "arm": df[arm].astype(str)})
    keys = ["arm"] if by is None else [by, "arm"]
    if by is not None:
        work[by] = df[by]
    g = work.groupby(keys, observed=True, sort=False)["y"].agg(["mean", "count", "var"])
    g["v"] = g["var"] / g["count"]
    out = []
    groups = [None] if by is None else list(pd.unique(work[by]))
    if by is not None and isinstance(df[by].dtype, pd.CategoricalDtype):
        groups = [c for c in df[by].cat.categories if c in set(groups)]
    for group in groups:
        key = (lambda a: a) if by is None else (lambda a, group=group: (group, a))
        if key(control) not in g.index:
            raise ValueError(f"data: group {group!r} of column {by!r} has no rows in the control arm {control!r}")
        pc, nc, vc = g.loc[key(control), ["mean", "count", "v"]]
        for a in order[1:]:
            if key(a) not in g.index:
                continue
            pa, na, va = g.loc[key(a), ["mean", "count", "v"]]
            if pc >= 1:
                share = se = np.nan
            else:
                share = (pa - pc) / (1 - pc)
                se = np.sqrt(va / (1 - pc) ** 2 + (1 - pa) ** 2 * vc / (1 - pc) ** 4)
            row = {} if by is None else {by: group}
            row.update(arm=a, control_rate=pc, arm_rate=pa, lift=pa - pc, lift_se=np.sqrt(va + vc),
                       share=share, se=se, ci_low=share - z * se, ci_high=share + z * se,
                       n_arm=int(na), n_control=int(nc))
            out.append(row)
    return pd.DataFrame(out)


@dataclass(frozen=True)
class _LiftSpec:
    """How :func:`fit_lift_model` built its design, so effects can be recomputed."""

    kind: str
    outcome: str
    arm: str
    control: str
    treated: tuple[str, ...]
    dummies: tuple[str, ...]
    moderator: str | None
    moderator_term: str | None
    transform: str | None
    covariates: tuple[str, ...]
    frame: pd.DataFrame = field(repr=False)  # arm labels, raw moderator and covariates of the estimation rows


def _dummy_name(label: str) -> str:
    name = "".join(ch if ch.isalnum() else "_" for ch in str(label)).strip("_") or "arm"
    return name if not name[0].isdigit() else f"arm_{name}"


_TRANSFORMS = {"log1p": np.log1p, None: lambda x: np.asarray(x, dtype=float)}


def _design(spec: _LiftSpec, arm_label: str | None = None, moderator_value: float | None = None) -> pd.DataFrame:
    f = spec.frame
    n = len(f)
    labels = f[spec.arm].to_numpy() if arm_label is None else np.full(n, arm_label, dtype=object)
    cols: dict[str, np.ndarray] = {"const": np.ones(n)}
    for label, name in zip(spec.treated, spec.dummies):
        cols[name] = (labels == label).astype(float)
    if spec.moderator is not None:
        raw = f[spec.moderator].to_numpy(dtype=float) if moderator_value is None else np.full(n, float(moderator_value))
        m = _TRANSFORMS[spec.transform](raw)
        cols[spec.moderator_term] = m
        for name in spec.dummies:
            cols[f"{name}:{spec.moderator_term}"] = cols[name] * m
    for c in spec.covariates:
        cols[c] = f[c].to_numpy(dtype=float)
    return pd.DataFrame(cols, index=f.index)


def fit_lift_model(
    df: pd.DataFrame,
    outcome: str = "converted",
    *,
    moderator: str | None = None,
    transform: Literal["log1p"] | None = "log1p",
    covariates: Sequence[str] = (),
    kind: Literal["logit", "ols"] = "logit",
    arm: str = "arm",
    control: str = "none",
    arms: Sequence[str] | None = ARMS,
):
    """Regress an outcome on the arms, optionally interacted with a moderator.

    With arms :math:`a = 1, \\dots, A` (dummies :math:`D_a`, the control arm
    left out), a moderator :math:`m = g(h)` (e.g. :math:`g = \\log(1 + h)` of
    the number of prior orders :math:`h`) and covariates :math:`x`, the
    model is

    .. math:: E[y] = F\\Big(\\beta_0 + \\sum_a \\beta_a D_a + \\gamma m
              + \\sum_a \\theta_a D_a m + x'\\lambda\\Big),

    with :math:`F` the logistic function (``kind="logit"``) or the identity
    (``kind="ols"``: for a 0/1 outcome the linear probability model). In the
    linear model :math:`\\theta_a` is how much arm *a*'s effect grows per unit
    of :math:`m`; in the logit it is a change in log-odds, which is *not* the
    change of the effect on the probability scale (Ai & Norton, 2003) — read
    the logit through :func:`arm_effects`.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per customer.
    outcome : str
        The outcome: 0/1 or boolean for a logit; any numeric column for OLS.
    moderator : str, optional
        A numeric column whose interaction with the arms is wanted.
    transform : {"log1p", None}
        Applied to the moderator; the term is named ``log1p_<moderator>``
        (or ``<moderator>`` untransformed).
    covariates : sequence of str
        Further numeric columns without missing values (pre-treatment only).
    kind : {"logit", "ols"}
    arm, control, arms
        As in :func:`arm_summary`.

    Returns
    -------
    statsmodels results
        ``LogitResults`` or ``OLSResults`` with HC1 (heteroskedasticity-
        robust) standard errors. Terms are named ``const``, one dummy per
        treated arm (its label), the moderator term and ``<arm>:<moderator
        term>`` interactions, then the covariates. Pass the result to
        :func:`arm_effects` for effects on the probability scale.

    Notes
    -----
    Assumptions: the arm is randomised, so the arm coefficients (and the interactions)
    are causal; the moderator itself is not randomised, so its own
    coefficient is only descriptive. The effect is assumed to change
    linearly in :math:`g(h)` (in the link's scale).

    Examples
    --------
    >>> from crm_course.data import load
    >>> campaign = load("offer_experiment")
    >>> model = fit_lift_model(campaign, moderator="prior_orders", kind="ols")
    >>> list(model.params.index)[:3]
    ['const', 'generic', 'personalised']
    """
    import statsmodels.api as sm

    if kind not in ("logit", "ols"):
        raise ValueError(f"kind: expected 'logit' or 'ols'; found {kind!r}")
    if transform not in _TRANSFORMS:
        raise ValueError(f"transform: expected 'log1p' or None; found {transform!r}")
    covariates = _columns(covariates, "covariates")
    columns = {outcome: "bool" if kind == "logit" else "numeric", **{c: "numeric" for c in covariates}}
    if moderator is not None:
        if not isinstance(moderator, str):
            raise TypeError(f"moderator: expected a column name; found {type(moderator).__name__}")
        columns[moderator] = "numeric"
    order = _check_experiment(df, arm=arm, control=control, arms=arms, columns=columns)
    if moderator is not None and transform == "log1p":
        check_range(df, moderator, low=0, name="data")
    if outcome in covariates or (moderator is not None and moderator in covariates):
        raise ValueError("covariates: must not repeat the outcome or the moderator")
    treated = tuple(order[1:])
    dummies = tuple(_dummy_name(a) for a in treated)
    if len(set(dummies)) < len(dummies) or set(dummies) & {"const", *covariates}:
        raise ValueError(f"data: arm labels {list(treated)} give clashing column names {list(dummies)}; rename the arms")
    term = None if moderator is None else (f"log1p_{moderator}" if transform == "log1p" else moderator)
    keep = [arm, *covariates] + ([moderator] if moderator is not None else [])
    frame = df[list(dict.fromkeys(keep))].copy()
    frame[arm] = frame[arm].astype(str).astype(object)
    spec = _LiftSpec(kind, outcome, arm, control, treated, dummies, moderator, term, transform,
                     tuple(covariates), frame)
    exog = _design(spec)
    y = df[outcome].astype(float).rename(outcome)
    if kind == "logit":
        result = sm.Logit(y, exog).fit(disp=0, maxiter=200, cov_type="HC1")
    else:
        result = sm.OLS(y, exog).fit(cov_type="HC1")
    result.model.lift_spec = spec
    return result


def arm_effects(
    result: Any,
    at: Sequence[float] | None = None,
    *,
    contrasts: bool = True,
    level: float = 0.95,
) -> pd.DataFrame:
    """Average effect of each arm on the outcome's scale, from :func:`fit_lift_model`.

    For arm *a* the average effect is the discrete change in the predicted
    outcome when every customer in the estimation sample is switched from
    the control arm to arm *a*, averaged over customers:

    .. math:: \\widehat{AME}_a = \\frac1n \\sum_i \\big[F(x_i(a)'\\hat\\beta) - F(x_i(c)'\\hat\\beta)\\big].

    For a logit this is the average marginal effect in probability units
    (0.01 = one percentage point); for OLS it equals the arm coefficient
    when there is no moderator. With ``at``, the moderator is also set to
    each given value (on its original scale, e.g. 0, 1, 2 prior orders) for
    everyone: the conditional average effect at that value. Standard errors
    come from the delta method with the result's (HC1) covariance matrix.

    Parameters
    ----------
    result
        A result of :func:`fit_lift_model`.
    at : sequence of float, optional
        Moderator values; needs a model with a moderator.
    contrasts : bool
        Also give the difference between every pair of treated arms (e.g.
        personalised minus generic).
    level : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``comparison`` (e.g. ``"personalised - none"``), ``arm``,
        ``reference``, the moderator column if ``at`` is given, ``effect``,
        ``se``, ``ci_low``, ``ci_high``, ``p_value``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> model = fit_lift_model(load("offer_experiment"))
    >>> list(arm_effects(model)["comparison"])
    ['generic - none', 'personalised - none', 'personalised - generic']
    """
    level = _check_level(level)
    spec = getattr(getattr(result, "model", None), "lift_spec", None)
    if not isinstance(spec, _LiftSpec):
        raise TypeError("result: expected a result returned by fit_lift_model(); found "
                        f"{type(result).__name__}")
    if at is not None:
        if spec.moderator is None:
            raise ValueError("at: the model has no moderator; refit with fit_lift_model(..., moderator=...)")
        if isinstance(at, (str, bytes)) or np.ndim(at) == 0:
            at = [at]
        at_values = np.asarray(list(at), dtype=float)
        if at_values.size == 0 or not np.isfinite(at_values).all():
            raise ValueError(f"at: expected finite moderator values; found {list(at)}")
        if spec.transform == "log1p" and (at_values < 0).any():
            raise ValueError(f"at: log1p needs values of at least 0; found {at_values.min():g}")
    z = _z(level)
    params = np.asarray(result.params, dtype=float)
    cov = np.asarray(result.cov_params(), dtype=float)
    logit = spec.kind == "logit"
    names = list(result.params.index)

    def mean_and_gradient(arm_label, value):
        x = _design(spec, arm_label, value)[names].to_numpy()
        eta = x @ params
        if logit:
            p = 1 / (1 + np.exp(-eta))
            return p.mean(), (x * (p * (1 - p))[:, None]).mean(axis=0)
        return eta.mean(), x.mean(axis=0)

    pairs = [(a, spec.control) for a in spec.treated]
    if contrasts:
        pairs += [(a, b) for i, b in enumerate(spec.treated) for a in spec.treated[i + 1:]]
    rows = []
    for value in ([None] if at is None else at_values):
        cache = {a: mean_and_gradient(a, value) for a in (spec.control, *spec.treated)}
        for a, b in pairs:
            effect = cache[a][0] - cache[b][0]
            grad = cache[a][1] - cache[b][1]
            se = float(np.sqrt(grad @ cov @ grad))
            row = {"comparison": f"{a} - {b}", "arm": a, "reference": b}
            if value is not None:
                row[spec.moderator] = value
            row.update(effect=float(effect), se=se, ci_low=effect - z * se, ci_high=effect + z * se,
                       p_value=float(_two_sided_p(effect, se)))
            rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------
# 3. Targeting
# --------------------------------------------------------------------------


def split_sample(
    df: pd.DataFrame,
    test_share: float = 0.5,
    *,
    seed: int = 2002,
    stratify: str | None = "arm",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split customers at random into a training and a held-out (test) part.

    A targeting rule must be judged on customers its model has not seen:
    otherwise the model's own noise looks like skill. With ``stratify``, the
    split is made within each value of that column, so every arm keeps its
    share in both parts.

    Parameters
    ----------
    df : pandas.DataFrame
    test_share : float
        Share of rows held out, strictly between 0 and 1.
    seed : int
        Seed of the random split (same seed, same split).
    stratify : str or None
        Column to split within.

    Returns
    -------
    (train, test) : tuple of pandas.DataFrame
        Copies of the rows of ``df``, in their original order.

    Examples
    --------
    >>> from crm_course.data import load
    >>> campaign = load("offer_experiment")
    >>> train, test = split_sample(campaign, seed=1)
    >>> len(train) + len(test) == len(campaign), abs(len(train) - len(test)) <= 3
    (True, True)
    """
    check_number(test_share, "test_share", low=0, high=1, inclusive=False)
    check_number(seed, "seed", low=0, integer=True)
    check_frame(df, [] if stratify is None else [stratify], name="data", min_rows=2)
    rng = np.random.default_rng(int(seed))
    u = pd.Series(rng.random(len(df)), index=df.index)
    if stratify is None:
        rank, size = u.rank(method="first"), pd.Series(len(df), index=df.index)
    else:
        if df[stratify].isna().any():
            raise ValueError(f"data: column {stratify!r} has missing values; cannot split within it")
        key = df[stratify].astype(str)
        rank = u.groupby(key).rank(method="first")
        size = key.map(key.value_counts())
    test = rank <= np.round(size * test_share)
    return df.loc[~test].copy(), df.loc[test].copy()


def history_features(
    df: pd.DataFrame,
    *,
    orders: str = "prior_orders",
    spend: str = "prior_spend",
    recency: str = "weeks_since_last_order",
    tenure: str = "tenure_weeks",
) -> pd.DataFrame:
    """Add model-ready features of each customer's purchase history.

    Adds ``log_orders`` = log(1 + orders), ``log_spend`` = log(1 + spend),
    ``no_history`` (1 if the customer has never ordered, i.e. recency is
    missing), ``log_recency`` = log(1 + weeks since the last order), set to 0
    when there is no order (the flag carries the difference), and
    ``tenure_years`` = tenure in weeks / 52. Logs tame the long right tails
    of counts and money.

    Parameters
    ----------
    df : pandas.DataFrame
    orders, spend, recency, tenure : str
        Column names: prior orders (count), prior spend (money), weeks since
        the last order (missing when none) and weeks since joining.

    Returns
    -------
    pandas.DataFrame
        A copy of ``df`` with the columns of :data:`HISTORY_FEATURES` added.

    Examples
    --------
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"prior_orders": [0, 3], "prior_spend": [0.0, 900.0],
    ...                     "weeks_since_last_order": [None, 2.0], "tenure_weeks": [10.0, 52.0]})
    >>> history_features(toy)[["no_history", "tenure_years"]]
       no_history  tenure_years
    0           1      0.192308
    1           0      1.000000
    """
    check_frame(df, {orders: "numeric", spend: "numeric", recency: "any", tenure: "numeric"}, name="data")
    if not pd.api.types.is_numeric_dtype(df[recency]):
        raise ValueError(f"data: column {recency!r} should be a numeric column; found dtype {df[recency].dtype}")
    for col in (orders, spend, tenure):
        check_range(df, col, low=0, name="data")
    rec = df[recency].astype(float)
    if (rec.dropna() < 0).any():
        raise ValueError(f"data: column {recency!r} should be at least 0; found {rec[rec < 0].iloc[0]!r}")
    out = df.copy()
    out["log_orders"] = np.log1p(df[orders].astype(float))
    out["log_spend"] = np.log1p(df[spend].astype(float))
    out["no_history"] = rec.isna().astype(int)
    out["log_recency"] = np.log1p(rec.fillna(0.0))
    out["tenure_years"] = df[tenure].astype(float) / 52.0
    return out


@dataclass
class UpliftModel:
    """A fitted two-model ("T-learner") uplift model.

    One regression of the outcome on the features is fitted in the treated
    arm and one in the control arm; the predicted uplift of a customer is
    the difference of the two predictions (Künzel et al., 2019).

    Attributes
    ----------
    features : list of str
    outcome, arm, treatment, control, kind : str
    results : dict
        ``{"treated": ..., "control": ...}``, the two statsmodels results
        (HC1 standard errors), ready for
        :func:`crm_course.tables.regression_table`.
    """

    features: list[str]
    outcome: str
    arm: str
    treatment: str
    control: str
    kind: str
    results: dict[str, Any]

    def predict(self, df: pd.DataFrame) -> pd.DataFrame:
        """Predict each customer's outcome with and without the offer.

        Parameters
        ----------
        df : pandas.DataFrame
            Holds the model's features (numeric, no missing values); the arm
            is not needed.

        Returns
        -------
        pandas.DataFrame
            Indexed like ``df``: ``treated`` (predicted outcome if sent the
            offer; for a logit, the probability), ``control`` (if not) and
            ``uplift`` = treated - control.
        """
        check_frame(df, {f: "numeric" for f in self.features}, name="data")
        import statsmodels.api as sm

        x = sm.add_constant(df[self.features].astype(float), has_constant="add")
        treated = np.asarray(self.results["treated"].predict(x), dtype=float)
        control = np.asarray(self.results["control"].predict(x), dtype=float)
        return pd.DataFrame({"treated": treated, "control": control, "uplift": treated - control}, index=df.index)


def fit_uplift_model(
    train: pd.DataFrame,
    features: Sequence[str] = HISTORY_FEATURES,
    outcome: str = "converted",
    *,
    treatment: str = "personalised",
    control: str = "none",
    kind: Literal["logit", "ols"] = "logit",
    arm: str = "arm",
    arms: Sequence[str] | None = ARMS,
) -> UpliftModel:
    """Fit a two-model (T-learner) uplift model on randomised training data.

    .. math:: \\hat\\mu_t(x) = F(x'\\hat\\beta_t), \\quad \\hat\\mu_c(x) = F(x'\\hat\\beta_c),
              \\quad \\widehat{\\text{uplift}}(x) = \\hat\\mu_t(x) - \\hat\\mu_c(x),

    each fitted only on its own arm (logit for a 0/1 outcome, OLS
    otherwise). Randomisation makes the two arms comparable, so the
    difference estimates the effect of the offer for customers like *x*.

    Parameters
    ----------
    train : pandas.DataFrame
        The training customers (see :func:`split_sample`); rows of other
        arms are ignored.
    features : sequence of str
        Numeric pre-treatment columns without missing values (see
        :func:`history_features`). Never use outcomes of the offer such as
        opened or clicked: they do not exist for the control arm.
    outcome : str
    treatment, control : str
        The two arms to compare.
    kind : {"logit", "ols"}
    arm, arms
        As in :func:`arm_summary`.

    Returns
    -------
    UpliftModel

    Examples
    --------
    >>> from crm_course.data import load
    >>> campaign = history_features(load("offer_experiment"))
    >>> model = fit_uplift_model(campaign)
    >>> sorted(model.predict(campaign.head(3)).columns)
    ['control', 'treated', 'uplift']
    """
    import statsmodels.api as sm

    if kind not in ("logit", "ols"):
        raise ValueError(f"kind: expected 'logit' or 'ols'; found {kind!r}")
    features = _columns(features, "features")
    if not features:
        raise ValueError("features: expected at least one feature column; found none")
    columns = {outcome: "bool" if kind == "logit" else "numeric", **{f: "numeric" for f in features}}
    order = _check_experiment(train, arm=arm, control=control, arms=arms, columns=columns, name="train",
                              min_per_arm=len(features) + 2)
    _check_labels(order, treatment=treatment, arm=arm)
    if treatment == control:
        raise ValueError("treatment: expected an arm other than the control arm")
    labels = train[arm].astype(str)
    results = {}
    for key, label in (("treated", treatment), ("control", control)):
        part = train.loc[labels == label]
        x = sm.add_constant(part[features].astype(float), has_constant="add")
        y = part[outcome].astype(float)
        if kind == "logit":
            results[key] = sm.Logit(y, x).fit(disp=0, maxiter=200, cov_type="HC1")
        else:
            results[key] = sm.OLS(y, x).fit(cov_type="HC1")
    return UpliftModel(features, outcome, arm, treatment, control, kind, results)


def cross_fit_uplift(
    df: pd.DataFrame,
    features: Sequence[str] = HISTORY_FEATURES,
    outcome: str = "converted",
    *,
    n_folds: int = 2,
    seed: int = 2002,
    treatment: str = "personalised",
    control: str = "none",
    kind: Literal["logit", "ols"] = "logit",
    arm: str = "arm",
    arms: Sequence[str] | None = ARMS,
) -> pd.DataFrame:
    """Predict every customer's uplift with a model that never saw that customer.

    The customers are split at random into ``n_folds`` equal parts (within
    each arm); for each part, :func:`fit_uplift_model` is fitted on the
    other parts and predicts this one ("cross-fitting"). With two folds this
    is a 50/50 train/test split used both ways round, so every customer is
    a held-out customer and the evaluation uses the whole experiment.

    Parameters
    ----------
    df : pandas.DataFrame
        The experiment, with the features (see :func:`history_features`).
    features, outcome, treatment, control, kind, arm, arms
        As in :func:`fit_uplift_model`.
    n_folds : int
        At least 2.
    seed : int
        Seed of the random split.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``df``: ``fold`` (0, 1, ...), ``treated``, ``control``
        and ``uplift`` as in :meth:`UpliftModel.predict`.

    Examples
    --------
    >>> from crm_course.data import load
    >>> campaign = history_features(load("offer_experiment"))
    >>> pred = cross_fit_uplift(campaign)
    >>> sorted(pred["fold"].unique().tolist()), len(pred) == len(campaign)
    ([0, 1], True)
    """
    check_number(n_folds, "n_folds", low=2, integer=True)
    check_number(seed, "seed", low=0, integer=True)
    _check_experiment(df, arm=arm, control=control, arms=arms, name="data")
    n_folds = int(n_folds)
    rng = np.random.default_rng(int(seed))
    key = df[arm].astype(str)
    rank = pd.Series(rng.random(len(df)), index=df.index).groupby(key).rank(method="first").astype(int)
    fold = ((rank - 1) % n_folds).to_numpy()
    parts = []
    for k in range(n_folds):
        inside = fold == k
        model = fit_uplift_model(df.loc[~inside], features, outcome, treatment=treatment, control=control,
                                 kind=kind, arm=arm, arms=arms)
        parts.append(model.predict(df.loc[inside]).assign(fold=k))
    out = pd.concat(parts).reindex(df.index)
    return out[["fold", "treated", "control", "uplift"]]


def value_per_order(
    df: pd.DataFrame,
    margin_rate: float,
    *,
    orders: str = "prior_orders",
    spend: str = "prior_spend",
    prior_weight: float = 1.0,
    typical_order: float | None = None,
) -> pd.Series:
    """Expected margin of one more order from each customer.

    .. math:: v_i = r \\cdot \\frac{S_i + k\\,\\bar s}{N_i + k},

    the margin rate *r* (margin per rouble of order value) times the
    customer's average past order value, shrunk towards the typical order
    :math:`\\bar s` with the weight of *k* imaginary orders (customers with
    one past order are mostly typical; those with many are themselves).

    Parameters
    ----------
    df : pandas.DataFrame
    margin_rate : float
        Margin as a share of order value, e.g. margin / revenue in the
        training data.
    orders, spend : str
        Columns of past orders (count) and their total value.
    prior_weight : float
        *k*, at least 0.
    typical_order : float, optional
        :math:`\\bar s`; by default total spend / total orders in ``df``.

    Returns
    -------
    pandas.Series
        Named ``value_per_order``, in the money unit of ``spend``.

    Examples
    --------
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"prior_orders": [0, 1], "prior_spend": [0.0, 3000.0]})
    >>> value_per_order(toy, 0.02, typical_order=1000.0).tolist()
    [20.0, 40.0]
    """
    check_number(margin_rate, "margin_rate", low=0, high=1)
    check_number(prior_weight, "prior_weight", low=0)
    check_frame(df, {orders: "numeric", spend: "numeric"}, name="data")
    check_range(df, orders, low=0, name="data")
    check_range(df, spend, low=0, name="data")
    n = df[orders].astype(float)
    s = df[spend].astype(float)
    if typical_order is None:
        if n.sum() <= 0:
            raise ValueError("typical_order: data has no past orders to compute it from; pass typical_order=")
        typical_order = float(s.sum() / n.sum())
    check_number(typical_order, "typical_order", low=0)
    if prior_weight == 0 and (n == 0).any():
        raise ValueError("prior_weight: must be above 0 when some customers have no past orders")
    return (margin_rate * (s + prior_weight * typical_order) / (n + prior_weight)).rename("value_per_order")


def expected_incremental_profit(
    prediction: pd.DataFrame,
    value_per_conversion: float | Sequence[float] | pd.Series,
    *,
    cost_per_offer: float,
    incentive_per_conversion: float = 0.0,
) -> pd.Series:
    """Expected profit of sending the offer to each customer, relative to not sending it.

    .. math:: \\pi_i = \\widehat{\\text{uplift}}_i \\cdot v_i - c - b\\,\\hat p_{t,i},

    the extra conversions times the value of a conversion :math:`v_i`, minus
    the cost of the offer :math:`c` and the incentive :math:`b` paid to every
    converter who received it — including those who would have bought
    anyway ("sure things"), which is why they are expensive to target.

    Parameters
    ----------
    prediction : pandas.DataFrame
        From :meth:`UpliftModel.predict` (columns ``treated`` and ``uplift``).
    value_per_conversion : float or array-like
        Margin one extra conversion brings (e.g. :func:`value_per_order`).
    cost_per_offer : float
        Cost of sending one offer.
    incentive_per_conversion : float
        Bonus paid to each converter in the treated arm.

    Returns
    -------
    pandas.Series
        Named ``expected_profit``, indexed like ``prediction``.

    Examples
    --------
    >>> import pandas as pd
    >>> pred = pd.DataFrame({"treated": [0.9, 0.2], "control": [0.9, 0.1], "uplift": [0.0, 0.1]})
    >>> expected_incremental_profit(pred, 60.0, cost_per_offer=3.0, incentive_per_conversion=10.0).round(2).tolist()
    [-12.0, 1.0]
    """
    check_frame(prediction, {"treated": "numeric", "uplift": "numeric"}, name="prediction")
    check_number(cost_per_offer, "cost_per_offer", low=0)
    check_number(incentive_per_conversion, "incentive_per_conversion", low=0)
    if np.ndim(value_per_conversion) == 0:
        value = float(check_number(value_per_conversion, "value_per_conversion", low=0))
    else:
        value = _score(prediction, value_per_conversion, "value_per_conversion")
        if (value < 0).any():
            raise ValueError("value_per_conversion: expected values of at least 0; found a negative value")
    out = prediction["uplift"] * value - cost_per_offer - incentive_per_conversion * prediction["treated"]
    return out.rename("expected_profit")


def _evaluation_rows(df, outcome, arm, treatment, control, arms):
    order = _check_experiment(df, arm=arm, control=control, arms=arms, columns={outcome: "numeric"}, name="data")
    _check_labels(order, treatment=treatment, arm=arm)
    if treatment == control:
        raise ValueError("treatment: expected an arm other than the control arm")
    labels = df[arm].astype(str).to_numpy()
    return labels == treatment, labels == control


def targeting_value(
    df: pd.DataFrame,
    target: Any,
    outcome: str = "profit",
    *,
    treatment: str = "personalised",
    control: str = "none",
    arm: str = "arm",
    arms: Sequence[str] | None = ARMS,
    level: float = 0.95,
) -> pd.Series:
    """Value of a targeting rule, estimated on held-out randomised customers.

    Send the offer to the targeted customers only (share *q*): relative to
    sending it to no one, the outcome changes per customer of the base by

    .. math:: V = q\\,(\\bar y_{t,S} - \\bar y_{c,S}),

    where :math:`\\bar y_{t,S}` and :math:`\\bar y_{c,S}` are the mean
    outcomes of targeted customers who were (randomly) sent the offer and
    who were not. Because the arm was randomised *within* the targeted group
    too, this is an unbiased estimate of what the rule would earn.

    Parameters
    ----------
    df : pandas.DataFrame
        Held-out customers of the treatment and control arms (other arms
        are ignored).
    target : str, array-like of bool or pandas.Series
        Which customers the rule targets (a boolean column name or mask).
    outcome : str
        E.g. profit per customer (margin minus offer cost) or conversion.
    treatment, control, arm, arms, level
        As elsewhere.

    Returns
    -------
    pandas.Series
        ``share_targeted``, ``lift_among_targeted``, ``value_per_customer``,
        ``se``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"arm": ["personalised", "none"] * 4,
    ...                     "profit": [5.0, 1.0, 4.0, 2.0, 0.0, 0.0, 1.0, 1.0],
    ...                     "send": [True, True, True, True, False, False, False, False]})
    >>> float(targeting_value(toy, "send", arms=None)["value_per_customer"])
    1.5
    """
    level = _check_level(level)
    is_t, is_c = _evaluation_rows(df, outcome, arm, treatment, control, arms)
    if isinstance(target, str):
        check_frame(df, {target: "bool"}, name="data")
        mask = df[target].astype(bool).to_numpy()
    else:
        mask = np.asarray(target)
        if mask.shape != (len(df),) or not (mask.dtype == bool or np.isin(mask, [0, 1]).all()):
            raise ValueError(f"target: expected one True/False per row of data ({len(df)}); found shape {mask.shape}")
        mask = mask.astype(bool)
    keep = is_t | is_c
    y = df[outcome].to_numpy(dtype=float)
    q = mask[keep].mean()
    z = _z(level)
    yt, yc = y[keep & mask & is_t], y[keep & mask & is_c]
    if q == 0:
        lift = se = np.nan
        value = value_se = 0.0
    elif len(yt) < 2 or len(yc) < 2:
        raise ValueError("target: too few targeted customers in the treatment or control arm to estimate the value")
    else:
        lift = yt.mean() - yc.mean()
        se = np.sqrt(yt.var(ddof=1) / len(yt) + yc.var(ddof=1) / len(yc))
        value, value_se = q * lift, q * se
    return pd.Series({"share_targeted": q, "lift_among_targeted": lift, "value_per_customer": value,
                      "se": value_se, "ci_low": value - z * value_se, "ci_high": value + z * value_se})


def uplift_curve(
    df: pd.DataFrame,
    score: Any,
    outcome: str = "profit",
    *,
    shares: Sequence[float] | None = None,
    treatment: str = "personalised",
    control: str = "none",
    arm: str = "arm",
    arms: Sequence[str] | None = ARMS,
    level: float = 0.95,
) -> pd.DataFrame:
    """Cumulative gain of targeting customers in order of a score (profit or Qini curve).

    Customers are ranked by ``score``, highest first; for each share *q* the
    top *q* are targeted and the value :math:`q(\\bar y_{t,S} - \\bar y_{c,S})`
    of :func:`targeting_value` is computed on held-out randomised customers.
    With profit as the outcome this is the *profit curve* (the programme's
    gain per customer of the base against sending nothing); with a 0/1
    conversion it is the uplift (Qini-style) curve of extra conversions per
    customer (Radcliffe & Surry, 2011). At *q* = 0 nobody is targeted (gain
    0); at *q* = 1 everybody is. ``random`` is the straight line a score
    without information would give: *q* times the gain of targeting all.

    Parameters
    ----------
    df : pandas.DataFrame
        Held-out customers; rows of arms other than ``treatment`` and
        ``control`` are ignored.
    score : str, array-like or pandas.Series
        Higher means target first (e.g. expected incremental profit, or a
        purchase probability for a propensity-based rule).
    outcome : str
    shares : sequence of float, optional
        Shares targeted, in [0, 1]; by default 0, 0.05, ..., 1.
    treatment, control, arm, arms, level
        As elsewhere.

    Returns
    -------
    pandas.DataFrame
        ``share_targeted``, ``n_targeted`` (customers of the two arms in the
        targeted share), ``lift_among_targeted`` (the gain
        per targeted customer: for profit before the cost of sending, this is
        the largest cost per offer at which targeting them still pays),
        ``value_per_customer``, ``se``, ``ci_low``, ``ci_high``, ``random``.

    Examples
    --------
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"arm": ["personalised", "none"] * 4,
    ...                     "profit": [5.0, 1.0, 4.0, 2.0, -2.0, 0.0, -1.0, 1.0],
    ...                     "score": [4, 4, 3, 3, 2, 2, 1, 1]})
    >>> uplift_curve(toy, "score", shares=[0, 0.5, 1], arms=None)["value_per_customer"].tolist()
    [0.0, 1.5, 0.5]
    """
    level = _check_level(level)
    is_t, is_c = _evaluation_rows(df, outcome, arm, treatment, control, arms)
    s = _score(df, score)
    keep = is_t | is_c
    if shares is None:
        shares = np.linspace(0, 1, 21)
    shares = np.asarray(list(shares), dtype=float)
    if shares.size == 0 or not np.isfinite(shares).all() or (shares < 0).any() or (shares > 1).any():
        raise ValueError(f"shares: expected shares between 0 and 1; found {shares.tolist()}")
    y = df[outcome].to_numpy(dtype=float)[keep]
    t = is_t[keep].astype(float)
    c = is_c[keep].astype(float)
    order = np.argsort(-s[keep], kind="stable")
    y, t, c = y[order], t[order], c[order]
    n = len(y)
    zero = np.zeros(1)
    cum = {k: np.concatenate([zero, np.cumsum(v)]) for k, v in
           {"nt": t, "nc": c, "st": y * t, "sc": y * c, "qt": y * y * t, "qc": y * y * c}.items()}
    k = np.round(shares * n).astype(int)
    nt, nc = cum["nt"][k], cum["nc"][k]
    with np.errstate(divide="ignore", invalid="ignore"):
        mt, mc = cum["st"][k] / nt, cum["sc"][k] / nc
        vt = (cum["qt"][k] - nt * mt**2) / (nt - 1)
        vc = (cum["qc"][k] - nc * mc**2) / (nc - 1)
        lift = np.where((nt >= 2) & (nc >= 2), mt - mc, np.nan)
        se_lift = np.where((nt >= 2) & (nc >= 2), np.sqrt(np.maximum(vt, 0) / nt + np.maximum(vc, 0) / nc), np.nan)
    q = k / n
    value = np.where(k == 0, 0.0, q * lift)
    se = np.where(k == 0, 0.0, q * se_lift)
    z = _z(level)
    overall = y[t == 1].mean() - y[c == 1].mean()
    return pd.DataFrame({"share_targeted": q, "n_targeted": k, "lift_among_targeted": lift,
                         "value_per_customer": value, "se": se, "ci_low": value - z * se,
                         "ci_high": value + z * se, "random": q * overall})


# --------------------------------------------------------------------------
# 4. The planted truth of a simulated world
# --------------------------------------------------------------------------


def planted_campaign_effects(world: Any) -> pd.DataFrame:
    """The campaign's true effects on every member of a simulated Kopilka world.

    In :mod:`crm_course.world.campaign`, a member sent an offer places an
    extra order in the campaign week with probability
    :math:`\\delta_a(h)\\,r`, where :math:`\\delta_{generic} =`
    ``persuade_generic``, :math:`\\delta_{personalised}(h) =`
    ``persuade_personalised + persuade_personalised_per_log_order * log(1 + h)``
    for a member with *h* prior orders, and the responsiveness *r* is 1 for a
    member still active and ``lapsed_responsiveness`` for one who has
    (unobservably) dropped out. Without an offer the member converts (orders
    at least once in the window of *W* days) with probability
    :math:`b = 1 - e^{-\\lambda W / 7}` if active (weekly purchase rate
    :math:`\\lambda`) and 0 if lapsed. So the true conversion lift is
    :math:`(1 - b)\\,\\delta_a r` and the expected profit of sending the
    offer, relative to not sending it, is

    .. math:: \\delta_a r\\, m - c_a - B\\,[\\,b + (1 - b)\\,\\delta_a r\\,],

    with *m* the expected margin of one order, :math:`c_a` the sending cost
    and *B* the bonus cashback. The base rate ignores the rare drop-outs
    after a support contact inside the window; *m* is the member's mean
    order value times the world's margin rate (total margin / total value of
    all its orders, which averages over merchants and declined orders).

    Parameters
    ----------
    world : crm_course.world.World
        From :func:`crm_course.world.simulate`.

    Returns
    -------
    pandas.DataFrame
        One row per campaign member: ``customer_id``, ``arm``,
        ``prior_orders``, ``alive_at_campaign``, ``responsiveness``,
        ``base_rate``, ``margin_per_order`` and, for each offer *a* in
        (generic, personalised), ``delta_<a>`` (planted, before
        responsiveness), ``persuasion_<a>`` (= delta times responsiveness),
        ``lift_<a>`` (true conversion lift) and ``profit_<a>`` (expected
        incremental profit, RUB).

    Examples
    --------
    >>> from crm_course.world import simulate
    >>> truth = planted_campaign_effects(simulate(n_members=2_000, seed=1))
    >>> bool((truth["lift_personalised"] >= 0).all())
    True
    """
    from crm_course.world import World

    if not isinstance(world, World):
        raise TypeError(f"world: expected a World from crm_course.world.simulate(); found {type(world).__name__}")
    cp = world.params.campaign
    exp = world.tables["offer_experiment"][["customer_id", "arm", "prior_orders"]]
    truth = (
        exp.merge(world.truth["campaign"], on="customer_id", how="left", validate="one_to_one")
        .merge(world.truth["members"][["customer_id", "purchase_rate", "mean_order_value"]],
               on="customer_id", how="left", validate="one_to_one")
    )
    tx = world.tables["transactions"]
    margin_rate = float((tx["commission"] - tx["cashback"]).sum() / tx["order_value"].sum())
    alive = truth["alive_at_campaign"].to_numpy(dtype=bool)
    r = np.where(alive, 1.0, cp.lapsed_responsiveness)
    b = np.where(alive, 1 - np.exp(-truth["purchase_rate"].to_numpy() * cp.window_days / 7), 0.0)
    m = truth["mean_order_value"].to_numpy() * margin_rate
    h = truth["prior_orders"].to_numpy(dtype=float)
    out = pd.DataFrame({
        "customer_id": truth["customer_id"],
        "arm": truth["arm"].astype(str),
        "prior_orders": truth["prior_orders"],
        "alive_at_campaign": alive,
        "responsiveness": r,
        "base_rate": b,
        "margin_per_order": m,
    })
    deltas = {
        "generic": (np.full(len(h), cp.persuade_generic), cp.send_cost_generic),
        "personalised": (np.minimum(cp.persuade_personalised + cp.persuade_personalised_per_log_order * np.log1p(h), 1.0),
                         cp.send_cost_personalised),
    }
    for a, (delta, send) in deltas.items():
        p = delta * r
        out[f"delta_{a}"] = delta
        out[f"persuasion_{a}"] = p
        out[f"lift_{a}"] = (1 - b) * p
        out[f"profit_{a}"] = p * m - send - cp.bonus_cashback * (b + (1 - b) * p)
    return out
