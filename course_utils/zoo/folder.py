"""The zoo's folder: made writable-or-explained before a build, and cleaned of nothing but its own.

``COURSE_ZOO_DIR`` may point anywhere, including a folder that holds other files (a learner's
notes, a home folder). So the zoo marks the folder it uses, and ``zoo clean`` deletes only the
entries the zoo itself writes there: its mark, its lock and its ``transformers<N>`` parts.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from filelock import FileLock, Timeout

from course_utils.errors import CourseError
from course_utils.paths import zoo_root

MARKER = ".course-zoo"
LOCK = ".build.lock"
_GENERATION = re.compile(r"transformers(\d+|-missing)")


class ZooFolderError(CourseError, OSError):
    """The zoo's folder cannot be used (not writable) or is not the zoo's (clean refused)."""


def prepare_root() -> Path:
    """The zoo's folder, created and marked; a clear error when it cannot be written."""
    root = zoo_root()
    try:
        root.mkdir(parents=True, exist_ok=True)
        marker = root / MARKER
        if not marker.exists():
            marker.write_text(
                "This folder holds the offline model zoo of the Transformer Variants course.\n"
                "`python -m course_utils.zoo clean` deletes only what the zoo wrote here.\n"
            )
    except OSError as error:
        raise ZooFolderError(
            f"The offline model zoo's folder {root} cannot be written ({error.strerror}). "
            "What to do: point COURSE_ZOO_DIR at a folder you can write (for example "
            "`export COURSE_ZOO_DIR=~/course-zoo`), or ask whoever set up this machine to build "
            "the zoo there (`python -m course_utils.zoo build`)."
        ) from None
    return root


def _zoo_entries(root: Path) -> list[Path]:
    return [
        entry
        for entry in root.iterdir()
        if entry.name in (MARKER, LOCK) or (entry.is_dir() and _GENERATION.fullmatch(entry.name))
    ]


def clean() -> tuple[list[Path], list[Path]]:
    """Delete what the zoo wrote in its folder; return (removed, kept).

    The folder must carry the zoo's mark — or, for a zoo made before marks existed, hold only
    entries the zoo writes. Anything else there is left alone, and the folder itself is removed
    only when nothing else is in it.
    """
    root = zoo_root()
    if not root.is_dir():
        return [], []
    entries = list(root.iterdir())
    ours = _zoo_entries(root)
    marked = (root / MARKER).is_file()
    made_before_marks = bool(ours) and len(ours) == len(entries)
    if not (marked or made_before_marks):
        raise ZooFolderError(
            f"{root} is not the course's model zoo (it has no {MARKER} file), so nothing was "
            "deleted. COURSE_ZOO_DIR points there; unset it or point it at the zoo's folder."
        )
    try:
        with FileLock(str(root / LOCK), timeout=0):  # not while a build writes here
            for entry in ours:
                if entry.is_dir():
                    shutil.rmtree(entry)
                elif entry.name != LOCK:
                    entry.unlink(missing_ok=True)
    except Timeout:
        raise ZooFolderError(
            f"A build of the offline model zoo is running in {root}, so nothing was deleted. "
            "Wait for it to finish (or stop it), then run `python -m course_utils.zoo clean` again."
        ) from None
    (root / LOCK).unlink(missing_ok=True)
    kept = [entry for entry in entries if entry not in ours]
    if not kept:
        root.rmdir()
    return ours, kept
