"""The size classes and their ceilings: the EU's (2003/361/EC; small mid-caps after (EU) 2025/1099) and the IfM Bonn's.

``size_verdict`` names the smallest class whose ceilings the figures meet and the money ceiling that decided it;
``close_calls`` names exact figures so close to a ceiling that crossing it would change the class.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from dialogs.figures import Figures, figure_bounds
from dialogs.text import Arg, Money, Number, Text, msg


class SizeClass(StrEnum):
    """Size classes from smallest to largest; the declaration order is the size order."""

    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    SMALL_MIDCAP = "small_midcap"
    LARGE = "large"


SIZE_ORDER: tuple[SizeClass, ...] = tuple(SizeClass)

CLASS_NAMES: dict[SizeClass, Text] = {
    SizeClass.MICRO: msg("micro enterprise"),
    SizeClass.SMALL: msg("small enterprise"),
    SizeClass.MEDIUM: msg("medium-sized enterprise"),
    SizeClass.SMALL_MIDCAP: msg("small mid-cap enterprise"),
    SizeClass.LARGE: msg("large enterprise"),
}

SME_SOURCE = msg("Commission Recommendation 2003/361/EC")
MIDCAP_SOURCE = msg("Commission Recommendation (EU) 2025/1099")

MILLION = Decimal(1_000_000)


# Which of the two money ceilings decided a class: meeting either one is enough.
MoneyCeiling = Literal["turnover", "balance_sheet"]


@dataclass(frozen=True)
class SizeVerdict:
    """The smallest class whose ceilings the figures meet, and the money ceiling that admitted them."""

    category: SizeClass
    ceiling: MoneyCeiling | None  # None: above every ceiling (a large enterprise)


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

    def decides(
        self, staff: Decimal, turnover: Decimal, balance_sheet: Decimal | None
    ) -> MoneyCeiling | None:
        """The money ceiling that admits the figures (turnover first), None when this class does not."""
        if not self.admits_staff(staff):
            return None
        if turnover <= self.turnover_max:
            return "turnover"
        if balance_sheet is not None and balance_sheet <= self.balance_max:
            return "balance_sheet"
        return None

    def admits(self, staff: Decimal, turnover: Decimal, balance_sheet: Decimal | None) -> bool:
        return self.decides(staff, turnover, balance_sheet) is not None


# Every class above large would be LARGE; the list stops at the last class with ceilings.
CEILINGS: tuple[Ceilings, ...] = (
    Ceilings(SizeClass.MICRO, Decimal(10), 2 * MILLION, 2 * MILLION, SME_SOURCE),
    Ceilings(SizeClass.SMALL, Decimal(50), 10 * MILLION, 10 * MILLION, SME_SOURCE),
    Ceilings(SizeClass.MEDIUM, Decimal(250), 50 * MILLION, 43 * MILLION, SME_SOURCE),
    Ceilings(SizeClass.SMALL_MIDCAP, Decimal(750), 150 * MILLION, 129 * MILLION, MIDCAP_SOURCE),
)
CEILINGS_BY_CLASS = {c.category: c for c in CEILINGS}
SME_CLASSES = frozenset({SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM})

# IfM Bonn (Germany, since 2016): staff AND turnover, no balance sheet; (max staff, max turnover).
IFM_CEILINGS: tuple[tuple[SizeClass, Decimal, Decimal], ...] = (
    (SizeClass.MICRO, Decimal(9), 2 * MILLION),
    (SizeClass.SMALL, Decimal(49), 10 * MILLION),
    (SizeClass.MEDIUM, Decimal(499), 50 * MILLION),
)


def size_verdict(staff: Decimal, turnover: Decimal, balance_sheet: Decimal | None) -> SizeVerdict:
    """The smallest class whose ceilings the figures meet, with the ceiling that decided it (an unknown
    balance sheet meets none)."""
    for ceilings in CEILINGS:
        ceiling = ceilings.decides(staff, turnover, balance_sheet)
        if ceiling is not None:
            return SizeVerdict(ceilings.category, ceiling)
    return SizeVerdict(SizeClass.LARGE, None)


def size_class(staff: Decimal, turnover: Decimal, balance_sheet: Decimal | None) -> SizeClass:
    """The smallest class whose ceilings the figures meet."""
    return size_verdict(staff, turnover, balance_sheet).category


def ceiling_just_crossed(
    staff: Decimal, turnover: Decimal, balance_sheet: Decimal | None, banded: frozenset[str] = frozenset()
) -> SizeClass | None:
    """The smaller class the company would be in were its one figure just above a ceiling (within 10 %) at
    that ceiling: the class the two-year rule may keep it in. ``None`` when no exact figure is just over."""
    category = size_class(staff, turnover, balance_sheet)
    current = {"staff": staff, "turnover": turnover, "balance_sheet": balance_sheet}
    for ceilings in reversed(CEILINGS[: SIZE_ORDER.index(category)]):
        for figure, value in current.items():
            if value is None or figure in banded:
                continue
            if figure == "staff":
                limit = ceilings.staff_below
                just_over = limit <= value < limit * (1 + _NEAR)
                moved = limit - Decimal("0.01")
            else:
                limit = ceilings.turnover_max if figure == "turnover" else ceilings.balance_max
                just_over = limit < value <= limit * (1 + _NEAR)
                moved = limit
            if not just_over:
                continue
            changed = {**current, figure: moved}
            changed_staff, changed_turnover = changed["staff"], changed["turnover"]
            assert changed_staff is not None and changed_turnover is not None
            smaller = size_class(changed_staff, changed_turnover, changed["balance_sheet"])
            if SIZE_ORDER.index(smaller) < SIZE_ORDER.index(category):
                return smaller
    return None


def balance_open(
    category: SizeClass, staff: Decimal, balance_sheet: Decimal | None, no_balance_sheet: bool
) -> bool:
    """An unknown balance-sheet total that could still make the company smaller: the class is provisional."""
    if balance_sheet is not None or no_balance_sheet:
        return False
    possible = next((c for c in CEILINGS if c.admits_staff(staff)), None)
    return possible is not None and SIZE_ORDER.index(possible.category) < SIZE_ORDER.index(category)


def ifm_size_class(staff: Decimal, turnover: Decimal) -> SizeClass:
    """The class under the IfM Bonn definition: micro, small, medium or large."""
    for category, max_staff, max_turnover in IFM_CEILINGS:
        if staff <= max_staff and turnover <= max_turnover:
            return category
    return SizeClass.LARGE


def ifm_line(staff: Decimal, turnover: Decimal, banded: frozenset[str]) -> Text:
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


def ifm_note(category: SizeClass, staff: Decimal, turnover: Decimal, banded: frozenset[str]) -> Text:
    """Why the IfM Bonn class differs from the EU class, with the reason that applies to these figures."""
    staff_low, staff_high = figure_bounds("staff", staff, banded)
    assert staff_low is not None and staff_high is not None
    if staff_high >= 250 and staff_low <= 499 and category is not SizeClass.MEDIUM:
        reason = msg(
            "the IfM Bonn counts companies with up to 499 staff as medium-sized, the EU fewer than 250"
        )
    elif Decimal(9) < staff_high < 10:
        reason = msg("the IfM Bonn counts up to 9 staff as a micro enterprise, the EU fewer than 10")
    elif Decimal(49) < staff_high < 50:
        reason = msg("the IfM Bonn counts up to 49 staff as a small enterprise, the EU fewer than 50")
    else:
        reason = msg(
            "the IfM Bonn looks at turnover alone, while under the EU definition a balance-sheet total within"
            " its ceiling is enough"
        )
    return msg(
        "Why the two differ: {reason}. The IfM definition serves statistics; funding programmes use the EU"
        " definition above.",
        reason=reason,
    )


def ifm_differs(category: SizeClass, staff: Decimal, turnover: Decimal, banded: frozenset[str]) -> bool:
    staff_low, staff_high = figure_bounds("staff", staff, banded)
    turnover_low, turnover_high = figure_bounds("turnover", turnover, banded)
    assert staff_low is not None and staff_high is not None
    assert turnover_low is not None and turnover_high is not None
    lowest, highest = ifm_size_class(staff_low, turnover_low), ifm_size_class(staff_high, turnover_high)
    eu = SizeClass.LARGE if category is SizeClass.SMALL_MIDCAP else category
    return not lowest == highest == eu


# A figure within this fraction of a deciding ceiling is "close": the two-year rule is then worth a note.
_NEAR = Decimal("0.10")


def _near(value: Decimal, ceiling: Decimal) -> bool:
    return abs(value - ceiling) <= ceiling * _NEAR


_FIGURE_NAMES = {
    "staff": msg("staff count"),
    "turnover": msg("turnover"),
    "balance_sheet": msg("balance-sheet total"),
}


def close_calls(category: SizeClass, f: Figures, banded: frozenset[str]) -> list[Text]:
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
            else:
                limit = c.turnover_max if figure == "turnover" else c.balance_max
            if not _near(value, limit):
                continue
            limit_arg: Arg
            if figure == "staff":
                moved = limit if value < limit else limit - Decimal("0.01")
                limit_arg = Number(limit)
            else:
                moved = limit + 1 if value <= limit else limit
                limit_arg = Money(limit)
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
