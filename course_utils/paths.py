"""Where the course keeps things: the repository's data, build outputs, and the model-zoo cache."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent


def data_dir() -> Path:
    """The course's data: the copy an installed package carries, else a clone's ``data/``.

    A regular install (the Colab/Kaggle install cell) has ``data/`` inside the package as
    ``course_data`` (see pyproject.toml); a clone, and ``pip install -e``, read ``data/`` beside
    ``course_utils/``. ``COURSE_DATA_DIR`` overrides both.
    """
    override = os.environ.get("COURSE_DATA_DIR")
    installed = PACKAGE_DIR / "course_data"
    path = Path(override) if override else installed if installed.is_dir() else REPO_ROOT / "data"
    if not path.is_dir():
        raise FileNotFoundError(
            f"The course data folder was not found at {path}. Clone the whole repository "
            "(data/ sits beside course_utils/) or set COURSE_DATA_DIR to its data/ folder."
        )
    return path


def zoo_root() -> Path:
    """Root of the offline model zoo cache, outside the repository so clones share it.

    ``COURSE_ZOO_DIR`` overrides it; otherwise it follows ``XDG_CACHE_HOME`` like other tools.
    """
    override = os.environ.get("COURSE_ZOO_DIR")
    if override:
        return Path(override).expanduser()
    cache_home = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return cache_home / "transformer-variants" / "zoo"
