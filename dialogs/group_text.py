"""The related enterprises as the reasons of the result list them: relation, share taken and figures."""

from __future__ import annotations

from dialogs.group import (
    EXEMPT,
    LINKED,
    PUBLIC,
    RELATED_KEYS,
    UP,
    Named,
    RelatedEnterprise,
    share_taken,
    stake_text,
)
from dialogs.text import Money, Number, Percent, Text, msg


def _figures_text(r: RelatedEnterprise) -> Text:
    assert r.staff is not None and r.turnover is not None
    figures = msg("{staff} staff, {turnover} turnover", staff=Number(r.staff), turnover=Money(r.turnover))
    if r.balance_sheet is None:
        return msg("{figures}, balance sheet not given", figures=figures)
    return msg("{figures}, {balance} balance sheet", figures=figures, balance=Money(r.balance_sheet))


def enterprise_line(n: Named) -> Text:
    """One enterprise as the reasons list it: relation, share taken and figures."""
    r = n.enterprise
    if n.direction == UP:
        where = msg("{name} holds {stake} of your company", name=n.name, stake=stake_text(r))
    else:
        where = msg("Your company holds {stake} of {name}", name=n.name, stake=stake_text(r))
    if r.control:
        where = msg("{relation}, with control by other means", relation=where)
    relation = r.relation
    if relation == PUBLIC:
        return msg("{where}: a public body with 25% or more, so your company is not an SME.", where=where)
    if relation == EXEMPT:
        return msg(
            "{where}: an exempt investor holding 25 to 50%, so nothing is added while it is not linked.",
            where=where,
        )
    if relation not in RELATED_KEYS:
        return msg("{where}: under 25% and no control, so nothing is added.", where=where)
    if relation == LINKED and r.consolidated:
        return msg(
            "{where}: linked enterprise; its consolidated figures include your company and take the place"
            " of your own ({figures}).",
            where=where,
            figures=_figures_text(r),
        )
    kind = msg("linked enterprise") if relation == LINKED else msg("partner enterprise")
    return msg(
        "{where}: {kind}, {share} of its figures added ({figures}).",
        where=where,
        kind=kind,
        share=Percent(share_taken(r)),
        figures=_figures_text(r),
    )
