"""The export's codebook: what every column means and what every code stands for, in the export's language.

Analysts get it as a sheet of the XLSX and as a file beside a CSV or JSON export; with ``--lang`` the cells
themselves carry the labels instead of the codes. The export's own figures (rows, suppressed, k) are part of
it, so that the CSV holds nothing but the header and the rows.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from bot.i18n import Translator
from dialogs.ceilings import CLASS_NAMES, SizeClass
from dialogs.declaration import AUTONOMOUS, NOT_SME
from dialogs.group import UNKNOWN
from dialogs.questions import QUESTION_BY_ID
from dialogs.text import Text, msg

LANGUAGE_NAMES: dict[str, Text] = {"de": msg("German"), "en": msg("English")}

# The export's columns with what each holds; the questions' choices give the codes of the answer columns.
DESCRIPTIONS: dict[str, Text] = {
    "export_id": msg("Row number after a fresh random shuffle; differs in every export, leads to nobody"),
    "month": msg("Year and month of the result"),
    "language": msg("Language of the check"),
    "staff_band": msg("Staff (annual work units), as a band of the SME ceilings"),
    "turnover_band": msg("Annual turnover, as a band of the SME ceilings"),
    "balance_sheet_band": msg("Balance-sheet total, as a band of the SME ceilings"),
    "linked": msg("Stakes of other enterprises in the company"),
    "owns": msg("The company's stakes in other enterprises"),
    "sector": msg("Sector"),
    "customers": msg("Customers"),
    "reach": msg("Reach"),
    "website": msg("Website"),
    "social_presence": msg("Social media"),
    "results_check": msg("Results of advertising checked"),
    "referral": msg("Referral marketing"),
    "enterprise_type": msg("Type of enterprise under the EU definition, from the stakes in both directions"),
    "online_share": msg("Online share of the marketing budget in %, rounded to 5 points"),
    "social_share": msg("Social media share of the marketing budget in %, rounded to 5 points"),
    "controlling_share": msg("Controlling share of the marketing budget in %, rounded to 5 points"),
    "category": msg("EU SME size class"),
    "score": msg("Digital-gap score (0 none to 100 widest), rounded to 5 points"),
}
_QUESTION_OF = {"staff_band": "staff", "turnover_band": "turnover", "balance_sheet_band": "balance_sheet"}
# Results stored before the ownership bands: "no" and "yes" of the old question, exported as these codes.
_OLD_LINKED: dict[str, Text] = {"25plus": msg("25% or more held by another enterprise (earlier question)")}


_ENTERPRISE_TYPES: dict[str, Text] = {
    AUTONOMOUS: msg("Autonomous enterprise"),
    "partner": msg("Partner enterprise"),
    "linked": msg("Linked enterprise"),
    NOT_SME: msg("Not an SME: public bodies hold 25% or more"),
}


@dataclass(frozen=True)
class Entry:
    """One line of the codebook: a column (code empty) with its description, or one code with its label."""

    column: str
    code: str
    label: str


def code_labels(language: str) -> dict[str, dict[str, str]]:
    """For each column with codes: code -> label in ``language``."""
    t = Translator(language)
    labels: dict[str, dict[str, str]] = {}
    for column in DESCRIPTIONS:
        question = QUESTION_BY_ID.get(_QUESTION_OF.get(column, column))
        if question is not None and question.choices:
            labels[column] = {choice.key: t(choice.label) for choice in question.choices}
    labels["linked"].update({code: t(text) for code, text in _OLD_LINKED.items()})
    labels["enterprise_type"] = {code: t(text) for code, text in _ENTERPRISE_TYPES.items()}
    labels["enterprise_type"][UNKNOWN] = labels["linked"][UNKNOWN]
    labels["language"] = {code: t(text) for code, text in LANGUAGE_NAMES.items()}
    labels["category"] = {size.value: t(CLASS_NAMES[size]) for size in SizeClass}
    return labels


def entries(language: str) -> Iterator[Entry]:
    """The whole codebook, column by column."""
    t = Translator(language)
    labels = code_labels(language)
    for column, description in DESCRIPTIONS.items():
        yield Entry(column, "", t(description))
        for code, label in labels.get(column, {}).items():
            yield Entry(column, code, label)


def about(
    language: str, *, rows: int, suppressed: int, k: int, labelled: bool
) -> list[tuple[str, str | int]]:
    """The export's figures and rules, in ``language``."""
    t = Translator(language)
    return [
        (t(msg("Respondents exported")), rows),
        (t(msg("Left out (k-anonymity)")), suppressed),
        ("k", k),
        (
            t(msg("Rule")),
            t(
                msg(
                    "Combinations of month, language, the size bands and the sector held by fewer than {k}"
                    " respondents are left out; shares and score are rounded to 5 points.",
                    k=k,
                )
            ),
        ),
        (
            t(msg("Cells")),
            t(msg("labels in this language; the codes are in the codebook"))
            if labelled
            else t(msg("codes; their labels are in the codebook")),
        ),
    ]


def header(language: str) -> list[str]:
    """The codebook's column names."""
    t = Translator(language)
    return [t(msg("column")), t(msg("code")), t(msg("label"))]


class Summary(Protocol):
    """What the codebook needs to know of the export it describes (``bot.export.ExportSummary``)."""

    @property
    def format(self) -> str: ...
    @property
    def rows(self) -> int: ...
    @property
    def suppressed(self) -> int: ...
    @property
    def k(self) -> int: ...
    @property
    def language(self) -> str | None: ...


def codebook_path(output: Path, fmt: str) -> Path:
    """Where the codebook of a CSV or JSON export goes: beside it, ``NAME.codebook.csv|json``."""
    return output.with_name(f"{output.stem}.codebook.{fmt}")


def write_codebook(out: IO[bytes], summary: Summary, *, dialect: str = "excel") -> None:
    """The codebook of a CSV or JSON export, with the export's figures, in the export's format."""
    language = summary.language or "en"
    figures = about(
        language,
        rows=summary.rows,
        suppressed=summary.suppressed,
        k=summary.k,
        labelled=summary.language is not None,
    )
    if summary.format == "json":
        columns: dict[str, dict[str, Any]] = {}
        for entry in entries(language):
            if not entry.code:
                columns[entry.column] = {"description": entry.label, "codes": {}}
            else:
                columns[entry.column]["codes"][entry.code] = entry.label
        document = {
            "export": {
                "rows": summary.rows,
                "suppressed": summary.suppressed,
                "k": summary.k,
                "language": summary.language,
            },
            "about": dict(figures),
            "columns": columns,
        }
        out.write(json.dumps(document, ensure_ascii=False, indent=1).encode() + b"\n")
        return
    german = dialect == "excel-de"
    text = io.TextIOWrapper(out, encoding="utf-8-sig" if german else "utf-8", newline="")
    writer = csv.writer(text, delimiter=";" if german else ",", lineterminator="\r\n" if german else "\n")
    writer.writerow(header(language))
    for name, value in figures:
        writer.writerow(["", name, value])
    for entry in entries(language):
        writer.writerow([entry.column, entry.code, entry.label])
    text.flush()
    text.detach()
