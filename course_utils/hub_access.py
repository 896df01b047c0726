"""Gated models: finding a Hugging Face token safely, logging in, and explaining refusals.

A token is a password. It must never appear in a notebook's output, a log or a committed file,
and a notebook shared with a class must not contain one. So the token comes from the place each
platform keeps secrets, in this order:

1. Colab's secrets panel (``google.colab.userdata``),
2. Kaggle's secrets add-on (``kaggle_secrets.UserSecretsClient``),
3. the ``HF_TOKEN`` environment variable (a laptop, a classroom server, a scheduled job),
4. a hidden prompt (``getpass``), only when a person is there to answer it.

:class:`HubToken` carries the value but never shows it: its ``repr`` and ``str`` give only where
it came from. :func:`log_in` checks it with the Hub before anything is saved.
"""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from course_utils.compat import is_unreachable_error, limit_hub_requests
from course_utils.environment import detect_platform, hub_endpoint
from course_utils.errors import CourseError
from course_utils.timeouts import HUB_REQUEST_SECONDS

DEFAULT_SECRET_NAME = "HF_TOKEN"
TOKENS_PAGE = "https://huggingface.co/settings/tokens"

SOURCE_COLAB = "the Colab secret"
SOURCE_KAGGLE = "the Kaggle secret"
SOURCE_ENVIRONMENT = "the environment variable"
SOURCE_PROMPT = "the prompt"


class TokenMissingError(CourseError, RuntimeError):
    """No token was found anywhere the course looks for one."""


class TokenRejectedError(CourseError, PermissionError):
    """The Hub said the token is not valid (wrong, expired or revoked)."""


class GatedModelError(CourseError, PermissionError):
    """The Hub refused a gated model: not logged in, or this account has no access yet."""


class HubUnreachableError(CourseError, ConnectionError):
    """The Hub did not answer in time, or refused the connection."""


@dataclass(frozen=True)
class HubToken:
    """A token and where it came from. Printing it shows the source, never the value."""

    value: str = field(repr=False)
    source: str
    name: str = DEFAULT_SECRET_NAME

    def __str__(self) -> str:
        return f"HubToken(from {self.source} {self.name}, value hidden)"

    __repr__ = __str__


def _from_colab(name: str) -> str | None:
    if detect_platform() != "colab":
        return None
    from google.colab import userdata

    # Not stored, the notebook was not granted access, or the secrets service did not answer.
    refusals = tuple(
        getattr(userdata, error)
        for error in ("SecretNotFoundError", "NotebookAccessError", "TimeoutException")
        if hasattr(userdata, error)
    )
    try:
        return userdata.get(name)
    except refusals:
        return None


def _from_kaggle(name: str) -> str | None:
    if detect_platform() != "kaggle":
        return None
    from kaggle_secrets import UserSecretsClient  # type: ignore[import-not-found]

    try:
        return UserSecretsClient().get_secret(name)
    except Exception:  # kaggle_secrets raises plain exceptions for "not attached"
        return None


def _a_person_can_answer() -> bool:
    """True in a terminal, or in a Jupyter kernel whose front end accepts typed input.

    A kernel run without a front end (a scheduled or batch run) has no stdin: prompting there
    would fail, or hang the run.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        shell = None
    else:
        shell = get_ipython()
    kernel = getattr(shell, "kernel", None)
    if kernel is not None:
        return bool(getattr(kernel, "_allow_stdin", False))
    return sys.stdin is not None and sys.stdin.isatty()


def find_token(name: str = DEFAULT_SECRET_NAME, prompt: bool | None = None) -> HubToken | None:
    """Look for a Hub token: Colab secret → Kaggle secret → environment variable → prompt.

    Args:
        name: the secret's name on Colab/Kaggle and the environment variable's name.
        prompt: ask with a hidden prompt as the last resort; ``None`` asks only when a person
            can answer (never in a kernel run without a front end).
    Returns:
        The token, or ``None`` when there is none; the caller decides whether that is an error.
    """
    if not isinstance(name, str) or not name.strip():
        raise TypeError(
            f"find_token(name=...) takes the secret's name as text, such as {DEFAULT_SECRET_NAME!r}"
            f" (the default), not {name!r}."
        )
    for source, lookup in ((SOURCE_COLAB, _from_colab), (SOURCE_KAGGLE, _from_kaggle)):
        value = (lookup(name) or "").strip()
        if value:
            return HubToken(value, source, name)
    value = os.environ.get(name, "").strip()
    if value:
        return HubToken(value, SOURCE_ENVIRONMENT, name)
    if prompt or (prompt is None and _a_person_can_answer()):
        value = getpass.getpass(f"Paste your Hugging Face token ({TOKENS_PAGE}): ").strip()
        if value:
            return HubToken(value, SOURCE_PROMPT, name)
    return None


def where_to_store_a_token(name: str = DEFAULT_SECRET_NAME) -> str:
    """Step-by-step instructions for storing a token on the platform this code runs on."""
    platform = detect_platform()
    if platform == "colab":
        return (
            f"In Colab, open the key icon (Secrets) in the left sidebar, add a secret named {name} "
            "with your token as its value, switch on 'Notebook access', then rerun this cell."
        )
    if platform == "kaggle":
        return (
            f"In Kaggle, open Add-ons → Secrets, add a secret labelled {name} with your token as "
            "its value, tick 'Attach' for this notebook, then rerun this cell."
        )
    return (
        f"On your own machine, set the environment variable before starting Jupyter "
        f"(for example `export {name}=...` in the terminal, then `make lab`), or run this cell "
        "in JupyterLab, where it asks for the token with a hidden prompt."
    )


def require_token(name: str = DEFAULT_SECRET_NAME, prompt: bool | None = None) -> HubToken:
    """Like :func:`find_token`, but a missing token raises :class:`TokenMissingError`."""
    token = find_token(name, prompt)
    if token is None:
        raise TokenMissingError(
            f"No Hugging Face token found (looked for a secret or environment variable named "
            f"{name}).\nWhat to do: create a token with the 'read' role at {TOKENS_PAGE}, then "
            f"store it safely. {where_to_store_a_token(name)}"
        )
    return token


def _require_hub_token(token: object, caller: str) -> HubToken:
    if not isinstance(token, HubToken):
        raise TypeError(
            f"{caller}() takes the HubToken that find_token() or require_token() returns, not "
            f"{type(token).__name__}: token = require_token(); {caller}(token). (Never type a "
            "token into a cell: store it as a secret.)"
        )
    return token


def _unreachable(error: BaseException) -> HubUnreachableError:
    return HubUnreachableError(
        f"The Hub at {hub_endpoint()} did not answer within {HUB_REQUEST_SECONDS:.0f} s "
        f"({type(error).__name__}).\nWhat to do: check the internet connection (on Kaggle: "
        "switch on Internet in the notebook's settings) and run the cell again; if HF_ENDPOINT "
        "is set, check that it names a running Hub."
    )


def check_token(token: HubToken) -> str:
    """Ask the Hub who this token belongs to; return the user name.

    A rejected token raises :class:`TokenRejectedError` that names the token's source (never
    its value), so the learner knows which secret to replace; a Hub that does not answer
    within ``timeouts.HUB_REQUEST_SECONDS`` raises :class:`HubUnreachableError`.
    """
    from huggingface_hub import whoami

    _require_hub_token(token, "check_token")
    limit_hub_requests(HUB_REQUEST_SECONDS)  # its client would otherwise wait forever
    try:
        return whoami(token=token.value)["name"]
    # huggingface_hub ≥ 1.0 raises its HfHubHTTPError; 0.36 (beside transformers 4.57) raises
    # requests' HTTPError. Both carry the response: only a 401 means "this token is wrong".
    except Exception as error:
        if type(error).__name__ == "OfflineModeIsEnabled":
            raise HubUnreachableError(
                "This session is offline (HF_HUB_OFFLINE=1), so there is no Hub to log in to.\n"
                "What to do: run course_utils.setup() with internet access (or point HF_ENDPOINT "
                "at the course's local Hub, `make hub`), then log in."
            ) from None
        if is_unreachable_error(error):
            raise _unreachable(error) from None
        if getattr(getattr(error, "response", None), "status_code", None) != 401:
            raise
        raise TokenRejectedError(
            f"The Hub at {hub_endpoint()} rejected the token from {token.source} {token.name}: "
            f"it is mistyped, expired or revoked.\nWhat to do: create a new 'read' token at "
            f"{TOKENS_PAGE} and replace the stored one. {where_to_store_a_token(token.name)}"
        ) from None  # the original message can quote request details; ours says it all


def log_in(token: HubToken) -> str:
    """Check ``token`` with the Hub and make it the session's token; return the user name.

    A token from the environment variable ``HF_TOKEN`` is already the one huggingface_hub uses,
    so nothing is saved. Any other token is saved by ``huggingface_hub.login`` in the Hub's own
    credential file (``~/.cache/huggingface/token``, readable only by you), never in git's
    credential helper: ``add_to_git_credential=False``.
    """
    from huggingface_hub import login

    user = check_token(_require_hub_token(token, "log_in"))
    if not (token.source == SOURCE_ENVIRONMENT and token.name == DEFAULT_SECRET_NAME):
        try:
            login(token=token.value, add_to_git_credential=False)  # asks the Hub once more
        except Exception as error:
            if is_unreachable_error(error):
                raise _unreachable(error) from None
            raise
    return user


def explain_gated_error(error: Any, model_id: str) -> GatedModelError:
    """Turn huggingface_hub's ``GatedRepoError`` into what the learner should do next.

    The Hub answers 401 when the request carried no token and 403 when the token is fine but
    its account has not been granted access to this model yet.
    """
    status = getattr(getattr(error, "response", None), "status_code", None)
    page = f"https://huggingface.co/{model_id}"
    if status == 403:
        advice = (
            f"Your token works, but your account has no access to {model_id} yet.\nWhat to do: "
            f"open {page}, read and accept the conditions (the Hub may take a while to approve), "
            "then rerun this cell."
        )
    else:
        advice = (
            f"{model_id} is gated and the request carried no token.\nWhat to do: request access "
            f"at {page}, create a 'read' token at {TOKENS_PAGE}, store it as a secret and run "
            f"the log-in cell. {where_to_store_a_token()}"
        )
    return GatedModelError(advice)
