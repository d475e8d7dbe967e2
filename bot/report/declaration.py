"""The SME declaration worksheet as a PDF: the answers in the structure of the Commission's model declaration.

Type of enterprise, the data used with its reference period, the calculation sheets for partner and linked
enterprises, and the totals; name, address, register number and signature are left blank to fill in by hand.
It says plainly that it is a worksheet for the official declaration, not the declaration itself. Like the
report it holds nothing that identifies the user: no name, no Telegram details.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.i18n import Translator
from bot.report.sections import Bullets, Callout, Paragraph, Section
from bot.report.worksheet_layout import WorksheetWriter
from dialogs.declaration import AUTONOMOUS, NOT_SME, Figures, SheetRow, Worksheet, worksheet
from dialogs.enterprise import UNKNOWN, stake_arg, stake_text
from dialogs.group_text import enterprise_line
from dialogs.screens import Result
from dialogs.text import Arg, Day, Money, Number, Text, msg

TITLE = msg("SME declaration — worksheet")
SOURCE = msg(
    "Commission Recommendation 2003/361/EC of {date} (OJ L 124 of {published}, p. 36), Annex Art. 3 to 6, and"
    " the model declaration in the Commission's User Guide to the SME definition",
    date=Day(date(2003, 5, 6)),
    published=Day(date(2003, 5, 20)),
)
TYPES = (
    (AUTONOMOUS, msg("Autonomous enterprise")),
    ("partner", msg("Partner enterprise")),
    ("linked", msg("Linked enterprise")),
)


def declaration_filename(checked_on: date) -> str:
    return f"kmu-erklaerung-arbeitsblatt-{checked_on.isoformat()}.pdf"


def _n(t: Translator, value: Decimal | None) -> str:
    return "—" if value is None else t(msg("{value}", value=Number(value)))


def _m(t: Translator, value: Decimal | None) -> str:
    return "—" if value is None else t(msg("{value}", value=Money(value, compact=False)))


def _figures(t: Translator, label: Arg, figures: Figures) -> tuple[str, ...]:
    return (
        t(msg("{label}", label=label)),
        _n(t, figures.staff),
        _m(t, figures.turnover),
        _m(t, figures.balance_sheet),
    )


def _header(t: Translator, first: Text) -> tuple[str, ...]:
    return (t(first), t(msg("Staff (AWU)")), t(msg("Annual turnover")), t(msg("Balance-sheet total")))


def _sheet(t: Translator, rows: tuple[SheetRow, ...], total: Figures) -> list[tuple[str, ...]]:
    table = [_header(t, msg("Enterprise"))]
    for row in rows:
        table.append(
            _figures(
                t,
                msg("{name}: its figures ({relation})", name=row.named.name, relation=_where(row)),
                row.figures,
            )
        )
        table.append(_figures(t, msg("added: {share} of them", share=stake_arg(row.share)), row.added))
    table.append(_figures(t, msg("Sum added"), total))
    return table


def _where(row: SheetRow) -> Text:
    stake = stake_text(row.named.enterprise)
    if row.named.direction == "up":
        return msg("holds {stake} of your company", stake=stake)
    return msg("your company holds {stake}", stake=stake)


def _unbroken_boxes(text: str) -> str:
    """A box to tick stays on one line with the word after it (non-breaking spaces)."""
    return text.replace("[  ] ", "[\u00a0\u00a0]\u00a0")


def _box(checked: bool) -> str:
    return "[X]" if checked else "[  ]"


def build_declaration(result: Result, language: str, checked_on: date) -> bytes:
    """The worksheet PDF of ``result`` in ``language``, dated ``checked_on``."""
    t = Translator(language)
    profile, classification = result.profile, result.classification
    sheet: Worksheet = worksheet(profile.group, profile.staff, profile.turnover, profile.balance_sheet)
    writer = WorksheetWriter(
        t,
        checked_on,
        title=TITLE,
        footer=msg(
            "A worksheet for preparing the SME declaration, built from your own answers in a self-check."
            " It is not the declaration and not legal or tax advice."
        ),
    )
    writer.section(
        Section(
            t(msg("What this worksheet is")),
            (
                Callout(
                    t(msg("A worksheet, not the declaration itself")),
                    (
                        t(
                            msg(
                                "It prepares the SME declaration (KMU-Erklärung) following {source}. Transfer"
                                " the figures to the form your funding body or bank asks for, check them"
                                " against your accounts, and sign there.",
                                source=SOURCE,
                            )
                        ),
                    ),
                    warning=True,
                ),
            ),
        )
    )
    writer.section(Section(t(msg("1. Identification of the enterprise")), ()))
    writer.fields(
        [
            t(msg("Name or business name")),
            t(msg("Address of the registered office")),
            t(msg("Register or VAT number")),
            t(msg("Names and titles of the principal directors")),
        ]
    )
    kind = sheet.enterprise_type
    writer.section(
        Section(
            t(msg("2. Type of enterprise")),
            (
                Paragraph("\n".join(f"{_box(kind == key)} {t(label)}" for key, label in TYPES)),
                *_type_notes(t, kind),
            ),
        )
    )
    writer.section(
        Section(
            t(msg("3. Data used to determine the category")),
            (
                Paragraph(
                    t(
                        msg(
                            "Reference period: the last closed financial year, from the last approved"
                            " accounts (a new company: a good-faith estimate for the current year)."
                        )
                    )
                ),
            ),
        )
    )
    writer.fields([t(msg("Financial year (reference period)"))])
    writer.table(
        [
            _header(t, msg("Figures")),
            _figures(t, msg("Your company's own figures"), sheet.own),
            _figures(t, msg("Totals for the declaration (section 6)"), sheet.total),
        ],
        (3.2, 1.3, 1.8, 1.8),
        frozenset({2}),
    )
    writer.section(
        Section(
            t(msg("Resulting category")),
            (
                Callout(t(classification.headline)),
                Paragraph(
                    _unbroken_boxes(
                        t(
                            msg(
                                "Change compared with the previous closed financial year that could change the"
                                " category: [  ] no  [  ] yes (then the previous year's figures count as well: a"
                                " company gains or loses a category only after two consecutive years)."
                            )
                        )
                    )
                ),
            ),
        )
    )
    writer.section(Section(t(msg("4. Calculation sheet for partner enterprises")), ()))
    if sheet.partners:
        writer.table(_sheet(t, sheet.partners, sheet.partner_sum), (3.2, 1.3, 1.8, 1.8), frozenset())
    else:
        writer.blocks(Paragraph(t(msg("No partner enterprises were given."))))
    writer.section(Section(t(msg("5. Calculation sheet for linked enterprises")), ()))
    if sheet.consolidated is not None:
        row = sheet.consolidated
        writer.blocks(
            Paragraph(
                t(
                    msg(
                        "{name}: consolidated accounts that include your company; they take the place"
                        " of your own figures in the totals.",
                        name=row.named.name,
                    )
                )
            )
        )
        writer.table(
            [_header(t, msg("Enterprise")), _figures(t, row.named.name, row.figures)],
            (3.2, 1.3, 1.8, 1.8),
            frozenset(),
        )
    if sheet.linked:
        writer.table(_sheet(t, sheet.linked, sheet.linked_sum), (3.2, 1.3, 1.8, 1.8), frozenset())
    elif sheet.consolidated is None:
        writer.blocks(Paragraph(t(msg("No linked enterprises were given."))))
    if sheet.partners or sheet.linked or sheet.consolidated:
        writer.fields([t(msg("Addresses and register numbers of the enterprises above"))])
    typed = [row.named for row in (*sheet.partners, *sheet.linked) if row.named.enterprise.typed]
    if sheet.consolidated is not None and sheet.consolidated.named.enterprise.typed:
        typed.append(sheet.consolidated.named)
    if typed:
        # The one-line shortcut skips the questions on control and on the enterprise's own links: whoever
        # signs must know what was assumed in their place, as the result says.
        writer.section(
            Section(
                t(msg("How the entries typed in one line were taken")),
                (Bullets(tuple(t(enterprise_line(n)) for n in typed)),),
            )
        )
    if sheet.not_added:
        writer.section(
            Section(
                t(msg("Enterprises given but not added")),
                (Bullets(tuple(t(enterprise_line(n)) for n in sheet.not_added)),),
            )
        )
    base = msg("1. Own figures") if sheet.consolidated is None else msg("1. Consolidated accounts")
    writer.section(Section(t(msg("6. Totals")), ()))
    writer.table(
        [
            _header(t, msg("Figures")),
            _figures(t, base, sheet.consolidated.figures if sheet.consolidated else sheet.own),
            _figures(t, msg("2. Partner enterprises (in proportion)"), sheet.partner_sum),
            _figures(t, msg("3. Linked enterprises (in full)"), sheet.linked_sum),
            _figures(t, msg("Total"), sheet.total),
        ],
        (3.2, 1.3, 1.8, 1.8),
        frozenset({4}),
    )
    caveats = [t(c) for c in classification.caveats]
    if caveats:
        writer.section(Section(t(msg("To check before signing")), (Bullets(tuple(caveats)),)))
    if writer.pdf.get_y() + 50 > writer.pdf.page_break_trigger:  # the heading stays with its fields
        writer.pdf.add_page()
    writer.section(
        Section(
            t(msg("7. Signature (on the official declaration)")),
            (
                Paragraph(
                    t(
                        msg(
                            "Worksheet prepared on {date} from the answers of a self-check.",
                            date=Day(checked_on),
                        )
                    ),
                    muted=True,
                ),
            ),
        )
    )
    writer.fields(
        [
            t(msg("Place and date")),
            t(msg("Name and position of the signatory")),
            t(msg("Signature")),
        ]
    )
    return writer.output()


def _type_notes(t: Translator, kind: str) -> tuple[Paragraph, ...]:
    if kind == NOT_SME:
        return (
            Paragraph(
                t(
                    msg(
                        "Public bodies hold 25% or more of the capital or votes: the company is not an SME,"
                        " whatever its figures (Annex Art. 3(4))."
                    )
                ),
                bold=True,
            ),
        )
    if kind == UNKNOWN:
        return (
            Paragraph(
                t(
                    msg(
                        "Not yet known: whether other enterprises hold 25% or more of your company, or whether"
                        " your company holds that much of others."
                    )
                )
            ),
        )
    return ()
