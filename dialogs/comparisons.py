"""Comparisons with published figures, each with its source, year, group and unit, chosen to fit the profile."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from dialogs.ceilings import SizeClass
from dialogs.classification import Classification
from dialogs.figures import figure_bounds
from dialogs.profile import CompanyProfile
from dialogs.text import Arg, Money, Number, Percent, Text, msg

OWN = "own"  # the company's own staff and budget
GROUP = "group"  # the size class, with partner and linked enterprises added


@dataclass(frozen=True)
class Comparison:
    """The user's figure next to a cited figure; source and year are part of the text. ``basis`` says whose
    figures it reads: the company's own, or those of its group added up."""

    id: str
    text: Text
    basis: str = OWN


def comparison_blocks(
    comparisons: tuple[Comparison, ...], classification: Classification
) -> tuple[tuple[Text, tuple[Comparison, ...]], ...]:
    """The comparisons under headings, own figures apart from the group's: an 8-person subsidiary compares its
    own staff with small firms but its size class with large companies, and a reader must see which is which."""
    own = tuple(c for c in comparisons if c.basis == OWN)
    group = tuple(c for c in comparisons if c.basis == GROUP)
    aggregation = classification.aggregation
    if not group or aggregation is None:
        return ((msg("How you compare"), comparisons),) if comparisons else ()
    blocks: list[tuple[Text, tuple[Comparison, ...]]] = []
    if own:
        blocks.append((msg("How you compare: by your company's own figures"), own))
    blocks.append(
        (
            msg(
                "How you compare: by your group's figures (partner and linked enterprises added: {staff} staff)",
                staff=Number(aggregation.staff.total),
            ),
            group,
        )
    )
    return tuple(blocks)


# --- Comparisons -------------------------------------------------------------------------------------


def _pct(points: int) -> Percent:
    return Percent(Decimal(points))


def compares_with_b2b_survey(profile: CompanyProfile) -> bool:
    """Whether the 2014 survey of B2B companies fits the company: only when it sells to businesses."""
    return profile.customers != "private"


def compare(profile: CompanyProfile, classification: Classification) -> tuple[Comparison, ...]:
    """The user's figures next to the cited studies, each with source and year."""
    comparisons = []
    if compares_with_b2b_survey(profile):
        comparisons += [_tns_online(profile), _tns_results(profile)]
    staff_low, _ = figure_bounds("staff", profile.staff, profile.banded)
    if staff_low is not None and staff_low >= BITKOM_FROM_STAFF:
        comparisons.append(_bitkom_social(profile))
    comparisons.append(_kfw_spend(profile, staff_low))
    comparisons.append(_eurostat_dii(classification))
    return tuple(comparisons)


BITKOM_FROM_STAFF = Decimal(20)  # Bitkom surveyed companies with 20 or more staff
KFW_LARGER_FROM_STAFF = Decimal(50)


def _share(low: Decimal, high: Decimal) -> Arg:
    """A share, or the range a band stands for ("1 % to 10 %"; band bounds start at x.01)."""
    if low == high:
        return Percent(low)
    return msg(
        "{low} to {high}", low=Percent(low.to_integral_value(rounding=ROUND_CEILING)), high=Percent(high)
    )


def _share_of(p: CompanyProfile, question_id: str, value: Decimal) -> tuple[Decimal, Decimal]:
    low, high = figure_bounds(question_id, value, p.banded)
    assert low is not None and high is not None
    return low, high


# TNS Infratest 2014 (cited in the blog post): B2B companies typically put about 10 % of the marketing budget
# online and about 1 % into social media and controlling.
TNS_2014_ONLINE_SHARE = Decimal(10)
TNS_2014_SOCIAL_CONTROLLING_SHARE = Decimal(1)


_TNS_FIGURES: dict[str, Arg] = {
    "firms": _pct(60),
    "tns_online": Percent(TNS_2014_ONLINE_SHARE),
    "tns_social": Percent(TNS_2014_SOCIAL_CONTROLLING_SHARE),
}


def _tns_online(p: CompanyProfile) -> Comparison:
    social = _share_of(p, "social_share", p.social_share)
    controlling = _share_of(p, "controlling_share", p.controlling_share)
    args: dict[str, Arg] = {
        "share": _share(*_share_of(p, "online_share", p.online_share)),
        "social_controlling": _share(social[0] + controlling[0], social[1] + controlling[1]),
        **_TNS_FIGURES,
    }
    low, high = _share_of(p, "online_share", p.online_share)
    if high < TNS_2014_ONLINE_SHARE:
        text = msg(
            "You put {share} of your marketing budget online and {social_controlling} into social media and"
            " controlling. In a TNS Infratest survey of 2014, {firms} of B2B companies put only about"
            " {tns_online} online and about {tns_social} into social media and controlling; your online"
            " share is lower still. The figures are old; we found no newer source for this split.",
            **args,
        )
    elif low > TNS_2014_ONLINE_SHARE:
        text = msg(
            "You put {share} of your marketing budget online and {social_controlling} into social media and"
            " controlling. In a TNS Infratest survey of 2014, {firms} of B2B companies put only about"
            " {tns_online} online and about {tns_social} into social media and controlling; your online"
            " share is higher. The figures are old; we found no newer source for this split.",
            **args,
        )
    else:
        text = msg(
            "You put {share} of your marketing budget online and {social_controlling} into social media and"
            " controlling. In a TNS Infratest survey of 2014, {firms} of B2B companies put only about"
            " {tns_online} online and about {tns_social} into social media and controlling; your online"
            " share is about the same. The figures are old; we found no newer source for this split.",
            **args,
        )
    return Comparison("tns_2014_online_share", text)


def _tns_results(p: CompanyProfile) -> Comparison:
    return _TNS_RESULTS[p.results_check]


def _tns_results_texts() -> dict[str, Comparison]:
    checkers = _pct(40)
    texts = {
        "yes": msg(
            "You check the results of every campaign. In the same TNS Infratest survey (2014), only"
            " {checkers} of B2B companies checked whether their advertising worked.",
            checkers=checkers,
        ),
        "partly": msg(
            "You check the results of some campaigns. In the TNS Infratest survey (2014), only {checkers} of"
            " B2B companies checked whether their advertising worked; checking every campaign puts you ahead.",
            checkers=checkers,
        ),
        "no": msg(
            "You do not check results yet, like most B2B companies in the TNS Infratest survey (2014): only"
            " {checkers} of them checked whether their advertising worked.",
            checkers=checkers,
        ),
    }
    return {key: Comparison("tns_2014_results_check", text) for key, text in texts.items()}


# These comparisons read one answer each: built once per answer, shared by every firm that gives it.
_TNS_RESULTS = _tns_results_texts()


def _bitkom_social(p: CompanyProfile) -> Comparison:
    return _BITKOM_SOCIAL[p.social_presence]


def _bitkom_social_texts() -> dict[str, Comparison]:
    args: dict[str, Arg] = {
        "share": _pct(77),
        "threshold": Number(Decimal(20)),
        "platforms": Number(Decimal(4)),
    }
    texts = {
        "none": msg(
            "Bitkom (December 2023): {share} of companies with {threshold} or more staff are on social"
            " media, on average on {platforms} platforms. Your company belongs to this group but is not on"
            " social media yet.",
            **args,
        ),
        "occasional": msg(
            "Bitkom (December 2023): {share} of companies with {threshold} or more staff are on social"
            " media, on average on {platforms} platforms. Your company is there too, but only now and then:"
            " a strategy is what sets you apart.",
            **args,
        ),
        "strategy": msg(
            "Bitkom (December 2023): {share} of companies with {threshold} or more staff are on social"
            " media, on average on {platforms} platforms. Your company is there with a strategy, which is"
            " what sets it apart.",
            **args,
        ),
    }
    return {key: Comparison("bitkom_2023_social_media", text) for key, text in texts.items()}


_BITKOM_SOCIAL = _bitkom_social_texts()


KFW_SMALLEST_BELOW_STAFF = Decimal(5)


def _kfw_spend(p: CompanyProfile, staff_low: Decimal | None) -> Comparison:
    _, staff_high = figure_bounds("staff", p.staff, p.banded)
    low = p.staff if staff_low is None else staff_low
    high = p.staff if staff_high is None else staff_high
    if low >= KFW_LARGER_FROM_STAFF:
        return _KFW_SPEND["larger"]
    if high < KFW_SMALLEST_BELOW_STAFF:
        return _KFW_SPEND["smallest"]
    return _KFW_SPEND["between"]


def _kfw_spend_texts() -> dict[str, Comparison]:
    args: dict[str, Arg] = {
        "average": _money(25_000),
        "smallest": _money(8_000),
        "largest": _money(216_000),
        "small_limit": Number(KFW_SMALLEST_BELOW_STAFF),
        "threshold": Number(KFW_LARGER_FROM_STAFF),
    }
    texts = {
        "larger": msg(
            "KfW Digitalisierungsbericht Mittelstand 2024: SMEs spent on average about {average} a year on"
            " digitalisation projects, about {smallest} a year in the smallest firms (fewer than {small_limit}"
            " staff) but {largest} a year in firms with {threshold} or more staff. Your company belongs to"
            " the group with {threshold} or more staff; compare your own spending with its average.",
            **args,
        ),
        "smallest": msg(
            "KfW Digitalisierungsbericht Mittelstand 2024: SMEs spent on average about {average} a year on"
            " digitalisation projects, about {smallest} a year in the smallest firms (fewer than {small_limit}"
            " staff) but {largest} a year in firms with {threshold} or more staff. Your company belongs to"
            " the smallest group, and the gap to larger firms is widening.",
            **args,
        ),
        "between": msg(
            "KfW Digitalisierungsbericht Mittelstand 2024: SMEs spent on average about {average} a year on"
            " digitalisation projects, about {smallest} a year in the smallest firms (fewer than {small_limit}"
            " staff) but {largest} a year in firms with {threshold} or more staff. Your company lies between"
            " these groups, and the gap between small and larger firms is widening.",
            **args,
        ),
    }
    return {key: Comparison("kfw_2024_digitalisation_spend", text) for key, text in texts.items()}


def _money(amount: int) -> Money:
    return Money(Decimal(amount))


def _eurostat_dii(c: Classification) -> Comparison:
    # by size: a firm held by public bodies is no SME in law, but SMEs are still its peers in size
    sme_sized = c.category in (SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM)
    # The index is read by size class, which counts partner and linked enterprises.
    return _EUROSTAT_DII[sme_sized, GROUP if c.aggregation is not None else OWN]


def _eurostat_dii_texts() -> dict[tuple[bool, str], Comparison]:
    args: dict[str, Arg] = {"sme": _pct(58), "large": _pct(91), "target": _pct(90)}
    sme = msg(
        "Eurostat, Digital Intensity Index 2023: {sme} of EU SMEs reach at least a basic level of"
        " digital intensity, against {large} of large companies; the EU target for 2030 is over"
        " {target}. The index counts the use of 12 digital technologies (such as cloud services, e-commerce"
        " or AI), not marketing: it measures something else than your score above.",
        **args,
    )
    larger = msg(
        "Eurostat, Digital Intensity Index 2023: {sme} of EU SMEs reach at least a basic level of"
        " digital intensity, against {large} of large companies; the EU target for 2030 is over"
        " {target}. Your company is above the SME ceilings, so the {large} of large companies are your"
        " benchmark.",
        **args,
    )
    return {
        (sme_sized, basis): Comparison("eurostat_2023_digital_intensity", sme if sme_sized else larger, basis)
        for sme_sized in (True, False)
        for basis in (OWN, GROUP)
    }


_KFW_SPEND = _kfw_spend_texts()
_EUROSTAT_DII = _eurostat_dii_texts()
