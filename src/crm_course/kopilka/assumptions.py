"""The capstone's investment assumptions: what the board case takes as given.

:class:`BoardAssumptions` holds every cost, horizon, rate and policy choice of
:func:`crm_course.kopilka.board.board_case` as a frozen dataclass with
documented defaults; change a field with :func:`dataclasses.replace`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from crm_course.validation import check_number

__all__ = ["EMPOWERMENT_POLICIES", "LIFT_POPULATIONS", "BoardAssumptions"]


#: The three empowerment policies a board can choose between.
EMPOWERMENT_POLICIES: tuple[str, ...] = ("none", "universal", "selective")

#: The campaign members on whom the offers' profit is measured (the last year's active members, or all).
LIFT_POPULATIONS: tuple[str, ...] = ("active", "all")


@dataclass(frozen=True)
class BoardAssumptions:
    """What the board case assumes beyond the data: costs, horizon and policies.

    Money is in roubles (RUB) a year unless stated otherwise. The costs are
    assumptions a manager would replace with quotes; their defaults are the
    order of magnitude of chapter 5's business case (about a tenth of
    Kopilka's yearly net margin for each investment).

    Parameters
    ----------
    horizon_years : int
        Years the programme runs (default 3).
    discount_rate : float
        Yearly discount rate, Kopilka's cost of capital (default 0.15).
    observation_end : str or None
        Last day of the data; None takes the last order date. The "last year"
        is the 52 weeks that end on this day, the "year before" the 52 weeks
        before them. It sets the periods of member value, retention, CLV and
        the survival model; the campaign and the staff data are used as they
        are.
    process_upfront : float
        One-off cost of the data and decision system that sends personalised
        offers, paid at the start (default 300,000 RUB).
    process_annual : float
        Yearly cost of running it (default 60,000 RUB).
    campaigns_per_year : int
        Personalised campaigns a year (default 4), each as in the randomised
        experiment of chapter 3.
    send_cost : float
        Cost of sending one personalised offer (default 3 RUB, as in the
        experiment). A different value re-costs the experiment's profit.
    merchants_fund_bonus : bool
        If True, the merchants who gain the extra sales pay the bonus
        cashback of converting members ("plan B" of chapter 5); Kopilka then
        pays only the sending cost. Default False: Kopilka pays, as tested.
    pay_on_time : bool
        Pay every support agent on time (default True).
    own_desks : bool
        Give every agent who shares a desk one of their own (default False).
    training_hours_added : float
        Extra hours of training a year for every agent (default 16).
    empowerment : {"none", "universal", "selective"}
        Which agents get more autonomy: nobody, everybody, or only those who
        are interested, able and respected (Eastman Chemical's criteria).
        Default "selective". The empowerment pilot in the data is assumed to
        end whatever the board decides, so "none" is the baseline.
    cost_pay_on_time : float
        Yearly cost of paying everyone on time, e.g. a credit line for the
        payroll (default 40,000 RUB).
    cost_own_desks : float
        Yearly cost of the extra desks (default 60,000 RUB).
    cost_per_training_hour : float
        Yearly cost of one extra hour of training for the whole support team
        (default 3,750 RUB, so 16 hours cost 60,000 RUB).
    cost_per_empowered_agent : float
        Yearly cost per empowered agent: coaching and a budget for the
        goodwill gestures their decisions commit (default 500 RUB).
    cost_per_contact : float
        Fully loaded cost of a support contact, deducted from each member's
        margin (default 180 RUB, ``SupportParams.cost_per_contact``), and
        from the campaign's profit for every contact in its 30-day window.
    net_support_cost : bool
        Measure the campaign's profit net of the support contacts its extra
        orders cause (default True): every member's 30-day profit is charged
        ``cost_per_contact`` per contact in the window, so the difference
        between the arms carries the cost of the extra contacts. False
        measures commission minus cashback and offer costs only, as
        chapter 3 did.
    lift_population : {"active", "all"}
        The campaign members on whom the offers' profit and the share
        targeted are measured. "active" (default): the members who ordered
        in the last year before the campaign, the population the NPV applies
        them to (the active members of the last year). "all": every member
        of the campaign, lapsed ones included.
    base_change : float
        Yearly proportional change of the active member base over the
        horizon (default 0: a steady base, new sign-ups replacing the members
        who lapse). With no new sign-ups at all the base shrinks to its
        retained share each year: ``base_change = retention - 1`` (about
        -0.47 in the shipped data). Benefits scale with the base; costs do
        not.
    lapse_weeks : float
        Weeks without an order that count as a lapse in the survival model
        (default 26).
    n_draws : int
        Monte Carlo draws of each option's NPV (default 10,000).
    uplift_seed : int
        Seed of the cross-fitting split of the uplift model (default 2002).

    Examples
    --------
    >>> from dataclasses import replace
    >>> plan_b = replace(BoardAssumptions(), merchants_fund_bonus=True)
    >>> plan_b.merchants_fund_bonus, plan_b.horizon_years
    (True, 3)
    >>> BoardAssumptions(empowerment="everyone")
    Traceback (most recent call last):
    ...
    ValueError: empowerment: expected one of 'none', 'universal', 'selective'; found 'everyone'
    """

    horizon_years: int = 3
    discount_rate: float = 0.15
    observation_end: str | None = None
    process_upfront: float = 300_000.0
    process_annual: float = 60_000.0
    campaigns_per_year: int = 4
    send_cost: float = 3.0
    merchants_fund_bonus: bool = False
    pay_on_time: bool = True
    own_desks: bool = False
    training_hours_added: float = 16.0
    empowerment: str = "selective"
    cost_pay_on_time: float = 40_000.0
    cost_own_desks: float = 60_000.0
    cost_per_training_hour: float = 3_750.0
    cost_per_empowered_agent: float = 500.0
    cost_per_contact: float = 180.0
    net_support_cost: bool = True
    lift_population: str = "active"
    base_change: float = 0.0
    lapse_weeks: float = 26.0
    n_draws: int = 10_000
    uplift_seed: int = 2002

    def __post_init__(self) -> None:
        check_number(self.horizon_years, "horizon_years", low=1, high=30, integer=True)
        check_number(self.discount_rate, "discount_rate", low=0, high=1)
        if self.observation_end is not None:
            try:
                stamp = pd.Timestamp(self.observation_end)
            except (TypeError, ValueError):
                stamp = pd.NaT
            if pd.isna(stamp):
                raise ValueError(f"observation_end: expected a date such as '2024-12-29' or None; "
                                 f"found {self.observation_end!r}")
        for name in ("process_upfront", "process_annual", "send_cost", "cost_pay_on_time", "cost_own_desks",
                     "cost_per_training_hour", "cost_per_empowered_agent", "cost_per_contact"):
            check_number(getattr(self, name), name, low=0)
        check_number(self.campaigns_per_year, "campaigns_per_year", low=0, high=52, integer=True)
        check_number(self.training_hours_added, "training_hours_added", low=0, high=500)
        check_number(self.lapse_weeks, "lapse_weeks", low=1, high=104)
        check_number(self.n_draws, "n_draws", low=100, integer=True)
        check_number(self.uplift_seed, "uplift_seed", low=0, integer=True)
        check_number(self.base_change, "base_change", low=-1, high=1)
        for name in ("merchants_fund_bonus", "pay_on_time", "own_desks", "net_support_cost"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ValueError(f"{name}: expected True or False; found {getattr(self, name)!r}")
        if self.empowerment not in EMPOWERMENT_POLICIES:
            raise ValueError(f"empowerment: expected one of 'none', 'universal', 'selective'; "
                             f"found {self.empowerment!r}")

        if self.lift_population not in LIFT_POPULATIONS:
            raise ValueError(f"lift_population: expected one of 'active', 'all'; found {self.lift_population!r}")

    def to_series(self) -> pd.Series:
        """The assumptions as a Series, for printing next to the results."""
        return pd.Series({f.name: getattr(self, f.name) for f in fields(self)}, dtype=object, name="assumption")



def _check_assumptions(assumptions: Any) -> BoardAssumptions:
    if assumptions is None:
        return BoardAssumptions()
    if not isinstance(assumptions, BoardAssumptions):
        raise TypeError(f"assumptions: expected a BoardAssumptions (or None); found {type(assumptions).__name__}")
    return assumptions


