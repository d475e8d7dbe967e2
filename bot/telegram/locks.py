"""One lock per user, so that a double tap or two fast messages are handled one after the other."""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update

from bot.telegram.services import Context

Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]

_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()


def user_lock(user_id: int) -> asyncio.Lock:
    """The lock of one user (kept while anyone holds or waits for it)."""
    lock = _locks.get(user_id)
    if lock is None:
        lock = asyncio.Lock()
        _locks[user_id] = lock
    return lock


def serialized(handler: Handler) -> Handler:
    """Run a private-chat handler under the user's lock."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> None:
        user = update.effective_user
        if user is None:
            return
        async with user_lock(user.id):
            await handler(update, context)

    return wrapper
