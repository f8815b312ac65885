"""Plots of the customer-base models: fit, holdout, tracking, heat-maps and survival.

The figures Fader, Hardie and co-authors use to judge a model, each drawn from
a fitted model of :mod:`crm_course.clv` and the data (the tables behind them
are in :mod:`crm_course.clv.comparison` and :mod:`crm_course.clv.evaluation`):

* :func:`plot_period_transactions` -- members by number of repeat purchases in
  calibration, actual against the model (its fit histogram);
* :func:`plot_calibration_vs_holdout` -- mean holdout purchases by
  calibration frequency, actual against the conditional expectations;
* :func:`plot_tracking` -- repeat purchases week by week, cumulative or
  incremental, actual against the model, through calibration and holdout;
* :func:`plot_frequency_recency_matrix` -- a heat-map of expected purchases in
  the next period by frequency and recency;
* :func:`plot_probability_alive_matrix` -- the same for the probability of
  being alive;
* :func:`plot_survival` -- an sBG model's survival curve against a cohort's
  survival table, with the projection beyond it.

The fitted repeat-purchase models also carry the first five as methods, in the
manner of lifelines (``model.plot_period_transactions(summary)``), and
:class:`crm_course.clv.SBGFitter` carries ``plot_survival``. Every function
draws on ``ax`` if given (else on a new figure) and returns the Axes, with a
title and labelled axes; matplotlib is imported only when a plot is drawn.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import numpy as np
>>> from crm_course.clv import BGNBDFitter, simulate_bgnbd
>>> members = simulate_bgnbd(2_000, r=0.25, alpha=4.0, a=0.8, b=2.5, T=39.0, rng=np.random.default_rng(0))
>>> ax = BGNBDFitter().fit(members).plot_period_transactions(members)
>>> ax.get_xlabel()
'Repeat purchases in the calibration period'
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_course.language import tr, tr_noop

__all__ = [
    "plot_calibration_vs_holdout",
    "plot_frequency_recency_matrix",
    "plot_period_transactions",
    "plot_probability_alive_matrix",
    "plot_survival",
    "plot_tracking",
]

# The course palette (crm_course.plots.PALETTE): blue for data, orange for the model.
_ACTUAL, _MODEL = "#0072B2", "#E69F00"

#: Time units the labels name in words (in the current language); any other unit is shown as given.
_UNITS = {"days": tr_noop("days"), "weeks": tr_noop("weeks"), "months": tr_noop("months"),
          "years": tr_noop("years"), "periods": tr_noop("periods")}


def _unit(unit: str) -> str:
    return tr(_UNITS[unit]) if unit in _UNITS else unit


def _axes(ax: Any) -> Any:
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    return ax


def plot_period_transactions(model: Any, summary: pd.DataFrame, *, max_frequency: int = 7, ax: Any = None) -> Any:
    """Members by number of repeat purchases in calibration, actual against the fitted model.

    Parameters
    ----------
    model : fitted repeat-purchase model
    summary : pandas.DataFrame
        Columns ``frequency``, ``recency`` and ``T`` the model was fitted on.
    max_frequency : int
        First pooled group ("7+").
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Two bar series, labelled "Actual" and "Model"; the title gives
        Pearson's chi-square (:func:`crm_course.clv.frequency_histogram`).
    """
    from crm_course.clv.comparison import frequency_histogram

    table = frequency_histogram(model, summary, max_frequency=max_frequency)
    ax = _axes(ax)
    at = np.arange(len(table))
    ax.bar(at - 0.2, table["actual"], width=0.4, color=_ACTUAL, label=tr("Actual"))
    ax.bar(at + 0.2, table["expected"], width=0.4, color=_MODEL, label=tr("Model"))
    ax.set_xticks(at, table.index.tolist())
    ax.set(xlabel=tr("Repeat purchases in the calibration period"), ylabel=tr("Members"),
           title=tr("Fit of {model}: members by repeat purchases (chi-square {chi2:.1f}, {df} d.f.)",
                    model=type(model).__name__, chi2=table.attrs["chi_square"], df=table.attrs["degrees_of_freedom"]))
    ax.legend()
    return ax


def plot_calibration_vs_holdout(model: Any, data: pd.DataFrame, *, max_frequency: int = 7, ax: Any = None,
                                **columns: str) -> Any:
    """Mean holdout purchases by calibration frequency: actual against the model's conditional expectations.

    Parameters
    ----------
    model : fitted repeat-purchase model
        Fitted on the calibration columns of ``data``.
    data : pandas.DataFrame
        From :func:`crm_course.clv.calibration_holdout`.
    max_frequency : int
        First pooled group ("7+").
    ax : matplotlib Axes, optional
    **columns : str
        Column names, as for :func:`crm_course.clv.holdout_validation`
        (``frequency_col``, ``holdout_col``, ``duration_col``).

    Returns
    -------
    matplotlib Axes
        Two lines over the frequency groups, "Actual" and "Model".
    """
    from crm_course.clv.evaluation import holdout_validation

    table = holdout_validation(model, data, max_frequency=max_frequency, **columns).drop(index="all")
    ax = _axes(ax)
    at = np.arange(len(table))
    ax.plot(at, table["actual"], marker="o", color=_ACTUAL, label=tr("Actual"))
    ax.plot(at, table["predicted"], marker="s", linestyle="--", color=_MODEL, label=tr("Model"))
    ax.set_xticks(at, table.index.tolist())
    ax.set(xlabel=tr("Repeat purchases in the calibration period"), ylabel=tr("Mean purchases in the holdout period"),
           title=tr("Conditional expectations of {model}: calibration against holdout", model=type(model).__name__))
    ax.legend()
    return ax


def plot_tracking(model: Any, transactions: pd.DataFrame, calibration_end: Any, observation_end: Any, *,
                  cumulative: bool = True, ax: Any = None, customer_col: str = "customer_id",
                  date_col: str = "order_date") -> Any:
    """Repeat purchases week by week, actual against the model, through calibration and holdout.

    The cohort is the members who made their first purchase on or before
    ``calibration_end``; the model (fitted in weeks) expects the sum of
    their ``expected_purchases`` since their first purchase
    (:func:`crm_course.clv.repeat_purchase_tracking`). A dashed vertical
    line marks the end of calibration.

    Parameters
    ----------
    model : fitted repeat-purchase model
        Fitted in weeks.
    transactions : pandas.DataFrame
        Orders with a customer identifier and an order date.
    calibration_end, observation_end : date-like
    cumulative : bool
        Cumulative purchases (default) or purchases in each week.
    ax : matplotlib Axes, optional
    customer_col, date_col : str
        Column names.

    Returns
    -------
    matplotlib Axes
        Two lines over the week ends, "Actual" and "Model".
    """
    from crm_course.clv.evaluation import repeat_purchase_tracking

    table = repeat_purchase_tracking(model, transactions, calibration_end, observation_end,
                                     customer_col=customer_col, date_col=date_col)
    actual, predicted = table["actual"].to_numpy(dtype=float), table["predicted"].to_numpy(dtype=float)
    if not cumulative:
        actual, predicted = np.diff(actual, prepend=0.0), np.diff(predicted, prepend=0.0)
    ax = _axes(ax)
    ax.plot(table["week_end"], actual, color=_ACTUAL, label=tr("Actual"))
    ax.plot(table["week_end"], predicted, linestyle="--", color=_MODEL, label=tr("Model"))
    ax.axvline(table.loc[table["calibration"], "week_end"].max(), color="grey", linestyle=":",
               label=tr("End of calibration"))
    kind = tr("Cumulative repeat purchases") if cumulative else tr("Repeat purchases in the week")
    ax.set(xlabel=tr("Week ending"), ylabel=kind,
           title=tr("Tracking of {model}: {kind}, actual against model", model=type(model).__name__,
                    kind=kind.lower()))
    ax.legend()
    return ax


def _heatmap(table: pd.DataFrame, ax: Any, *, label: str, title: str, unit: str, vmax: float | None) -> Any:
    ax = _axes(ax)
    image = ax.imshow(table.to_numpy(), origin="lower", aspect="auto", cmap="viridis", vmin=0, vmax=vmax,
                      interpolation="nearest")
    recency = table.columns.to_numpy(dtype=float)
    step = max(1, len(recency) // 8)
    ax.set_xticks(np.arange(len(recency))[::step], [f"{r:g}" for r in recency[::step]])
    ax.set(xlabel=tr("Recency: time of the last repeat purchase ({unit} after the first)", unit=_unit(unit)),
           ylabel=tr("Frequency: repeat purchases"), title=title)
    ax.figure.colorbar(image, ax=ax, label=label)
    return ax


def plot_frequency_recency_matrix(model: Any, T: float, *, t: float = 1.0, max_frequency: int | None = None,
                                  recency: Any = None, unit: str = "periods", ax: Any = None) -> Any:
    """Heat-map of the purchases expected in the next ``t`` periods by frequency and recency.

    Parameters
    ----------
    model : fitted repeat-purchase model
    T : float
        Length of observation of the histories.
    t : float
        Length of the future period.
    max_frequency : int, optional
    recency : array-like, optional
        See :func:`crm_course.clv.frequency_recency_matrix`.
    unit : str
        Name of the model's time unit, for the labels (e.g. "weeks").
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        The image holds :func:`crm_course.clv.frequency_recency_matrix`
        (frequency up the rows, recency along the columns; blank where the
        history cannot happen).
    """
    from crm_course.clv.comparison import frequency_recency_matrix

    table = frequency_recency_matrix(model, T, t=t, max_frequency=max_frequency, recency=recency)
    return _heatmap(table, ax, label=tr("Expected purchases in the next {t:g} {unit}", t=t, unit=_unit(unit)),
                    unit=unit, vmax=None,
                    title=tr("Expected purchases by frequency and recency ({model}, T = {T:g} {unit})",
                             model=type(model).__name__, T=T, unit=_unit(unit)))


def plot_probability_alive_matrix(model: Any, T: float, *, max_frequency: int | None = None, recency: Any = None,
                                  unit: str = "periods", ax: Any = None) -> Any:
    """Heat-map of the probability of being alive by frequency and recency.

    Parameters
    ----------
    model : fitted repeat-purchase model
    T : float
        Length of observation of the histories.
    max_frequency : int, optional
    recency : array-like, optional
        See :func:`crm_course.clv.probability_alive_matrix`.
    unit : str
        Name of the model's time unit, for the labels.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        The image holds :func:`crm_course.clv.probability_alive_matrix`, on
        a colour scale from 0 to 1.
    """
    from crm_course.clv.comparison import probability_alive_matrix

    table = probability_alive_matrix(model, T, max_frequency=max_frequency, recency=recency)
    return _heatmap(table, ax, label=tr("Probability alive"), unit=unit, vmax=1.0,
                    title=tr("Probability alive by frequency and recency ({model}, T = {T:g} {unit})",
                             model=type(model).__name__, T=T, unit=_unit(unit)))


def plot_survival(model: Any, survivors: Any = None, *, horizon: int | None = None, unit: str = "periods",
                  ax: Any = None) -> Any:
    """An sBG model's survival curve, against a cohort's survival table, with its projection.

    Parameters
    ----------
    model : crm_course.clv.SBGFitter
        Fitted (or from ``from_params``).
    survivors : array-like, optional
        A cohort's survival table (cohort size first), drawn as points; the
        part the model was fitted on need not be all of it.
    horizon : int, optional
        Last period of the curve (default: the table's last period, or 12).
    unit : str
        Name of the renewal period, for the labels (e.g. "years").
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        A line "Model" (percent of the cohort still active) and, with
        ``survivors``, points "Actual".
    """
    from crm_course.clv.sbg import _cohorts

    if not hasattr(model, "survival"):
        raise TypeError(f"model: expected an SBGFitter; found {type(model).__name__}")
    table = None if survivors is None else _cohorts(survivors)[0]
    if horizon is None:
        horizon = 12 if table is None else table.size - 1
    projection = model.project(horizon)
    ax = _axes(ax)
    ax.plot(projection.index, 100 * projection["survival"], color=_MODEL, label=tr("Model"))
    if table is not None:
        ax.plot(np.arange(table.size), 100 * table / table[0], "o", color=_ACTUAL, label=tr("Actual"))
    ax.set(xlabel=tr("Renewal periods ({unit}) since acquisition", unit=_unit(unit)),
           ylabel=tr("Customers still active (% of cohort)"),
           title=tr("Survival of a cohort: shifted-beta-geometric model, gamma {gamma:.3f}, delta {delta:.3f}",
                    gamma=model.params_["gamma"], delta=model.params_["delta"]), ylim=(0, 105))
    ax.legend()
    return ax


class _PlotMethods:
    """The plots above as methods of a fitted repeat-purchase model (lifelines style)."""

    def plot_period_transactions(self, summary: pd.DataFrame, **kwargs: Any) -> Any:
        """Members by repeat purchases, actual against the model; see :func:`plot_period_transactions`."""
        return plot_period_transactions(self, summary, **kwargs)

    def plot_calibration_vs_holdout(self, data: pd.DataFrame, **kwargs: Any) -> Any:
        """Holdout purchases by calibration frequency; see :func:`plot_calibration_vs_holdout`."""
        return plot_calibration_vs_holdout(self, data, **kwargs)

    def plot_tracking(self, transactions: pd.DataFrame, calibration_end: Any, observation_end: Any,
                      **kwargs: Any) -> Any:
        """Weekly repeat purchases, actual against the model; see :func:`plot_tracking`."""
        return plot_tracking(self, transactions, calibration_end, observation_end, **kwargs)

    def plot_frequency_recency_matrix(self, T: float, **kwargs: Any) -> Any:
        """Heat-map of expected purchases; see :func:`plot_frequency_recency_matrix`."""
        return plot_frequency_recency_matrix(self, T, **kwargs)

    def plot_probability_alive_matrix(self, T: float, **kwargs: Any) -> Any:
        """Heat-map of P(alive); see :func:`plot_probability_alive_matrix`."""
        return plot_probability_alive_matrix(self, T, **kwargs)
