"""The real ``config.json`` of a few models, stored in ``data/configs/`` (configs only, no weights).

A config says how big every weight matrix of a model is, so the size and memory lessons
(notebooks 05 and 15) give true numbers offline, and for gated models without a token. Online,
``AutoConfig.from_pretrained(repo_id)`` gives the same object.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course_utils.errors import CourseError
from course_utils.paths import data_dir

if TYPE_CHECKING:
    from transformers import PretrainedConfig

    #: A config object, the contents of a config.json, or the id of a config in data/configs/.
    ConfigLike = PretrainedConfig | Mapping[str, Any] | str


class ConfigNotStoredError(CourseError, FileNotFoundError):
    """:func:`load_config` was asked for a config that ``data/configs/`` does not hold."""


# --------------------------------------------------------------------------------------------
# Configs


def configs_dir() -> Path:
    """``data/configs/``: real ``config.json`` files of a few models (configs only, no weights)."""
    return data_dir() / "configs"


def available_configs() -> list[str]:
    """The repository ids whose configs are stored, e.g. ``"openai-community/gpt2"``."""
    return sorted(path.stem.replace("--", "/") for path in configs_dir().glob("*.json"))


def load_config(repo_id: str) -> PretrainedConfig:
    """The real config of ``repo_id`` from ``data/configs/``, without internet or download.

    Online, ``AutoConfig.from_pretrained(repo_id)`` gives the same object; the stored copy makes
    the memory lesson work offline and for gated models such as Mistral (no token needed).
    """
    path = configs_dir() / f"{repo_id.replace('/', '--')}.json"
    if not path.is_file():
        listing = "\n".join(f"  - {name}" for name in available_configs())
        raise ConfigNotStoredError(
            f"No stored config for {repo_id!r}. Use one of the ids below, or (online) "
            f"`AutoConfig.from_pretrained({repo_id!r})`, which downloads only the small "
            f"config.json.\nStored configs:\n{listing}"
        )
    return config_from_dict(json.loads(path.read_text(encoding="utf-8")))


def config_from_dict(values: Mapping[str, Any]) -> PretrainedConfig:
    """A transformers config object from the contents of a ``config.json``."""
    from transformers import AutoConfig

    if "model_type" not in values:
        raise ValueError(
            "This config has no 'model_type', so transformers cannot tell which architecture it "
            "describes. Pass the full contents of the model's config.json."
        )
    config = AutoConfig.for_model(**dict(values))
    sizes = ("num_hidden_layers", "hidden_size", "num_attention_heads", "vocab_size")
    wrong = {
        name: getattr(config, name)
        for name in sizes
        if isinstance(getattr(config, name, 1), int) and getattr(config, name, 1) < 1
    }
    if wrong:
        raise ValueError(
            f"Sizes must be whole numbers ≥ 1, but this config has {wrong}: a model with them "
            "would silently lose those parts. Check the values you changed."
        )
    return config


def as_config(config: ConfigLike) -> PretrainedConfig:
    """Accept a config object, a ``config.json`` dict, or a stored repository id."""
    if isinstance(config, str):
        return load_config(config)
    if isinstance(config, Mapping):
        return config_from_dict(config)
    if not hasattr(config, "model_type"):
        raise TypeError(
            f"Expected a transformers config, a config.json dict or a repository id, "
            f"got {type(config).__name__}."
        )
    return config
