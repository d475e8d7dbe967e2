"""The bot in a group chat: only group commands, the way to the private chat, a greeting once, nothing stored."""

from __future__ import annotations

import pytest
from telegram import Update

from tests.support.harness import USER, Harness

GROUP = -1001
STORED = ("respondents", "identities", "sessions", "results", "processed_updates", "tip_subscriptions")


def nothing_stored(bot: Harness) -> None:
    for table in STORED:
        if table in bot.storage.db.table_names():
            assert bot.storage.db[table].count == 0, table


async def test_help_in_a_group_lists_only_what_works_in_a_group(bot: Harness) -> None:
    await bot.send("/help@KmuBeraterTestBot", chat_id=GROUP, user=999)
    text = bot.last_text(GROUP)
    for command in ("/start", "/help", "/privacy", "/subscribe", "/unsubscribe", "/tips"):
        assert command in text, command
    for command in ("/back", "/restart", "/report", "/mydata", "/deletedata", "/language"):
        assert command not in text, command
    await bot.send("/help", user=USER)
    assert "/deletedata" in bot.texts(USER)[0]  # the private chat lists everything
    nothing_stored_but_the_private_user = bot.storage.db["identities"].count
    assert nothing_stored_but_the_private_user <= 1


@pytest.mark.parametrize(
    "command", ["/privacy", "/mydata", "/deletedata", "/report", "/privacy@KmuBeraterTestBot"]
)
async def test_privacy_commands_in_a_group_point_to_the_private_chat(bot: Harness, command: str) -> None:
    await bot.send(command, chat_id=GROUP, user=999)
    assert "nur in unserem privaten Chat" in bot.last_text(GROUP)
    assert bot.buttons(GROUP) == ["https://t.me/KmuBeraterTestBot?start=group"]
    nothing_stored(bot)


def member_update(bot: Harness, old: str, new: str, update_id: int) -> Update:
    bot_user = {"id": 123456, "is_bot": True, "first_name": "KMU", "username": "KmuBeraterTestBot"}
    payload = {
        "update_id": update_id,
        "my_chat_member": {
            "chat": {"id": GROUP, "type": "supergroup", "title": "Handwerk"},
            "from": {"id": 999, "is_bot": False, "first_name": "Admin", "language_code": "de"},
            "date": 1_800_000_000,
            "old_chat_member": {"status": old, "user": bot_user},
            "new_chat_member": {"status": new, "user": bot_user}
            | ({"until_date": 0} if new == "kicked" else {})
            | (
                {
                    "can_be_edited": False,
                    "is_anonymous": False,
                    "can_manage_chat": True,
                    "can_delete_messages": True,
                    "can_manage_video_chats": True,
                    "can_restrict_members": True,
                    "can_promote_members": False,
                    "can_change_info": True,
                    "can_invite_users": True,
                    "can_post_stories": False,
                    "can_edit_stories": False,
                    "can_delete_stories": False,
                }
                if new == "administrator"
                else {}
            ),
        },
    }
    return Update.de_json(payload, bot.app.bot)


async def test_the_bot_greets_a_group_once_when_added(bot: Harness) -> None:
    await bot.app.process_update(member_update(bot, "left", "member", 9001))
    greeting = bot.last_text(GROUP)
    assert "/subscribe" in greeting and "privaten Chat" in greeting
    assert bot.buttons(GROUP) == ["https://t.me/KmuBeraterTestBot?start=group"]
    await bot.app.process_update(
        member_update(bot, "member", "administrator", 9002)
    )  # promoted: no new greeting
    assert len(bot.texts(GROUP)) == 1
    await bot.app.process_update(member_update(bot, "member", "left", 9003))  # removed: nothing to say
    assert len(bot.texts(GROUP)) == 1
    nothing_stored(bot)
