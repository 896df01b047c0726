"""Tokens: found in the right place on each platform, never shown, and clear when missing or wrong.

Colab and Kaggle are simulated with stub ``google.colab`` / ``kaggle_secrets`` modules; the Hub is
the suite's local test Hub (``local_hub`` fixture), so ``whoami`` and ``login`` run for real.
"""

from __future__ import annotations

import io
import secrets
import sys
import textwrap
import types
from pathlib import Path

import pytest
from conftest import CANARIES, NO_ACCESS_TOKEN

from course_utils import hub_access
from course_utils.hub_access import (
    SOURCE_COLAB,
    SOURCE_ENVIRONMENT,
    SOURCE_KAGGLE,
    SOURCE_PROMPT,
    TOKENS_PAGE,
    TokenMissingError,
    explain_gated_error,
    find_token,
    require_token,
)

MISTRAL = "mistralai/Mistral-7B-Instruct-v0.3"
PLATFORM_MARKERS = ("COLAB_RELEASE_TAG", "KAGGLE_KERNEL_RUN_TYPE", "KAGGLE_URL_BASE")


def _fake_token() -> str:
    return "hf_" + secrets.token_hex(17)


@pytest.fixture
def bare_machine(monkeypatch):
    """No platform markers, no token in the environment, nobody at the keyboard."""
    for name in (*PLATFORM_MARKERS, "HF_TOKEN", "llm_token"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    monkeypatch.setattr(
        hub_access.getpass, "getpass", lambda *a, **k: pytest.fail("must not prompt")
    )
    return monkeypatch


def _stub_colab(monkeypatch, stored: dict[str, str], granted: bool = True) -> None:
    userdata = types.ModuleType("google.colab.userdata")

    class SecretNotFoundError(Exception):
        pass

    class NotebookAccessError(Exception):
        pass

    def get(name: str) -> str:
        if not granted:
            raise NotebookAccessError(name)
        if name not in stored:
            raise SecretNotFoundError(name)
        return stored[name]

    userdata.SecretNotFoundError = SecretNotFoundError
    userdata.NotebookAccessError = NotebookAccessError
    userdata.get = get
    colab = types.ModuleType("google.colab")
    colab.userdata = userdata
    google = types.ModuleType("google")
    google.colab = colab
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setitem(sys.modules, "google.colab.userdata", userdata)


def _stub_kaggle(monkeypatch, stored: dict[str, str]) -> None:
    module = types.ModuleType("kaggle_secrets")

    class UserSecretsClient:
        def get_secret(self, label: str) -> str:
            if label not in stored:
                raise Exception(f"No user secrets exist for label {label}")  # what Kaggle does
            return stored[label]

    module.UserSecretsClient = UserSecretsClient
    monkeypatch.setitem(sys.modules, "kaggle_secrets", module)
    monkeypatch.setenv("KAGGLE_KERNEL_RUN_TYPE", "Interactive")


def test_colab_secret_comes_before_the_environment(bare_machine, capsys):
    colab_value, env_value = _fake_token(), _fake_token()
    _stub_colab(bare_machine, {"HF_TOKEN": colab_value})
    bare_machine.setenv("HF_TOKEN", env_value)
    token = find_token()
    assert (token.value, token.source) == (colab_value, SOURCE_COLAB)
    shown = f"{token} {token!r} {[token]} {token:}"
    assert colab_value not in shown and "Colab" in shown
    assert colab_value not in capsys.readouterr().out


@pytest.mark.parametrize("granted", [True, False], ids=["secret-missing", "access-not-granted"])
def test_colab_without_the_secret_falls_back_to_the_environment(bare_machine, granted):
    env_value = _fake_token()
    _stub_colab(bare_machine, {}, granted=granted)
    bare_machine.setenv("HF_TOKEN", env_value)
    token = find_token()
    assert (token.value, token.source) == (env_value, SOURCE_ENVIRONMENT)


def test_kaggle_secret_under_the_seeds_label(bare_machine):
    value = _fake_token()
    _stub_kaggle(bare_machine, {"llm_token": value})
    assert find_token() is None  # stored under another label than HF_TOKEN
    token = find_token("llm_token")
    assert (token.value, token.source, token.name) == (value, SOURCE_KAGGLE, "llm_token")


def test_environment_token_is_stripped(bare_machine):
    value = _fake_token()
    bare_machine.setenv("HF_TOKEN", f"  {value}\n")
    assert find_token().value == value


def test_blank_values_count_as_missing(bare_machine):
    _stub_colab(bare_machine, {"HF_TOKEN": "   "})
    bare_machine.setenv("HF_TOKEN", "")
    assert find_token() is None


def test_no_prompt_without_a_person_but_prompt_on_request(bare_machine):
    assert find_token() is None  # the fixture fails the test if getpass is called
    typed = _fake_token()
    bare_machine.setattr(hub_access.getpass, "getpass", lambda prompt: f"{typed}\n")
    token = find_token(prompt=True)
    assert (token.value, token.source) == (typed, SOURCE_PROMPT)


@pytest.mark.parametrize(
    ("platform", "instruction"),
    [("local", "export HF_TOKEN="), ("colab", "key icon (Secrets)"), ("kaggle", "Add-ons")],
)
def test_missing_token_says_where_to_store_one(bare_machine, platform, instruction):
    if platform == "colab":
        _stub_colab(bare_machine, {})
    elif platform == "kaggle":
        _stub_kaggle(bare_machine, {})
    with pytest.raises(TokenMissingError) as caught:
        require_token()
    message = str(caught.value)
    assert instruction in message
    assert TOKENS_PAGE in message and "What to do" in message


class _Refusal(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.response = types.SimpleNamespace(status_code=status)


def test_gated_refusals_are_told_apart():
    no_token = str(explain_gated_error(_Refusal(401), MISTRAL))
    no_access = str(explain_gated_error(_Refusal(403), MISTRAL))
    assert "carried no token" in no_token and TOKENS_PAGE in no_token
    assert "no access" in no_access and f"https://huggingface.co/{MISTRAL}" in no_access
    assert "accept the conditions" in no_access


# --------------------------------------------------------------------------------------------
# Against the local test Hub, in fresh interpreters: huggingface_hub reads its settings at import.


def _hub_env(hub, tmp_path: Path, token: str | None) -> dict[str, str | None]:
    return {
        "HF_HUB_OFFLINE": "0",
        "TRANSFORMERS_OFFLINE": "0",
        "HF_ENDPOINT": hub.endpoint,
        "HF_HUB_CACHE": str(tmp_path / "cache"),
        "HF_HOME": str(tmp_path / "home"),
        "HOME": str(tmp_path / "user"),
        "HF_TOKEN": token,
    }


def test_wrong_token_gets_a_clear_message_without_the_token(local_hub, run_python, tmp_path):
    wrong = _fake_token()
    result = run_python(
        textwrap.dedent("""
            from course_utils.hub_access import TokenRejectedError, log_in, require_token
            try:
                log_in(require_token())
            except TokenRejectedError as error:
                print(error)
        """),
        env=_hub_env(local_hub, tmp_path, wrong),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "rejected the token from the environment variable HF_TOKEN" in result.stdout
    assert "What to do" in result.stdout and TOKENS_PAGE in result.stdout
    assert wrong not in result.stdout + result.stderr
    assert not (tmp_path / "home").exists() or not any((tmp_path / "home").rglob("*token*"))


def test_token_without_access_is_told_to_ask_for_it(local_hub, run_python, tmp_path):
    result = run_python(
        textwrap.dedent(f"""
            from huggingface_hub import auth_check
            from huggingface_hub.errors import GatedRepoError
            from course_utils.hub_access import explain_gated_error, log_in, require_token
            print(log_in(require_token()))
            try:
                auth_check({MISTRAL!r})
            except GatedRepoError as error:
                print(explain_gated_error(error, {MISTRAL!r}))
        """),
        env=_hub_env(local_hub, tmp_path, NO_ACCESS_TOKEN),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("course-learner\n")
    assert "Your token works, but your account has no access" in result.stdout
    assert f"open https://huggingface.co/{MISTRAL}" in result.stdout


def test_no_token_gets_a_clear_message(local_hub, run_python, tmp_path):
    result = run_python(
        "from course_utils.hub_access import require_token\nrequire_token()",
        env=_hub_env(local_hub, tmp_path, None),
    )
    assert result.returncode == 1
    assert "TokenMissingError: No Hugging Face token found" in result.stderr
    assert "export HF_TOKEN=" in result.stderr


def test_colab_log_in_stores_the_token_only_in_the_hubs_credential_file(
    local_hub, run_python, tmp_path
):
    """A Colab secret is saved by login() under HF_HOME, then downloads of the gated model work."""
    stubs = tmp_path / "stubs" / "google" / "colab"
    stubs.mkdir(parents=True)
    (stubs.parent / "__init__.py").write_text("")
    (stubs / "__init__.py").write_text("")
    (stubs / "userdata.py").write_text(
        "import os\n"
        "class SecretNotFoundError(Exception): pass\n"
        "class NotebookAccessError(Exception): pass\n"
        "def get(name):\n"
        "    if name != 'HF_TOKEN': raise SecretNotFoundError(name)\n"
        "    return os.environ['STUB_COLAB_SECRET']\n"
    )
    canary = CANARIES["HF_TOKEN"]
    env = _hub_env(local_hub, tmp_path, None) | {
        "COLAB_RELEASE_TAG": "release-colab-test",
        "PYTHONPATH": str(tmp_path / "stubs"),
        "STUB_COLAB_SECRET": canary,
    }
    result = run_python(
        textwrap.dedent(f"""
            from course_utils.hub_access import log_in, require_token
            token = require_token()
            print(token, "->", log_in(token))
            from transformers import AutoConfig
            print(type(AutoConfig.from_pretrained({MISTRAL!r})).__name__)
        """),
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "HubToken(from the Colab secret HF_TOKEN, value hidden) -> course-learner" in (
        result.stdout
    )
    assert "MistralConfig" in result.stdout
    assert canary not in result.stdout + result.stderr
    holders = [
        path.relative_to(tmp_path).as_posix()
        for path in tmp_path.rglob("*")
        if path.is_file() and canary.encode() in path.read_bytes()
    ]
    assert holders, "login() should have saved the token"
    assert all(holder.startswith("home/") for holder in holders), holders
    assert not (tmp_path / "user" / ".git-credentials").exists()
