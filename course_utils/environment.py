"""Where is this notebook running, and can it reach the Hugging Face Hub?

Nothing here imports torch or transformers: these checks must run *before* them.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Literal

Platform = Literal["colab", "kaggle", "local"]

DEFAULT_ENDPOINT = "https://huggingface.co"
REACHABILITY_TIMEOUT_S = 4.0
TRUTHY = {"1", "true", "yes", "on"}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def detect_platform() -> Platform:
    """Colab, Kaggle or a local machine, from the markers each platform sets."""
    if "google.colab" in sys.modules or os.environ.get("COLAB_RELEASE_TAG"):
        return "colab"
    if os.environ.get("KAGGLE_KERNEL_RUN_TYPE") or os.environ.get("KAGGLE_URL_BASE"):
        return "kaggle"
    return "local"


def env_flag(name: str) -> bool:
    """True when the environment variable ``name`` is set to a truthy value like ``1``."""
    return os.environ.get(name, "").strip().lower() in TRUTHY


def hub_endpoint() -> str:
    """The Hub the session talks to: ``HF_ENDPOINT`` (tests use a local one) or huggingface.co."""
    return os.environ.get("HF_ENDPOINT", DEFAULT_ENDPOINT).rstrip("/")


def local_hub_endpoint() -> str | None:
    """``HF_ENDPOINT`` when it names a Hub on this machine (the course's test Hub), else None.

    Offline, such a Hub serves the zoo's stand-ins over HTTP, so that logging in and downloading
    a gated model run the real huggingface_hub code instead of being skipped.
    """
    from urllib.parse import urlsplit

    endpoint = os.environ.get("HF_ENDPOINT", "").rstrip("/")
    host = urlsplit(endpoint).hostname if endpoint else None
    return endpoint if host in LOOPBACK_HOSTS else None


def hub_reachable(endpoint: str | None = None, timeout: float = REACHABILITY_TIMEOUT_S) -> bool:
    """Whether the Hub answers within ``timeout`` seconds.

    The request runs in a daemon thread that we stop waiting for, because a socket timeout does
    not cover a hanging DNS lookup — and an air-gapped classroom must not wait for one.
    """
    import urllib.error  # imported here: it pulls in ssl, too slow for `import course_utils`
    import urllib.request

    url = f"{endpoint or hub_endpoint()}/api/models/openai-community/gpt2"
    answered = threading.Event()

    def probe() -> None:
        try:
            request = urllib.request.Request(url, method="HEAD")
            with urllib.request.urlopen(request, timeout=timeout):
                answered.set()
        except urllib.error.HTTPError:
            answered.set()  # any HTTP answer means the Hub is there
        except (OSError, ValueError):
            pass

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return answered.is_set()
