"""The anonymous export: nothing that identifies anyone in any format, k-suppression, consent and erasure."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.analytics.peers import PeerBenchmark
from bot.anonymity import round_to_5
from bot.codebook import write_codebook
from bot.export import COLUMNS, FORMATS, ExportSummary, parse_month, write_export
from bot.storage import Storage
from tests.support.harness import Harness, answers
from tests.support.harness import add_respondent as add
from tests.support.telegram_fakes import Updates

_SUMMARIES: dict[bytes, ExportSummary] = {}


def export_bytes(storage: Storage, fmt: str, k: int = 5, since: str | None = None) -> bytes:
    out = io.BytesIO()
    summary = write_export(storage, out, fmt=fmt, k=k, since=since)
    _SUMMARIES[out.getvalue()] = summary
    return out.getvalue()


def figures(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """The export's figures from the about sheet or the codebook file (English labels)."""
    about = {row[0]: row[1] for row in rows}
    return {
        "rows": int(about["Respondents exported"]),
        "suppressed": int(about["Left out (k-anonymity)"]),
        "k": int(about["k"]),
    }


def parse(fmt: str, data: bytes) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows and metadata (suppressed, k) of an export in any format; a CSV's from its codebook."""
    if fmt == "csv":
        lines = data.decode().splitlines()
        assert not any(line.startswith("#") for line in lines)  # nothing but the header and the rows
        side = io.BytesIO()
        write_codebook(side, _SUMMARIES[data])
        book = list(csv.reader(side.getvalue().decode().splitlines()))
        return list(csv.DictReader(lines)), figures([tuple(row[1:]) for row in book if row[0] == ""])
    if fmt == "json":
        document = json.loads(data)
        return document["rows"], {"suppressed": document["suppressed"], "k": document["k"]}
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    header, *body = list(workbook["rows"].iter_rows(values_only=True))
    about = figures(list(workbook["about"].iter_rows(values_only=True)))
    return [dict(zip(header, row, strict=True)) for row in body], about


def all_text(fmt: str, data: bytes) -> list[bytes]:
    """The export as bytes, plus every member of an xlsx zip uncompressed."""
    if fmt != "xlsx":
        return [data]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [data, *(archive.read(name) for name in archive.namelist())]


# --- identities never leave ------------------------------------------------------------------------

PEOPLE = {
    918273645: {"first_name": "Sabine", "last_name": "Zwirbelmeyer", "username": "sabine_zwirbel_kmu"},
    918273646: {"first_name": "Jörg", "last_name": "Quastenhuber", "username": "quasti_hb"},
}
FREE_TEXTS = [
    "Bäckerei Sonnenschein GmbH",
    "Inhaberin wohnt in der Lindenallee 7",
    "ruf mich an 0171-5550123",
]
ANSWERS = [
    "12",
    "1,5 Mio. €",
    "c|balance_sheet|unknown",
    "c|linked|none",
    "c|owns|none",
    "c|sector|craft",
    "c|customers|private",
    "c|reach|local",
    "c|website|current",
    "c|social_presence|occasional",
    "17 %",
    "3",
    "1",
    "c|results_check|partly",
    "c|referral|occasional",
]


class NamedUpdates(Updates):
    """Updates whose senders have names and usernames, as real Telegram users do."""

    def user(self, user_id: int, language_code: str | None = "de") -> dict[str, Any]:
        return {**super().user(user_id, language_code), **PEOPLE.get(user_id, {})}


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = Harness(tmp_path / "bot.db")
    harness.updates = NamedUpdates(harness.app)
    async with harness.app:
        yield harness


async def run_dialogue(bot: Harness, user: int) -> None:
    await bot.send("/start", user=user)
    await bot.press("cons|1", user=user)
    for index, answer in enumerate(ANSWERS):
        if index < len(FREE_TEXTS):
            await bot.send(FREE_TEXTS[index], user=user)  # refused, then the answer follows
        if answer.startswith("c|"):
            await bot.press(answer, user=user)
        else:
            await bot.send(answer, user=user)
    await bot.press("ok|summary", user=user)


async def test_no_export_format_contains_an_identity_name_free_text_id_or_referral_code(bot: Harness) -> None:
    for user in PEOPLE:
        await run_dialogue(bot, user)
    storage = bot.storage
    for user_id in range(918273700, 918273704):  # fill the group up to k
        add(storage, user_id)
    respondent_ids = [
        storage.respondents.find_respondent("telegram", user)
        for user in [*PEOPLE, *range(918273700, 918273704)]
    ]
    assert all(respondent_ids)
    forbidden = [str(user) for user in PEOPLE] + [str(u) for u in range(918273700, 918273704)]
    forbidden += [value for person in PEOPLE.values() for value in person.values()] + FREE_TEXTS
    codes = storage.rows("select referral_code from respondents where referral_code is not null")
    assert len(codes) == len(respondent_ids)
    forbidden += [rid for rid in respondent_ids if rid] + [row["referral_code"] for row in codes]
    for fmt in FORMATS:
        data = export_bytes(storage, fmt)
        rows, meta = parse(fmt, data)
        assert len(rows) == 6 and meta["suppressed"] == 0, fmt
        for blob in all_text(fmt, data):
            for secret in forbidden:
                assert secret.encode() not in blob, (fmt, secret)
                assert secret.encode("utf-16-le") not in blob, (fmt, secret)


async def test_admin_export_document_contains_no_identity(tmp_path: Path) -> None:
    harness = Harness(tmp_path / "bot.db", env={"ADMIN_IDS": str(ADMIN)})
    harness.updates = NamedUpdates(harness.app)
    async with harness.app:
        for user in PEOPLE:
            await run_dialogue(harness, user)
        for user_id in range(918273700, 918273704):
            add(harness.storage, user_id)
        for fmt in FORMATS:
            harness.request.clear()
            await harness.send(f"/export {fmt}", user=ADMIN)
            documents = [p for api, p in harness.request.calls if api == "sendDocument"]
            assert len(documents) == (1 if fmt == "xlsx" else 2)  # CSV and JSON: and the codebook
            data = documents[0]["_files"]["document"]
            if fmt == "csv":
                assert len(data.decode().splitlines()) == 1 + 6
            else:
                rows, _ = parse(fmt, data)
                assert len(rows) == 6
            for document in documents:
                for blob in all_text(fmt, document["_files"]["document"]):
                    for secret in [*map(str, PEOPLE), *FREE_TEXTS, "Zwirbelmeyer", "quasti_hb", str(ADMIN)]:
                        assert secret.encode() not in blob, (fmt, secret)


ADMIN = 5550001


# --- what a row holds ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_row_holds_bands_keys_and_rounded_numbers_only(storage: Storage, fmt: str) -> None:
    for user_id in range(5):
        add(storage, 100 + user_id)
    rows, meta = parse(fmt, export_bytes(storage, fmt))
    assert meta["k"] == 5 and len(rows) == 5
    row = {key: (str(value) if value is not None else "") for key, value in rows[0].items()}
    assert list(rows[0]) == list(COLUMNS)
    assert (
        row["staff_band"] == "10_49"
        and row["turnover_band"] == "upto2m"
        and row["balance_sheet_band"] == "unknown"
    )
    assert row["online_share"] == "15" and row["social_share"] == "5" and row["controlling_share"] == "0"
    assert row["website"] == "current" and row["linked"] == "none" and row["category"] == "small"
    assert row["owns"] == "none" and row["sector"] == "craft"
    assert row["customers"] == "private" and row["reach"] == "local"
    assert row["score"] == "45" and row["language"] == "de"
    assert len(row["month"]) == 7 and row["month"][4] == "-"
    assert sorted(int(r["export_id"]) for r in rows) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("question", "value", "band"),
    [
        ("staff", "9.99", "lt10"),
        ("staff", "10", "10_49"),
        ("staff", "249.5", "50_249"),
        ("staff", "250", "250_749"),
        ("staff", "20000", "750plus"),
        ("turnover", "2000000", "upto2m"),
        ("turnover", "2000000.5", "2_10m"),
        ("turnover", "50000000", "10_50m"),
        ("turnover", "150000001", "over150m"),
        ("balance_sheet", "43000000", "10_43m"),
        ("balance_sheet", "43000001", "43_129m"),
    ],
)
def test_typed_figures_fall_into_the_sme_ceiling_bands(
    storage: Storage, question: str, value: str, band: str
) -> None:
    for user_id in range(5):
        add(storage, 200 + user_id, **{question: {"value": value, "band": None}})
    rows, _ = parse("json", export_bytes(storage, "json"))
    assert {row[f"{question}_band"] for row in rows} == {band}


def test_typed_related_enterprises_export_their_relation_never_their_figures(storage: Storage) -> None:
    typed = {"stake": "40", "staff": "31", "turnover": "6100000", "balance_sheet": "4300000"}
    for user_id in range(5):
        add(storage, 250 + user_id, owns={"value": "p25_50", "band": None, "related": [typed]})
    data = export_bytes(storage, "json")
    assert {row["owns"] for row in parse("json", data)[0]} == {"p25_50"}
    assert b"6100000" not in data and b"4300000" not in data and b"31" not in data


NEWER = ("owns", "sector", "customers", "reach")


@pytest.mark.parametrize(("old", "exported"), [("no", "none"), ("yes", "25plus")])
def test_results_from_before_the_ownership_bands_export_what_was_answered(
    storage: Storage, old: str, exported: str
) -> None:
    given = {k: v for k, v in answers(linked={"value": old, "band": None}).items() if k not in NEWER}
    for user_id in range(5):
        rid = storage.respondents.respondent_for("telegram", 260 + user_id, language_code="de")
        storage.respondents.set_consent(rid, True)
        storage.sessions.save_result(rid, category="small", score=47, answers=given, step_ids=["website"])
    rows, _ = parse("json", export_bytes(storage, "json"))
    assert {row["linked"] for row in rows} == {exported}
    assert {row["owns"] for row in rows} == {row["sector"] for row in rows} == {None}


def test_unknown_keys_and_free_text_in_answers_are_dropped(storage: Storage) -> None:
    for user_id in range(5):
        add(
            storage,
            300 + user_id,
            website={"value": "Bäckerei Sonnenschein", "band": None},
            note={"value": "Lindenallee 7", "band": None},
        )
    data = export_bytes(storage, "json")
    assert b"Sonnenschein" not in data and b"Lindenallee" not in data
    assert {row["website"] for row in parse("json", data)[0]} == {None}


def test_without_online_budget_social_and_controlling_count_as_zero(storage: Storage) -> None:
    for user_id in range(5):
        add(
            storage,
            400 + user_id,
            online_share={"value": "0", "band": "p0"},
            social_share={"value": "40", "band": "over25"},
        )
    rows, _ = parse("json", export_bytes(storage, "json"))
    assert {(row["online_share"], row["social_share"], row["controlling_share"]) for row in rows} == {
        (0, 0, 0)
    }


@pytest.mark.parametrize(
    ("value", "rounded"),
    [("0", 0), ("2.4", 0), ("2.5", 5), ("17", 15), ("17.5", 20), ("100", 100), (None, None), ("x", None)],
)
def test_round_to_5(value: str | None, rounded: int | None) -> None:
    assert round_to_5(value) == rounded


def test_export_ids_are_reshuffled_for_every_export(storage: Storage) -> None:
    for user_id in range(20):
        add(storage, 500 + user_id, score=user_id * 5)
    first, _ = parse("json", export_bytes(storage, "json"))
    second, _ = parse("json", export_bytes(storage, "json"))
    by_id = [{r["export_id"]: r["score"] for r in rows} for rows in (first, second)]
    assert sorted(by_id[0]) == list(range(1, 21))
    assert by_id[0] != by_id[1]  # the same id names another row: 1 in 20! to fail by chance


# --- k-suppression -------------------------------------------------------------------------------


def test_a_sector_held_by_fewer_than_k_respondents_is_suppressed(storage: Storage) -> None:
    for user_id in range(7):
        add(storage, 800 + user_id, sector={"value": "craft", "band": None})
    for user_id in range(4):  # same month, language and size bands, but a rarer sector
        add(storage, 900 + user_id, sector={"value": "hospitality", "band": None})
    rows, meta = parse("json", export_bytes(storage, "json", k=5))
    assert [row["sector"] for row in rows] == ["craft"] * 7
    assert meta["suppressed"] == 4


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("n", [4, 5, 6])
def test_groups_below_k_are_suppressed_and_counted(storage: Storage, fmt: str, n: int) -> None:
    for user_id in range(n):  # the group under test: fewer than 10 staff, English
        add(storage, 600 + user_id, language="en", staff={"value": None, "band": "lt10"})
    for user_id in range(7):  # a large group that always stays
        add(storage, 700 + user_id)
    rows, meta = parse(fmt, export_bytes(storage, fmt, k=5))
    small = [row for row in rows if row["staff_band"] == "lt10"]
    assert len(small) == (n if n >= 5 else 0)
    assert meta["suppressed"] == (0 if n >= 5 else n)
    assert len(rows) == 7 + len(small)


def test_since_keeps_only_results_from_that_month_on(storage: Storage) -> None:
    for user_id in range(5):
        add(storage, 800 + user_id)
    for user_id in range(5):
        rid = add(storage, 900 + user_id)
        for row in storage.sessions.latest_results(rid):
            storage.db["results"].update(row["id"], {"created_at": "2024-03-15T10:00:00+00:00"})
    everything, _ = parse("json", export_bytes(storage, "json"))
    recent, _ = parse("json", export_bytes(storage, "json", since="2025-01"))
    assert len(everything) == 10 and len(recent) == 5
    assert "2024-03" in {row["month"] for row in everything}


@pytest.mark.parametrize("text", ["2025-1", "25-01", "2025-13", "2025-00", "january"])
def test_since_must_be_a_month(text: str) -> None:
    with pytest.raises(ValueError):
        parse_month(text)


# --- consent and erasure -------------------------------------------------------------------------


@pytest.mark.parametrize("consent", [False, None])
def test_respondents_without_consent_never_appear(storage: Storage, consent: bool | None) -> None:
    for user_id in range(5):
        add(storage, 1000 + user_id)
    add(storage, 1099, consent=consent, referral={"value": "active", "band": None})
    for fmt in FORMATS:
        rows, meta = parse(fmt, export_bytes(storage, fmt))
        assert len(rows) == 5 and meta["suppressed"] == 0
        assert "active" not in {row["referral"] for row in rows}


def test_only_the_latest_result_of_a_respondent_counts(storage: Storage) -> None:
    rid = ""
    for user_id in range(5):
        rid = add(storage, 1100 + user_id)
    storage.sessions.save_result(
        rid, category="micro", score=10, answers=answers(website={"value": "none", "band": None}), step_ids=[]
    )
    rows, _ = parse("json", export_bytes(storage, "json"))
    assert len(rows) == 5
    assert sorted(row["website"] for row in rows) == ["current"] * 4 + ["none"]


async def test_data_erased_with_deletedata_never_appear_again(bot: Harness) -> None:
    storage = bot.storage
    for user_id in range(5):
        add(storage, 1200 + user_id)
    await run_dialogue(bot, 918273645)
    # The user who will erase their data is the only one whose website is outdated.
    rid = storage.respondents.find_respondent("telegram", 918273645)
    assert rid is not None
    add(storage, 918273645, website={"value": "outdated", "band": None})
    before, _ = parse("json", export_bytes(storage, "json"))
    assert "outdated" in {row["website"] for row in before}
    await bot.send("/deletedata", user=918273645)
    await bot.press("del|yes", user=918273645)
    assert storage.respondents.find_respondent("telegram", 918273645) is None
    for table in ("respondents", "sessions", "results"):
        column = "id" if table == "respondents" else "respondent_id"
        assert storage.db[table].count_where(f"{column} = ?", [rid]) == 0
    for fmt in FORMATS:
        rows, meta = parse(fmt, export_bytes(storage, fmt))
        assert len(rows) == 5 and meta["suppressed"] == 0
        assert "outdated" not in {row["website"] for row in rows}


# --- streaming -----------------------------------------------------------------------------------


class CountingSink(io.RawIOBase):
    """A write-only sink that keeps only the size of the largest single write."""

    def __init__(self) -> None:
        self.largest = 0
        self.total = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        size = len(data)
        self.largest = max(self.largest, size)
        self.total += size
        return size


def test_json_is_written_row_by_row(storage: Storage) -> None:
    for user_id in range(300):
        add(storage, 2000 + user_id)
    sink = CountingSink()
    summary = write_export(storage, sink, fmt="json")  # type: ignore[arg-type]
    assert summary.rows == 300
    assert sink.largest < 1000 < sink.total / 50


# --- peer benchmark ------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "shown"), [(4, False), (5, True), (6, True)])
def test_peer_benchmark_needs_k_consenting_companies(storage: Storage, n: int, shown: bool) -> None:
    for user_id in range(n):
        add(storage, 3000 + user_id, online_share={"value": str(10 + user_id), "band": None})
    add(storage, 3999, consent=False, online_share={"value": "90", "band": None})
    benchmark = PeerBenchmark(storage, k=5, ttl=0)
    found = benchmark.online_share("small")
    if not shown:
        assert found is None and benchmark.line("small") is None
        return
    median = Decimal(10 + (n - 1) / 2)
    assert found == (round_to_5(median), n)
    assert benchmark.online_share("micro") is None
