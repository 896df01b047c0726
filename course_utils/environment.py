"""Where is this notebook running, and can it reach the Hugging Face Hub?

Nothing here imports torch or transformers: these checks must run *before* them.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Literal

from course_utils.timeouts import HUB_PROBE_SECONDS

Platform = Literal["colab", "kaggle", "local"]

DEFAULT_ENDPOINT = "https://huggingface.co"
PROBE_MODEL = "openai-community/gpt2"  # public on the Hub, and served by the local Hub
TRUTHY = {"1", "true", "yes", "on"}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Set in every Colab and every Kaggle session; the notebooks' install cell tests them too, before
# course_utils is installed (tools/platform_cells.py writes it from these names).
COLAB_MARKER = "COLAB_RELEASE_TAG"
KAGGLE_MARKER = "KAGGLE_KERNEL_RUN_TYPE"


def detect_platform() -> Platform:
    """Colab, Kaggle or a local machine, from the markers each platform sets."""
    if "google.colab" in sys.modules or os.environ.get(COLAB_MARKER):
        return "colab"
    if os.environ.get(KAGGLE_MARKER) or os.environ.get("KAGGLE_URL_BASE"):
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


def hub_reachable(endpoint: str | None = None, timeout: float = HUB_PROBE_SECONDS) -> bool:
    """Whether a Hugging Face Hub answers at ``endpoint`` within ``timeout`` seconds, in total.

    It asks for a public model's information and accepts only the Hub's own answer (JSON that
    names the model): a proxy's or captive portal's error page means the Hub is *not* reachable.
    The request runs in a daemon thread that we stop waiting for, because a socket timeout does
    not cover a hanging DNS lookup — and an air-gapped classroom must not wait for one.
    """
    import http.client
    import json
    import urllib.request  # imported here: it pulls in ssl, too slow for `import course_utils`

    url = f"{endpoint or hub_endpoint()}/api/models/{PROBE_MODEL}"
    answered = threading.Event()

    def probe() -> None:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as reply:
                if json.loads(reply.read(2**20)).get("id") == PROBE_MODEL:
                    answered.set()
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            pass  # no answer, an HTTP error, not HTTP at all, or not the Hub's JSON

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return answered.is_set()
