"""Every difference between the two library generations the course runs on, in one place.

transformers 5.x comes with huggingface_hub ≥ 1.0 (an ``httpx`` client); the older Colab and
Kaggle images have transformers 4.57 with huggingface_hub 0.36 (a ``requests`` session). Code
elsewhere in the course calls the functions here instead of testing versions itself.
"""

from __future__ import annotations

from functools import cache
from importlib import metadata
from typing import Any


@cache
def transformers_major() -> int:
    """4 or 5: the generation of the installed transformers (read without importing it)."""
    return int(metadata.version("transformers").split(".")[0])


@cache
def hub_major() -> int:
    """0 for huggingface_hub 0.x (beside transformers 4.57), 1 or more for the httpx client."""
    return int(metadata.version("huggingface_hub").split(".")[0])


def limit_hub_requests(seconds: float) -> None:
    """Make every request huggingface_hub sends give up after ``seconds`` without progress.

    Its client waits forever by default (``timeout=None``), so a Hub that accepts a connection
    and never answers would hang ``login``, ``whoami`` or ``auth_check``. Calls that pass their
    own timeout (file downloads do) keep it. Uses the library's own hook for configuring its
    client: ``set_client_factory`` (≥ 1.0) or ``configure_http_backend`` (0.x).
    """
    if hub_major() >= 1:
        import huggingface_hub

        def client() -> Any:
            made = huggingface_hub.utils._http.default_client_factory()
            made.timeout = seconds
            return made

        huggingface_hub.set_client_factory(client)
    else:
        import requests
        from huggingface_hub import configure_http_backend
        from huggingface_hub.utils._http import _default_backend_factory

        class TimeoutAdapter(requests.adapters.HTTPAdapter):
            def __init__(self, wrapped: Any) -> None:
                super().__init__()
                self.wrapped = wrapped

            def send(self, request: Any, timeout: Any = None, **kwargs: Any) -> Any:
                return self.wrapped.send(request, timeout=timeout or seconds, **kwargs)

        def session() -> Any:
            made = _default_backend_factory()
            for prefix, adapter in list(made.adapters.items()):
                made.mount(prefix, TimeoutAdapter(adapter))
            return made

        configure_http_backend(session)


def is_unreachable_error(error: BaseException) -> bool:
    """Whether huggingface_hub's client gave up on a request: a time-out or a refused connection.

    The two generations raise different classes (httpx's ``TimeoutException``/``ConnectError``
    or the ``httpx2`` fork's, requests' ``Timeout``/``ConnectionError``), so they are told by
    name anywhere in the class's ancestry.
    """
    names = {cls.__name__ for cls in type(error).__mro__}
    return bool(names & {"TimeoutException", "Timeout", "ConnectError", "ConnectionError"})
