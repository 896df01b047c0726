"""Show the source code of a course helper inside a notebook.

When a notebook teaches code that lives in ``course_utils`` (so that tests can check it and later
notebooks can reuse it), the learner should still *see* that code, not a promise that it exists.
``show_source(obj)`` prints it from the very file Python runs, so what you read is what runs —
no copy in the notebook that could drift out of date.
"""

from __future__ import annotations

import inspect
import textwrap
from typing import Any

__all__ = ["in_jupyter", "show_source", "source_of"]


def source_of(obj: Any) -> str:
    """The source code of a class, function or method, dedented, with a header naming its home.

    Raises ``ValueError`` for objects whose source Python cannot find (built-ins written in C,
    instances, code typed into an interactive prompt).
    """
    target = getattr(obj, "__func__", obj)  # a bound method: show the function
    if not (inspect.isclass(target) or inspect.isfunction(target) or inspect.ismodule(target)):
        raise ValueError(
            f"show_source needs a class, function, method or module, got an object of type "
            f"{type(obj).__name__}. For an instance, pass its class: type(obj)."
        )
    try:
        lines, first_line = inspect.getsourcelines(target)
    except (OSError, TypeError) as error:
        raise ValueError(
            f"Python cannot find the source of {target!r} ({error}). Built-in objects are "
            f"written in C; code typed into a notebook has no source file to read."
        ) from error
    module = inspect.getmodule(target)
    home = module.__name__ if module is not None else "?"
    name = getattr(target, "__qualname__", getattr(target, "__name__", ""))
    where = f"# {home}.{name}, line {first_line}" if name != home else f"# {home}"
    return f"{where}\n{textwrap.dedent(''.join(lines)).rstrip()}\n"


def in_jupyter() -> bool:
    """True inside a Jupyter kernel (notebook, JupyterLab, papermill), which renders HTML."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def show_source(obj: Any) -> None:
    """Display ``obj``'s source: syntax-highlighted in Jupyter, plain text anywhere else."""
    code = source_of(obj)
    if in_jupyter():
        from IPython.display import Code, display

        display(Code(code, language="python"))
    else:
        print(code, end="")
