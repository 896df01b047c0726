"""Every difference between the two library generations the course runs on, in one place.

transformers 5.x comes with huggingface_hub ≥ 1.0 (an ``httpx`` client); the older Colab and
Kaggle images have transformers 4.57 with huggingface_hub 0.36 (a ``requests`` session). Code
elsewhere in the course calls the functions here instead of testing versions itself. Two kinds of
difference live elsewhere on purpose: the notebooks *teach* some (a removed pipeline, a changed
default), and the offline zoo's conversion of saved files for 4.57 is ``course_utils/zoo/port.py``
(which asks :func:`transformers_major` whether to port).
"""

from __future__ import annotations

import inspect
import re
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


# Environment variables that switch the Hugging Face libraries offline; 4.57 also reads the second.
OFFLINE_VARIABLES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
# transformers 4.57 reads its model cache from these before HF_HUB_CACHE (5.x ignores them).
LEGACY_CACHE_VARIABLES = (
    "TRANSFORMERS_CACHE",
    "PYTORCH_TRANSFORMERS_CACHE",
    "PYTORCH_PRETRAINED_BERT_CACHE",
)


def missing_model_errors() -> tuple[type[BaseException], ...]:
    """What ``from_pretrained`` raises for a model it cannot find offline.

    An ``OSError`` for a Hub id; huggingface_hub 0.36 (beside transformers 4.57) raises
    ``HFValidationError`` for a path such as ``"./my-modle"`` that names no folder: it checks it
    as a Hub id and refuses its characters.
    """
    from huggingface_hub.errors import HFValidationError

    return (OSError, HFValidationError)


def pipeline_default_revisions(repo_id: str) -> tuple[str, ...]:
    """Short revisions ``pipeline(task)`` pins when ``repo_id`` is the default model of a task.

    ``pipeline("sentiment-analysis")`` asks for revision ``714eb0f`` of its default model. 4.57
    keeps the defaults per framework (``{"pt": (id, revision)}``), 5.x as one ``(id, revision)``.
    """
    from transformers.pipelines import SUPPORTED_TASKS

    revisions = set()
    for task in SUPPORTED_TASKS.values():
        if not isinstance(task, dict):  # always is; the table's declared type is dict[str, object]
            continue
        default = task.get("default", {}).get("model")
        if isinstance(default, dict):
            default = default.get("pt")
        if default and default[0] == repo_id and default[1]:
            revisions.add(default[1])
    return tuple(sorted(revisions))


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

        # huggingface_hub 0.x only (this branch); mypy checks against the ≥ 1.0 in .venv.
        from huggingface_hub.utils._http import (  # type: ignore[attr-defined]
            _default_backend_factory,
        )

        class TimeoutAdapter(requests.adapters.HTTPAdapter):
            def __init__(self, wrapped: requests.adapters.BaseAdapter) -> None:
                super().__init__()
                self.wrapped = wrapped

            def send(  # HTTPAdapter.send's signature, so positional calls still line up
                self,
                request: requests.PreparedRequest,
                stream: bool = False,
                timeout: float | tuple[float | None, float | None] | None = None,
                verify: bool | str = True,
                cert: str | tuple[str, str] | None = None,
                proxies: dict[str, str] | None = None,
            ) -> requests.Response:
                return self.wrapped.send(
                    request,
                    stream=stream,
                    timeout=timeout or seconds,
                    verify=verify,
                    cert=cert,
                    proxies=proxies,
                )

        def session() -> Any:
            made = _default_backend_factory()
            for prefix, adapter in list(made.adapters.items()):
                made.mount(prefix, TimeoutAdapter(adapter))
            return made

        configure_http_backend(session)


def is_unreachable_error(error: BaseException) -> bool:
    """Whether huggingface_hub's client gave up on a request: a time-out, a refused connection or
    one cut mid-reply.

    The two generations raise different classes (httpx's ``TimeoutException``/``ConnectError``
    or the ``httpx2`` fork's, requests' ``Timeout``/``ConnectionError``), so they are told by
    name anywhere in the class's ancestry.
    """
    names = {cls.__name__ for cls in type(error).__mro__}
    # httpx: TransportError covers time-outs, refused and cut connections; requests: the rest.
    gave_up = {"TransportError", "TimeoutException", "Timeout", "ConnectError", "ConnectionError"}
    return bool(names & gave_up)


# Markers (Unicode private-use characters) around control tokens typed into a message.
_TYPED_START, _TYPED_END = "\ue000", "\ue001"


def chat_ids_typed_tokens_as_text(tokenizer: Any, messages: list[dict[str, str]]) -> list[int]:
    """Token ids of a chat rendered for a reply, control tokens typed in a message kept as text.

    transformers 5 does it itself (``sanitize_control_tokens=True``); 4.57 cannot, so there the
    same is done by hand: wrap each control token found in a message in two private-use
    markers, render, then encode the marked pieces with ``split_special_tokens=True`` (as text)
    and the rest normally. Both give the same ids (tests/test_chat.py checks it).
    """
    if "sanitize_control_tokens" in inspect.signature(tokenizer.apply_chat_template).parameters:
        rendered = tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, sanitize_control_tokens=True, return_dict=True
        )
        return list(rendered["input_ids"])
    return _chat_ids_by_hand(tokenizer, messages)


def _chat_ids_by_hand(tokenizer: Any, messages: list[dict[str, str]]) -> list[int]:
    """:func:`chat_ids_typed_tokens_as_text` for transformers 4 (no ``sanitize_control_tokens``)."""
    # "(?!)" never matches: a tokenizer without control tokens leaves every message as it is.
    pattern = re.compile("|".join(map(re.escape, _control_tokens(tokenizer))) or "(?!)")
    marked = []
    for message in messages:
        # Markers already in the text are dropped, so they cannot be used to forge a piece.
        text = message["content"].replace(_TYPED_START, "").replace(_TYPED_END, "")
        text = pattern.sub(lambda found: _TYPED_START + found.group() + _TYPED_END, text)
        marked.append({"role": message["role"], "content": text})
    rendered = tokenizer.apply_chat_template(marked, add_generation_prompt=True, tokenize=False)
    # Splitting at the markers gives [template and text, typed token, template and text, …].
    pieces = re.split(f"[{_TYPED_START}{_TYPED_END}]", rendered)
    ids = tokenizer.encode(pieces[0], add_special_tokens=False)
    newline = tokenizer.encode("\n", add_special_tokens=False)
    for position, piece in enumerate(pieces[1:], start=1):
        as_text = position % 2 == 1
        # Encoded after a newline that is then removed: a SentencePiece tokenizer would add a
        # space at the start of the piece otherwise (transformers 5 does the same).
        piece_ids = tokenizer.encode(
            "\n" + piece, add_special_tokens=False, split_special_tokens=as_text
        )
        if piece_ids[: len(newline)] == newline:
            piece_ids = piece_ids[len(newline) :]
        else:
            piece_ids = tokenizer.encode(
                piece, add_special_tokens=False, split_special_tokens=as_text
            )
        ids += piece_ids
    return ids


def _control_tokens(tokenizer: Any) -> list[str]:
    """The tokenizer's special tokens and the added tokens its chat template writes, longest first.

    Longest first, so that a token wins over a shorter one it contains.
    """
    template = tokenizer.chat_template or ""
    tokens = {
        token.content
        for token in tokenizer.added_tokens_decoder.values()
        if token.special or (token.content.strip() and token.content in template)
    }
    return sorted(tokens, key=len, reverse=True)
