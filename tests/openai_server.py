"""A local OpenAI-compatible chat server for the tests of ``course_utils.chat`` and the chatbot app.

Why: the chatbot's OpenAI backend must be tested end to end — the real ``openai`` client, real
HTTP, real streaming — without the internet and without a real key. This server speaks just
enough of OpenAI's chat-completions API for that, answering the way the real API does:

* ``POST /v1/chat/completions``, with ``"stream": true`` (server-sent events: one
  ``data: {chat.completion.chunk}`` line per piece, then ``data: [DONE]``) or without (one
  ``chat.completion`` object);
* ``401`` with OpenAI's error JSON when the ``Authorization: Bearer <key>`` header is missing or
  holds a key it does not accept; ``404`` ``model_not_found`` for an unknown model; ``400`` for
  a body without messages; anything else is a 404.

Its reply is deterministic and shows what it received, e.g. ``Echo: 3 messages, you said
"And GPT-2?"``, so a test can see that the history was sent. Each request's JSON body is recorded
(``server.requests``) for assertions; the key is never stored, printed or logged — a request
records only whether its key was accepted.

    with OpenAIServer(accepted_keys=["sk-test"]) as server:
        client = OpenAI(api_key="sk-test", base_url=server.base_url)
"""

from __future__ import annotations

import hmac
import itertools
import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from course_utils.http_server import BackgroundServer, Reply, Request

DEFAULT_MODEL = "course-echo"


@dataclass(frozen=True)
class RecordedRequest:
    """A request the server answered: its path, whether its key was accepted, its JSON body."""

    method: str
    path: str
    authorized: bool
    body: Any  # the parsed JSON body (None if it was not JSON); never holds the key


def echo_reply(messages: list[dict[str, Any]]) -> str:
    """What the server answers: how many messages it got and the last user message."""
    users = [m.get("content", "") for m in messages if m.get("role") == "user"]
    last = users[-1] if users else ""
    return f'Echo: {len(messages)} message{"s" if len(messages) != 1 else ""}, you said "{last}"'


class OpenAIServer(BackgroundServer):
    """An OpenAI-compatible chat server on 127.0.0.1 (a free port unless one is given).

    ``accepted_keys`` are the API keys it accepts (compared in constant time); ``models`` the
    model names it serves. ``base_url`` (``http://127.0.0.1:<port>/v1``) is what the ``openai``
    client's ``base_url`` or ``OPENAI_BASE_URL`` needs.
    """

    def __init__(self, accepted_keys: Iterable[str], models: Iterable[str] = (DEFAULT_MODEL,)):
        self._accepted = tuple(key.encode() for key in accepted_keys if key)
        self.models = tuple(models)
        self.requests: list[RecordedRequest] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        super().__init__(self._route, "OpenAI test server")

    @property
    def base_url(self) -> str:
        return f"{self.address}/v1"

    @property
    def chat_requests(self) -> list[Any]:
        """The JSON bodies of the accepted chat-completion requests, oldest first."""
        return [r.body for r in self.requests if r.authorized and r.path.endswith("/completions")]

    def _accepts(self, header: str | None) -> bool:
        scheme, _, value = (header or "").strip().partition(" ")
        candidate = value.strip().encode()
        if scheme.lower() != "bearer" or not candidate:
            return False
        return any([hmac.compare_digest(candidate, key) for key in self._accepted])

    def _route(self, request: Request) -> Reply:
        path = urlsplit(request.path).path
        return self._answer(
            request.method, path, request.headers.get("Authorization"), request.body
        )

    def _answer(self, method: str, path: str, header: str | None, raw: bytes) -> Reply:
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        authorized = self._accepts(header)
        with self._lock:
            self.requests.append(RecordedRequest(method, path, authorized, body))
        if not authorized:  # the real API checks the key before anything else
            if not header:
                message = (
                    "You didn't provide an API key. You need to provide your API key in an "
                    "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
                )
                return _error(401, message, None)
            message = (  # the real API quotes the key masked; this one never quotes it
                "Incorrect API key provided. You can find your API key at "
                "https://platform.openai.com/account/api-keys."
            )
            return _error(401, message, "invalid_api_key")
        if method != "POST" or path != "/v1/chat/completions":
            return _error(404, f"Unknown request URL: {method} {path}.", "unknown_url")
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            return _error(400, "'messages' is a required property", None)
        model = body.get("model")
        if model not in self.models:
            message = f"The model `{model}` does not exist or you do not have access to it."
            return _error(404, message, "model_not_found")
        reply = echo_reply(body["messages"])
        completion_id = f"chatcmpl-course{next(self._ids):06d}"
        created = int(time.time())
        if body.get("stream"):
            events = list(_chunks(completion_id, created, model, reply))
            headers = {
                "Content-Type": "text/event-stream; charset=utf-8",
                "Cache-Control": "no-cache",
            }
            return Reply(200, headers, stream=events)
        return _json(
            200,
            {
                "id": completion_id,
                "object": "chat.completion",
                "created": created,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply, "refusal": None},
                        "logprobs": None,
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": sum(len(str(m)) for m in body["messages"]) // 4,
                    "completion_tokens": len(reply.split()),
                    "total_tokens": 0,
                },
            },
        )


def _chunks(completion_id: str, created: int, model: str, reply: str) -> Iterable[bytes]:
    """The reply as OpenAI streams it: the role first, then the text word by word, then stop."""

    def event(delta: dict[str, Any], finish: str | None = None) -> bytes:
        chunk = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        return f"data: {json.dumps(chunk)}\n\n".encode()

    yield event({"role": "assistant", "content": ""})
    words = reply.split(" ")
    for i, word in enumerate(words):
        yield event({"content": word if i == 0 else f" {word}"})
    yield event({}, "stop")
    yield b"data: [DONE]\n\n"


def _json(status: int, payload: Any) -> Reply:
    return Reply(status, {"Content-Type": "application/json"}, json.dumps(payload).encode())


def _error(status: int, message: str, code: str | None) -> Reply:
    """An error in OpenAI's format: ``{"error": {"message", "type", "param", "code"}}``."""
    kind = "invalid_request_error"
    return _json(status, {"error": {"message": message, "type": kind, "param": None, "code": code}})
