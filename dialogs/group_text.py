"""The related enterprises as the reasons of the result list them: relation, share taken and figures."""

from __future__ import annotations

from dialogs.enterprise import (
    EXEMPT,
    LINKED,
    PUBLIC,
    RELATED_KEYS,
    UP,
    RelatedEnterprise,
    stake_arg,
    stake_text,
)
from dialogs.group import Named, share_taken
from dialogs.text import Money, Number, Text, msg


def _figures_text(r: RelatedEnterprise) -> Text:
    assert r.staff is not None and r.turnover is not None
    figures = msg("{staff} staff, {turnover} turnover", staff=Number(r.staff), turnover=Money(r.turnover))
    if r.balance_sheet is None:
        return msg("{figures}, balance sheet not given", figures=figures)
    return msg("{figures}, {balance} balance sheet", figures=figures, balance=Money(r.balance_sheet))


def enterprise_line(n: Named) -> Text:
    """One enterprise as the reasons list it: relation, share taken and figures, and what was assumed of an
    enterprise typed in one line (the questions it skipped)."""
    line = _relation_line(n)
    if not n.enterprise.typed:
        return line
    return msg(
        "{line} Typed in one line, so taken as an ordinary enterprise without control by other means whose"
        " own partner and linked enterprises are none or included in its figures.",
        line=line,
    )


def _relation_line(n: Named) -> Text:
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
        share=stake_arg(share_taken(r)),
        figures=_figures_text(r),
    )
