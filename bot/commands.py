"""The bot's commands with their menu descriptions: one list per audience, used for menus and /help."""

from __future__ import annotations

from dialogs.text import Text, msg

Commands = tuple[tuple[str, Text], ...]

# Everyone, in private chats (the questionnaire and the privacy rights).
PRIVATE_COMMANDS: Commands = (
    ("start", msg("Start or continue the check")),
    ("help", msg("What this bot does")),
    ("back", msg("Back to the previous question")),
    ("restart", msg("Start the check again")),
    ("report", msg("Your result as a PDF report")),
    ("plan", msg("Your plan: tick off the steps you have done")),
    ("reminders", msg("Your reminders: list or stop them")),
    ("language", msg("Deutsch / English")),
    ("privacy", msg("What is stored and why")),
    ("mydata", msg("Show everything stored about me")),
    ("deletedata", msg("Delete everything stored about me")),
)

# Tips, in private chats and groups (in groups only chat administrators may change the subscription).
TIP_COMMANDS: Commands = (
    ("tips", msg("Tips: on, off, or a schedule such as weekly mon 09:00")),
    ("subscribe", msg("Subscribe this chat to weekly tips")),
    ("unsubscribe", msg("Stop the tips in this chat")),
)

GROUP_COMMANDS: Commands = (PRIVATE_COMMANDS[0], PRIVATE_COMMANDS[1], *TIP_COMMANDS)

# Only in the private chats of the bot's admins (ADMIN_IDS).
ADMIN_COMMANDS: Commands = (
    ("broadcast", msg("Send a message to every subscriber")),
    ("addchannel", msg("Post tips in a channel: /addchannel @name")),
    ("export", msg("Admin: anonymous export (csv, json or xlsx)")),
    ("stats", msg("Admin: statistics and chart")),
)
