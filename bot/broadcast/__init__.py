"""Broadcasts: one message to many chats, paced within Telegram's limits and recorded so none goes out twice."""

from __future__ import annotations

from bot.broadcast.pacer import ChatPacer
from bot.broadcast.sender import BroadcastProgress, TipBroadcaster

__all__ = ["BroadcastProgress", "ChatPacer", "TipBroadcaster"]
