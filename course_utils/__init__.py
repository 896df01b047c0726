"""Helpers shared by the Transformer Variants notebooks.

Importing this package is cheap and imports neither torch nor transformers: the first cell of
every notebook calls ``course_utils.setup()``, which must run *before* transformers is imported.
Submodules load on first use (``course_utils.plotting``, ``course_utils.zoo``, ...).
"""

from __future__ import annotations

import importlib
from typing import Any

from course_utils.session import Session, setup

__version__ = "0.1.0"
__all__ = ["Session", "setup"]

_SUBMODULES = {
    "adaptation",
    "attention_cost",
    "chat",
    "compat",
    "configs",
    "data",
    "embeddings",
    "environment",
    "errors",
    "exercises",
    "finetuning",
    "generation",
    "hub_access",
    "lessons",
    "memory",
    "model_sizes",
    "paths",
    "plotting",
    "seq2seq",
    "task_formats",
    "tasks",
    "timing",
    "zoo",
}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"course_utils.{name}")
    raise AttributeError(f"module 'course_utils' has no attribute {name!r}")
