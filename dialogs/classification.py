"""The EU size class of a company (Recommendation 2003/361/EC, small mid-caps after (EU) 2025/1099).

``classify_sme`` returns the category together with the sentences that explain it: which ceilings decided,
and what the user should know before relying on it (unknown balance sheet, group links, figures from bands).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from dialogs.group import PARTNER, Aggregation, Group, aggregate
from dialogs.group_text import enterprise_line
from dialogs.questions import QUESTION_BY_ID, Choice
from dialogs.text import Arg, Money, Number, Percent, Text, msg


class SizeClass(StrEnum):
    """Size classes from smallest to largest; the declaration order is the size order."""

    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    SMALL_MIDCAP = "small_midcap"
    LARGE = "large"


@dataclass(frozen=True)
class Classification:
    """A size class with the reasons that decided it and the caveats that limit it."""

    category: SizeClass
    name: Text
    reasons: tuple[Text, ...]
    caveats: tuple[Text, ...]
    ifm_class: Text
    is_sme: bool
    headline: Text
    provisional: bool = False  # group relations exist but were not added up, or are unknown
    ifm_note: Text | None = None  # why the IfM class differs from the EU class
    aggregation: Aggregation | None = None
    public_control: bool = False  # public bodies hold 25 % or more: not an SME whatever the figures


SIZE_ORDER: tuple[SizeClass, ...] = tuple(SizeClass)

CLASS_NAMES: dict[SizeClass, Text] = {
    SizeClass.MICRO: msg("micro enterprise"),
    SizeClass.SMALL: msg("small enterprise"),
    SizeClass.MEDIUM: msg("medium-sized enterprise"),
    SizeClass.SMALL_MIDCAP: msg("small mid-cap enterprise"),
    SizeClass.LARGE: msg("large enterprise"),
}

_SME_SOURCE = msg("Commission Recommendation 2003/361/EC")
_MIDCAP_SOURCE = msg("Commission Recommendation (EU) 2025/1099")

MILLION = Decimal(1_000_000)


@dataclass(frozen=True)
class Ceilings:
    """The ceilings of one class: staff strictly below, and turnover OR balance sheet not exceeding."""

    category: SizeClass
    staff_below: Decimal
    turnover_max: Decimal
    balance_max: Decimal
    source: Text

    def admits_staff(self, staff: Decimal) -> bool:
        return staff < self.staff_below

    def admits_money(self, turnover: Decimal, balance_sheet: Decimal | None) -> bool:
        return turnover <= self.turnover_max or (
            balance_sheet is not None and balance_sheet <= self.balance_max
        )

    def admits(self, staff: Decimal, turnover: Decimal, balance_sheet: Decimal | None) -> bool:
        return self.admits_staff(staff) and self.admits_money(turnover, balance_sheet)


# Every class above large would be LARGE; the list stops at the last class with ceilings.
CEILINGS: tuple[Ceilings, ...] = (
    Ceilings(SizeClass.MICRO, Decimal(10), 2 * MILLION, 2 * MILLION, _SME_SOURCE),
    Ceilings(SizeClass.SMALL, Decimal(50), 10 * MILLION, 10 * MILLION, _SME_SOURCE),
    Ceilings(SizeClass.MEDIUM, Decimal(250), 50 * MILLION, 43 * MILLION, _SME_SOURCE),
    Ceilings(SizeClass.SMALL_MIDCAP, Decimal(750), 150 * MILLION, 129 * MILLION, _MIDCAP_SOURCE),
)
_CEILINGS_BY_CLASS = {c.category: c for c in CEILINGS}
_SME_CLASSES = frozenset({SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM})

# IfM Bonn (Germany, since 2016): staff AND turnover, no balance sheet; (max staff, max turnover).
_IFM_CEILINGS: tuple[tuple[SizeClass, Decimal, Decimal], ...] = (
    (SizeClass.MICRO, Decimal(9), 2 * MILLION),
    (SizeClass.SMALL, Decimal(49), 10 * MILLION),
    (SizeClass.MEDIUM, Decimal(499), 50 * MILLION),
)

# A figure within this fraction of a deciding ceiling is "close": the two-year rule is then worth a note.
_NEAR = Decimal("0.10")


def size_class(staff: Decimal, turnover: Decimal, balance_sheet: Decimal | None) -> SizeClass:
    """The smallest class whose ceilings the figures meet (an unknown balance sheet meets none)."""
    for ceilings in CEILINGS:
        if ceilings.admits(staff, turnover, balance_sheet):
            return ceilings.category
    return SizeClass.LARGE


def ifm_size_class(staff: Decimal, turnover: Decimal) -> SizeClass:
    """The class under the IfM Bonn definition: micro, small, medium or large."""
    for category, max_staff, max_turnover in _IFM_CEILINGS:
        if staff <= max_staff and turnover <= max_turnover:
            return category
    return SizeClass.LARGE


def band_of(question_id: str, value: Decimal | None, banded: frozenset[str]) -> tuple[Choice, bool] | None:
    """The band a figure of ``question_id`` stands for (if banded), and whether it is the open top band."""
    if question_id not in banded or value is None:
        return None
    bands = [c for c in QUESTION_BY_ID[question_id].choices if c.low is not None and c.high is not None]
    for index, band in enumerate(bands):
        if band.value == value:
            return band, index == len(bands) - 1
    return None


def _whole(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_DOWN)


def _staff_arg(staff: Decimal, banded: frozenset[str]) -> Arg:
    found = band_of("staff", staff, banded)
    if found is None:
        return Number(staff)
    band, top = found
    assert band.low is not None and band.high is not None
    if top:
        return msg("{low} or more", low=Number(band.low))
    if band.low == 0:
        return msg("fewer than {limit}", limit=Number(_whole(band.high) + 1))
    return msg("{low} to {high}", low=Number(band.low), high=Number(_whole(band.high)))


def _money_arg(question_id: str, amount: Decimal | None, banded: frozenset[str]) -> Arg:
    assert amount is not None
    found = band_of(question_id, amount, banded)
    if found is None:
        return Money(amount)
    band, top = found
    assert band.low is not None and band.high is not None
    if top:
        return msg("more than {low}", low=Money(_whole(band.low)))
    if band.low == 0:
        return msg("up to {high}", high=Money(band.high))
    return msg("more than {low} up to {high}", low=Money(_whole(band.low)), high=Money(band.high))


def figure_bounds(
    question_id: str, value: Decimal | None, banded: frozenset[str]
) -> tuple[Decimal | None, Decimal | None]:
    """The interval a figure stands for: its band's bounds, or the exact figure twice."""
    found = band_of(question_id, value, banded)
    if found is None:
        return value, value
    return found[0].low, found[0].high


@dataclass(frozen=True)
class _Figures:
    staff: Decimal
    turnover: Decimal
    balance_sheet: Decimal | None
    staff_arg: Arg
    turnover_arg: Arg
    balance_arg: Arg | None


def _reasons(category: SizeClass, f: _Figures, banded: frozenset[str]) -> tuple[Text, ...]:
    index = SIZE_ORDER.index(category)
    reasons: list[Text] = []
    ceilings = _CEILINGS_BY_CLASS.get(category)
    if ceilings is None:
        reasons.append(
            msg(
                "Your company is a {name}: it is above the SME ceilings of {sme_source} and above the small"
                " mid-cap ceilings of {midcap_source}.",
                name=CLASS_NAMES[category],
                sme_source=_SME_SOURCE,
                midcap_source=_MIDCAP_SOURCE,
            )
        )
    elif banded & {"staff", "turnover", "balance_sheet"}:
        # A range already says where the figure lies; repeating the ceiling would print it twice.
        if f.turnover <= ceilings.turnover_max:
            reasons.append(
                msg(
                    "With {staff} staff and a turnover of {turnover}, your company is a {name} under {source}.",
                    staff=f.staff_arg,
                    turnover=f.turnover_arg,
                    name=CLASS_NAMES[category],
                    source=ceilings.source,
                )
            )
        else:
            assert f.balance_arg is not None
            reasons.append(
                msg(
                    "With {staff} staff and a balance-sheet total of {balance}, your company is a {name} under"
                    " {source}. Meeting one of the two money ceilings is enough, so the turnover above"
                    " {turnover_limit} does not count against it.",
                    staff=f.staff_arg,
                    balance=f.balance_arg,
                    turnover_limit=Money(ceilings.turnover_max),
                    name=CLASS_NAMES[category],
                    source=ceilings.source,
                )
            )
    elif f.turnover <= ceilings.turnover_max:
        reasons.append(
            msg(
                "With {staff} staff (fewer than {staff_limit}) and a turnover of {turnover} (at most"
                " {turnover_limit}), your company is a {name} under {source}.",
                staff=f.staff_arg,
                staff_limit=Number(ceilings.staff_below),
                turnover=f.turnover_arg,
                turnover_limit=Money(ceilings.turnover_max),
                name=CLASS_NAMES[category],
                source=ceilings.source,
            )
        )
    else:
        assert f.balance_arg is not None
        reasons.append(
            msg(
                "With {staff} staff (fewer than {staff_limit}) and a balance-sheet total of {balance} (at"
                " most {balance_limit}), your company is a {name} under {source}. Meeting one of the two"
                " money ceilings is enough, so the turnover above {turnover_limit} does not count against"
                " it.",
                staff=f.staff_arg,
                staff_limit=Number(ceilings.staff_below),
                balance=f.balance_arg,
                balance_limit=Money(ceilings.balance_max),
                turnover_limit=Money(ceilings.turnover_max),
                name=CLASS_NAMES[category],
                source=ceilings.source,
            )
        )
    if index > 0:
        reasons.append(_why_not_smaller(CEILINGS[index - 1], f))
    return tuple(reasons)


def _why_not_smaller(smaller: Ceilings, f: _Figures) -> Text:
    name = CLASS_NAMES[smaller.category]
    if not smaller.admits_staff(f.staff):
        return msg(
            "It is not a {smaller}: that needs fewer than {staff_limit} staff, and you have {staff}.",
            smaller=name,
            staff_limit=Number(smaller.staff_below),
            staff=f.staff_arg,
        )
    if f.balance_arg is None:
        return msg(
            "It is not a {smaller} on the figures given: the turnover of {turnover} exceeds"
            " {turnover_limit}, and without the balance-sheet total the alternative ceiling of"
            " {balance_limit} cannot be checked.",
            smaller=name,
            turnover=f.turnover_arg,
            turnover_limit=Money(smaller.turnover_max),
            balance_limit=Money(smaller.balance_max),
        )
    return msg(
        "It is not a {smaller}: the turnover of {turnover} exceeds {turnover_limit} and the balance-sheet"
        " total of {balance} exceeds {balance_limit}.",
        smaller=name,
        turnover=f.turnover_arg,
        turnover_limit=Money(smaller.turnover_max),
        balance=f.balance_arg,
        balance_limit=Money(smaller.balance_max),
    )


def _near(value: Decimal, ceiling: Decimal) -> bool:
    return abs(value - ceiling) <= ceiling * _NEAR


_FIGURE_NAMES = {
    "staff": msg("staff count"),
    "turnover": msg("turnover"),
    "balance_sheet": msg("balance-sheet total"),
}


def _close_calls(category: SizeClass, f: _Figures, banded: frozenset[str]) -> list[Text]:
    """Exact figures near a ceiling whose crossing would change the class: only figures that decide."""
    warnings: list[Text] = []
    current = {"staff": f.staff, "turnover": f.turnover, "balance_sheet": f.balance_sheet}
    args: dict[str, Arg | None] = {
        "staff": f.staff_arg,
        "turnover": f.turnover_arg,
        "balance_sheet": f.balance_arg,
    }
    for figure, value in current.items():
        if value is None or figure in banded:
            continue
        for c in CEILINGS:
            if figure == "staff":
                limit = c.staff_below
                moved = limit if value < limit else limit - Decimal("0.01")
                limit_arg: Arg = Number(limit)
            else:
                limit = c.turnover_max if figure == "turnover" else c.balance_max
                moved = limit + 1 if value <= limit else limit
                limit_arg = Money(limit)
            if not _near(value, limit):
                continue
            changed = {**current, figure: moved}
            staff, turnover = changed["staff"], changed["turnover"]
            assert staff is not None and turnover is not None
            if size_class(staff, turnover, changed["balance_sheet"]) == category:
                continue
            value_arg = args[figure]
            assert value_arg is not None
            warnings.append(
                msg(
                    "Your {figure} of {value} is close to the ceiling of {limit} for a {name}, and crossing it"
                    " would change your category. A company gains or loses a category only when it crosses a"
                    " ceiling in two consecutive financial years, so last year's accounts count as well.",
                    figure=_FIGURE_NAMES[figure],
                    value=value_arg,
                    limit=limit_arg,
                    name=CLASS_NAMES[c.category],
                )
            )
            break
    return warnings


def _caveats(
    category: SizeClass,
    f: _Figures,
    group: Group,
    banded: frozenset[str],
    *,
    no_balance_sheet: bool,
    aggregated: bool,
) -> tuple[Text, ...]:
    caveats: list[Text] = []
    if group.public_control:
        caveats.append(
            msg(
                "Because public bodies hold {threshold} or more of your company's capital or votes, it is not"
                " an SME under {source}, whatever its figures. SME programmes and SME-only advice are"
                " therefore not open to it.",
                threshold=Percent(Decimal(25)),
                source=_SME_SOURCE,
            )
        )
    elif group.unknown:
        caveats.append(
            msg(
                "You do not know whether other enterprises hold {threshold} or more of your company, or it of"
                " them. If so, the EU definition adds their staff and money figures: in proportion to the"
                " stake for a partner enterprise (25 to 50 %), in full for a linked one (over 50 % or"
                " control). Until that is checked, the category is provisional.",
                threshold=Percent(Decimal(25)),
            )
        )
    elif group.links_unknown and not group.not_aggregated:
        caveats.append(
            msg(
                "The own partner and linked enterprises of {names} are not known. The EU definition adds"
                " them too (a partner's linked enterprises, a linked enterprise's partners and linked"
                " enterprises). Until that is checked, the category is provisional.",
                names=_missing_links(group) or "",
            )
        )
    if group.not_aggregated and not group.public_control and not group.unknown:
        caveats.append(
            msg(
                "Your company has partner or linked enterprises whose figures were not given. The EU"
                " definition adds them: in proportion to the stake for a partner enterprise, in full for a"
                " linked one. Until that is done, the category is provisional. Type their figures at the"
                " ownership questions to have them added."
            )
        )
    possible = next((c for c in CEILINGS if c.admits_staff(f.staff)), None)
    balance_could_help = possible is not None and SIZE_ORDER.index(possible.category) < SIZE_ORDER.index(
        category
    )
    if f.balance_sheet is None and balance_could_help:
        assert possible is not None
        if no_balance_sheet:
            caveats.append(
                msg(
                    "You keep cash-basis accounts (EÜR), so there is no balance-sheet total and your turnover"
                    " alone decides."
                )
            )
        elif aggregated:
            caveats.append(
                msg(
                    "Not every balance-sheet total was given, so the group was classified on turnover alone."
                    " If the added-up balance-sheet total is at most {balance_limit}, it is a {smaller}.",
                    balance_limit=Money(possible.balance_max),
                    smaller=CLASS_NAMES[possible.category],
                )
            )
        else:
            caveats.append(
                msg(
                    "You did not give a balance-sheet total, so your company was classified on turnover"
                    " alone. If its balance-sheet total is at most {balance_limit}, it is a {smaller},"
                    " because meeting the balance-sheet ceiling is enough. It is worth looking the figure"
                    " up.",
                    balance_limit=Money(possible.balance_max),
                    smaller=CLASS_NAMES[possible.category],
                )
            )
    if banded & {"staff", "turnover", "balance_sheet"}:
        if aggregated:
            caveats.append(
                msg(
                    "Some of your own figures come from the ranges you chose; the sums use a value in the"
                    " middle of each range, so exact figures may give another category."
                )
            )
        else:
            # The bands of the questionnaire end exactly at the EU ceilings (a test holds them to it), so a
            # band never straddles a ceiling: the category holds for the whole band.
            caveats.append(
                msg(
                    "Some figures come from the ranges you chose. The category is the same for every value in"
                    " those ranges; exact figures would show how close you are to the next ceiling."
                )
            )
    caveats += _close_calls(category, f, banded)
    return tuple(caveats)


def _ifm_line(staff: Decimal, turnover: Decimal, banded: frozenset[str]) -> Text:
    """The IfM Bonn class; its staff ceiling (499) is not an EU ceiling, so a staff band may straddle it."""
    staff_low, staff_high = figure_bounds("staff", staff, banded)
    turnover_low, turnover_high = figure_bounds("turnover", turnover, banded)
    assert staff_low is not None and staff_high is not None
    assert turnover_low is not None and turnover_high is not None
    lowest, highest = ifm_size_class(staff_low, turnover_low), ifm_size_class(staff_high, turnover_high)
    if lowest == highest:
        return msg(
            "German definition of the IfM Bonn (staff and turnover only): {name}", name=CLASS_NAMES[lowest]
        )
    return msg(
        "German definition of the IfM Bonn (staff and turnover only): {lower} or {upper}",
        lower=CLASS_NAMES[lowest],
        upper=CLASS_NAMES[highest],
    )


_IFM_NOTE = msg(
    "Why the two differ: the IfM Bonn counts only staff and turnover, and its definition serves statistics."
    " Funding programmes use the EU definition above."
)


def _ifm_differs(category: SizeClass, staff: Decimal, turnover: Decimal, banded: frozenset[str]) -> bool:
    staff_low, staff_high = figure_bounds("staff", staff, banded)
    turnover_low, turnover_high = figure_bounds("turnover", turnover, banded)
    assert staff_low is not None and staff_high is not None
    assert turnover_low is not None and turnover_high is not None
    lowest, highest = ifm_size_class(staff_low, turnover_low), ifm_size_class(staff_high, turnover_high)
    eu = SizeClass.LARGE if category is SizeClass.SMALL_MIDCAP else category
    return not lowest == highest == eu


def _headline(category: SizeClass, group: Group) -> Text:
    if group.public_control:
        return msg(
            "Your company: not an SME, because public bodies hold 25 % or more (by its own figures a {category})",
            category=CLASS_NAMES[category],
        )
    if category not in _SME_CLASSES:
        if group.provisional:
            return msg("Your company: {category}, not an SME (provisional)", category=CLASS_NAMES[category])
        return msg("Your company: {category}, not an SME", category=CLASS_NAMES[category])
    missing = _missing_links(group)
    if missing is not None:
        return msg(
            "Your company: {category} (provisional: the own partner and linked enterprises of {names} are"
            " not known)",
            category=CLASS_NAMES[category],
            names=missing,
        )
    if group.provisional:
        return msg("Your company: {category} (provisional)", category=CLASS_NAMES[category])
    return msg("Your company: {category}", category=CLASS_NAMES[category])


def _missing_links(group: Group) -> Arg | None:
    """The enterprises whose own links are unknown, when nothing else leaves the category open."""
    if group.unknown or group.not_aggregated or not group.links_unknown:
        return None
    names: Arg | None = None
    for n in group.links_unknown:
        names = n.name if names is None else msg("{first} and {second}", first=names, second=n.name)
    return names


def classify_sme(
    staff: Decimal,
    turnover: Decimal,
    balance_sheet: Decimal | None,
    linked: bool = False,
    *,
    banded: frozenset[str] = frozenset(),
    group: Group | None = None,
    no_balance_sheet: bool = False,
) -> Classification:
    """Classify by the EU SME definition: the staff ceiling AND the turnover OR the balance-sheet ceiling.

    ``group`` holds the partner and linked enterprises; their typed figures are added (pro rata or in
    full) before classifying, and the sums are shown in the reasons. ``linked`` without a ``group`` stands
    for a partner relation whose figures are unknown. ``banded`` names the figures ("staff", "turnover",
    "balance_sheet") that are a band's representative rather than an exact number; the texts then speak of
    the band, not of the representative.
    """
    if group is None:
        group = Group(owned_by=PARTNER) if linked else Group()
    aggregation = aggregate(group, staff, turnover, balance_sheet)
    arithmetic: tuple[Text, ...] = tuple(enterprise_line(n) for n in group.named)
    if aggregation is not None:
        staff, turnover = aggregation.staff.total, aggregation.turnover.total
        balance_sheet = None if aggregation.balance_sheet is None else aggregation.balance_sheet.total
        arithmetic = (
            msg("The EU definition adds the figures of partner and linked enterprises:"),
            *arithmetic,
            aggregation.staff.arithmetic,
            aggregation.turnover.arithmetic,
        )
        if aggregation.balance_sheet is not None:
            arithmetic += (aggregation.balance_sheet.arithmetic,)
        figure_banded: frozenset[str] = frozenset()
    else:
        figure_banded = banded
    figures = _Figures(
        staff=staff,
        turnover=turnover,
        balance_sheet=balance_sheet,
        staff_arg=_staff_arg(staff, figure_banded),
        turnover_arg=_money_arg("turnover", turnover, figure_banded),
        balance_arg=None
        if balance_sheet is None
        else _money_arg("balance_sheet", balance_sheet, figure_banded),
    )
    category = size_class(staff, turnover, balance_sheet)
    return Classification(
        category=category,
        name=CLASS_NAMES[category],
        reasons=arithmetic + _reasons(category, figures, figure_banded),
        caveats=_caveats(
            category,
            figures,
            group,
            banded,
            no_balance_sheet=no_balance_sheet,
            aggregated=aggregation is not None,
        ),
        ifm_class=_ifm_line(staff, turnover, figure_banded),
        is_sme=category in _SME_CLASSES and not group.public_control,
        headline=_headline(category, group),
        provisional=group.provisional and not group.public_control,
        ifm_note=_IFM_NOTE if _ifm_differs(category, staff, turnover, figure_banded) else None,
        aggregation=aggregation,
        public_control=group.public_control,
    )
