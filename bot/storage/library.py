"""sqlite-utils, the storage's one library, imported without the parts the bot does not use.

- numpy and pandas: sqlite-utils imports them whenever they are installed, only to map their scalar types to
  column types when such values are inserted. The bot never inserts numpy values, but numpy is installed (a
  dependency of matplotlib), so every start paid ~0.13 s of CPU and ~15 MB for it. Hiding the two modules for
  the moment of the import (``None`` in ``sys.modules`` makes an import fail, as documented for the import
  system) leaves sqlite-utils without those extra column types and changes nothing else.
- dateutil's date parser: imported by sqlite-utils' recipes for its command line's ``convert``; ~20 ms of
  CPU and ~3 MB at every start. A stand-in imports it on first use, which the bot never makes; a recipe
  would still work. (``importlib.util.LazyLoader`` cannot do it here: on Python 3.11 the import statement's
  own look at the module's ``__spec__`` already runs it.)
"""

from __future__ import annotations

import importlib
import sys
import types


def _import_without_numpy() -> None:
    if "sqlite_utils" in sys.modules or "numpy" in sys.modules:
        return  # already imported, or numpy is there anyway: nothing to save
    hidden = ("numpy", "pandas")
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


class _OnFirstUse(types.ModuleType):
    """Stands in for a module until one of its attributes is used; then imports it and hands that over."""

    def __getattr__(self, attribute: str) -> object:
        return getattr(importlib.import_module(self.__name__), attribute)


def _parse_dates_on_first_use() -> None:
    """sqlite-utils' recipes import the parser as ``from dateutil import parser``, which takes the package's
    attribute when it has one: a stand-in there defers the import to the first date parsed."""
    if "sqlite_utils" in sys.modules or "dateutil.parser" in sys.modules:
        return
    import dateutil  # the package alone: a version string and a lazy __getattr__

    dateutil.parser = _OnFirstUse("dateutil.parser")


_parse_dates_on_first_use()
_import_without_numpy()

from sqlite_utils import Database, Migrations  # noqa: E402

__all__ = ["Database", "Migrations"]
