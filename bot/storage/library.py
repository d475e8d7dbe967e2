"""sqlite-utils, the storage's one library, imported without the numpy it does not need here.

sqlite-utils imports numpy (and pandas) whenever they are installed, only to map their scalar types to column
types when such values are inserted. The bot never inserts numpy values, but numpy is installed as
matplotlib's dependency, so every start paid ~0.13 s of CPU and ~15 MB for it before the first update;
matplotlib loads numpy later, with the first chart. Hiding the two modules for the moment of the import
(``None`` in ``sys.modules`` makes an import fail, as documented for the import system) leaves
sqlite-utils without those extra column types and changes nothing else.
"""

from __future__ import annotations

import sys


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


_import_without_numpy()

from sqlite_utils import Database, Migrations  # noqa: E402

__all__ = ["Database", "Migrations"]
