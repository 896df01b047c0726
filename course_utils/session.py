"""``setup()``: the first cell of every notebook.

It decides *where models come from* before any Hugging Face library is imported, because
``huggingface_hub`` reads ``HF_HUB_OFFLINE`` and its cache location once, at import time.
"""

from __future__ import annotations

import os
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from course_utils.compat import (
    LEGACY_CACHE_VARIABLES,
    OFFLINE_VARIABLES,
    limit_hub_requests,
    missing_model_errors,
)
from course_utils.environment import (
    Platform,
    detect_platform,
    env_flag,
    hub_reachable,
    local_hub_endpoint,
)
from course_utils.errors import SetupOrderError
from course_utils.timeouts import HUB_REQUEST_SECONDS

HF_MODULES = ("transformers", "huggingface_hub", "sentence_transformers", "datasets")


@dataclass(frozen=True)
class Session:
    """What ``setup()`` decided; notebooks may branch on ``session.offline``."""

    platform: Platform
    offline: bool
    seed: int
    hub_cache: Path | None
    reason: str
    local_hub: str | None = None

    @property
    def mode(self) -> str:
        return "offline (stand-in models)" if self.offline else "online (real Hub models)"


_active: Session | None = None


def setup(seed: int = 0, offline: bool | None = None, verbose: bool = True) -> Session:
    """Prepare this Python process for the course and print one banner.

    Args:
        seed: seeds Python's, NumPy's and PyTorch's random generators, so runs repeat.
        offline: force a mode; ``None`` decides from ``COURSE_OFFLINE``/``HF_HUB_OFFLINE`` and,
            failing those, from whether the Hub answers within a few seconds.
        verbose: print the banner.

    Offline, it builds the offline model zoo if needed and points the Hugging Face cache at it,
    so ``from_pretrained("google-bert/bert-base-uncased")`` loads a small local stand-in. When
    ``HF_ENDPOINT`` names a Hub on this machine (the course's test Hub, which serves the same
    stand-ins, gated ones after log-in), the session talks to that Hub over HTTP instead, with a
    cache of its own.
    """
    global _active
    _check_arguments(seed, offline, verbose)  # before anything changes: a bad call changes nothing
    offline, reason, local_hub = _decide_mode(offline)
    hub_cache = None
    if offline:
        from course_utils import zoo

        hub_cache = _local_hub_cache(local_hub) if local_hub else zoo.hub_cache_dir()
    _check_import_order(offline and not local_hub, hub_cache)
    if offline:
        zoo.ensure_built(quiet=not verbose)  # builds in a subprocess: this kernel stays clean
        _point_hugging_face_at(hub_cache, hub_offline=not local_hub)  # type: ignore[arg-type]  # set above, as offline
        if local_hub:
            # `login` saves the token it is given: keep a classroom token apart from the learner's
            # real one (~/.cache/huggingface/token), which it would otherwise overwrite.
            os.environ["HF_TOKEN_PATH"] = str(zoo.local_hub_token_path())
        _install_missing_model_hint()
    else:
        for name in OFFLINE_VARIABLES:  # online on purpose: an inherited "offline" must not stay
            os.environ.pop(name, None)
    limit_hub_requests(HUB_REQUEST_SECONDS)  # huggingface_hub would otherwise wait forever
    seed_everything(seed)
    _active = Session(detect_platform(), offline, seed, hub_cache, reason, local_hub)
    if verbose:
        print(banner(_active))
    return _active


def _local_hub_cache(endpoint: str) -> Path:
    """This process keeps the cache it started with (a rerun of the setup cell must not switch
    it: huggingface_hub has already read it); a new process picks it by its token."""
    from course_utils import zoo

    if _active is not None and _active.local_hub == endpoint and _active.hub_cache is not None:
        return _active.hub_cache
    return zoo.local_hub_cache_dir(_token_at_start())


def _check_arguments(seed: object, offline: object, verbose: object) -> None:
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32:
        raise TypeError(
            f"setup(seed=...) takes a whole number from 0 to 2**32 - 1, such as 0 or 42, not "
            f"{seed!r}."
        )
    if offline is not None and not isinstance(offline, bool):
        raise TypeError(
            f"setup(offline=...) takes True, False or None (decide automatically), not {offline!r}."
        )
    if not isinstance(verbose, bool):
        raise TypeError(f"setup(verbose=...) takes True or False, not {verbose!r}.")


def active_session() -> Session | None:
    """The session of the last ``setup()`` call in this process, if any."""
    return _active


def _decide_mode(forced: bool | None) -> tuple[bool, str, str | None]:
    """Online or offline, why, and the local Hub to use offline (if any). Probes at most once."""
    local = local_hub_endpoint()
    if forced is False or os.environ.get("COURSE_OFFLINE", "").strip() == "0":
        return False, "chosen by the caller" if forced is False else "COURSE_OFFLINE=0", None
    if local is not None:
        # HF_ENDPOINT names a Hub on this machine: it is this session's Hub, answering or not.
        if hub_reachable(local):
            return True, "HF_ENDPOINT is a Hub on this machine", local
        print(
            f"Notice: HF_ENDPOINT points at {local} on this machine, but no Hub answers there, so "
            "this session reads the offline zoo directly (start the local Hub with `make hub`)."
        )
        return True, "the local Hub did not answer", None
    if forced is True:
        return True, "chosen by the caller", None
    if env_flag("COURSE_OFFLINE"):
        return True, "COURSE_OFFLINE=1", None
    if env_flag("HF_HUB_OFFLINE"):
        return True, "HF_HUB_OFFLINE=1", None
    if hub_reachable():
        return False, "the Hugging Face Hub answered", None
    print(
        "Notice: the Hugging Face Hub did not answer within a few seconds, so this session runs "
        "offline with the course's stand-in models (set COURSE_OFFLINE=0 to insist on online)."
    )
    return True, "the Hub was unreachable", None


def _token_at_start() -> str | None:
    """The token huggingface_hub will send in this local-Hub session, if one is there at the
    start: a platform secret or ``HF_TOKEN``, else the one an earlier local-Hub log-in saved."""
    from course_utils.hub_access import find_token

    token = find_token(prompt=False)
    if token is not None:
        return token.value
    from course_utils import zoo

    saved = zoo.local_hub_token_path()  # where log-in saves a token in local-Hub sessions
    if not saved.is_file():
        return None
    return saved.read_text().strip() or None


def _check_import_order(hub_offline: bool, hub_cache: Path | None) -> None:
    """Refuse to continue when an earlier import already fixed settings we need to change."""
    imported = [name for name in HF_MODULES if name in sys.modules]
    if not imported:
        return
    from huggingface_hub import constants

    offline_ok = bool(constants.HF_HUB_OFFLINE) == hub_offline
    cache_ok = hub_cache is None or Path(constants.HF_HUB_CACHE).resolve() == hub_cache.resolve()
    if offline_ok and cache_ok:
        if _active is None:  # harmless this time, but a habit that breaks offline sessions
            print(
                f"Note: {', '.join(imported)} was imported before course_utils.setup(). No harm "
                "this time; run the setup cell first from now on."
            )
        return
    raise SetupOrderError(
        f"course_utils.setup() ran after {', '.join(imported)} was imported, so it can no longer "
        f"switch this session {'to offline mode' if hub_offline else 'to its Hub'}.\n"
        "What to do: restart the kernel (Kernel → Restart Kernel), then run the setup cell "
        "first, before any cell that imports transformers."
    )


def _point_hugging_face_at(hub_cache: Path, hub_offline: bool) -> None:
    os.environ["HF_HUB_CACHE"] = str(hub_cache)
    for name in LEGACY_CACHE_VARIABLES:  # 4.57 would read its models from there instead
        os.environ.pop(name, None)
    for name in OFFLINE_VARIABLES:
        os.environ[name] = "1" if hub_offline else "0"
    os.environ["HF_DATASETS_OFFLINE"] = "1"


def _install_missing_model_hint() -> None:
    """In IPython, turn 'model not found offline' tracebacks into the zoo's clear message."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        from course_utils.zoo.hints import missing_model_handler

        shell.set_custom_exc(missing_model_errors(), missing_model_handler)


def seed_everything(seed: int) -> None:
    """Seed every random generator a notebook uses, so a rerun gives the same numbers."""
    random.seed(seed)
    try:
        import numpy as np

        np.random.seed(seed)
    except ImportError:
        pass
    try:
        import torch

        torch.manual_seed(seed)
    except ImportError:
        pass


def _version(package: str) -> str:
    from importlib import metadata  # imported here: keeps `import course_utils` fast

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def banner(session: Session) -> str:
    """One short banner: platform, mode and the versions that explain most differences."""
    versions = " · ".join(
        f"{name} {_version(name)}" for name in ("torch", "transformers", "huggingface-hub")
    )
    lines = [
        f"Transformer Variants · {session.platform} · {session.mode} · seed {session.seed}",
        f"Python {sys.version.split()[0]} · {versions}",
    ]
    if session.local_hub:
        lines.append(
            f"Offline ({session.reason}): models come from the course's local Hub at "
            f"{session.local_hub}, which serves the offline zoo's small stand-ins under the real "
            "Hub ids (gated ones only after log-in). Expect different numbers from the real models."
        )
    elif session.offline:
        lines.append(
            f"Offline ({session.reason}): models load from the course's offline zoo — small "
            "stand-ins under the real Hub ids. Expect different numbers from the real models."
        )
    return "\n".join(lines)
