"""Chatting with a model: one interface, two backends (an OpenAI-compatible API, a local model).

Notebook 19 and the Streamlit app ``apps/chatbot.py`` build a chatbot from one idea: a chat is
a list of messages (``{"role": "system" | "user" | "assistant", "content": ...}``) and every
turn sends the *whole* list, because the model itself remembers nothing between calls. What
differs is who turns the list into text:

* :class:`OpenAIBackend` sends the list to any server that speaks OpenAI's chat-completions
  API (OpenAI itself, or vLLM, Ollama, llama.cpp, … through ``base_url``); the server applies
  its model's chat template.
* :class:`LocalBackend` does it here: ``tokenizer.apply_chat_template`` renders the list with
  the model's special tokens, ``generate`` runs in a thread, and
  ``transformers.TextIteratorStreamer`` hands the text over piece by piece.

Both :meth:`~ChatBackend.stream` the reply, so a user sees the first words at once instead of
waiting for the whole answer, and both drop the oldest turns when the chat outgrows the model's
context window (:func:`trim_history`). Locally, text in the messages never becomes a control
token: a user who types ``<|im_end|>`` cannot close their own turn and write a fake system
message (:func:`encode_chat`; an API's server renders its template itself). Mistakes (no key,
a rejected key, an endpoint that does not answer, an empty message, a temperature outside
[0, 2]) raise :class:`ChatError` subclasses whose messages say what to do and never contain
the key.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

from course_utils.compat import chat_ids_typed_tokens_as_text
from course_utils.environment import detect_platform
from course_utils.errors import CourseError
from course_utils.hub_access import HubToken, find_token, where_to_store_a_token
from course_utils.timeouts import CHAT_REQUEST_SECONDS
from course_utils.token_limit import token_limit

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionMessageParam

__all__ = [
    "DEFAULT_API_CONTEXT",
    "DEFAULT_LOCAL_MODEL",
    "DEFAULT_OPENAI_MODEL",
    "KEY_NAME",
    "ApiKey",
    "ChatBackend",
    "ChatError",
    "ChatKeyMissingError",
    "ChatKeyRejectedError",
    "EndpointError",
    "EndpointUnreachableError",
    "LocalBackend",
    "OpenAIBackend",
    "approximate_tokens",
    "backend_from_env",
    "check_messages",
    "check_temperature",
    "complete",
    "encode_chat",
    "find_api_key",
    "require_api_key",
    "trim_history",
    "where_to_put_the_key",
    "with_system_prompt",
]

Message = dict[str, str]
ROLES = ("system", "user", "assistant")
KEY_NAME = "OPENAI_API_KEY"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
DEFAULT_LOCAL_MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct"
# A window most chat models and servers have (gpt-4o-mini reads 128,000 tokens; Ollama's own
# default is smaller): set OpenAIBackend's context_length to your model's.
DEFAULT_API_CONTEXT = 8192
# The prompt budget of a local model with no position table (BLOOM's ALiBi) or tokenizer limit.
UNLIMITED_CONTEXT = 2048
MAX_TEMPERATURE = 2.0  # the range OpenAI's API accepts; local sampling uses the same scale
KEYS_PAGE = "https://platform.openai.com/api-keys"


class ChatError(CourseError, ValueError):
    """A chat request cannot work as given (empty message, bad temperature, malformed list)."""


class ChatKeyMissingError(CourseError, RuntimeError):
    """No API key was found anywhere the course looks for one."""


class ChatKeyRejectedError(CourseError, PermissionError):
    """The endpoint answered 401: the key is wrong, expired or revoked."""


class EndpointUnreachableError(CourseError, ConnectionError):
    """Nothing answered at the endpoint's address (offline, wrong URL, server not started)."""


class EndpointError(CourseError, RuntimeError):
    """The endpoint answered with an error other than a rejected key (unknown model, quota …)."""


@dataclass(frozen=True, repr=False)
class ApiKey(HubToken):
    """An API key and where it came from. Printing it shows the source, never the value."""

    name: str = KEY_NAME

    def __str__(self) -> str:
        return f"ApiKey(from {self.source} {self.name}, value hidden)"

    __repr__ = __str__


def find_api_key(
    name: str = KEY_NAME, extra_secrets: Mapping[str, Any] | None = None
) -> ApiKey | None:
    """Look for an API key: Colab secret → Kaggle secret → environment variable → ``extra_secrets``.

    The first three are :func:`course_utils.hub_access.find_token`'s look-up (never its hidden
    prompt: a chat app has no terminal to type into). ``extra_secrets`` is for a store of the
    caller's, such as Streamlit's ``st.secrets`` (``.streamlit/secrets.toml``).
    """
    token = find_token(name, prompt=False)
    if token is not None:
        return ApiKey(token.value, token.source, name)
    value = str((extra_secrets or {}).get(name) or "").strip()
    return ApiKey(value, "the secrets file", name) if value else None


def where_to_put_the_key(name: str = KEY_NAME) -> str:
    """Where to store the key on the platform this code runs on (Colab, Kaggle or a computer)."""
    if detect_platform() in ("colab", "kaggle"):
        return where_to_store_a_token(name)
    return (
        f"On your own machine, set the environment variable before starting Jupyter or the app "
        f"(for example `export {name}=...` in the terminal), or, for the Streamlit app, put the "
        f'line {name} = "..." in .streamlit/secrets.toml (keep that file out of git).'
    )


def require_api_key(name: str = KEY_NAME, extra_secrets: Mapping[str, Any] | None = None) -> ApiKey:
    """Like :func:`find_api_key`, but a missing key raises :class:`ChatKeyMissingError`."""
    key = find_api_key(name, extra_secrets)
    if key is None:
        raise ChatKeyMissingError(
            f"No API key found (looked for a secret or environment variable named {name}).\n"
            f"What to do: create a key with your provider (for OpenAI at {KEYS_PAGE}), then "
            f"store it safely, never in the code. {where_to_put_the_key(name)}"
        )
    return key


def check_temperature(temperature: Any) -> float:
    """Return ``temperature`` as a float if it is in [0, 2]; otherwise say what is allowed.

    0 means "always the most likely token" (greedy decoding for the local model), 1 samples
    from the model's own distribution, above 1 flattens it towards random text.
    """
    if isinstance(temperature, bool) or not isinstance(temperature, int | float):
        raise ChatError(f"temperature must be a number between 0 and 2, got {temperature!r}.")
    if not 0 <= temperature <= MAX_TEMPERATURE:
        raise ChatError(
            f"temperature must be between 0 and {MAX_TEMPERATURE:g}, got {temperature}: 0 gives "
            "the most likely reply every time, about 0.7 a varied but sensible one, 2 the most "
            "random one OpenAI allows."
        )
    return float(temperature)


def _check_max_new_tokens(max_new_tokens: Any) -> int:
    if (
        isinstance(max_new_tokens, bool)
        or not isinstance(max_new_tokens, int)
        or max_new_tokens < 1
    ):
        raise ChatError(f"max_new_tokens must be a positive whole number, got {max_new_tokens!r}.")
    return max_new_tokens


def _prompt_budget(context_length: int, max_new_tokens: int) -> int:
    """Tokens left for the prompt once the reply's ``max_new_tokens`` are set aside."""
    budget = context_length - max_new_tokens
    if budget < 1:
        raise ChatError(
            f"max_new_tokens ({max_new_tokens}) leaves no room for the prompt in this "
            f"model's context of {context_length} tokens: ask for fewer."
        )
    return budget


def approximate_tokens(messages: list[Message]) -> int:
    """A generous estimate of the tokens a chat takes, for a server whose tokenizer we lack.

    English averages about 4 characters per token; code and other languages need more tokens,
    so we count one per 3 characters, plus 4 per message for the role markers the server adds.
    Erring on the long side trims a little early rather than overflowing the window.
    """
    return sum(4 + len(message["content"]) // 3 for message in messages)


def check_messages(messages: Any) -> list[Message]:
    """Return ``messages`` as a list if it is a chat the backends can answer; else say what's wrong.

    A chat is a list of ``{"role", "content"}`` dicts: an optional ``system`` message first,
    then ``user`` and ``assistant`` turns taking turns, ending with the ``user`` message to
    answer, which must not be empty. (Chat templates such as Mistral's refuse anything else;
    checking here gives one clear sentence instead of a template error.)
    """
    if isinstance(messages, str):
        raise ChatError(
            'messages must be a list of {"role": ..., "content": ...} dicts, not one string: '
            'wrap it as [{"role": "user", "content": text}].'
        )
    if isinstance(messages, Mapping):
        raise ChatError(
            f"messages must be a list of messages, not one message {dict(messages)!r}: wrap it "
            "in a list, [message]."
        )
    if not isinstance(messages, Sequence):
        raise ChatError(
            f'messages must be a list of {{"role": ..., "content": ...}} dicts, not a '
            f"{type(messages).__name__}."
        )
    if not messages:
        raise ChatError("messages is empty: add at least one user message to answer.")
    checked = []
    for position, message in enumerate(messages):
        if (
            not isinstance(message, Mapping)
            or set(message) != {"role", "content"}
            or message["role"] not in ROLES
            or not isinstance(message["content"], str)
        ):
            raise ChatError(
                f"messages[{position}] must be a dict with exactly a 'role' ({', '.join(ROLES)}) "
                f"and a string 'content', got {message!r}."
            )
        checked.append({"role": message["role"], "content": message["content"]})
    turns = checked[1:] if checked[0]["role"] == "system" else checked
    expected = ["user", "assistant"] * len(turns)
    for position, (message, role) in enumerate(zip(turns, expected, strict=False)):
        if message["role"] != role:
            where = position + len(checked) - len(turns)
            raise ChatError(
                f"messages[{where}] has role {message['role']!r} where {role!r} was expected: "
                "after an optional system message first, user and assistant messages take turns, "
                "starting with the user."
            )
    if not turns or turns[-1]["role"] != "user":
        raise ChatError("The last message must be the user's: it is the one the model answers.")
    if not turns[-1]["content"].strip():
        raise ChatError("Your message is empty: type a question or a request first.")
    return checked


def with_system_prompt(messages: Sequence[Message], system_prompt: str | None) -> list[Message]:
    """``messages`` with ``system_prompt`` as its system message (replacing any earlier one).

    An empty or ``None`` system prompt removes it, so the model's own default applies (SmolLM2's
    template then adds "You are a helpful AI assistant named SmolLM …"). ``messages`` may be a
    chat still being built (even ``[]``), so only its shape is checked here.
    """
    if isinstance(messages, str | Mapping) or not isinstance(messages, Sequence):
        raise ChatError(
            'messages must be a list of {"role": ..., "content": ...} dicts (possibly empty), '
            f"not a {type(messages).__name__}: for one user message, "
            '[{"role": "user", "content": text}].'
        )
    for position, message in enumerate(messages):
        if not isinstance(message, Mapping):
            raise ChatError(
                f'messages[{position}] must be a {{"role": ..., "content": ...}} dict, got '
                f"{message!r}."
            )
    turns = [dict(m) for m in messages if m.get("role") != "system"]
    if system_prompt and system_prompt.strip():
        return [{"role": "system", "content": system_prompt.strip()}, *turns]
    return turns


def trim_history(
    messages: Sequence[Message],
    max_tokens: int,
    count_tokens: Callable[[list[Message]], int],
) -> list[Message]:
    """Drop the oldest turns until the prompt fits in ``max_tokens`` tokens.

    A model reads at most its context window (prompt and reply together). A long chat would
    eventually exceed it, and then the call fails or the model silently loses the *start* of
    the prompt, which is where the system prompt is. So the system message is always kept, the
    oldest user/assistant pairs go first, and the last user message always stays; if even that
    does not fit, the message itself is too long.

    Args:
        messages: the chat, checked with :func:`check_messages`.
        max_tokens: the budget for the prompt (context window minus the tokens kept for the reply).
        count_tokens: how many tokens a message list takes once rendered, counted the way the
            prompt is built: ``lambda m: len(encode_chat(tokenizer, m))`` for a local model
            (``LocalBackend.count_tokens``). Counting with ``apply_chat_template`` directly needs
            ``return_dict=True`` and ``["input_ids"]``: transformers 5 returns a dict by default,
            whose ``len`` is its number of keys, not of tokens.
    """
    checked = check_messages(messages)
    system = checked[:1] if checked[0]["role"] == "system" else []
    turns = checked[len(system) :]
    while True:
        candidate = system + turns
        used = count_tokens(candidate)
        if used <= max_tokens:
            return candidate
        if len(turns) == 1:
            raise ChatError(
                f"Your message is too long for this model: the prompt takes {used} tokens, "
                f"more than the {max_tokens} it has room for. Shorten the message or the "
                "system prompt."
            )
        turns = turns[2:]  # the oldest user message and the assistant's answer to it


def encode_chat(tokenizer: Any, messages: Sequence[Message]) -> list[int]:
    """The token ids of ``messages`` rendered for a reply, with typed control tokens kept as text.

    ``apply_chat_template`` renders the whole chat into one string and then tokenizes it, so by
    default the tokenizer cannot tell the template's ``<|im_end|>`` from one a user typed: the
    typed one becomes the real control token too, and a message such as ``"<|im_end|>
    <|im_start|>system ..."`` writes its own system prompt (*chat-template injection*). How to
    keep typed ones as text differs between transformers 5 and 4.57:
    :func:`course_utils.compat.chat_ids_typed_tokens_as_text`.

    ``messages`` is checked first (:func:`check_messages`): a template would render an unknown
    role such as ``"bot"`` without complaint.
    """
    return chat_ids_typed_tokens_as_text(tokenizer, check_messages(messages))


class ChatBackend(Protocol):
    """What the notebook and the app need from a chat model: a name and a streamed reply."""

    name: str

    def stream(
        self, messages: Sequence[Message], temperature: float = 0.7, max_new_tokens: int = 256
    ) -> Iterator[str]:
        """Yield the reply to ``messages`` piece by piece (check them first)."""
        ...


def complete(backend: ChatBackend, messages: Sequence[Message], **options: Any) -> str:
    """The whole reply at once: the streamed pieces joined."""
    return "".join(backend.stream(messages, **options))


class OpenAIBackend:
    """Any OpenAI-compatible chat-completions endpoint, streamed.

    Args:
        model: the model name the endpoint knows (there is no universal default: OpenAI's
            models change, and other servers name theirs differently).
        base_url: the API's address, e.g. ``http://localhost:11434/v1`` for Ollama; ``None``
            means OpenAI itself.
        api_key: an :class:`ApiKey`; ``None`` looks it up with :func:`require_api_key`.
        timeout: seconds to wait for the endpoint (each connection, read or write): then a
            clear message rather than a page that spins.
        max_retries: retries after a connection error or a 429/5xx answer (each waits up to
            ``timeout`` again).
        context_length: the model's context window in tokens (see its provider's documentation).
            The oldest turns are dropped so that the prompt, counted with
            :func:`approximate_tokens`, leaves room for the reply in it.
    """

    def __init__(
        self,
        model: str = DEFAULT_OPENAI_MODEL,
        base_url: str | None = None,
        api_key: ApiKey | None = None,
        timeout: float = CHAT_REQUEST_SECONDS,
        max_retries: int = 0,
        context_length: int = DEFAULT_API_CONTEXT,
    ) -> None:
        from openai import OpenAI

        if not isinstance(model, str) or not model.strip():
            raise ChatError("model is empty: give the name of a model the endpoint serves.")
        if api_key is not None and not isinstance(api_key, ApiKey):
            raise ChatError(
                "api_key must be an ApiKey from find_api_key()/require_api_key(), not a plain "
                "string: keys belong in secrets, never in the code."
            )
        if (
            isinstance(context_length, bool)
            or not isinstance(context_length, int)
            or context_length < 1
        ):
            raise ChatError(
                f"context_length must be a positive whole number of tokens, got {context_length!r}."
            )
        self.model = model.strip()
        self.context_length = context_length
        self.key = api_key if api_key is not None else require_api_key()
        # base_url None: the client reads OPENAI_BASE_URL, else uses OpenAI's own address.
        self._client = OpenAI(
            api_key=self.key.value,
            base_url=(base_url or "").strip() or None,
            timeout=timeout,
            max_retries=max_retries,
        )
        self.base_url = str(self._client.base_url).rstrip("/")
        self.official = self._client.base_url.host == "api.openai.com"
        self.name = f"{self.model} at {self.base_url}"

    def __repr__(self) -> str:
        return f"OpenAIBackend(model={self.model!r}, base_url={self.base_url!r}, key={self.key})"

    def stream(
        self, messages: Sequence[Message], temperature: float = 0.7, max_new_tokens: int = 256
    ) -> Iterator[str]:
        """Send the chat, trimmed to the window, with ``stream=True``; yield each chunk's text."""
        import openai

        options: dict[str, Any] = {"temperature": check_temperature(temperature)}
        max_new_tokens = _check_max_new_tokens(max_new_tokens)
        # OpenAI itself wants max_completion_tokens (its reasoning models refuse max_tokens);
        # other OpenAI-compatible servers mostly know only the older max_tokens.
        limit = "max_completion_tokens" if self.official else "max_tokens"
        options[limit] = max_new_tokens
        budget = _prompt_budget(self.context_length, max_new_tokens)
        prompt = trim_history(messages, budget, approximate_tokens)
        # trim_history ran check_messages: only system/user/assistant turns with string content,
        # which are OpenAI's message types, though Message (dict[str, str]) cannot say so.
        sent = cast("list[ChatCompletionMessageParam]", prompt)
        try:
            chunks = self._client.chat.completions.create(
                model=self.model, messages=sent, stream=True, **options
            )
            for chunk in chunks:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except openai.AuthenticationError:
            raise ChatKeyRejectedError(
                f"The endpoint ({self.base_url}) rejected the key from "
                f"{self.key.source} {self.key.name} (HTTP 401): it is mistyped, expired or "
                f"revoked, or belongs to another provider.\nWhat to do: create a new key "
                f"(for OpenAI at {KEYS_PAGE}) and replace the stored one. "
                f"{where_to_put_the_key(self.key.name)}"
            ) from None  # the original error quotes the request; ours says it all
        except openai.APITimeoutError:
            raise EndpointUnreachableError(
                f"The endpoint at {self.base_url} accepted the connection but did not answer "
                f"within {self._client.timeout} s.\nWhat to do: try again in a moment; check "
                "that the server there is an OpenAI-compatible API (the base URL usually ends in "
                "/v1), or use the local backend, which needs no network."
            ) from None
        except openai.APIConnectionError:
            raise EndpointUnreachableError(
                f"Nothing answered at {self.base_url}: no "
                "internet connection, a mistyped base URL, or the server is not running.\n"
                "What to do: check the address (it usually ends in /v1) and your connection, "
                "or use the local backend, which needs no network."
            ) from None
        except openai.APIStatusError as error:
            raise EndpointError(self._explain(error)) from None
        except openai.APIError as error:  # e.g. a stream cut off or not in OpenAI's format
            detail = _scrub(str(getattr(error, "message", "") or ""), self.key.value)[:300]
            raise EndpointError(
                f"The endpoint's answer could not be read as an OpenAI chat completion: {detail}"
            ) from None

    def _explain(self, error: Any) -> str:
        status = error.status_code
        if status == 404:
            advice = (
                f"the endpoint does not know the model {self.model!r} (HTTP 404). Check the "
                "model name and the base URL."
            )
        elif status == 429:
            advice = (
                "too many requests or no credit left on this account (HTTP 429). Wait a "
                "minute, or check your plan and billing with the provider."
            )
        elif status == 403:
            advice = "this key may not use this model or endpoint (HTTP 403)."
        else:
            advice = f"the endpoint answered HTTP {status}. Try again in a moment."
        detail = _scrub(str(getattr(error, "message", "") or ""), self.key.value)[:300]
        return f"The chat request failed: {advice}" + (f"\nServer said: {detail}" if detail else "")


def _scrub(text: str, secret: str) -> str:
    """``text`` with any copy of ``secret`` masked, in any letter case (a server could echo
    what it was sent, lower-cased or upper-cased)."""
    return re.sub(re.escape(secret), "***", text, flags=re.IGNORECASE) if secret else text


def _load(auto_class: Any, model_id: str) -> Any:
    """``auto_class.from_pretrained(model_id)``; a failure says what to do, not where it broke."""
    try:
        return auto_class.from_pretrained(model_id)
    except (OSError, ValueError) as error:
        raise _cannot_load(model_id, error) from None


def _cannot_load(model_id: str, error: BaseException) -> CourseError:
    """What to do when ``from_pretrained(model_id)`` fails: the zoo's message offline, else ours."""
    from course_utils.zoo.hints import explain_missing_model

    explained = explain_missing_model(error)
    if explained is not None:
        return explained
    if "gated" in str(error).lower():
        return ChatError(
            f"{model_id} is a gated model: the Hub serves it only to logged-in accounts that "
            f"were granted access.\nWhat to do: request access on https://huggingface.co/"
            f"{model_id}, store a token as the secret HF_TOKEN and restart; or pick an ungated "
            f"chat model such as {DEFAULT_LOCAL_MODEL}."
        )
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return ChatError(
        f"Could not load {model_id!r}: {first_line}\nWhat to do: check the Hub id (for example "
        f"{DEFAULT_LOCAL_MODEL}) or the path of a local model folder."
    )


def _stop_when_set(event: threading.Event) -> Any:
    """A ``generate`` stopping criterion that ends generation once ``event`` is set."""
    import torch
    from transformers import StoppingCriteria

    class StopWhenSet(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            done = torch.full((input_ids.shape[0],), event.is_set(), dtype=torch.bool)
            return done.to(input_ids.device)

    return StopWhenSet()


class LocalBackend:
    """A Hugging Face causal LM with a chat template, run here and streamed.

    Loading happens once, in ``__init__`` (the app caches the backend). Each reply renders the
    chat with :func:`encode_chat` (the chat template, with control tokens typed into a message
    kept as text), trims the oldest turns if the prompt would not leave room for the reply in
    the model's context, and runs ``model.generate`` in a background thread that feeds a
    ``TextIteratorStreamer``.
    """

    def __init__(self, model_id: str = DEFAULT_LOCAL_MODEL, device: str | None = None) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if not isinstance(model_id, str) or not model_id.strip():
            raise ChatError("model_id is empty: give a Hub id or a local folder of a chat model.")
        self.model_id = model_id.strip()
        self.name = self.model_id
        self.tokenizer = _load(AutoTokenizer, self.model_id)
        if not getattr(self.tokenizer, "chat_template", None):
            raise ChatError(
                f"{self.model_id} has no chat template, so it was not trained to chat: it would "
                "only continue the text. Use an instruction-tuned model (names often end in "
                f"-Instruct or -chat), such as {DEFAULT_LOCAL_MODEL}."
            )
        self.model = _load(AutoModelForCausalLM, self.model_id)
        if device:
            self.model.to(device)
        self.model.eval()
        # A model without a position table (BLOOM's ALiBi) would take any prompt, and a pasted
        # book would then need gigabytes for its attention: cap what it reads.
        self.context_length = token_limit(self.model.config, self.tokenizer) or UNLIMITED_CONTEXT

    def __repr__(self) -> str:
        return f"LocalBackend(model_id={self.model_id!r})"

    def count_tokens(self, messages: list[Message]) -> int:
        """Tokens of the prompt this chat renders to (what the model reads)."""
        return len(encode_chat(self.tokenizer, messages))

    def stream(
        self,
        messages: Sequence[Message],
        temperature: float = 0.7,
        max_new_tokens: int = 256,
        seed: int | None = None,
    ) -> Iterator[str]:
        """Yield the reply as ``generate`` produces it; temperature 0 decodes greedily.

        Stopping early (closing the generator) also stops ``generate`` at its next token.
        """
        import torch
        from transformers import StoppingCriteriaList, TextIteratorStreamer

        temperature = check_temperature(temperature)
        max_new_tokens = _check_max_new_tokens(max_new_tokens)
        budget = _prompt_budget(self.context_length, max_new_tokens)
        prompt = trim_history(messages, budget, self.count_tokens)
        input_ids = torch.tensor([encode_chat(self.tokenizer, prompt)], device=self.model.device)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        sampling = {"do_sample": True, "temperature": temperature} if temperature > 0 else {}
        pad = self.tokenizer.pad_token_id  # 0 is a valid id: only None falls back to eos
        reader_left = threading.Event()
        options = dict(
            input_ids=input_ids,
            attention_mask=torch.ones_like(input_ids),
            streamer=streamer,
            max_new_tokens=max_new_tokens,
            do_sample=False,
            pad_token_id=pad if pad is not None else self.tokenizer.eos_token_id,
            stopping_criteria=StoppingCriteriaList([_stop_when_set(reader_left)]),
        )
        options.update(sampling)
        if not sampling:  # greedy: drop the model's own sampling defaults (no warnings)
            options.update(temperature=None, top_p=None, top_k=None)
        failure: list[BaseException] = []

        def generate() -> None:
            try:
                if seed is not None:
                    torch.manual_seed(seed)
                with torch.no_grad():
                    self.model.generate(**options)
            except BaseException as error:  # handed to the reading thread
                failure.append(error)
                streamer.end()  # otherwise the loop below would wait for text forever

        thread = threading.Thread(target=generate, name="chat-generate", daemon=True)
        thread.start()
        try:
            yield from (text for text in streamer if text)
        finally:
            # A reader that stops early (a Streamlit rerun, a closed generator) must not leave
            # generate running on to max_new_tokens on the shared model: it stops at its next
            # token, and the next request starts only after it.
            reader_left.set()
            thread.join()
        if failure:
            raise failure[0]


def backend_from_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The app's default settings, overridable by environment variables (handy for tests)."""
    env = os.environ if environ is None else environ
    return {
        "backend": env.get("CHATBOT_BACKEND", "local").strip().lower(),
        "local_model": env.get("CHATBOT_LOCAL_MODEL", DEFAULT_LOCAL_MODEL),
        "openai_model": env.get("OPENAI_MODEL", DEFAULT_OPENAI_MODEL),
        "base_url": env.get("OPENAI_BASE_URL", ""),
    }


def without_images(pieces: Iterable[str]) -> Iterator[str]:
    """Streamed model text with Markdown images switched off, for a page that renders Markdown.

    A reply containing ``![x](https://…?q=<the chat>)`` would make the reader's browser send the
    chat to any address the text names (a prompt injection can ask a model to write one).
    """
    held = ""
    for piece in pieces:
        text = (held + piece).replace("![", "!\\[")
        held = "!" if text.endswith("!") else ""
        yield text[: len(text) - len(held)]
    yield held
