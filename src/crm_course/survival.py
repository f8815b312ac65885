r"""Survival analysis of customer lapsing: Kaplan–Meier, log-rank and Cox models, and drop-out after a contact.

Chapter 5 asks how long members stay and whether a poor support experience
drives them away; the capstone (:mod:`crm_course.kopilka.board`) prices better
service with the Cox model:

* :func:`lapse_durations` — an observable "lapsed" event for survival analysis:
  the time from an origin to the last order after which ``lapse_weeks`` passed
  with no order, censored at the end of observation;
* :func:`support_experience` — each member's support contacts, their CSAT and
  the first contact;
* :func:`kaplan_meier` and :func:`survival_at` — Kaplan–Meier curves, overall or
  by group, with 95% bands (Greenwood's formula, on the log(-log) scale), and
  their values at chosen times;
* :func:`logrank_test` — the log-rank test that the groups' curves are the same;
* :func:`cox_model` and :func:`hazard_ratios` — the Cox proportional-hazards
  model

  .. math::

      h_i(t) = h_0(t)\,\exp(\beta' x_i),

  and its hazard ratios :math:`\exp(\beta_k)` with confidence intervals;
* :func:`contact_dropout_logit` — a logit of drop-out right after a support
  contact on how far its CSAT fell short of the top score; it needs an
  *observed* drop-out flag (for Kopilka, the simulation's hidden truth:
  :func:`crm_course.kopilka.support.contacts_at_risk`).

Assumptions: censoring unrelated to the chance of the event given the
covariates (true for the administrative censoring of :func:`lapse_durations`,
which depends only on the origin date) and, for the Cox model, proportional
hazards. Standard errors are model-based (Cox: the inverse information of the
partial likelihood, ties by Efron's method).

Every function takes any DataFrame with the column names as arguments; Kopilka's
names (``customer_id``, ``order_date``, ``contact_date``, ``csat``) and the
names :func:`lapse_durations` gives (``duration``, ``lapsed``) are only the
defaults. Inputs are checked and never modified.

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.survival import kaplan_meier, lapse_durations, survival_at
>>> followed = lapse_durations(load("transactions"), lapse_weeks=26)
>>> curve = kaplan_meier(followed)
>>> at = survival_at(curve, [26, 52])["survival"]
>>> bool(1 > at.iloc[0] > at.iloc[1] > 0)
True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from crm_course.formulas import _declared_categories, _terms_variables
from crm_course.retention import _end_date, _orders
from crm_course.validation import check_frame, check_number, check_predictor, check_range, check_unique

__all__ = [
    "contact_dropout_logit",
    "cox_model",
    "hazard_ratios",
    "kaplan_meier",
    "lapse_durations",
    "logrank_test",
    "support_experience",
    "survival_at",
]


_Z95 = 1.959963984540054


def lapse_durations(
    transactions: pd.DataFrame,
    *,
    lapse_weeks: float = 26,
    observation_end: Any = None,
    origin: pd.Series | None = None,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    key: str | None = "order_id",
) -> pd.DataFrame:
    """Time until a member lapses: an observable stand-in for the unobservable drop-out.

    In a non-contractual business nobody announces that they have left. This
    function uses a common working definition: a member has **lapsed** at the
    last order after which ``lapse_weeks`` passed with no order. The
    *duration* runs from the member's ``origin`` (by default the first
    order) to that last order, so a member who never orders again after the
    origin lapses at duration 0.

    A lapse at time ``s`` is confirmed only once ``s + lapse_weeks`` is
    observed, so every member is censored at ``observation_end - lapse_weeks
    - origin``: later lapses cannot yet be seen. This censoring depends only
    on the origin date, never on the member's behaviour (independent,
    administrative censoring). Members whose origin is later than
    ``observation_end - lapse_weeks`` cannot be followed and are left out.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per order with a customer identifier and an order date.
    lapse_weeks : float
        Weeks without an order that count as a lapse (26: half a year).
    observation_end : date-like, optional
        Last day observed; defaults to the last order date.
    origin : pandas.Series, optional
        Start of follow-up per member: datetimes indexed by customer
        identifier (e.g. the date of the first support contact). Orders on or
        before the origin are ignored. Default: each member's first order.
    customer_col, date_col : str
        Column names.
    key : str or None, default "order_id"
        Column of ``transactions`` that identifies an order: a repeated value
        is an error (it would be counted twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer: ``origin``, ``duration`` (weeks from the origin
        to the lapse or to censoring) and ``lapsed`` (True if the lapse was
        observed).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "customer_id": [1, 1, 1, 2],
    ...     "order_date": pd.to_datetime(["2023-01-02", "2023-01-16", "2023-12-25", "2023-02-06"]),
    ... })
    >>> lapse_durations(orders, lapse_weeks=26, observation_end="2024-06-30")  # doctest: +NORMALIZE_WHITESPACE
                    origin  duration  lapsed
    customer_id
    1           2023-01-02       2.0    True
    2           2023-02-06       0.0    True
    """
    lapse_weeks = check_number(lapse_weeks, "lapse_weeks", low=0, inclusive=False)
    days = _orders(transactions, customer_col, date_col)
    check_unique(transactions, key, name="transactions")
    end = _end_date(observation_end, "observation_end", days["day"].max())
    window = pd.Timedelta(days=7 * float(lapse_weeks))
    if origin is None:
        start = days.groupby("customer", sort=True)["day"].min()
    else:
        if not isinstance(origin, pd.Series):
            raise TypeError(f"origin: expected a pandas Series of dates indexed by customer; found {type(origin).__name__}")
        if not pd.api.types.is_datetime64_any_dtype(origin):
            raise ValueError(f"origin: expected datetime values (parse them with pd.to_datetime); found dtype {origin.dtype}")
        if origin.isna().any():
            raise ValueError(f"origin: has {int(origin.isna().sum())} missing date(s); drop those members first")
        if origin.index.has_duplicates:
            raise ValueError("origin: expected one date per customer; found a duplicated customer in its index")
        if origin.empty:
            raise ValueError("origin: expected at least one customer; found an empty Series")
        start = origin.dt.normalize().sort_index()
    start = start.rename("origin").rename_axis("customer")
    censor = end - window - start
    start = start[censor >= pd.Timedelta(0)]
    if start.empty:
        raise ValueError(
            f"{'origin' if origin is not None else 'transactions'}: every member starts after observation_end - "
            f"lapse_weeks ({(end - window).date()}); "
            "nobody can be followed long enough to see a lapse"
        )

    # Anchors: the origin, then every purchase day after it. A lapse is the
    # first anchor followed by more than `lapse_weeks` without an order.
    later = days.join(start, on="customer", how="inner")
    later = later.loc[later["day"] > later["origin"], ["customer", "day"]]
    anchors = pd.concat([pd.DataFrame({"customer": start.index.to_numpy(), "day": start.to_numpy()}), later])
    anchors = anchors.sort_values(["customer", "day"], kind="stable").reset_index(drop=True)
    nxt = anchors.groupby("customer", sort=False)["day"].shift(-1)
    gap_known = nxt.notna()
    lapse_here = np.where(gap_known, (nxt - anchors["day"]) > window, (end - anchors["day"]) >= window)
    lapse_day = anchors[lapse_here].groupby("customer", sort=True)["day"].min().reindex(start.index)

    lapsed = lapse_day.notna().to_numpy()
    follow = np.where(lapsed, (lapse_day - start).dt.days, (end - window - start).dt.days)
    out = pd.DataFrame({"origin": start.to_numpy(), "duration": follow / 7.0, "lapsed": lapsed},
                       index=start.index.rename(customer_col))
    return out


def support_experience(
    contacts: pd.DataFrame,
    transactions: pd.DataFrame | None = None,
    *,
    customer_col: str = "customer_id",
    date_col: str = "contact_date",
    csat_col: str = "csat",
    order_date_col: str = "order_date",
    first_columns: Iterable[str] = ("payout_received", "first_contact_resolution", "reason"),
    contact_key: str | None = "contact_id",
    order_key: str | None = "order_id",
) -> pd.DataFrame:
    """Each member's support experience: how many contacts, how satisfied, and the first contact.

    Parameters
    ----------
    contacts : pandas.DataFrame
        One row per support contact with a customer identifier, a contact
        date and a CSAT score (1-5).
    transactions : pandas.DataFrame, optional
        Orders; if given, adds ``orders_before`` (the member's orders on or
        before the day of the first contact), a measure of how established
        the member was when they first needed help.
    customer_col, date_col, csat_col, order_date_col : str
        Column names.
    first_columns : iterable of str
        Other columns of the first contact to keep, prefixed ``first_``.
    contact_key : str or None, default "contact_id"
        Column of ``contacts`` that identifies a support contact: a repeated
        value is an error (it would be counted twice). Checked when the table
        has the column; ``None`` skips the check.
    order_key : str or None, default "order_id"
        Column of ``transactions`` that identifies an order: a repeated value
        is an error (it would be counted twice). Checked when the table has
        the column; ``None`` skips the check.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer: ``contacts``, ``mean_csat``, ``min_csat``,
        ``first_contact_date``, ``first_csat``, the ``first_*`` columns and,
        with ``transactions``, ``orders_before``.

    Examples
    --------
    >>> import pandas as pd
    >>> contacts = pd.DataFrame({
    ...     "customer_id": [7, 7, 8],
    ...     "contact_date": pd.to_datetime(["2024-03-01", "2024-01-10", "2024-02-02"]),
    ...     "csat": [5, 2, 4],
    ... })
    >>> support_experience(contacts, first_columns=())  # doctest: +NORMALIZE_WHITESPACE
                 contacts  mean_csat  min_csat first_contact_date  first_csat
    customer_id
    7                   2        3.5         2         2024-01-10           2
    8                   1        4.0         4         2024-02-02           4
    """
    first_columns = list(first_columns)
    check_frame(contacts, {customer_col: "any", date_col: "datetime", csat_col: "numeric",
                           **{c: "any" for c in first_columns}}, name="contacts")
    check_unique(contacts, contact_key, name="contacts")
    check_range(contacts, csat_col, low=1, high=5, name="contacts")
    if contacts[customer_col].isna().any():
        raise ValueError(f"contacts: column {customer_col!r} has {int(contacts[customer_col].isna().sum())} missing value(s)")
    ordered = contacts.sort_values([customer_col, date_col], kind="stable")
    grouped = ordered.groupby(customer_col, sort=True, observed=True)
    out = pd.DataFrame(
        {
            "contacts": grouped.size(),
            "mean_csat": grouped[csat_col].mean(),
            "min_csat": grouped[csat_col].min(),
            "first_contact_date": grouped[date_col].first(),
            "first_csat": grouped[csat_col].first(),
        }
    )
    for col in first_columns:
        out[f"first_{col}"] = grouped[col].first()
    if transactions is not None:
        check_frame(transactions, {customer_col: "any", order_date_col: "datetime"}, name="transactions")
        check_unique(transactions, order_key, name="transactions")
        # Count orders, not purchase days: several orders on one day each count.
        orders = transactions[[customer_col, order_date_col]].join(
            out["first_contact_date"].dt.normalize().rename("first"), on=customer_col, how="inner"
        )
        counts = orders[orders[order_date_col].dt.normalize() <= orders["first"]].groupby(customer_col).size()
        out["orders_before"] = counts.reindex(out.index).fillna(0).astype(np.int64)
    out.index.name = customer_col
    return out


def _survival_frame(data: Any, duration: str, event: str, extra: dict[str, str], name: str = "data") -> pd.DataFrame:
    check_frame(data, {duration: "numeric", event: "bool", **extra}, name=name)
    check_range(data, duration, low=0, name=name)
    return data


def kaplan_meier(
    data: pd.DataFrame,
    *,
    duration: str = "duration",
    event: str = "lapsed",
    group: str | None = None,
    key: str | None = "customer_id",
) -> pd.DataFrame:
    r"""Kaplan–Meier survival curves, overall or by group, with 95% confidence bands.

    :math:`\hat S(t) = \prod_{t_j \le t} (1 - d_j / n_j)` with :math:`d_j`
    events among :math:`n_j` members at risk at time :math:`t_j`
    (statsmodels ``SurvfuncRight``). Standard errors by Greenwood's formula;
    the 95% band is computed on the log(-log) scale so it stays inside
    [0, 1]. Assumes censoring is unrelated to the chance of the event
    (true for the administrative censoring of :func:`lapse_durations`).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per member with a duration (>= 0) and an event flag.
    duration, event : str
        Column names; ``event`` True (or 1) if the event was observed, False
        if censored.
    group : str, optional
        Column to split the curves by (e.g. acquisition channel).
    key : str or None, default "customer_id"
        Column of ``data`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    pandas.DataFrame
        Tidy: ``group`` ("all" without a group), ``time``, ``at_risk``,
        ``events``, ``survival``, ``std_error``, ``lower_95``, ``upper_95``.
        Each group starts with a row at time 0 and survival 1, so the
        curve can be drawn as a step plot (``drawstyle="steps-post"``).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"duration": [1.0, 2.0, 2.0, 3.0], "lapsed": [True, True, False, True]})
    >>> kaplan_meier(d)[["time", "at_risk", "events", "survival"]]
       time  at_risk  events  survival
    0   0.0        4       0      1.00
    1   1.0        4       1      0.75
    2   2.0        3       1      0.50
    3   3.0        1       1      0.00
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    extra = {group: "any"} if group is not None else {}
    _survival_frame(data, duration, event, extra)
    check_unique(data, key, name="data")
    if group is not None and data[group].isna().any():
        raise ValueError(f"data: column {group!r} has {int(data[group].isna().sum())} missing value(s)")
    labels = data[group] if group is not None else pd.Series("all", index=data.index)
    frames = []
    for label, part in data.groupby(labels, sort=True, observed=True):
        fit = SurvfuncRight(part[duration].to_numpy(dtype=float), part[event].to_numpy(dtype=float))
        s = np.asarray(fit.surv_prob, dtype=float)
        # Greenwood's variance is undefined once everyone has had the event; the curve is then exactly 0.
        se = np.where(s > 0, np.asarray(fit.surv_prob_se, dtype=float), 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_s = np.log(s)
            theta = se / (s * np.abs(log_s))
            lower = np.where((s > 0) & (s < 1), s ** np.exp(_Z95 * theta), np.where(s >= 1, 1.0, 0.0))
            upper = np.where((s > 0) & (s < 1), s ** np.exp(-_Z95 * theta), np.where(s >= 1, 1.0, 0.0))
        frames.append(
            pd.DataFrame(
                {
                    "group": label,
                    "time": np.r_[0.0, fit.surv_times],
                    "at_risk": np.r_[len(part), fit.n_risk].astype(np.int64),
                    "events": np.r_[0, fit.n_events].astype(np.int64),
                    "survival": np.r_[1.0, s],
                    "std_error": np.r_[0.0, se],
                    "lower_95": np.r_[1.0, lower],
                    "upper_95": np.r_[1.0, upper],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def survival_at(curves: pd.DataFrame, times: float | Iterable[float]) -> pd.DataFrame:
    """Read Kaplan–Meier curves at given times.

    Parameters
    ----------
    curves : pandas.DataFrame
        The output of :func:`kaplan_meier` (one row per group and time; no
        key is checked, the curve is read as given).
    times : float or iterable of float
        Times (same unit as the durations, >= 0).

    Returns
    -------
    pandas.DataFrame
        One row per group and time: ``group``, ``time``, ``survival``,
        ``std_error``, ``lower_95``, ``upper_95`` (the value of the step
        function at that time).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"duration": [1.0, 2.0, 2.0, 3.0], "lapsed": [True, True, False, True]})
    >>> survival_at(kaplan_meier(d), 2.5)[["group", "time", "survival"]]
      group  time  survival
    0   all   2.5       0.5
    """
    check_frame(curves, {"group": "any", "time": "numeric", "survival": "numeric", "std_error": "numeric",
                         "lower_95": "numeric", "upper_95": "numeric"}, name="curves")
    for col in ("survival", "lower_95", "upper_95"):
        check_range(curves, col, low=0, high=1, name="curves")
    t = np.atleast_1d(np.asarray(times, dtype=float))
    if t.ndim != 1 or not np.isfinite(t).all() or (t < 0).any():
        raise ValueError(f"times: expected one or more numbers >= 0; found {times!r}")
    rows = []
    for label, part in curves.groupby("group", sort=False, observed=True):
        part = part.sort_values("time", kind="stable")
        idx = np.searchsorted(part["time"].to_numpy(), t, side="right") - 1
        picked = part.iloc[np.maximum(idx, 0)]
        rows.append(pd.DataFrame({"group": label, "time": t,
                                  **{c: picked[c].to_numpy() for c in ("survival", "std_error", "lower_95", "upper_95")}}))
    return pd.concat(rows, ignore_index=True)


def logrank_test(
    data: pd.DataFrame,
    *,
    group: str,
    duration: str = "duration",
    event: str = "lapsed",
    key: str | None = "customer_id",
) -> pd.Series:
    """Log-rank test that the survival curves of the groups are the same.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per member.
    group : str
        Column with the groups (at least two).
    duration, event : str
        As for :func:`kaplan_meier`.
    key : str or None, default "customer_id"
        Column of ``data`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    pandas.Series
        ``statistic`` (chi-squared), ``df`` (groups - 1) and ``p_value``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"duration": [1.0, 2, 3, 4, 5, 6], "lapsed": [True] * 6,
    ...                   "channel": ["a", "a", "a", "b", "b", "b"]})
    >>> round(float(logrank_test(d, group="channel")["p_value"]), 3)
    0.025
    """
    from statsmodels.duration.survfunc import survdiff

    _survival_frame(data, duration, event, {group: "any"})
    check_unique(data, key, name="data")
    if data[group].isna().any():
        raise ValueError(f"data: column {group!r} has {int(data[group].isna().sum())} missing value(s)")
    labels = data[group].astype(str).to_numpy()
    k = len(np.unique(labels))
    if k < 2:
        raise ValueError(f"data: column {group!r} should hold at least two groups; found {k}")
    stat, p = survdiff(data[duration].to_numpy(dtype=float), data[event].to_numpy(dtype=float), labels)
    return pd.Series({"statistic": float(stat), "df": float(k - 1), "p_value": float(p)})


def cox_model(
    data: pd.DataFrame,
    covariates: str,
    *,
    duration: str = "duration",
    event: str = "lapsed",
    ties: str = "efron",
    key: str | None = "customer_id",
):
    r"""Cox proportional-hazards model of the time to an event (statsmodels ``PHReg``).

    .. math::

        h_i(t) = h_0(t)\,\exp(\beta' x_i)

    The baseline hazard :math:`h_0(t)` is left unspecified; each
    :math:`\exp(\beta_k)` is a **hazard ratio**: how much one more unit of
    :math:`x_k` multiplies the chance of the event at any moment, other
    covariates held fixed. Assumes proportional hazards (the ratio is the
    same at every duration) and censoring unrelated to the event given the
    covariates. Standard errors are model-based (inverse information of the
    partial likelihood); tied times by Efron's method.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per member. Not modified.
    covariates : str
        Right-hand side of a formula, e.g. ``"first_csat + C(channel)"``.
    duration, event : str
        Columns with the time (>= 0) and the event flag (True if observed).
    ties : {"efron", "breslow"}
        How tied event times are handled.
    key : str or None, default "customer_id"
        Column of ``data`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    statsmodels PHRegResults
        Coefficients are log hazard ratios (see :func:`hazard_ratios`).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=2_000)
    >>> d = pd.DataFrame({"x": x, "duration": rng.exponential(1 / np.exp(0.5 * x)), "lapsed": True})
    >>> round(float(cox_model(d, "x").params[0]), 1)
    0.5
    """
    import patsy

    if not isinstance(covariates, str) or not covariates.strip():
        raise ValueError(f"covariates: expected the right-hand side of a formula such as 'csat + C(channel)'; found {covariates!r}")
    if "~" in covariates:
        raise ValueError(f"covariates: give only the right-hand side (no '~'); found {covariates!r}")
    if ties not in {"efron", "breslow"}:
        raise ValueError(f"ties: expected 'efron' or 'breslow'; found {ties!r}")
    _survival_frame(data, duration, event, {})
    check_unique(data, key, name="data")
    _check_covariates(data, covariates)
    if data[event].astype(float).sum() == 0:
        raise ValueError(f"data: column {event!r} has no observed event; a hazard model needs some")
    from statsmodels.duration.hazard_regression import PHReg

    frame = data.assign(_event_=data[event].astype(float))
    try:
        model = PHReg.from_formula(f"Q({duration!r}) ~ {covariates}", frame, status=frame["_event_"].to_numpy(),
                                   ties=ties, missing="raise")
    except patsy.PatsyError as exc:
        raise ValueError(f"covariates: could not build {covariates!r} from the columns of data ({exc.message})") from None
    try:
        return model.fit()
    except (np.linalg.LinAlgError, ValueError) as exc:
        if "singular" not in str(exc).lower():
            raise
        n_events = int(data[event].astype(float).sum())
        raise ValueError(
            f"data: the Cox model of {covariates!r} cannot be estimated from {len(data)} row(s) with {n_events} "
            "event(s): a covariate does not vary, or there are fewer events than coefficients"
        ) from None


def _check_covariates(data: pd.DataFrame, covariates: str) -> None:
    """The covariates' columns: present, complete, finite, and numbers stored as text refused
    (a formula would make one dummy per distinct value) unless wrapped in C()."""
    variables = _terms_variables(covariates, "covariates")
    missing = [v for v in variables if v not in data.columns]
    if missing:
        shown = ", ".join(map(str, list(data.columns)[:15]))
        raise ValueError(f"covariates: column(s) {', '.join(map(repr, missing))} of {covariates!r} are not in data; "
                         f"found columns: {shown}{' ...' if len(data.columns) > 15 else ''}")
    categorical = _declared_categories(covariates)
    for v in variables:
        n_missing = int(data[v].isna().sum())
        if n_missing:
            raise ValueError(f"covariates: column {v!r} has {n_missing} missing values; drop or fill them first")
        check_predictor(data, v, name="data", categorical=v in categorical)


def hazard_ratios(result: Any, level: float = 0.95) -> pd.DataFrame:
    """Hazard ratios of a fitted Cox model with confidence intervals.

    Parameters
    ----------
    result : statsmodels PHRegResults
        From :func:`cox_model`.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        Indexed by term: ``log_hr``, ``std_error``, ``hazard_ratio``,
        ``lower``, ``upper`` (interval of the hazard ratio) and ``p_value``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=2_000)
    >>> d = pd.DataFrame({"x": x, "duration": rng.exponential(1 / np.exp(0.5 * x)), "lapsed": True})
    >>> list(hazard_ratios(cox_model(d, "x")).columns)
    ['log_hr', 'std_error', 'hazard_ratio', 'lower', 'upper', 'p_value']
    """
    from statsmodels.duration.hazard_regression import PHRegResults

    if not isinstance(getattr(result, "_results", result), PHRegResults):
        raise TypeError(f"result: expected a fitted Cox model from cox_model(); found {type(result).__name__}")
    check_number(level, "level", low=0, high=1, inclusive=False)
    conf = np.asarray(result.conf_int(alpha=1 - level), dtype=float)
    params = np.asarray(result.params, dtype=float)
    return pd.DataFrame(
        {
            "log_hr": params,
            "std_error": np.asarray(result.bse, dtype=float),
            "hazard_ratio": np.exp(params),
            "lower": np.exp(conf[:, 0]),
            "upper": np.exp(conf[:, 1]),
            "p_value": np.asarray(result.pvalues, dtype=float),
        },
        index=pd.Index(result.model.exog_names, name="term"),
    )


def contact_dropout_logit(
    contacts: pd.DataFrame,
    *,
    dropped_col: str = "dropped_out_after",
    csat_col: str = "csat",
    top_score: int = 5,
    key: str | None = "contact_id",
):
    r"""Logit of drop-out right after a support contact on how far its CSAT fell short of the top score.

    .. math::

        \Pr(\text{drop out} \mid \text{contact}) =
            \operatorname{logistic}\bigl(\beta_0 + \beta_1\,(\text{top} - \text{CSAT})\bigr)

    :math:`\beta_1` (term ``csat_shortfall``) is the change in the log-odds
    of leaving per CSAT point below the top score. It needs an **observed**
    drop-out flag: a contractual business sees cancellations; Kopilka does
    not, so in this course it is fitted on the simulation's hidden truth
    (:func:`~crm_course.kopilka.support.contacts_at_risk`) to show what was planted. Each row should be
    a contact of a member who could still leave (active before it).
    Standard errors are model-based; each contact's drop-out draw is
    independent given its CSAT in the simulation.

    Parameters
    ----------
    contacts : pandas.DataFrame
        One row per contact with a drop-out flag and a CSAT score.
    dropped_col, csat_col : str
        Column names.
    top_score : int
        The best CSAT score (5).
    key : str or None, default "contact_id"
        Column of ``contacts`` that identifies a support contact: a repeated
        value is an error (it would be counted twice). Checked when the table
        has the column; ``None`` skips the check.

    Returns
    -------
    statsmodels LogitResults
        Terms ``Intercept`` and ``csat_shortfall``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> csat = rng.integers(1, 6, 20_000)
    >>> dropped = rng.random(20_000) < 1 / (1 + np.exp(3.5 - 0.55 * (5 - csat)))
    >>> fit = contact_dropout_logit(pd.DataFrame({"csat": csat, "dropped_out_after": dropped}))
    >>> fit.params.round(1).tolist()
    [-3.5, 0.5]
    """
    import statsmodels.formula.api as smf

    top_score = int(check_number(top_score, "top_score", low=2, integer=True))
    check_frame(contacts, {dropped_col: "bool", csat_col: "numeric"}, name="contacts")
    check_unique(contacts, key, name="contacts")
    check_range(contacts, csat_col, low=1, high=top_score, name="contacts")
    y = contacts[dropped_col].astype(float)
    if y.nunique() < 2:
        raise ValueError(f"contacts: column {dropped_col!r} should hold both outcomes (some drop-outs, some not); found only {y.iloc[0]:g}")
    frame = pd.DataFrame({"dropped": y.to_numpy(), "csat_shortfall": top_score - contacts[csat_col].to_numpy(dtype=float)})
    return smf.logit("dropped ~ csat_shortfall", frame).fit(disp=0)

