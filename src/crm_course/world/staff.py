"""Stage 3: support agents, their working conditions and engagement."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_course.world.params import StaffParams, SupportParams


@dataclass
class Agents:
    table: pd.DataFrame
    engagement: np.ndarray
    empowered: np.ndarray
    fit: np.ndarray  #: meets all three Eastman criteria
    random_effect: np.ndarray  #: the agent's own effect on the latent CSAT score
    team_quality: np.ndarray  #: the confounder scenario's team quality (zeros when off)


def simulate_agents(n: int, staff: StaffParams, support: SupportParams, rng: np.random.Generator) -> Agents:
    """Draw ``n`` agents. Empowerment is a randomised pilot, independent of the rest."""
    tenure = rng.integers(1, 61, size=n)
    confounded = staff.team_quality_selection > 0 or staff.team_quality_engagement > 0
    if confounded:  # the team-quality scenario; the default world draws nothing here
        team = rng.normal(size=n)
        shift = staff.team_quality_selection * team
        paid = rng.random(n) < _expit(_logit(staff.paid_on_time_share) + shift)
        shared = rng.random(n) < _expit(_logit(staff.shared_desk_share) - shift)
        training = rng.poisson(staff.training_hours_mean * np.exp(0.3 * shift))
    else:
        team = np.zeros(n)
        paid = rng.random(n) < staff.paid_on_time_share
        shared = rng.random(n) < staff.shared_desk_share
        training = rng.poisson(staff.training_hours_mean, size=n)
    interested = rng.random(n) < staff.interest_share
    able = rng.random(n) < staff.ability_share
    respected = rng.random(n) < staff.respect_share
    empowered = rng.random(n) < staff.empowered_share
    engagement = (
        staff.engagement_base
        + staff.engagement_paid_on_time * paid
        + staff.engagement_shared_desk * shared
        + staff.engagement_training_per_hour * training
        + staff.engagement_empowered * empowered
        + rng.normal(0, staff.engagement_sd, size=n)
        + staff.team_quality_engagement * team
    )
    engagement = np.clip(np.round(engagement, 1), 0, 100)
    random_effect = rng.normal(0, support.agent_sd, size=n)
    table = pd.DataFrame(
        {
            "agent_id": np.arange(1, n + 1),
            "tenure_months": tenure,
            "paid_on_time": paid,
            "shared_desk": shared,
            "training_hours": training,
            "interested_in_autonomy": interested,
            "able": able,
            "respected": respected,
            "empowered": empowered,
            "engagement": engagement,
        }
    )
    return Agents(table, engagement, empowered, interested & able & respected, random_effect, team)


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return float(np.log(p / (1 - p)))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))
