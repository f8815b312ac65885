"""A Kopilka world of its own for every student group: deterministic seeds and, optionally, varied planted effects.

Kopilka-specific: it makes worlds of the course's simulation
(:mod:`crm_course.world`), for lecturers who want every group's answers to
differ, for instance in the capstone (chapter 6).

* :func:`group_world` — a group's world: a seed derived from the group number
  and the lecturer's base seed (the same group always gets the same world), and
  with ``vary=True`` planted effects drawn within plausible ranges;
* :class:`GroupWorld` — that world: ``command`` (the shell command that writes
  it), ``changes`` (the planted effects that differ from the defaults),
  ``simulate`` and ``write``;
* :data:`VARIED_PARAMETERS` — the planted effects a lecturer may vary, with the
  range each is drawn from.

A lecturer who keeps a private base seed makes the worlds impossible to
regenerate without it.

Examples
--------
>>> from crm_course.kopilka.groups import group_world
>>> world = group_world(3)
>>> world.seed == group_world(3).seed != group_world(4).seed
True
>>> world.command()
'python -m crm_course.world --out worlds/group_3 --members 20000 --seed 105123562'
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crm_course.validation import check_number

__all__ = [
    "DECISION_THRESHOLDS",
    "VARIED_PARAMETERS",
    "GroupWorld",
    "group_world",
    "reference_decision",
]


#: Planted effects a lecturer may vary between groups, with the range each is drawn from (uniformly).
#: Keys are ``"<stage>.<field>"`` of :class:`crm_course.world.params.WorldParams`.
VARIED_PARAMETERS: dict[str, tuple[float, float]] = {
    "campaign.persuade_personalised": (0.03, 0.10),
    "campaign.persuade_personalised_per_log_order": (0.06, 0.30),
    "campaign.bonus_cashback": (8.0, 20.0),
    "staff.engagement_paid_on_time": (5.0, 11.0),
    "staff.engagement_shared_desk": (-9.0, -3.0),
    "support.empowered_fit": (0.3, 0.9),
    "support.empowered_misfit": (-1.0, -0.2),
    "support.dropout_per_csat_point": (0.3, 0.8),
}


#: The probabilities of a loss that bound the band of a "staged pilot" (see :func:`reference_decision`).
DECISION_THRESHOLDS: tuple[float, float] = (0.2, 0.8)


def reference_decision(mean_npv: float, probability_loss: float,
                       thresholds: tuple[float, float] = DECISION_THRESHOLDS) -> str:
    """The decision a programme's own NPV distribution supports: "go", "staged pilot" or "no-go".

    A risk-neutral board decides on the expected value: "go" when the mean
    NPV is positive, "no-go" when it is negative. But when the evidence
    leaves a real chance that this decision is wrong -- a probability of a
    loss strictly between the two thresholds, 0.2 and 0.8 by default -- more
    evidence is worth buying before the set-up cost is sunk, and the
    reference is a "staged pilot": a larger experiment, or the cheap part
    first. A reference for markers, not a verdict: a memo that argues well
    from the group's numbers for a neighbouring decision can earn full marks.

    Parameters
    ----------
    mean_npv : float
        The programme's mean NPV, e.g. ``board_case(...).figures["mean_npv"]``.
    probability_loss : float
        Between 0 and 1, e.g. ``board_case(...).figures["probability_loss"]``.
    thresholds : (float, float)
        The band of probabilities of a loss that calls for a pilot
        (default :data:`DECISION_THRESHOLDS`).

    Examples
    --------
    >>> reference_decision(250_000, 0.05), reference_decision(-40_000, 0.6), reference_decision(-700_000, 1.0)
    ('go', 'staged pilot', 'no-go')
    """
    check_number(mean_npv, "mean_npv")
    check_number(probability_loss, "probability_loss", low=0, high=1)
    low, high = thresholds
    if not 0 <= low < high <= 1:
        raise ValueError(f"thresholds: expected two probabilities low < high in [0, 1]; found {thresholds!r}")
    if low < probability_loss < high:
        return "staged pilot"
    return "go" if mean_npv > 0 else "no-go"


@dataclass(frozen=True)
class GroupWorld:
    """One student group's world: its seed, its parameters and how to make it.

    Attributes
    ----------
    group : int
        The group number.
    seed : int
        The world's seed, derived from the group number and the base seed.
    params : crm_course.world.params.WorldParams
        The planted effects (the defaults unless varied).
    n_members : int
        Members of the world.
    varied : bool
        Whether the planted effects differ from the defaults (drawn with
        ``vary=True`` or given by the lecturer).
    """

    group: int
    seed: int
    params: Any
    n_members: int
    varied: bool

    def command(self, folder: str | None = None) -> str:
        """The shell command that writes this world (only for worlds with the default parameters).

        Examples
        --------
        >>> group_world(3).command()
        'python -m crm_course.world --out worlds/group_3 --members 20000 --seed 105123562'
        """
        if self.varied:
            raise ValueError("command: a world with varied parameters cannot be written from the command line; "
                             "use GroupWorld.write(folder)")
        folder = folder or f"worlds/group_{self.group}"
        return f"python -m crm_course.world --out {folder} --members {self.n_members} --seed {self.seed}"

    def changes(self) -> pd.DataFrame:
        """The planted effects of :data:`VARIED_PARAMETERS`: defaults against this group's values.

        Examples
        --------
        >>> table = group_world(3, vary=True).changes()
        >>> list(table.columns)
        ['default', 'this group']
        """
        from crm_course.world.params import WorldParams

        default = WorldParams()
        rows = {}
        for key in VARIED_PARAMETERS:
            stage, name = key.split(".")
            rows[key] = (getattr(getattr(default, stage), name), getattr(getattr(self.params, stage), name))
        return pd.DataFrame(rows, index=["default", "this group"]).T

    def simulate(self):
        """Simulate the world (:func:`crm_course.world.simulate`)."""
        from crm_course.world import simulate

        return simulate(self.n_members, self.seed, self.params)

    def write(self, folder: str | Path) -> Path:
        """Simulate the world and write its tables to ``folder``; returns the folder.

        Load a table from it with ``crm_course.data.load(name, folder=folder)``.
        """
        from crm_course.world.datapackage import write

        write(self.simulate(), folder)
        return Path(folder)


    def marking_sheet(self, assumptions: Any = None, rng: Any = None) -> dict[str, pd.DataFrame]:
        """The group's truth for the marker: its own case, the decision it supports, and what was planted.

        Simulates the world, runs :func:`crm_course.kopilka.board.board_case`
        on it (as the group will) and returns three tables:

        * ``"options"`` -- per programme option, the NPV's mean and 90%
          interval, the probability of a loss and the
          :func:`reference_decision` they support;
        * ``"offers"`` -- the uplift rule's share targeted and measured
          profit per targeted offer (with its standard error), beside the
          planted expected profit of an offer to the same members
          (:func:`crm_course.kopilka.truth.planted_campaign_effects`, before
          the support cost of the extra contacts);
        * ``"planted"`` -- :meth:`changes`.

        Examples
        --------
        >>> sheet = group_world(3, vary=True, n_members=3_000).marking_sheet(rng=1)
        >>> list(sheet)
        ['options', 'offers', 'planted']
        >>> set(sheet["options"]["decision"]) <= {"go", "staged pilot", "no-go"}
        True
        """
        from crm_course.kopilka.board import board_case
        from crm_course.kopilka.truth import planted_campaign_effects

        world = self.simulate()
        case = board_case(world.tables, assumptions=assumptions, rng=rng)
        options = case.options[["mean_npv", "npv_low", "npv_high", "probability_loss"]].copy()
        options["decision"] = [reference_decision(float(m), float(p))
                               for m, p in zip(options["mean_npv"], options["probability_loss"])]
        measured = case.targeting[case.targeting["target"]]
        if case.assumptions.lift_population == "active":
            measured = measured[measured["active_before"]]
        planted = planted_campaign_effects(world).set_index("customer_id")["profit_personalised"]
        f = case.figures
        offers = pd.Series({
            "share_targeted": f["share_targeted"],
            "measured_profit_per_offer": f["profit_per_offer_targeted"],
            "measured_profit_per_offer_se": f["profit_per_offer_targeted_se"],
            "planted_profit_per_offer_before_support": float(planted.loc[measured["customer_id"]].mean()),
        }, name=f"group {self.group}")
        return {"options": options, "offers": offers.to_frame(), "planted": self.changes()}


def group_world(
    group: int,
    *,
    base_seed: int = 2002,
    vary: bool = False,
    params: Any = None,
    n_members: int = 20_000,
) -> GroupWorld:
    """A group's own Kopilka world: a deterministic seed, and optionally varied planted effects.

    The seed comes from :class:`numpy.random.SeedSequence` over
    ``(base_seed, group)``, so every group gets a different world, the same
    group always gets the same world, and a lecturer who keeps a private
    ``base_seed`` makes the worlds impossible to regenerate without it.
    With ``vary=True`` the planted effects of :data:`VARIED_PARAMETERS` are
    drawn uniformly from their ranges (from a second, independent stream of
    the same seed sequence), so the groups' *true* effects differ too; the
    lecturer reads them with :meth:`GroupWorld.changes`.

    Parameters
    ----------
    group : int
        The group number (1 or more).
    base_seed : int
        The lecturer's base seed (default 2002).
    vary : bool
        Vary the planted effects as well as the seed.
    params : crm_course.world.params.WorldParams, optional
        The lecturer's own planted effects for this group (default
        ``WorldParams()``); with ``vary=True`` the effects of
        :data:`VARIED_PARAMETERS` are then drawn on top of them.
    n_members : int
        Members of the world (default 20,000, like the shipped data).

    Returns
    -------
    GroupWorld

    Examples
    --------
    >>> a, b = group_world(1), group_world(2)
    >>> a.seed != b.seed, group_world(1).seed == a.seed
    (True, True)
    >>> group_world(0)
    Traceback (most recent call last):
    ...
    ValueError: group: expected an integer in [1, inf]; found 0
    """
    from crm_course.world.params import WorldParams

    check_number(group, "group", low=1, integer=True)
    check_number(base_seed, "base_seed", low=0, integer=True)
    check_number(n_members, "n_members", low=100, integer=True)
    if not isinstance(vary, (bool, np.bool_)):
        raise ValueError(f"vary: expected True or False; found {vary!r}")
    if params is None:
        params = WorldParams()
    elif not isinstance(params, WorldParams):
        raise TypeError(f"params: expected a WorldParams (or None); found {type(params).__name__}")
    params.validate()
    sequence = np.random.SeedSequence([int(base_seed), int(group)])
    seed = int(sequence.generate_state(1)[0])
    if vary:
        rng = np.random.default_rng(sequence.spawn(1)[0])
        draws = {key: float(np.round(rng.uniform(lo, hi), 3)) for key, (lo, hi) in VARIED_PARAMETERS.items()}
        stages: dict[str, dict[str, float]] = {}
        for key, value in draws.items():
            stage, name = key.split(".")
            stages.setdefault(stage, {})[name] = value
        params = replace(params, **{stage: replace(getattr(params, stage), **values)
                                    for stage, values in stages.items()})
        params.validate()
    varied = bool(vary) or params != WorldParams()
    return GroupWorld(group=int(group), seed=seed, params=params, n_members=int(n_members), varied=varied)
