"""A Streamlit chatbot with two backends: an OpenAI-compatible API, or a local Hugging Face model.

Run it from the repository root:

    streamlit run apps/chatbot.py

Notebook 19 builds the same chat loop step by step; this is the chatbot of many tutorials, done properly:
the key comes from secrets (Colab/Kaggle secrets, the ``OPENAI_API_KEY`` environment variable or
``.streamlit/secrets.toml``) and is never shown; replies stream token by token; the oldest turns
are dropped when the history outgrows the model's context (counted exactly with the local
model's tokenizer; estimated for an API, whose window is taken to be
``chat.DEFAULT_API_CONTEXT`` tokens); control tokens typed into a message stay text, so a user
cannot forge a system message; errors are explained in the page, never as a stack trace.

Settings can be preset with environment variables: ``CHATBOT_BACKEND``
(``local`` or ``openai``), ``CHATBOT_LOCAL_MODEL``, ``OPENAI_MODEL`` and ``OPENAI_BASE_URL``.
"""

from __future__ import annotations

import streamlit as st

import course_utils
from course_utils import chat
from course_utils.errors import CourseError

LOCAL, OPENAI = "Local model (Hugging Face)", "OpenAI-compatible API"
EXAMPLES = "What is BERT?", "And what about GPT-2?", "Which model should I use for translation?"


@st.cache_resource(show_spinner=False)
def start_session() -> course_utils.Session:
    """Once per server: online or offline, and the Hugging Face cache (before transformers)."""
    return course_utils.setup(verbose=False)


@st.cache_resource(show_spinner="Loading the model (the first time only)…")
def load_local(model_id: str) -> chat.LocalBackend:
    return chat.LocalBackend(model_id)


def secrets_file() -> dict[str, str]:
    """``.streamlit/secrets.toml`` as a dict; empty when there is none (not an error)."""
    try:
        return {key: st.secrets[key] for key in st.secrets}
    except Exception:  # Streamlit raises when no secrets file exists
        return {}


def make_backend(settings: dict[str, str], kind: str) -> chat.ChatBackend:
    if kind == LOCAL:  # a model that cannot be loaded raises a CourseError that says why
        return load_local(settings["local_model"])
    if settings["base_url"] != configured["base_url"]:
        # The stored key goes only where whoever stored it said: anyone who can open this page
        # could otherwise type their own server's address and receive it.
        if not settings["typed_key"]:
            raise chat.ChatError(
                "This base URL is not the one the app was set up with, so the stored key is not "
                "sent there. Type the key for that endpoint in the sidebar (for a local Ollama "
                "any word will do), or set OPENAI_BASE_URL before starting the app."
            )
        key = chat.ApiKey(settings["typed_key"], "the sidebar", chat.KEY_NAME)
    else:
        key = chat.require_api_key(extra_secrets=secrets_file())
    return chat.OpenAIBackend(settings["openai_model"], settings["base_url"] or None, key)


start_session()
configured = chat.backend_from_env()
defaults = dict(configured, typed_key="")
st.set_page_config(page_title="Transformer Variants chatbot", page_icon="💬")
st.title("💬 Transformer Variants chatbot")

with st.sidebar:
    st.header("Settings")
    kind = st.radio("Backend", [LOCAL, OPENAI], index=int(defaults["backend"] == "openai"))
    if kind == LOCAL:
        defaults["local_model"] = st.text_input("Model id", defaults["local_model"])
        st.caption("Runs here, on your CPU or GPU: no key, no network once downloaded.")
    else:
        defaults["openai_model"] = st.text_input("Model", defaults["openai_model"])
        defaults["base_url"] = st.text_input(
            "Base URL",
            defaults["base_url"],
            help="Empty: OpenAI. Ollama: http://localhost:11434/v1",
        )
        if defaults["base_url"] != configured["base_url"]:
            defaults["typed_key"] = st.text_input(
                "API key for this base URL", type="password", help="The stored key stays home."
            )
        else:
            found = chat.find_api_key(extra_secrets=secrets_file())
            st.caption(
                f"API key: from {found.source} {found.name} (hidden)."
                if found
                else f"No API key found: set {chat.KEY_NAME} (see the message when you send)."
            )
    system_prompt = st.text_area(
        "System prompt", "", placeholder="Empty: the model's default. Try: Answer in one sentence."
    )
    temperature = st.slider("Temperature", 0.0, 2.0, 0.7, 0.1, help="0: always the likeliest")
    max_new_tokens = st.slider("Longest reply (tokens)", 16, 512, 200, 16)
    if st.button("Clear the conversation"):
        st.session_state.messages = []

if "messages" not in st.session_state:
    st.session_state.messages = []
history: list[dict[str, str]] = st.session_state.messages

if not history:
    st.caption(f"Ask about transformers, for example: {' · '.join(EXAMPLES)}")
for message in history:
    with st.chat_message(message["role"]):
        st.markdown(message["content"])  # replies were stored with images switched off

if question := st.chat_input("Ask about encoders, decoders, attention…"):
    with st.chat_message("user"):
        st.markdown(question)
    with st.chat_message("assistant"):
        try:
            messages = chat.with_system_prompt(
                [*history, {"role": "user", "content": question}], system_prompt
            )
            chat.check_messages(messages)
            backend = make_backend(defaults, kind)
            pieces = backend.stream(
                messages, temperature=temperature, max_new_tokens=max_new_tokens
            )
            reply = st.write_stream(chat.without_images(pieces))
        except CourseError as error:
            st.error(str(error))  # says what went wrong and what to do; never holds the key
        except Exception as error:  # a page, not a traceback
            st.error(
                f"Something unexpected went wrong ({type(error).__name__}). Try again, or switch "
                "the backend in the sidebar."
            )
        else:
            # Only a turn that got an answer joins the history: the next request stays valid.
            history.append({"role": "user", "content": question})
            history.append({"role": "assistant", "content": str(reply)})
