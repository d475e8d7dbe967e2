"""A streaming XLSX writer: worksheets of plain values written row by row into the zip, in bounded memory.

The export only needs numbers, short texts and empty cells, so it writes SpreadsheetML itself: strings inline
(no shared-strings table to hold in memory), no styles beyond the required default, every cell with its
reference. For the export's 100,000 x 16 cells it takes about a tenth of the CPU of openpyxl's write-only
mode or XlsxWriter's constant-memory mode (figures in benchmarks/README.md).
"""

from __future__ import annotations

import functools
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO
from xml.sax.saxutils import escape

Cell = str | int | float | None

ROWS_PER_WRITE = 1000
TEXTS_KEPT = 4096  # distinct texts whose cells are kept per sheet
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_TAIL = "</sheetData></worksheet>"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def column_letters(index: int) -> str:
    """A column's letters from its 0-based index: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: str) -> str:
    return escape(_ILLEGAL.sub("", value))


@functools.lru_cache(maxsize=4096)
def _string_tail(value: str) -> str:
    """A text cell after its reference; cached, as an export repeats the same few keys and months."""
    return f' t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>'


def _tail(value: Cell) -> str | None:
    """A cell after its reference, or None for an empty cell."""
    if isinstance(value, str):
        return _string_tail(value)
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None  # a spreadsheet has no NaN or infinity
    if isinstance(value, bool):
        return f' t="b"><v>{int(value)}</v></c>'
    return f"><v>{value!r}</v></c>"


def _sheet_rows(rows: Iterable[Sequence[Cell]]) -> Iterable[str]:
    """SpreadsheetML of the rows, joined into pieces of ``ROWS_PER_WRITE`` rows."""
    letters: list[str] = []
    piece: list[str] = []
    texts: dict[str, str] = {}  # text -> its cell after the reference, looked up without a call
    for number, row in enumerate(rows, start=1):
        while len(letters) < len(row):
            letters.append(f'<c r="{column_letters(len(letters))}')
        cells = [f'<row r="{number}">']
        for letter, value in zip(letters, row, strict=False):
            if type(value) is int:  # the common cases first, without a call
                cells.append(f'{letter}{number}"><v>{value}</v></c>')
            elif isinstance(value, str) and (tail := texts.get(value)) is not None:  # keys and months repeat
                cells.append(f'{letter}{number}"{tail}')
            elif (tail := _tail(value)) is not None:
                if isinstance(value, str) and len(texts) < TEXTS_KEPT:
                    texts[value] = tail
                cells.append(f'{letter}{number}"{tail}')
        cells.append("</row>")
        piece.append("".join(cells))
        if len(piece) == ROWS_PER_WRITE:
            yield "".join(piece)
            piece = []
    if piece:
        yield "".join(piece)


def write_xlsx(out: IO[bytes], sheets: Iterable[tuple[str, Iterable[Sequence[Cell]]]]) -> None:
    """Write a workbook of the named ``sheets`` to ``out``; each sheet's rows are consumed as they come."""
    names: list[str] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, rows in sheets:
            names.append(name)
            with archive.open(f"xl/worksheets/sheet{len(names)}.xml", "w") as sheet:
                sheet.write(_HEAD.encode())
                for piece in _sheet_rows(rows):
                    sheet.write(piece.encode())
                sheet.write(_TAIL.encode())
        _write_parts(archive, names)


def _write_parts(archive: zipfile.ZipFile, names: Sequence[str]) -> None:
    """The workbook, its relationships, styles and content types around the written sheets."""
    sheets = "".join(
        f'<sheet name="{_text(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(names, start=1)
    )
    archive.writestr(
        "xl/workbook.xml",
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}"><sheets>{sheets}</sheets></workbook>',
    )
    relations = "".join(
        f'<Relationship Id="rId{i}" Type="{_DOC_RELS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(names) + 1)
    )
    styles_id = len(names) + 1
    archive.writestr(
        "xl/_rels/workbook.xml.rels",
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_RELS}">{relations}'
        f'<Relationship Id="rId{styles_id}" Type="{_DOC_RELS}/styles" Target="styles.xml"/></Relationships>',
    )
    archive.writestr(
        "xl/styles.xml",
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>",
    )
    archive.writestr(
        "_rels/.rels",
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_TYPES}.worksheet+xml"/>'
        for i in range(1, len(names) + 1)
    )
    archive.writestr(
        "[Content_Types].xml",
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPES}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_TYPES}.styles+xml"/>{overrides}</Types>',
    )
