r"""What the repeat-purchase models share (private): input checks, the fit loop and the prediction methods.

The MBG/NBD, Pareto/NBD and BG/BB fitters (:mod:`crm_course.clv.mbgnbd`,
:mod:`crm_course.clv.pareto_nbd`, :mod:`crm_course.clv.bgbb`) differ only in
their formulas. Each supplies five kernels, all vectorised and all taking the
parameter vector ``theta`` explicitly (so that a CLV interval can evaluate them
at perturbed parameters):

* ``_likelihood(x, tx, T, w)`` -- a callable ``loglik(theta, gradient)``
  returning the weighted log-likelihood over distinct rows and its gradient;
* ``_alive_logit(theta, x, tx, T)`` -- :math:`\log[(1 - P(\text{alive})) / P(\text{alive})]`;
* ``_future(theta, t, x, T)`` -- the purchases expected in :math:`(T, T + t]`
  from a customer who is alive (so that the conditional expectation is
  :math:`P(\text{alive})` times it, and depends on the history only through
  :math:`x` and :math:`T`);
* ``_expected(theta, t)`` -- :math:`E[X(t)]` for a new customer;
* ``_pmf(theta, n, t)`` -- :math:`P(X(t) = n)` for a new customer.

:class:`_PurchaseModel` turns them into the interface of
:class:`crm_course.clv.BGNBDFitter`: ``fit`` (maximum likelihood over the
distinct rows, with weights), ``summary``, ``expected_purchases``,
``probability_alive``, ``conditional_expected_purchases``, ``predict`` and
``probability_of_purchases``, and the plot methods of
``crm_course.clv.plots``.

Fits the data cannot identify are refused with a ``ValueError`` before any
optimisation: without a repeat purchase nothing measures the purchase rate,
without observed time nothing measures anything, and without a member who has
been silent for a while (recency below T) nothing says that anyone drops out.

Not part of the public interface: import the fitters from :mod:`crm_course.clv`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from crm_course.clv.checks import (
    _RFM,
    _array,
    _first_bad,
    _rfm_input,
    _weights_input,
    _wrap,
)
from crm_course.clv.fitting import (
    _covariance,
    _distinct,
    _dot,
    _Fitter,
    _maximise,
    _softplus,
)
from crm_course.clv.plots import _PlotMethods

#: Internal: only the private base class of the fitters lives here; the public fitters are
#: re-exported by :mod:`crm_course.clv`.
__all__: list[str] = []


def _check_discrete(frame: pd.DataFrame, *, name: str) -> None:
    """Whole opportunities, and x transactions need at least x opportunities up to the last one."""
    for column in ("recency", "T"):
        values = frame[column].to_numpy(dtype=float)
        if (bad := values != np.floor(values)).any():
            raise ValueError(
                f"{name}: column {column!r} should hold whole numbers of transaction opportunities in a "
                f"discrete-time model; found {_first_bad(values, bad)}"
            )
    x = frame["frequency"].to_numpy(dtype=float)
    tx = frame["recency"].to_numpy(dtype=float)
    if (bad := tx < x).any():
        raise ValueError(
            f"{name}: column 'recency' should be >= 'frequency' (x transactions take at least x opportunities, "
            f"the last of them at opportunity 'recency'); found {int(bad.sum())} row(s), e.g. frequency "
            f"{float(x[bad][0])!r} with recency {float(tx[bad][0])!r}"
        )


def _cumulative_by_pair(future: Callable[..., np.ndarray], theta: np.ndarray, x: np.ndarray, T: np.ndarray,
                        ends: np.ndarray) -> np.ndarray:
    """``future(theta, ends, x, T)`` for every member, evaluated once per distinct (x, T) pair.

    What a member alive at T buys later depends on (x, T) alone, and members
    share few such pairs, so the (often hypergeometric) terms are evaluated
    once per pair and gathered. Returns an array of shape ``(len(x), len(ends))``.
    """
    pair = pd.DataFrame({"x": x, "T": T}).groupby(["x", "T"], sort=False).ngroup().to_numpy()
    pair_x, pair_T = np.empty(pair.max() + 1), np.empty(pair.max() + 1)
    pair_x[pair], pair_T[pair] = x, T
    return future(theta, ends[None, :], pair_x[:, None], pair_T[:, None])[pair]


def _history_shape(frame: pd.DataFrame, t: np.ndarray, originals: tuple[Any, ...]) -> tuple[np.ndarray, ...]:
    """History columns shaped to broadcast against ``t`` (one history, many horizons is allowed)."""
    shape = (len(frame),) if len(frame) > 1 else np.broadcast_shapes(*map(np.shape, originals))
    columns = tuple(frame[c].to_numpy().reshape(shape) for c in _RFM)
    try:
        np.broadcast_shapes(t.shape, shape)
    except ValueError:
        raise ValueError(f"t: expected a number or {len(frame)} values, one per customer; "
                         f"found shape {t.shape}") from None
    return columns


class _PurchaseModel(_Fitter, _PlotMethods):
    """Fit loop and prediction methods of a repeat-purchase model, from its kernels."""

    #: True for models of discrete transaction opportunities (BG/BB): times are whole numbers.
    _discrete = False

    # ------------------------------------------------------------------ kernels (per model)

    def _likelihood(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> Any:
        raise NotImplementedError

    def _start(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _alive_logit(self, theta: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _future(self, theta: np.ndarray, t: np.ndarray, x: np.ndarray, T: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _expected(self, theta: np.ndarray, t: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _pmf(self, theta: np.ndarray, n: np.ndarray, t: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    # ------------------------------------------------------------------ inputs

    def _input(self, summary: pd.DataFrame | None, frequency: Any, recency: Any, T: Any,
               *, name: str = "summary") -> pd.DataFrame:
        frame = _rfm_input(summary, frequency, recency, T, name=name)
        if self._discrete:
            _check_discrete(frame, name=name)
        return frame

    def _time(self, t: Any, name: str = "t") -> np.ndarray:
        arr = _array(t, name, low=0)
        if self._discrete and (arr != np.floor(arr)).any():
            bad = arr != np.floor(arr)
            raise ValueError(f"{name}: expected whole numbers of transaction opportunities; "
                             f"found {float(arr[bad].flat[0])!r}")
        return arr

    def _check_data(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> None:
        """Refuse data that cannot identify the parameters (subclasses add their own rules)."""
        if not (w[x > 0] > 0).any():
            raise ValueError(
                "summary: column 'frequency' is 0 for every member; the model needs some repeat purchases to "
                "measure how often customers buy"
            )
        if _dot(w, T) <= 0:
            raise ValueError("summary: column 'T' is 0 for every member; the model needs time observed to fit")
        if not (w[tx < T] > 0).any():
            raise ValueError(
                "summary: every member bought at the very end of observation (recency equal to T); with no "
                "silent spell in the data nothing says that anyone drops out, so the dropout process cannot "
                "be estimated"
            )

    # ------------------------------------------------------------------ fit

    def fit(self, summary: pd.DataFrame | None = None, /, *, frequency: Any = None, recency: Any = None,
            T: Any = None, weights: Any = None) -> Any:
        """Fit the model by maximum likelihood.

        Parameters
        ----------
        summary : pandas.DataFrame, optional
            One row per member with columns ``frequency`` (repeat
            purchases), ``recency`` (time of the last repeat purchase after
            the first purchase; 0 if none) and ``T`` (time from the first
            purchase to the end of observation), e.g. from
            :func:`crm_course.clv.rfm_summary`. For the discrete-time BG/BB,
            ``T`` counts transaction opportunities and ``recency`` is the
            opportunity of the last transaction. Not modified.
        frequency, recency, T : array-like, optional
            The same as arrays, when no ``summary`` is given.
        weights : array-like, optional
            How many members each row stands for (default 1 each), so that a
            table of distinct rows with their counts fits like the members.

        Returns
        -------
        self
            Fitted: ``params_``, ``standard_errors_``, ``variance_matrix_``,
            ``log_likelihood_``, ``n_members_``, ``n_distinct_``.

        Raises
        ------
        ValueError
            For invalid input, and for data that cannot identify the
            parameters (no repeat purchase, no time observed, no silent
            spell; see the class for model-specific rules).
        """
        frame = self._input(summary, frequency, recency, T)
        w = _weights_input(weights, len(frame))
        rows, counts = _distinct({"x": frame["frequency"].to_numpy(dtype=float),
                                  "tx": frame["recency"].to_numpy(dtype=float),
                                  "T": frame["T"].to_numpy(dtype=float)}, w)
        x, tx, T_ = rows["x"], rows["tx"], rows["T"]
        self._check_data(x, tx, T_, counts)
        # the sample-size rule every fitter shares (crm_course.clv.fitting): enough members per parameter
        self._check_identified(float(counts.sum()), len(counts))
        loglik = self._likelihood(x, tx, T_, counts)
        theta, result = _maximise(loglik, self._start(x, tx, T_, counts), counts.sum())
        cov = _covariance(lambda th: loglik(th, True)[1], theta, result.message)
        self._store(theta, cov, loglik(theta, False)[0], result, counts.sum(), len(counts))
        return self

    # ------------------------------------------------------------------ predictions

    def expected_purchases(self, t: Any) -> Any:
        """Expected repeat purchases E[X(t)] of a new customer in (0, t].

        Parameters
        ----------
        t : float or array-like
            Length of the period, >= 0, in the fitted time unit (whole
            opportunities for the BG/BB).

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            Same shape as ``t``.
        """
        theta = self._require_fit()
        return _wrap(self._expected(theta, self._time(t)), t)

    def probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """Probability that a customer with history (frequency, recency, T) is still alive.

        Parameters
        ----------
        frequency, recency, T : float or array-like
            Repeat purchases, time of the last one, and length of observation.

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            Probabilities in [0, 1].
        """
        theta = self._require_fit()
        frame = self._input(None, frequency, recency, T, name="history")
        d = self._alive_logit(theta, *(frame[c].to_numpy() for c in _RFM))
        return _wrap(np.exp(-_softplus(d)), frequency, recency, T)

    def conditional_expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any) -> Any:
        """Expected purchases in the next ``t`` periods of a customer with history (frequency, recency, T).

        The probability of being alive times what a customer alive at the
        end of observation with ``frequency`` repeat purchases is expected to
        buy.

        Parameters
        ----------
        t : float or array-like
            Length of the future period, >= 0 (broadcast against the history).
        frequency, recency, T : float or array-like
            The customer's history.

        Returns
        -------
        float, numpy.ndarray or pandas.Series
        """
        theta = self._require_fit()
        frame = self._input(None, frequency, recency, T, name="history")
        t_arr = self._time(t)
        x, tx, T_ = _history_shape(frame, t_arr, (frequency, recency, T))
        alive = np.exp(-_softplus(self._alive_logit(theta, x, tx, T_)))
        return _wrap(alive * self._future(theta, t_arr, x, T_), frequency, recency, T, t)

    def predict(self, t: Any, summary: pd.DataFrame) -> pd.Series:
        """Expected purchases in the next ``t`` periods for every row of a summary.

        Parameters
        ----------
        t : float or array-like
            Length of the future period (one value, or one per row).
        summary : pandas.DataFrame
            Columns ``frequency``, ``recency`` and ``T``.

        Returns
        -------
        pandas.Series
            Indexed like ``summary``.
        """
        frame = self._input(summary, None, None, None)
        values = self.conditional_expected_purchases(
            t.to_numpy() if isinstance(t, pd.Series) else t, *(frame[c].to_numpy() for c in _RFM),
        )
        return pd.Series(np.broadcast_to(values, (len(frame),)), index=summary.index, name="expected_purchases")

    def probability_of_purchases(self, n: Any, t: Any) -> Any:
        """Probability that a new customer makes exactly ``n`` repeat purchases in (0, t].

        The model's fitted histogram of repeat purchases: summed over the
        members' observation times it is the "expected" bar of
        :func:`crm_course.clv.plots.plot_period_transactions`.

        Parameters
        ----------
        n : int or array-like of int
            Numbers of repeat purchases, >= 0.
        t : float or array-like
            Lengths of the period, >= 0 (broadcast against ``n``).

        Returns
        -------
        float, numpy.ndarray or pandas.Series
        """
        theta = self._require_fit()
        n_arr = _array(n, "n", low=0)
        if (n_arr != np.floor(n_arr)).any():
            bad = n_arr[n_arr != np.floor(n_arr)]
            raise ValueError(f"n: expected whole numbers of purchases; found {float(bad.flat[0])!r}")
        t_arr = self._time(t)
        try:
            n_b, t_b = np.broadcast_arrays(n_arr, t_arr)
        except ValueError:
            raise ValueError(f"n, t: expected shapes that broadcast; found {n_arr.shape} and {t_arr.shape}") from None
        return _wrap(self._pmf(theta, n_b, t_b), n, t)

    def _conditional_cumulative(self, theta: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray,
                                ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """P(alive) and the expected purchases in (T, T + e] for every member and every end e."""
        alive = np.exp(-_softplus(self._alive_logit(theta, x, tx, T)))
        return alive, alive[:, None] * _cumulative_by_pair(self._future, theta, x, T, ends)
