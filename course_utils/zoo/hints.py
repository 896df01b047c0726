"""Turning 'model not found offline' tracebacks into the zoo's own clear message.

Offline, ``from_pretrained("some/model")`` for a model the zoo lacks fails deep inside
huggingface_hub with a long traceback about connections. ``setup()`` registers
``missing_model_handler`` with IPython so the learner reads instead which model was asked for,
why it is unavailable, and which ids do work.
"""

from __future__ import annotations

import os
from types import TracebackType
from typing import Any

from course_utils.errors import ModelNotInZooError

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


def explain_missing_model(error: BaseException) -> ModelNotInZooError | None:
    """The zoo's own error for ``error`` if it is an offline miss of a model the zoo lacks."""
    from course_utils.zoo import available_ids, gated_ids

    if isinstance(error, ModelNotInZooError):
        return error
    model_id = requested_model_id(error.__traceback__)
    if model_id is None or model_id in available_ids():
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
        structured = [f"ModelNotInZooError: {explained}"]
        shell._showtraceback(ModelNotInZooError, explained, structured)
    return structured
