"""The EU size class of a company (Recommendation 2003/361/EC, small mid-caps after (EU) 2025/1099).

``classify_sme`` returns the category together with the sentences that explain it: which ceilings decided,
and what the user should know before relying on it (unknown balance sheet, group links, figures from bands).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dialogs.ceilings import (
    CEILINGS,
    CLASS_NAMES,
    SIZE_ORDER,
    SME_CLASSES,
    SME_SOURCE,
    SizeClass,
    balance_open,
    ceiling_just_crossed,
    close_calls,
    ifm_differs,
    ifm_line,
    ifm_note,
    size_verdict,
)
from dialogs.class_notes import public_control_reason, two_year_rule
from dialogs.class_reasons import size_reasons
from dialogs.figures import Figures, money_arg, staff_arg
from dialogs.group import PARTNER, Aggregation, Group, aggregate
from dialogs.group_text import enterprise_line
from dialogs.text import Arg, Money, Percent, Text, msg


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
    # Two-year rule: the smaller class the figures are just above (None when no ceiling was just crossed),
    # and the class the figures alone give when the company keeps that smaller class for now.
    earlier_class: SizeClass | None = None
    figures_class: SizeClass | None = None
    two_year_open: bool = False  # just over a ceiling, and the previous year is not known


def _caveats(
    category: SizeClass,
    f: Figures,
    group: Group,
    banded: frozenset[str],
    *,
    no_balance_sheet: bool,
    aggregated: bool,
    close_calls_too: bool = True,
) -> tuple[Text, ...]:
    caveats: list[Text] = []
    if group.public_control:
        caveats.append(
            msg(
                "Because public bodies hold {threshold} or more of your company's capital or votes, it is not"
                " an SME under {source}, whatever its figures. SME programmes and SME-only advice are"
                " therefore not open to it.",
                threshold=Percent(Decimal(25)),
                source=SME_SOURCE,
            )
        )
    elif group.unknown:
        caveats.append(
            msg(
                "You do not know whether other enterprises hold {threshold} or more of your company, or whether"
                " your company holds that much of others. If so, the EU definition adds their staff and money"
                " figures: in proportion to the"
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
    if close_calls_too:
        caveats += close_calls(category, f, banded)
    return tuple(caveats)


def _headline(
    category: SizeClass,
    group: Group,
    *,
    kept: bool = False,
    open_year: bool = False,
    open_balance: bool = False,
) -> Text:
    """The category in one line, marked provisional when a missing figure could still change it."""
    # figures of related enterprises only ever add up: they cannot make a large enterprise smaller
    group_open = group.provisional and category is not SizeClass.LARGE
    open_ = group_open or open_year or open_balance
    if group.public_control:
        return msg(
            "Your company: not an SME, because public bodies hold 25 % or more (by its own figures a {category})",
            category=CLASS_NAMES[category],
        )
    if kept and not group_open:
        return msg(
            "Your company: {category} (kept for now under the two-year rule)", category=CLASS_NAMES[category]
        )
    if category not in SME_CLASSES:
        if open_:
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
    if open_:
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
    previous_year: str | None = None,
) -> Classification:
    """Classify by the EU SME definition: the staff ceiling AND the turnover OR the balance-sheet ceiling.

    ``group`` holds the partner and linked enterprises; their typed figures are added (pro rata or in
    full) before classifying, and the sums are shown in the reasons. ``linked`` without a ``group`` stands
    for a partner relation whose figures are unknown. ``banded`` names the figures ("staff", "turnover",
    "balance_sheet") that are a band's representative rather than an exact number; the texts then speak of
    the band, not of the representative. ``previous_year`` answers whether figures just above a ceiling
    were above it in the previous financial year too ("yes", "no", "unknown"): under the two-year rule
    (Annex Art. 4(2)) a company that crossed a ceiling in one year only keeps its earlier class for now.
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
    figures = Figures(
        staff=staff,
        turnover=turnover,
        balance_sheet=balance_sheet,
        staff_arg=staff_arg(staff, figure_banded),
        turnover_arg=money_arg("turnover", turnover, figure_banded),
        balance_arg=None
        if balance_sheet is None
        else money_arg("balance_sheet", balance_sheet, figure_banded),
    )
    verdict = size_verdict(staff, turnover, balance_sheet)
    category = verdict.category
    reasons = arithmetic + size_reasons(verdict, figures, figure_banded)
    if group.public_control:
        reasons = (*arithmetic, public_control_reason(category, figures))
    earlier = ceiling_just_crossed(staff, turnover, balance_sheet, figure_banded)
    figures_class, extra, two_year = two_year_rule(category, earlier, previous_year)
    if figures_class is not None:
        assert earlier is not None
        category = earlier
    reasons += extra
    two_year_open = bool(two_year)
    open_balance = balance_open(category, staff, balance_sheet, no_balance_sheet)
    return Classification(
        category=category,
        name=CLASS_NAMES[category],
        reasons=reasons,
        caveats=two_year
        + _caveats(
            category,
            figures,
            group,
            banded,
            no_balance_sheet=no_balance_sheet,
            aggregated=aggregation is not None,
            close_calls_too=earlier is None or previous_year is None,
        ),
        ifm_class=ifm_line(staff, turnover, figure_banded),
        is_sme=category in SME_CLASSES and not group.public_control,
        headline=_headline(
            category,
            group,
            kept=figures_class is not None,
            open_year=two_year_open,
            open_balance=open_balance,
        ),
        provisional=(
            (group.provisional and not group.public_control and category is not SizeClass.LARGE)
            or two_year_open
            or open_balance
        ),
        ifm_note=ifm_note(category, staff, turnover, figure_banded)
        if ifm_differs(category, staff, turnover, figure_banded)
        else None,
        aggregation=aggregation,
        public_control=group.public_control,
        earlier_class=earlier,
        figures_class=figures_class,
        two_year_open=two_year_open,
    )
