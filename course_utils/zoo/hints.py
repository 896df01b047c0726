"""Turning 'model not found offline' tracebacks into the zoo's own clear message.

Offline, ``from_pretrained("some/model")`` for a model the zoo lacks fails deep inside
huggingface_hub with a long traceback about connections. ``setup()`` registers
``missing_model_handler`` with IPython so the learner reads instead which model was asked for,
why it is unavailable, and which ids do work. A missing *local folder* (``"./my-model"``) is a
different mistake, a typo or the wrong working directory, and gets its own message.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from types import TracebackType
from typing import Any

from course_utils.errors import CourseError, ModelNotInZooError


class ModelFolderNotFoundError(CourseError, OSError):
    """``from_pretrained`` was given a local folder that does not exist.

    An ``OSError``, like the error ``from_pretrained`` raises, so ``except OSError`` still works.
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder
        path = Path(folder).expanduser()
        message = (
            f"{folder!r} looks like a local folder, but there is no such folder "
            f"({path.absolute()}). Check its spelling and the working directory "
            f"({Path.cwd()}): a model saved with save_pretrained(folder) loads from that same "
            f"folder."
        )
        if path.parent.is_dir():
            folders = [child.name for child in path.parent.iterdir() if child.is_dir()]
            close = difflib.get_close_matches(path.name, folders, n=3)
            if close:
                message += f" Folders there with similar names: {', '.join(close)}."
        super().__init__(message)


def looks_like_a_folder(model_id: str) -> bool:
    """True for ``./x``, ``/x``, ``~/x``, ``a/b/c`` or a Windows path: never a Hub id."""
    return model_id.startswith((".", "/", "~")) or model_id.count("/") > 1 or "\\" in model_id


# Argument names under which transformers and huggingface_hub pass a model id down the stack.
ID_ARGUMENTS = ("pretrained_model_name_or_path", "path_or_repo_id", "repo_id", "model")


def requested_model_id(traceback: TracebackType | None) -> str | None:
    """The outermost model id found in the failing call stack, if any."""
    while traceback is not None:
        frame = traceback.tb_frame
        if frame.f_code.co_name != "<module>":  # a notebook cell's variables are not arguments
            for name in ID_ARGUMENTS:
                value = frame.f_locals.get(name)
                if isinstance(value, str) and value and not os.path.exists(value):
                    return value
        traceback = traceback.tb_next
    return None


def explain_missing_model(error: BaseException) -> CourseError | None:
    """The course's own error for ``error`` if it is an offline miss of a model the zoo lacks.

    That is :class:`ModelFolderNotFoundError` when the id is a path to a missing folder, and
    ``ModelNotInZooError`` for a Hub id.
    """
    from course_utils.zoo import available_ids, gated_ids

    if isinstance(error, ModelNotInZooError | ModelFolderNotFoundError):
        return error
    model_id = requested_model_id(error.__traceback__)
    if model_id is None or model_id in available_ids():
        return None
    if looks_like_a_folder(model_id):
        return ModelFolderNotFoundError(model_id)
    if not isinstance(
        error, OSError
    ):  # an invalid id ("bert base"): the library says what is wrong
        return None
    return ModelNotInZooError(model_id, available_ids(), gated=model_id in gated_ids())


def missing_model_handler(
    shell: Any, etype: type, value: BaseException, tb: TracebackType, tb_offset: int | None = None
) -> list[str]:
    """IPython custom-exception hook: show the zoo's message, or IPython's usual traceback.

    IPython ignores what a custom handler returns when the error comes from running a cell, so
    the handler displays the traceback itself (``_showtraceback`` is what IPython would call).
    """
    explained = explain_missing_model(value)
    if explained is None:
        structured = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
        shell._showtraceback(etype, value, structured)
    else:
        structured = [f"{type(explained).__name__}: {explained}"]
        shell._showtraceback(type(explained), explained, structured)
    return structured
