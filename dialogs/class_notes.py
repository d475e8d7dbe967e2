"""The texts of two special verdicts of the size class: a company controlled by public bodies, and the
two-year rule for figures just above a ceiling (Annex Art. 3(4) and Art. 4(2) of 2003/361/EC)."""

from __future__ import annotations

from decimal import Decimal

from dialogs.ceilings import CLASS_NAMES, SME_SOURCE, SizeClass
from dialogs.figures import Figures
from dialogs.text import Percent, Text, msg


def public_control_reason(category: SizeClass, figures: Figures) -> Text:
    """Never "is a small enterprise": in law a company controlled by public bodies is not an SME at all."""
    return msg(
        "By its own figures (a staff count of {staff} and a turnover of {turnover}) your company would be"
        " a {name}. Because public bodies hold {threshold} or more of its capital or votes, it is not an"
        " SME under {source} (Annex, Art. 3(4)).",
        staff=figures.staff_arg,
        turnover=figures.turnover_arg,
        name=CLASS_NAMES[category],
        threshold=Percent(Decimal(25)),
        source=SME_SOURCE,
    )


def two_year_rule(
    category: SizeClass, earlier: SizeClass | None, previous_year: str | None
) -> tuple[SizeClass | None, tuple[Text, ...], tuple[Text, ...]]:
    """The two-year rule: (the class the figures alone give when the earlier class is kept, extra reasons,
    the caveat when the previous year is not known)."""
    if earlier is None:
        return None, (), ()
    if previous_year == "no":
        reason = msg(
            "Your figures crossed the ceiling of a {earlier} in the last financial year only. A company"
            " changes its class only when it is above a ceiling in two consecutive financial years"
            " (two-year rule, Art. 4(2) of the Annex to {source}), so your company stays a {earlier}"
            " for now; the figures alone would make it a {figures_class}.",
            earlier=CLASS_NAMES[earlier],
            figures_class=CLASS_NAMES[category],
            source=SME_SOURCE,
        )
        return category, (reason,), ()
    if previous_year == "yes":
        reason = msg(
            "Your figures were above the ceiling of a {earlier} in the previous financial year as well, so"
            " under the two-year rule the class applies now.",
            earlier=CLASS_NAMES[earlier],
        )
        return None, (reason,), ()
    if previous_year == "unknown":
        caveat = msg(
            "Your figures are just above the ceiling of a {earlier}. If they were below it in the previous"
            " financial year, your company stays a {earlier} for now, because a company changes its class"
            " only when it is above a ceiling in two consecutive financial years. Until that is checked,"
            " the category is provisional.",
            earlier=CLASS_NAMES[earlier],
        )
        return None, (), (caveat,)
    return None, (), ()
