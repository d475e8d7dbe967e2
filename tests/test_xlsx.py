"""The streaming XLSX writer: what it writes reads back as the same values in a spreadsheet library."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.xlsx import column_letters, write_xlsx


def read_back(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    workbook = load_workbook(io.BytesIO(data))
    return {name: list(workbook[name].iter_rows(values_only=True)) for name in workbook.sheetnames}


@pytest.mark.parametrize(
    ("index", "letters"), [(0, "A"), (15, "P"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"), (701, "ZZ")]
)
def test_column_letters(index: int, letters: str) -> None:
    assert column_letters(index) == letters


def test_values_read_back_unchanged_in_named_sheets() -> None:
    rows = [
        ["text", "number", "float", "empty", "bool"],
        ["a < b & c > d", 5, 12.5, None, True],
        ["\"quoted\" 'x'", -3, 0.1, None, False],
        ["  spaces kept  ", 10**12, 1e-7, "", None],
    ]
    wide = [list(range(30))]
    out = io.BytesIO()
    write_xlsx(out, [("rows", iter(rows)), ("about", iter([["k", 5]])), ("wide", iter(wide))])
    found = read_back(out.getvalue())
    assert list(found) == ["rows", "about", "wide"]
    assert found["rows"][1] == ("a < b & c > d", 5, 12.5, None, True)
    assert found["rows"][2] == ("\"quoted\" 'x'", -3, 0.1, None, False)
    assert found["rows"][3][:3] == ("  spaces kept  ", 10**12, 1e-7)
    assert found["about"] == [("k", 5)]
    assert found["wide"] == [tuple(range(30))]


def test_characters_xml_cannot_hold_are_dropped_and_non_finite_numbers_become_empty() -> None:
    out = io.BytesIO()
    write_xlsx(out, [("rows", iter([["bell\x07 and nul\x00", float("nan"), float("inf"), "end"]]))])
    assert read_back(out.getvalue())["rows"] == [("bell and nul", None, None, "end")]


def test_rows_are_written_as_they_come_not_collected_first() -> None:
    produced = 0

    def rows() -> Any:
        nonlocal produced
        for number in range(5000):
            produced += 1
            yield [number]

    out = io.BytesIO()
    write_xlsx(out, [("rows", rows())])
    assert produced == 5000
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        assert archive.read("xl/worksheets/sheet1.xml").count(b"<row ") == 5000
        assert "[Content_Types].xml" in archive.namelist()


def test_repeated_texts_read_back_in_their_own_cells_beyond_the_texts_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bot.xlsx.TEXTS_KEPT", 2)  # the third distinct text on is written without the lookup
    rows = [[f"key{number % 4}", number, f"key{(number + 1) % 4} & more"] for number in range(12)]
    out = io.BytesIO()
    write_xlsx(out, [("rows", iter(rows))])
    assert read_back(out.getvalue())["rows"] == [tuple(row) for row in rows]


def test_equal_values_of_other_types_keep_their_types() -> None:
    """1, True, 1.0 and "1" are equal or alike as lookup keys; each reads back as what was written."""
    rows = [[1, True, 1.0, "1", None, 1], [True, 1, "1", 1.0, 0, False], [None, 2.5, 2, None, "2", 2]]
    out = io.BytesIO()
    write_xlsx(out, [("rows", iter(rows))])
    found = read_back(out.getvalue())["rows"]
    assert found == [tuple(row) for row in rows]
    assert [[type(value) for value in row] for row in found] == [
        [type(value) for value in row] for row in rows
    ]
