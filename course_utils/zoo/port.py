"""Stand-ins for transformers 4.57, ported from the transformers 5 zoo: same weights, same outputs.

The course runs on both library generations. Training every stand-in again under 4.57 would
give *different* stand-ins (other library code, other random streams), so a notebook could not
be compared across the two; it would also cost a full cold build. Instead, a 4.x zoo copies the
5.x build of the same recipe (same source fingerprint) and rewrites the few files that the two
generations save differently:

- ``tokenizer_config.json``: 5.x may name the generic ``TokenizersBackend`` class, which 4.57
  does not know, and saves ``extra_special_tokens`` as a list where 4.57 expects
  ``additional_special_tokens``.
- ``config.json``: 5.x keeps RoPE settings in ``rope_parameters``; 4.57 reads ``rope_theta``
  (and ``rope_scaling``) and would silently use its default base of 10,000 instead.
- T5: 5.x always ties the output layer to the embeddings and records whether to scale the
  decoder output; 4.57 reads ``tie_word_embeddings: true`` as "scale by 1/sqrt(d_model)". The
  port unties the head (a copy of the embedding matrix), which computes exactly the 5.x logits.

When no 5.x build exists (a 4.x-only machine), the recipe is trained under 4.57 instead.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from course_utils.compat import transformers_major
from course_utils.paths import zoo_root

DONOR_GENERATION = "transformers5"
SOURCE_MARK = ".source"  # a build's source fingerprint (see fingerprint.fingerprint)


def needs_port() -> bool:
    """True under transformers 4.x, whose zoo part is ported from the 5.x part when it can be."""
    return transformers_major() == 4


def donor_build(recipe_name: str, source_fingerprint: str) -> Path | None:
    """The finished transformers 5 build of ``recipe_name`` from the same sources, if any."""
    builds = zoo_root() / DONOR_GENERATION / "builds" / recipe_name
    for folder in sorted(builds.glob("*")) if builds.is_dir() else ():
        mark = folder / SOURCE_MARK
        complete = (folder / ".complete").exists() and mark.is_file()
        if complete and mark.read_text().strip() == source_fingerprint:
            return folder
    return None


def to_transformers4(donor: Path, target: Path) -> None:
    """Copy the 5.x build ``donor`` into ``target`` in the form transformers 4.57 loads."""
    shutil.copytree(donor, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".*"))
    for folder in [target, *(p for p in target.rglob("*") if p.is_dir())]:
        if (folder / "tokenizer_config.json").exists():
            _port_tokenizer_config(folder)
        if (folder / "config.json").exists():
            _port_rope_parameters(folder)
            _untie_t5(folder)


def _read(path: Path) -> dict:
    return json.loads(path.read_text())


def _write(path: Path, content: dict) -> None:
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n")


def _port_tokenizer_config(folder: Path) -> None:
    path = folder / "tokenizer_config.json"
    config = _read(path)
    if config.get("tokenizer_class") == "TokenizersBackend":
        from transformers.models.auto.tokenization_auto import TOKENIZER_MAPPING_NAMES

        model_type = _read(folder / "config.json").get("model_type", "")
        _slow, fast = TOKENIZER_MAPPING_NAMES.get(model_type, (None, None))  # type: ignore[misc,str-unpack]  # runs under 4.57, whose entries are (slow, fast) pairs; mypy sees 5.x's single names
        config["tokenizer_class"] = fast or "PreTrainedTokenizerFast"
    extra = config.get("extra_special_tokens")
    if isinstance(extra, list):
        named = {value for key, value in config.items() if key.endswith("_token")}
        config["additional_special_tokens"] = [token for token in extra if token not in named]
        del config["extra_special_tokens"]
    _write(path, config)


def _port_rope_parameters(folder: Path) -> None:
    config = _read(folder / "config.json")
    rope = config.pop("rope_parameters", None)
    if not isinstance(rope, dict):
        return
    config["rope_theta"] = rope["rope_theta"]
    if rope.get("rope_type", "default") != "default":
        config["rope_scaling"] = {k: v for k, v in rope.items() if k != "rope_theta"}
    _write(folder / "config.json", config)


def _untie_t5(folder: Path) -> None:
    config = _read(folder / "config.json")
    if config.get("model_type") != "t5" or "scale_decoder_outputs" not in config:
        return
    if config["scale_decoder_outputs"]:
        return  # 5.x scales like a tied 4.x T5: the config already means the same in both
    from safetensors.torch import load_file, save_file

    weights_path = folder / "model.safetensors"
    weights = load_file(weights_path)
    weights["lm_head.weight"] = weights["shared.weight"].clone()
    weights_path.unlink()  # replace the file, never write into it (it could be a hard link)
    save_file(weights, weights_path, metadata={"format": "pt"})
    config["tie_word_embeddings"] = False
    del config["scale_decoder_outputs"]
    _write(folder / "config.json", config)
