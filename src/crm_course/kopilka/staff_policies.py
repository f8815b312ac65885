"""The staff policies of the board case (chapter 4): each lever as a change to the regressors, its cost and its gains.

Kopilka-specific. A staff policy (pay on time, own desks, training, an
empowerment policy, or the board's chosen package of them) changes the working
conditions of many agents at once. :func:`staff_changes` writes the policy as
the average change of each regressor of chapter 4's models; the board case
(:func:`crm_course.kopilka.board.board_case`, step 3) turns those weights into
engagement and CSAT gains with their standard errors
(:func:`crm_course.inference.linear_combinations`) and prices each lever with
the costs of :class:`~crm_course.kopilka.assumptions.BoardAssumptions`.

Examples
--------
>>> import pandas as pd
>>> from crm_course.kopilka.staff_policies import staff_changes
>>> agents = pd.DataFrame({"paid_on_time": [1, 0], "shared_desk": [1, 0],
...                        "empowered": [1, 0], "fit": [1, 0]})
>>> staff_changes(agents)["pay everyone on time"]
{'paid_on_time': 0.5}
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_course.kopilka.assumptions import BoardAssumptions, _check_assumptions
from crm_course.validation import check_frame

__all__ = ["staff_changes"]


def staff_changes(
    rows: pd.DataFrame,
    assumptions: BoardAssumptions | None = None,
    *,
    fit: str = "fit",
) -> dict[str, dict[str, float]]:
    """The staff levers as changes to the regressors, averaged over ``rows``.

    A policy changes each agent's working conditions: paying everyone on
    time sets ``paid_on_time`` to 1, own desks set ``shared_desk`` to 0,
    training adds hours, and an empowerment policy sets ``empowered`` to 1
    for everybody ("universal") or for the agents who meet all three
    criteria ("selective"), against a baseline of nobody empowered. Because
    the models are linear in these terms, the average effect of a policy is
    the sum of each coefficient times the **average change** of its term —
    the weights returned here, ready for
    :func:`crm_course.inference.linear_combinations`. Averaged over
    agents they give the average agent's engagement gain; averaged over
    contacts (rows of :func:`crm_course.kopilka.support.support_frame`) they
    give the average contact's CSAT gain.

    Parameters
    ----------
    rows : pandas.DataFrame
        Agents (one row each) or contacts joined to their agents, with the
        0/1 or True/False columns ``paid_on_time``, ``shared_desk``,
        ``empowered`` and ``fit`` (or the three criteria columns of
        :data:`crm_course.ratings.CRITERIA`, from which ``fit`` is made).
        Averages over the rows as given: no key is checked.
    assumptions : BoardAssumptions, optional
        Which levers the chosen package holds, and the training hours.
    fit : str
        The column saying whether an agent meets all three criteria.

    Returns
    -------
    dict
        Label -> {term: weight}, one entry per lever ("pay everyone on time",
        "own desk for everyone", "+16 h training"), per empowerment policy
        ("empowerment: none" etc.) and for the chosen "staff package". The
        interaction term ``empowered:fit`` is included; drop it for a model
        without it.

    Examples
    --------
    >>> import pandas as pd
    >>> agents = pd.DataFrame({"paid_on_time": [1, 0], "shared_desk": [1, 0],
    ...                        "empowered": [1, 0], "fit": [1, 0]})
    >>> staff_changes(agents)["empowerment: selective"]
    {'empowered': 0.5, 'empowered:fit': 0.5}
    """
    from crm_course.ratings import CRITERIA

    a = _check_assumptions(assumptions)
    if not isinstance(rows, pd.DataFrame):
        raise TypeError(f"rows: expected a pandas DataFrame; found {type(rows).__name__}")
    if fit not in rows.columns:
        check_frame(rows, {c: "bool" for c in CRITERIA}, name="rows")
        fit_values = rows[list(CRITERIA)].astype(bool).all(axis=1).to_numpy(dtype=float)
    else:
        check_frame(rows, {fit: "bool"}, name="rows")
        fit_values = rows[fit].to_numpy(dtype=float)
    check_frame(rows, {"paid_on_time": "bool", "shared_desk": "bool"}, name="rows")
    paid = rows["paid_on_time"].to_numpy(dtype=float)
    desk = rows["shared_desk"].to_numpy(dtype=float)
    hours = float(a.training_hours_added)
    levers: dict[str, dict[str, float]] = {
        "pay everyone on time": {"paid_on_time": float(np.mean(1 - paid))},
        "own desk for everyone": {"shared_desk": float(-np.mean(desk))},
        f"+{hours:g} h training": {"training_hours": hours},
    }
    policy_rows = {"none": np.zeros(len(rows)), "universal": np.ones(len(rows)), "selective": fit_values}
    for name, empowered in policy_rows.items():
        levers[f"empowerment: {name}"] = {"empowered": float(np.mean(empowered)),
                                          "empowered:fit": float(np.mean(empowered * fit_values))}
    package: dict[str, float] = {}
    chosen = [lab for lab, on in (("pay everyone on time", a.pay_on_time), ("own desk for everyone", a.own_desks),
                                  (f"+{hours:g} h training", hours > 0)) if on]
    chosen.append(f"empowerment: {a.empowerment}")
    for label in chosen:
        for term, weight in levers[label].items():
            package[term] = package.get(term, 0.0) + weight
    levers["staff package"] = package
    return levers


def _lever_costs(a: BoardAssumptions, n_agents: int, share_fit: float) -> dict[str, float]:
    hours = float(a.training_hours_added)
    empowered = {"none": 0.0, "universal": float(n_agents), "selective": share_fit * n_agents}
    costs = {
        "pay everyone on time": a.cost_pay_on_time,
        "own desk for everyone": a.cost_own_desks,
        f"+{hours:g} h training": a.cost_per_training_hour * hours,
    }
    for name, count in empowered.items():
        costs[f"empowerment: {name}"] = a.cost_per_empowered_agent * count
    costs["staff package"] = (
        (a.cost_pay_on_time if a.pay_on_time else 0.0)
        + (a.cost_own_desks if a.own_desks else 0.0)
        + a.cost_per_training_hour * hours
        + a.cost_per_empowered_agent * empowered[a.empowerment]
    )
    return costs


def _staff(t: dict[str, pd.DataFrame], a: BoardAssumptions) -> dict[str, Any]:
    """Step 3 (chapter 4): engagement and CSAT gains of each lever, policy and the package."""
    from crm_course import inference, ratings, regression
    from crm_course.kopilka import support

    agents = t["agents"]
    frame = support.support_frame(t["contacts"], agents)
    engagement = regression.engagement_drivers(agents)
    csat = ratings.csat_ols(frame, ratings.EMPOWERMENT_TERMS)

    per_agent = staff_changes(agents, a)
    per_contact = staff_changes(frame, a)
    eng_terms = set(engagement.params.index)
    # The engagement model has no interaction: empowerment raises engagement whatever the fit.
    eng = inference.linear_combinations(engagement, {
        label: ({k: v for k, v in w.items() if k in eng_terms} or {"empowered": 0.0})
        for label, w in per_agent.items()})
    sat = inference.linear_combinations(csat, per_contact)
    fit_share = float(agents[list(ratings.CRITERIA)].astype(bool).all(axis=1).mean())
    costs = _lever_costs(a, len(agents), fit_share)
    share_agents = {}
    for label, weights in per_agent.items():
        if label.startswith("empowerment"):
            share_agents[label] = weights["empowered"]
        elif label == "pay everyone on time":
            share_agents[label] = weights["paid_on_time"]
        elif label == "own desk for everyone":
            share_agents[label] = -weights["shared_desk"]
        elif label == "staff package":
            share_agents[label] = np.nan
        else:
            share_agents[label] = 1.0
    staff = pd.DataFrame({
        "share_agents": pd.Series(share_agents),
        "engagement_gain": eng["estimate"], "engagement_se": eng["std_error"],
        "csat_gain": sat["estimate"], "csat_se": sat["std_error"],
        "csat_low": sat["conf_low"], "csat_high": sat["conf_high"],
        "annual_cost": pd.Series(costs),
    })
    staff.index.name = "policy"
    return {"staff": staff, "engagement": engagement, "csat": csat, "fit_share": fit_share}

