r"""Maximum-likelihood machinery shared by the BG/NBD and Gamma–Gamma fitters (private).

* ``_distinct`` — collapse identical rows into one, adding up their weights: a
  customer base has far fewer distinct (frequency, recency, T) rows than
  members, and the likelihood is summed over those;
* ``_maximise`` — maximise a log-likelihood over positive parameters with BFGS
  on their logs and the analytic gradient, warning when a parameter runs off to
  0 or infinity;
* ``_covariance`` — the inverse of the numerical Hessian of the negative
  log-likelihood at the estimate, with a check that the optimiser converged;
* ``_Fitter`` — what every fitter shares: ``from_params`` (a model with given
  parameters), ``summary`` (estimates, standard errors and Wald 95% intervals),
  the fitted attributes, and ``_check_identified``, the rule that refuses a
  sample too small to identify the model (below);
* ``_dot`` and ``_softplus`` — an inner product without BLAS threads and
  :math:`\log(1 + e^d)` without overflow.

Standard errors are the square roots of the diagonal of the inverse observed
information (:data:`SE_KIND`, shown in every summary).

**Samples too small to identify a model are refused.** Maximum likelihood on a
handful of customers does not fail: it returns a parameter run off towards 0
or infinity (one customer gives a BG/NBD ``r`` of about 3e7) or Wald intervals
that reach below zero, with at most a warning. Every fitter therefore calls
``_check_identified`` before it maximises, and ``_maximise`` repeats the first
rule for any fitter that forgets; the thresholds are:

* at least :data:`MIN_PER_PARAMETER` (10) members per parameter (40 for the
  four BG/NBD parameters, 30 for the three Gamma–Gamma ones), counted with
  their weights;
* at least as many distinct rows as parameters plus one: with fewer, the
  weighted rows pin down fewer quantities than the model has parameters;
* at least 10 informative members per parameter the model learns only from
  them: the repeat buyers for BG/NBD's drop-out parameters ``a`` and ``b``
  (drop-out is seen only after a repeat purchase, so 20), every Gamma–Gamma
  parameter (spend is seen only in repeat purchases, so 30). A fitter states
  its informative members and how many parameters depend on them.

Ten observations per parameter is the rule of thumb of events per variable in
logistic regression (Peduzzi et al., 1996), where fewer gave biased estimates
and intervals of the wrong coverage; it is a floor, not a guarantee: above it,
read the standard errors. The floor is each fitter's class attribute
``min_per_parameter``, so a new fitter inherits it and a study can state a
stricter one.

Not part of the public interface: use :class:`crm_course.clv.BGNBDFitter` and
:class:`crm_course.clv.GammaGammaFitter`.

References
----------
Peduzzi, P., Concato, J., Kemper, E., Holford, T. R., & Feinstein, A. R.
(1996). A simulation study of the number of events per variable in logistic
regression analysis. *Journal of Clinical Epidemiology*, 49(12), 1373–1379.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from crm_course.validation import check_number

#: How the standard errors of both fitters are computed (shown in every summary).
SE_KIND = "inverse observed information (numerical Hessian at the MLE)"


_Z95 = 1.959963984540054

#: Fewest members (and informative members) per parameter a fit accepts; see the module docstring.
MIN_PER_PARAMETER = 10


def _too_few_members(members: float, n_params: int, *, model: str, per_parameter: float) -> None:
    need = per_parameter * n_params
    if members < need:
        raise ValueError(
            f"summary: too few members to fit the {model} model: {members:g} for its {n_params} parameters; "
            f"expected at least {need:g} ({per_parameter:g} per parameter): with fewer, the estimates run off "
            "towards 0 or infinity and their intervals mean nothing"
        )


def _distinct(columns: dict[str, np.ndarray], weights: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Collapse identical rows into one, adding up their weights."""
    frame = pd.DataFrame(columns)
    frame["_w"] = weights
    frame = frame[frame["_w"] > 0]
    grouped = frame.groupby(list(columns), sort=False, as_index=False)["_w"].sum()
    return {k: grouped[k].to_numpy(dtype=float) for k in columns}, grouped["_w"].to_numpy(dtype=float)


def _dot(u: np.ndarray, v: np.ndarray) -> float:
    """Inner product of two 1-D arrays without BLAS.

    A BLAS dot of a few hundred thousand elements may hand the work to a
    thread pool, and on a small or busy machine waking the pool costs far more
    than the sum itself; these sums run dozens of times per fit.
    """
    return float(np.einsum("i,i->", u, v))


def _softplus(d: np.ndarray) -> np.ndarray:
    """log(1 + exp(d)) without overflow; exact 0 at d = -inf."""
    return np.maximum(d, 0.0) + np.log1p(np.exp(-np.abs(d)))


def _maximise(
    loglik: Callable[[np.ndarray, bool], tuple[float, np.ndarray]],
    start: np.ndarray,
    total_weight: float,
) -> tuple[np.ndarray, Any]:
    """Maximise ``loglik`` over positive parameters, searching on their logs with BFGS.

    Refuses fewer than :data:`MIN_PER_PARAMETER` members per parameter (the
    first identification rule, for any fitter that did not call
    ``_Fitter._check_identified``).
    """
    from scipy.optimize import minimize

    _too_few_members(total_weight, len(start), model="customer-base", per_parameter=MIN_PER_PARAMETER)

    edge = 30.0

    def objective(u: np.ndarray) -> tuple[float, np.ndarray]:
        # Beyond exp(+-30) the parameter is degenerate anyway; clipping keeps the search finite.
        theta = np.exp(np.clip(u, -edge, edge))
        ll, grad = loglik(theta, True)
        # Per member, so that the tolerance means the same for any number of members.
        return -ll / total_weight, -grad * theta * (np.abs(u) < edge) / total_weight

    # BFGS rather than L-BFGS-B: with three or four parameters its dense update
    # is tiny, while L-BFGS-B's compiled core, not the likelihood, took most of
    # the time of a fit in the benchmark (benchmarks/bench_clv.py).
    result = minimize(objective, np.log(start), jac=True, method="BFGS", options={"gtol": 1e-9, "maxiter": 1000})
    theta = np.exp(np.clip(result.x, -edge, edge))
    if np.any(np.abs(result.x) >= edge):
        warnings.warn("a parameter ran off to 0 or infinity (beyond exp(+-30)); the model does not fit these "
                      "data, and its standard errors are meaningless", RuntimeWarning, stacklevel=3)
    return theta, result


def _covariance(grad: Callable[[np.ndarray], np.ndarray], theta: np.ndarray, message: str) -> np.ndarray:
    """Inverse of the numerical Hessian of the negative log-likelihood at ``theta``.

    Also checks convergence: the optimiser's line search may stop on a flat
    ridge with the gradient not quite zero, which is harmless when the Newton
    step still to go is a small fraction of a standard error.
    """
    k = theta.size
    hessian = np.empty((k, k))
    for j in range(k):  # k parameters, not members: a loop of 3 or 4
        step = 1e-4 * theta[j]
        up, down = theta.copy(), theta.copy()
        up[j] += step
        down[j] -= step
        hessian[:, j] = -(grad(up) - grad(down)) / (2 * step)
    hessian = (hessian + hessian.T) / 2
    try:
        np.linalg.cholesky(hessian)
    except np.linalg.LinAlgError:
        warnings.warn("the Hessian at the estimate is not positive definite; standard errors are NaN",
                      RuntimeWarning, stacklevel=3)
        return np.full((k, k), np.nan)
    cov = np.linalg.inv(hessian)
    remaining = np.abs(cov @ grad(theta)) / np.sqrt(np.diag(cov))
    if np.any(remaining > 0.01):
        warnings.warn(f"the likelihood maximisation did not converge ({message}): the estimate is still "
                      f"{remaining.max():.2g} standard errors from the optimum", RuntimeWarning, stacklevel=3)
    return cov


def _summary_table(names: tuple[str, ...], theta: np.ndarray, cov: np.ndarray) -> pd.DataFrame:
    se = np.sqrt(np.diag(cov))
    table = pd.DataFrame(
        {"estimate": theta, "std_error": se, "lower_95": theta - _Z95 * se, "upper_95": theta + _Z95 * se},
        index=pd.Index(names, name="parameter"),
    )
    table.attrs["standard_errors"] = SE_KIND
    return table


class _Fitter:
    """What every fitter shares: parameters, covariance, summary, and the identification rule."""

    _names: tuple[str, ...] = ()
    #: The model's name in messages.
    _model = "customer-base"
    #: Fewest members, and informative members, per parameter a fit accepts (see the module docstring).
    min_per_parameter: float = MIN_PER_PARAMETER

    def __init__(self) -> None:
        self.params_: pd.Series | None = None

    def _check_identified(self, members: float, n_distinct: int, *, informative: float | None = None,
                          informative_label: str = "", informative_params: int = 0, why: str = "") -> None:
        """Refuse data the model cannot identify; call before maximising.

        Parameters
        ----------
        members : float
            Members in the fit (the sum of the weights).
        n_distinct : int
            Distinct rows the likelihood is summed over.
        informative : float, optional
            Members who carry the information some parameters rest on (e.g.
            repeat buyers), counted with their weights.
        informative_label : str
            What they are, for the message ("repeat buyers (frequency > 0)").
        informative_params : int
            How many parameters are learnt from them alone.
        why : str
            Why those parameters need them, for the message.
        """
        n_params = len(self._names)
        _too_few_members(members, n_params, model=self._model, per_parameter=self.min_per_parameter)
        if informative is not None and informative_params:
            need = self.min_per_parameter * informative_params
            if informative < need:
                raise ValueError(
                    f"summary: too few {informative_label} to fit the {self._model} model: {informative:g}; "
                    f"expected at least {need:g} ({self.min_per_parameter:g} for each of the {informative_params} "
                    f"parameter(s) that rest on them: {why})"
                )
        if n_distinct < n_params + 1:
            raise ValueError(
                f"summary: too few distinct rows to fit the {self._model} model: {n_distinct} for its {n_params} "
                f"parameters; expected at least {n_params + 1}: identical rows, however many, tell the model "
                "only one thing"
            )

    @classmethod
    def from_params(cls, **params: float) -> Any:
        """A model with the given parameters instead of fitted ones.

        For predictions under a planted truth or a "what if" scenario; it has
        no standard errors (NaN) and no log-likelihood.

        Examples
        --------
        >>> from crm_course.clv import BGNBDFitter
        >>> BGNBDFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426).probability_alive(0, 0.0, 39.0)
        1.0
        """
        if sorted(params) != sorted(cls._names):
            raise ValueError(f"params: expected exactly {', '.join(cls._names)}; found {', '.join(params) or 'none'}")
        theta = np.array([float(check_number(params[k], k, low=0, inclusive=False)) for k in cls._names])
        model = cls()
        k = len(cls._names)
        model._store(theta, np.full((k, k), np.nan), np.nan, None, np.nan, 0)
        return model

    def _require_fit(self) -> np.ndarray:
        if self.params_ is None:
            raise ValueError(f"{type(self).__name__} is not fitted yet: call fit() first")
        return self.params_.to_numpy()

    @property
    def summary(self) -> pd.DataFrame:
        """Estimates, standard errors and Wald 95% intervals, one row per parameter.

        The standard errors are the square roots of the diagonal of the
        inverse observed information (``summary.attrs["standard_errors"]``).
        """
        theta = self._require_fit()
        return _summary_table(self._names, theta, self.variance_matrix_.to_numpy())

    def _store(self, theta: np.ndarray, cov: np.ndarray, ll: float, result: Any,
               n_members: float, n_distinct: int) -> None:
        self.params_ = pd.Series(theta, index=self._names, name="estimate")
        self.variance_matrix_ = pd.DataFrame(cov, index=self._names, columns=self._names)
        self.standard_errors_ = pd.Series(np.sqrt(np.diag(cov)), index=self._names, name="std_error")
        self.log_likelihood_ = float(ll)
        self.n_members_ = float(n_members)
        self.n_distinct_ = int(n_distinct)
        self.optimizer_result_ = result
        self.standard_errors_kind = SE_KIND

    def __repr__(self) -> str:
        if self.params_ is None:
            return f"<{type(self).__name__}: not fitted>"
        shown = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        return f"<{type(self).__name__}: {shown}; log-likelihood {self.log_likelihood_:.2f}; n={self.n_members_:g}>"
