"""Exports an analyst can open: labels in the export's language, a codebook, a styled XLSX, German Excel CSV."""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.codebook import code_labels, entries, write_codebook
from bot.export import COLUMNS, write_export
from bot.storage import Storage
from tests.support.cli import run_cli
from tests.support.harness import add_respondent as add


@pytest.fixture
def storage(tmp_path: Path) -> Storage:
    storage = Storage(tmp_path / "export.db")
    for user_id in range(1000, 1006):
        add(storage, user_id)
    return storage


def export(storage: Storage, fmt: str, **options: str | None) -> tuple[bytes, object]:
    out = io.BytesIO()
    summary = write_export(storage, out, fmt=fmt, **options)  # type: ignore[arg-type]
    return out.getvalue(), summary


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_code_of_every_answer_column_has_a_label_in_both_languages(language: str) -> None:
    labels = code_labels(language)
    for column in ("staff_band", "turnover_band", "balance_sheet_band", "sector", "category", "language"):
        assert labels[column], column
        assert all(label and label != code for code, label in labels[column].items()), column
    described = [entry.column for entry in entries(language) if not entry.code]
    assert described == list(COLUMNS)  # every column described, in the export's order


@pytest.mark.parametrize(
    ("language", "sector", "category"),
    [("de", "Handwerk", "kleines Unternehmen"), ("en", "Craft trade", "small enterprise")],
)
def test_lang_puts_labels_in_the_cells(storage: Storage, language: str, sector: str, category: str) -> None:
    data, _ = export(storage, "csv", language=language)
    rows = list(csv.DictReader(data.decode().splitlines()))
    assert {row["sector"] for row in rows} == {sector}
    assert {row["category"] for row in rows} == {category}
    assert list(rows[0]) == list(COLUMNS)  # the header stays the stable column names
    codes, _ = export(storage, "csv")
    assert {row["sector"] for row in csv.DictReader(codes.decode().splitlines())} == {"craft"}


def test_csv_is_header_and_rows_only_and_pandas_style_readers_take_it(storage: Storage) -> None:
    data, _ = export(storage, "csv")
    lines = data.decode().splitlines()
    assert len(lines) == 7 and not any(line.startswith("#") for line in lines)
    assert all(len(row) == len(COLUMNS) for row in csv.reader(lines))


def test_excel_de_dialect_has_semicolons_a_bom_and_crlf(storage: Storage) -> None:
    data, _ = export(storage, "csv", dialect="excel-de", language="de")
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text.startswith("export_id;month;language;") and "\r\n" in text
    rows = list(csv.DictReader(text.splitlines(), delimiter=";"))
    assert len(rows) == 6 and rows[0]["sector"] == "Handwerk"


def test_the_csv_codebook_holds_the_figures_and_every_code(storage: Storage) -> None:
    _, summary = export(storage, "csv", language="de")
    side = io.BytesIO()
    write_codebook(side, summary)  # type: ignore[arg-type]
    rows = list(csv.reader(side.getvalue().decode().splitlines()))
    assert rows[0] == ["Spalte", "Code", "Bezeichnung"]
    figures = {row[1]: row[2] for row in rows if row[0] == ""}
    assert figures["Exportierte Teilnehmende"] == "6" and figures["k"] == "5"
    assert ["sector", "craft", "Handwerk"] in rows


def test_the_json_codebook_maps_every_column(storage: Storage) -> None:
    _, summary = export(storage, "json")
    side = io.BytesIO()
    write_codebook(side, summary)  # type: ignore[arg-type]
    book = json.loads(side.getvalue())
    assert book["export"] == {"rows": 6, "suppressed": 0, "k": 5, "language": None}
    assert list(book["columns"]) == list(COLUMNS)
    assert book["columns"]["category"]["codes"]["micro"] == "micro enterprise"


@pytest.mark.parametrize(
    ("language", "about_label"), [("de", "Exportierte Teilnehmende"), ("en", "Respondents exported")]
)
def test_xlsx_has_a_bold_frozen_filtered_header_widths_about_and_codebook(
    storage: Storage, language: str, about_label: str
) -> None:
    data, _ = export(storage, "xlsx", language=language)
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["rows", "about", "codebook"]
    rows = workbook["rows"]
    assert rows["A1"].font.b and not rows["A2"].font.b
    assert rows.freeze_panes == "A2"
    last = chr(ord("A") + len(COLUMNS) - 1)
    assert rows.auto_filter.ref == f"A1:{last}{1 + 6}"
    assert rows.column_dimensions["I"].width >= len("Handwerk")
    about = {row[0]: row[1] for row in workbook["about"].iter_rows(values_only=True)}
    assert about[about_label] == 6
    book = list(workbook["codebook"].iter_rows(values_only=True))
    assert (
        workbook["codebook"]["A1"].font.b
        and ("sector", "craft", "Handwerk" if language == "de" else "Craft trade") in book
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "_xlnm._FilterDatabase" in archive.read("xl/workbook.xml").decode()


def test_the_command_writes_the_codebook_beside_a_csv(storage: Storage, tmp_path: Path) -> None:
    storage.close()
    output = tmp_path / "out" / "export.csv"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    result = run_cli(
        "export",
        "--format",
        "csv",
        "--output",
        str(output),
        "--lang",
        "de",
        "--dialect",
        "excel-de",
        env={**env, "DATABASE_PATH": str(tmp_path / "export.db")},
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    side = tmp_path / "out" / "export.codebook.csv"
    assert side.read_bytes().startswith("\ufeffSpalte;Code;Bezeichnung".encode())
    assert oct(side.stat().st_mode & 0o777) == "0o600" and oct(output.stat().st_mode & 0o777) == "0o600"
    assert "the codebook" in result.stderr
