"""Where DejaVu Sans lies: the TrueType files matplotlib ships, found without importing matplotlib.

The chat's chart (Pillow) and the PDF report (fpdf2) draw their text in it. Importing matplotlib only to ask
for its data folder would cost ~0.3 s and ~40 MB (numpy with it); the files are in the installed package.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path


@functools.cache
def dejavu_folder() -> Path:
    """The folder holding ``DejaVuSans.ttf`` and its bold and oblique cuts."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("matplotlib is not installed: it ships the DejaVu Sans fonts")
    folder = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    if not (folder / "DejaVuSans.ttf").is_file():
        raise FileNotFoundError(f"DejaVu Sans not found in {folder}")
    return folder
