"""Every user-facing text has a German and an English translation, with the same placeholders."""

from __future__ import annotations

import functools
import importlib.util
import string
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import Translator, translations
from dialogs.text import msg

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"msg": None, "nmsg": (1, 2)}
METHOD_MAP = [("dialogs/**.py", "python"), ("bot/**.py", "python"), ("run_bot.py", "python")]


@functools.cache
def extracted_msgids() -> list[str]:
    """Every msgid in the code, sorted; extracted when a test first asks (not at collection, in every worker)."""
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHOD_MAP, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return sorted(found)


def catalog(language: str) -> Catalog:
    with (ROOT / "locales" / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_extraction_finds_the_catalogue() -> None:
    assert len(extracted_msgids()) > 100


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_message_is_translated_and_not_fuzzy(language: str) -> None:
    cat = catalog(language)
    problems = []
    for msgid in extracted_msgids():
        message = next((m for m in cat if (m.id if isinstance(m.id, str) else m.id[0]) == msgid), None)
        if message is None:
            problems.append(f"missing: {msgid!r}")
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated or fuzzy: {msgid!r}")
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for translated in strings:
            if placeholders(translated) != placeholders(ids[0]):
                problems.append(f"placeholders differ: {msgid!r} -> {translated!r}")
    assert not problems, "run python locales/update_catalogs.py and translate:\n" + "\n".join(problems)


def test_german_catalog_really_loads() -> None:
    assert Translator("de")(msg("Question {number} of {total}", number=3, total=9)) == "Frage 3 von 9"
    assert Translator("en")(msg("Question {number} of {total}", number=3, total=9)) == "Question 3 of 9"


def _catalog_compiler() -> Callable[[Path, str], bytes]:
    """``compile_catalog`` of locales/update_catalogs.py, the script that writes the .mo files."""
    spec = importlib.util.spec_from_file_location("update_catalogs", ROOT / "locales" / "update_catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    compiler: Callable[[Path, str], bytes] = module.compile_catalog
    return compiler


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_compiled_catalog_is_that_of_the_po_file(language: str) -> None:
    """The bot reads the .mo file: it must be the .po file's, compiled after its last edit."""
    folder = ROOT / "locales" / language / "LC_MESSAGES"
    compiled = _catalog_compiler()(folder / "messages.po", language)
    assert (folder / "messages.mo").read_bytes() == compiled, (
        f"locales/{language}/LC_MESSAGES/messages.mo is stale: run python locales/update_catalogs.py"
    )


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_bot_translates_every_entry_as_the_po_file_says(language: str) -> None:
    translations.cache_clear()
    loaded = translations(language)
    checked = 0
    for message in catalog(language):
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            singular, plural = message.id
            for n, form in ((1, 0), (2, 1), (5, 1)):
                assert loaded.ngettext(singular, plural, n) == message.string[form], message.id
        elif message.context:
            assert loaded.pgettext(message.context, message.id) == message.string, message.id
        else:
            assert loaded.gettext(message.id) == message.string, message.id
        checked += 1
    assert checked > 500
