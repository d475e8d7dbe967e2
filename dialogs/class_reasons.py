"""Why the figures give a company its EU size class: the ceilings that decided, and why it is not one class
smaller (2003/361/EC, small mid-caps after (EU) 2025/1099)."""

from __future__ import annotations

from dialogs.ceilings import (
    CEILINGS,
    CEILINGS_BY_CLASS,
    CLASS_NAMES,
    MIDCAP_SOURCE,
    SIZE_ORDER,
    SME_SOURCE,
    Ceilings,
    SizeVerdict,
)
from dialogs.figures import Figures
from dialogs.text import Money, Number, Text, msg


def size_reasons(verdict: SizeVerdict, f: Figures, banded: frozenset[str]) -> tuple[Text, ...]:
    """Why the figures make this class, naming the money ceiling that decided it."""
    category = verdict.category
    index = SIZE_ORDER.index(category)
    reasons: list[Text] = []
    ceilings = CEILINGS_BY_CLASS.get(category)
    if ceilings is None:
        reasons.append(
            msg(
                "Your company is a {name}: it is above the SME ceilings of {sme_source} and above the small"
                " mid-cap ceilings of {midcap_source}.",
                name=CLASS_NAMES[category],
                sme_source=SME_SOURCE,
                midcap_source=MIDCAP_SOURCE,
            )
        )
    elif banded & {"staff", "turnover", "balance_sheet"}:
        # A range already says where the figure lies; repeating the ceiling would print it twice.
        if verdict.ceiling == "turnover":
            reasons.append(
                msg(
                    "With a staff count of {staff} and a turnover of {turnover}, your company is a {name} under {source}.",
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
                    "With a staff count of {staff} and a balance-sheet total of {balance}, your company is a {name} under"
                    " {source}. Meeting one of the two money ceilings is enough, so the turnover above"
                    " {turnover_limit} does not count against it.",
                    staff=f.staff_arg,
                    balance=f.balance_arg,
                    turnover_limit=Money(ceilings.turnover_max),
                    name=CLASS_NAMES[category],
                    source=ceilings.source,
                )
            )
    elif verdict.ceiling == "turnover":
        reasons.append(
            msg(
                "With a staff count of {staff} (fewer than {staff_limit}) and a turnover of {turnover} (at most"
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
                "With a staff count of {staff} (fewer than {staff_limit}) and a balance-sheet total of {balance} (at"
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


def _why_not_smaller(smaller: Ceilings, f: Figures) -> Text:
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
