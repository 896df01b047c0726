"""Errors the course raises on purpose.

Each one says what went wrong *and what to do next*, because the person reading it is usually a
learner in a notebook, not a library developer reading a stack trace.
"""

from __future__ import annotations


class CourseError(Exception):
    """Base class: every error raised by ``course_utils`` on purpose."""


class SetupOrderError(CourseError, RuntimeError):
    """``setup()`` ran after ``transformers`` was imported, so its settings cannot take effect."""


class ModelNotInZooError(CourseError, OSError):
    """An offline session asked for a model that the offline model zoo does not provide.

    It subclasses ``OSError`` because that is what ``from_pretrained`` raises for a missing model,
    so existing ``except OSError`` code keeps working.
    """

    def __init__(self, model_id: str, available: list[str], gated: bool = False) -> None:
        self.model_id = model_id
        self.available = list(available)
        self.gated = gated
        listing = "\n".join(f"  - {name}" for name in self.available) or "  (the zoo is empty)"
        if gated:
            why = (
                f"'{model_id}' is a gated model: even its offline stand-in is served only after "
                f"login, by the course's local test Hub (notebook 05 shows it).\n"
                f"What to do: online, request access on the model's Hub page and log in with "
                f"your token; offline, run notebook 05, or use one of the ids below."
            )
        else:
            why = (
                f"'{model_id}' is not available offline: this session has no internet, and the "
                f"course's offline model zoo has no stand-in for it.\n"
                f"What to do: use one of the ids below, or run the notebook online "
                f"(Colab, Kaggle or a laptop with internet) to get the real model."
            )
        super().__init__(f"{why}\nModels available offline:\n{listing}")


class EmptyInputError(CourseError, ValueError):
    """A text helper was given nothing to work on."""
