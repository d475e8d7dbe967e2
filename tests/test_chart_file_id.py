"""The result chart is uploaded once per picture and then sent by the file_id Telegram answered with."""

from __future__ import annotations

from tests.support.harness import GERMAN_ANSWERS, Harness, answer_all, consent

OTHER = 4242  # a second user with the same answers, hence the same chart


async def result(bot: Harness, user: int, answers: list[str] = GERMAN_ANSWERS) -> dict[str, object]:
    """Answer everything as ``user``, show the result, and return the one sendPhoto it made."""
    await consent(bot, user=user)
    await answer_all(bot, answers, user=user)
    bot.request.clear()
    await bot.press("ok|summary", user=user)
    photos = bot.calls("sendPhoto", user)
    assert len(photos) == 1, [api for api, _ in bot.request.calls]
    return photos[0]


def uploaded(photo: dict[str, object]) -> bytes:
    files = photo.get("_files")
    assert isinstance(files, dict)
    png = files["photo"]
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG")
    types = photo["_file_types"]
    assert isinstance(types, dict)
    name, mimetype = types["photo"]
    assert name.endswith(".png") and mimetype == "image/png"
    return png


async def test_the_same_chart_goes_by_file_id_after_its_first_upload(bot: Harness) -> None:
    first = await result(bot, 1001)
    uploaded(first)
    second = await result(bot, 1002)
    assert "_files" not in second  # no bytes over the wire
    file_id = second["photo"]
    assert isinstance(file_id, str) and file_id in bot.request.photo_ids
    assert second["caption"] == first["caption"]
    assert (await result(bot, 1003))["photo"] == file_id


async def test_a_different_split_is_a_different_picture(bot: Harness) -> None:
    uploaded(await result(bot, 1001))
    answers = ["20 %" if a == "15 %" else a for a in GERMAN_ANSWERS]
    assert answers != GERMAN_ANSWERS
    uploaded(await result(bot, 1002, answers))


async def test_a_refused_file_id_is_forgotten_and_the_chart_uploaded_again(bot: Harness) -> None:
    uploaded(await result(bot, 1001))
    kept = bot.app.bot_data.sent_photos
    assert len(kept) == 1
    bot.request.refuse("sendPhoto", "Bad Request: wrong file identifier/HTTP URL specified")
    await consent(bot, user=OTHER)
    await answer_all(bot, user=OTHER)
    bot.request.clear()
    await bot.press("ok|summary", user=OTHER)
    photos = bot.calls("sendPhoto", OTHER)
    assert len(photos) == 2  # the id refused, then the upload in the same send
    assert isinstance(photos[0]["photo"], str) and "_files" not in photos[0]
    uploaded(photos[1])
    assert "Fehler" not in "".join(bot.texts(OTHER))
    # The fresh upload's id replaced the refused one: the next result goes by it.
    third = await result(bot, 1003)
    assert "_files" not in third and third["photo"] != photos[0]["photo"]
    assert third["photo"] in bot.request.photo_ids


def test_the_key_tells_languages_and_splits_apart() -> None:
    from bot.chart import split_chart_key
    from dialogs.engine import evaluate
    from tests.support.harness import answers

    profile = evaluate(answers()).profile
    other = evaluate(answers(online_share={"value": "20", "band": None})).profile
    assert split_chart_key(profile, "de") == split_chart_key(profile, "de")
    assert split_chart_key(profile, "de") != split_chart_key(profile, "en")
    assert split_chart_key(profile, "de") != split_chart_key(other, "de")
