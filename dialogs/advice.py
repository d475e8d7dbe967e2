"""Advice from a company profile: the digital-gap score, cited comparisons and a plan of 3–7 steps.

The steps follow the levers of closing the digital gap: the website as foundation, social media with a
strategy, referrals through customers and staff, measuring every campaign, shifting budget to online and
professional support, and the channels that fit the company: the map profile for local private customers,
LinkedIn, industry portals and case studies for B2B, marketplaces and shop analytics for retail, bookings
and reviews for hospitality. The plan's rules are data in ``dialogs.plan``, the comparisons with
published figures are in ``dialogs.comparisons``; this module scores the gap and puts the advice together.

How the digital-gap score is computed (0 = no gap, 100 = the widest gap); each part counts gap points:

==================  =======  ==========================================================================
part                maximum  points
==================  =======  ==========================================================================
website             20       none 20, outdated 10, up to date and mobile-friendly 0
social_media        20       none 20, accounts posting now and then 10, with a strategy and plan 0
online_share        20       20 × (50 − online share) / 50 for shares below 50 % of the budget, else 0
controlling         25       results never checked 15, partly 8, every campaign 0;
                             plus 10 × (5 − controlling share) / 5 for controlling shares below 5 %
referral            15       no referral marketing 15, now and then 8, systematically 0
==================  =======  ==========================================================================

Each part is rounded half up to whole points and the score is their sum. The reference values (50 %
online, 5 % for controlling) are this advisor's choice: the TNS Infratest survey of 2014 found 60 % of B2B
companies putting only about 10 % online and about 1 % into social media and controlling; no newer source
for that split was found. Every part only falls when an answer improves, so better answers never widen the
gap. The score also steers two rules: free support from a gap of 40, "test one new channel" up to 30.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from dialogs.classification import Classification
from dialogs.comparisons import Comparison, compare
from dialogs.duties import DutyVerdict, evaluate_duties
from dialogs.plan import Facts, Step, audience_for, select_steps
from dialogs.profile import CompanyProfile
from dialogs.text import Text, msg


@dataclass(frozen=True)
class ScorePart:
    """Gap points of one lever: ``points`` of at most ``maximum``."""

    id: str
    label: Text
    points: int
    maximum: int


@dataclass(frozen=True)
class Advice:
    """The digital-gap score with its parts, the prioritized steps and the comparisons."""

    score: int
    score_parts: tuple[ScorePart, ...]
    steps: tuple[Step, ...]
    comparisons: tuple[Comparison, ...]
    duties: tuple[DutyVerdict, ...] = ()


# --- Score -------------------------------------------------------------------------------------------

ONLINE_REFERENCE = Decimal(50)
CONTROLLING_REFERENCE = Decimal(5)

_WEBSITE_GAP = {"current": 0, "outdated": 10, "none": 20}
_SOCIAL_GAP = {"strategy": 0, "occasional": 10, "none": 20}
_RESULTS_GAP = {"yes": 0, "partly": 8, "no": 15}
_REFERRAL_GAP = {"active": 0, "occasional": 8, "none": 15}


def _shortfall(value: Decimal, reference: Decimal, maximum: int) -> int:
    """``maximum`` points at 0, falling linearly to 0 points at ``reference`` and above."""
    if not value.is_finite():  # not a key a cache can hold (a signalling NaN has no hash)
        return _points_short(value, reference, maximum)
    return _kept_points_short(value, reference, maximum)


def _points_short(value: Decimal, reference: Decimal, maximum: int) -> int:
    missing = max(Decimal(0), reference - value) / reference
    return int((maximum * missing).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# Kept per share (a percentage many firms give alike): the Decimal arithmetic is the costly part.
_kept_points_short = lru_cache(maxsize=512)(_points_short)


_LABELS = {
    "website": msg("Website"),
    "social_media": msg("Social media presence"),
    "online_share": msg("Online share of the marketing budget"),
    "controlling": msg("Controlling and checking results"),
    "referral": msg("Referral marketing"),
}


@lru_cache(maxsize=256)
def _part(part_id: str, points: int, maximum: int) -> ScorePart:
    # a few dozen parts in all (points are whole numbers up to the maximum): each built once, then shared
    return ScorePart(part_id, _LABELS[part_id], points, maximum)


def score_parts(profile: CompanyProfile) -> tuple[ScorePart, ...]:
    """The gap points per lever; their sum is the digital-gap score."""
    return (
        _part("website", _WEBSITE_GAP[profile.website], 20),
        _part("social_media", _SOCIAL_GAP[profile.social_presence], 20),
        _part("online_share", _shortfall(profile.online_share, ONLINE_REFERENCE, 20), 20),
        _part(
            "controlling",
            _RESULTS_GAP[profile.results_check]
            + _shortfall(profile.controlling_share, CONTROLLING_REFERENCE, 10),
            25,
        ),
        _part("referral", _REFERRAL_GAP[profile.referral], 15),
    )


# --- Putting it together -----------------------------------------------------------------------------


def build_advice(
    profile: CompanyProfile, classification: Classification, *, as_of: date | None = None
) -> Advice:
    """Score the digital gap, judge the legal duties as of ``as_of`` (today unless given), pick the steps for
    this company and its size class (duties due soon first), and add comparisons."""
    parts = score_parts(profile)
    gap = sum(part.points for part in parts)
    duties = evaluate_duties(profile, classification, as_of=as_of)
    facts = Facts(
        profile,
        classification.category,
        audience_for(classification.category, profile.staff),
        gap,
        is_sme=classification.is_sme,
        duties=duties,
    )
    return Advice(
        score=gap,
        score_parts=parts,
        steps=select_steps(facts),
        comparisons=compare(profile, classification),
        duties=duties,
    )
