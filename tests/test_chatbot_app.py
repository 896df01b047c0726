"""The Streamlit chatbot (apps/chatbot.py), driven by Streamlit's AppTest.

The OpenAI-compatible backend talks to the local test server (tests/openai_server.py), which
records what it was sent; the local backend runs the zoo's SmolLM2 (the real weights).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import REPO
from openai_server import OpenAIServer, echo_reply
from streamlit.testing.v1 import AppTest

APP = str(REPO / "apps" / "chatbot.py")
ECHO = "course-echo"


@pytest.fixture
def canary() -> str:
    return "sk-course-canary-" + secrets.token_hex(16)


@pytest.fixture
def server(canary: str):
    with OpenAIServer(accepted_keys=[canary]) as running:
        yield running


@pytest.fixture
def openai_app(server: OpenAIServer, canary: str, monkeypatch: pytest.MonkeyPatch):
    """The app set to the OpenAI-compatible backend at the test server, with the canary key."""
    monkeypatch.setenv("CHATBOT_BACKEND", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_MODEL", ECHO)
    monkeypatch.setenv("OPENAI_API_KEY", canary)
    return AppTest.from_file(APP, default_timeout=60).run()


def send(app: AppTest, text: str) -> AppTest:
    return app.chat_input[0].set_value(text).run()


def conversation(app: AppTest) -> list[tuple[str, str]]:
    """(role, text) of every chat bubble, top to bottom."""
    return [
        (bubble.name, " ".join(m.value for m in bubble.markdown)) for bubble in app.chat_message
    ]


def nodes(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from nodes(child)


def everything_rendered(app: AppTest) -> str:
    """The protobuf text of every element in the page and the sidebar, and widget values."""
    parts = []
    for node in nodes(app._tree):
        parts.append(str(getattr(node, "proto", "")))
        for name in ("value", "label", "body", "placeholder", "help"):
            try:
                parts.append(str(getattr(node, name)))
            except Exception:  # not every element has every attribute
                continue
    return "\n".join(parts)


def test_two_turns_show_both_replies_and_send_the_history(openai_app, server):
    app = openai_app
    app.sidebar.text_area[0].set_value("Answer in one sentence.")
    app.sidebar.slider[0].set_value(0.3)
    send(app, "What is BERT?")
    send(app, "And what about GPT-2?")
    assert not app.exception and not app.error
    system = {"role": "system", "content": "Answer in one sentence."}
    first = [system, {"role": "user", "content": "What is BERT?"}]
    second = [
        *first,
        {"role": "assistant", "content": echo_reply(first)},
        {"role": "user", "content": "And what about GPT-2?"},
    ]
    assert conversation(app) == [
        ("user", "What is BERT?"),
        ("assistant", echo_reply(first)),
        ("user", "And what about GPT-2?"),
        ("assistant", echo_reply(second)),
    ]
    sent = server.chat_requests
    assert [r["messages"] for r in sent] == [first, second]
    assert all(r["temperature"] == 0.3 and r["stream"] is True for r in sent)
    assert all(r["model"] == ECHO for r in sent)


def test_missing_key_is_explained_in_the_page(server, monkeypatch):
    monkeypatch.setenv("CHATBOT_BACKEND", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_MODEL", ECHO)
    monkeypatch.delenv("OPENAI_API_KEY")
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert "No API key found" in " ".join(c.value for c in app.sidebar.caption)
    send(app, "What is BERT?")
    assert not app.exception
    (error,) = app.error
    assert "No API key found" in error.value and "OPENAI_API_KEY" in error.value
    assert server.requests == []  # nothing was sent without a key
    send(app, "Hello?")
    assert [role for role, _ in conversation(app)] == ["user", "assistant"]  # no stale history


def test_rejected_key_is_explained_in_the_page(server, monkeypatch):
    wrong = "sk-course-wrong-" + secrets.token_hex(16)
    monkeypatch.setenv("CHATBOT_BACKEND", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_MODEL", ECHO)
    monkeypatch.setenv("OPENAI_API_KEY", wrong)
    app = send(AppTest.from_file(APP, default_timeout=60).run(), "What is BERT?")
    assert not app.exception
    (error,) = app.error
    assert "rejected the key" in error.value and "401" in error.value
    assert wrong not in everything_rendered(app)
    assert server.requests and not any(r.authorized for r in server.requests)


def test_the_key_appears_in_no_element_log_or_request_body(
    openai_app, server, canary, caplog, capsys
):
    caplog.set_level(logging.DEBUG)  # the openai and httpx loggers included
    app = openai_app
    send(app, "What is BERT?")
    send(app, "Which model should I use for translation?")
    app.sidebar.text_input[0].set_value("no-such-model").run()
    send(app, "Hi")  # an error message from the endpoint, too
    assert len(server.chat_requests) == 3 and len(app.error) == 1  # the last one: 404
    rendered = everything_rendered(app)
    assert "translation" in rendered  # the walk does see the page's text
    assert canary not in rendered
    assert canary not in caplog.text
    out, err = capsys.readouterr()
    assert canary not in out + err
    assert canary not in json.dumps([r.body for r in server.requests])
    assert canary in os.environ["OPENAI_API_KEY"]  # the key was there all along


def test_local_backend_answers_the_notebook_question_on_topic(monkeypatch):
    monkeypatch.setenv("CHATBOT_BACKEND", "local")  # the model: chat.DEFAULT_LOCAL_MODEL
    app = AppTest.from_file(APP, default_timeout=120).run()
    app.sidebar.slider[0].set_value(0.0)  # greedy: the model's most likely answer
    send(app, "What is BERT?")
    send(app, "And what about GPT-2?")
    assert not app.exception and not app.error
    (_, question), (_, first), (_, _), (_, second) = conversation(app)
    assert question == "What is BERT?"
    assert "BERT" in first and "GPT-2" in second  # on topic; what SmolLM2 says of them may be wrong


def test_a_typed_base_url_never_gets_the_stored_key(openai_app, canary):
    """Anyone who can open the page could type their own server's address: it must not receive
    the key the app was set up with, only a key typed for it."""
    with OpenAIServer(accepted_keys=["sk-typed-for-this-url"]) as elsewhere:
        app = openai_app
        url = next(w for w in app.sidebar.text_input if w.label == "Base URL")
        url.set_value(elsewhere.base_url).run()
        send(app, "Hi")
        assert not app.exception
        (error,) = app.error
        assert "stored key is not sent" in error.value
        assert elsewhere.requests == []  # nothing went there
        typed = next(w for w in app.sidebar.text_input if w.label == "API key for this base URL")
        typed.set_value("sk-typed-for-this-url").run()
        send(app, "Hi")
        assert [r.authorized for r in elsewhere.requests] == [True]  # the typed key, accepted
        assert canary not in everything_rendered(app)
