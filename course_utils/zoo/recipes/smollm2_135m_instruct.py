"""Stand-in for HuggingFaceTB/SmolLM2-135M-Instruct: a tiny chat model about transformers.

Same class as the real model (``LlamaForCausalLM``: RoPE, grouped-query attention, SwiGLU,
RMSNorm, tied input and output embeddings), a byte-level BPE tokenizer like SmolLM2's with its
real special tokens (``<|endoftext|>`` = 0, ``<|im_start|>`` = 1, ``<|im_end|>`` = 2, which is
also the end-of-sequence token) and SmolLM2's real ChatML chat template, which adds SmolLM's
default system prompt when a conversation has none. It is trained on the project's
conversations in ``data/chat`` (train split) with the loss on the assistant's tokens only, so it
answers short questions about encoders, decoders, attention and which model fits which task,
follows up on the previous turn ("And what about GPT-2?"), answers in one sentence when the
system prompt asks for it, and tells a short story when asked.
"""

from __future__ import annotations

import json
from pathlib import Path

from course_utils.zoo import story_decoders as sd
from course_utils.zoo.recipe import BuildContext, Recipe
from course_utils.zoo.training import train

CHAT_FILE = "chat/chat.jsonl"
# Listed in this order so that the ids are SmolLM2's: <|endoftext|> 0, <|im_start|> 1, <|im_end|> 2.
SPECIAL_TOKENS = {
    "unk_token": "<|endoftext|>",
    "bos_token": "<|im_start|>",
    "eos_token": "<|im_end|>",
}
DEFAULT_SYSTEM_PROMPT = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
# SmolLM2-135M-Instruct's own template (its tokenizer_config.json), unchanged.
CHAT_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\n" + DEFAULT_SYSTEM_PROMPT + "<|im_end|>\n' }}{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
WIDTH, LAYERS, HEADS, KV_HEADS = 128, 4, 4, 2
STEPS, BATCH, LR = 500, 16, 3e-3


def conversations(data_dir: Path, split: str) -> list[list[dict[str, str]]]:
    lines = (data_dir / CHAT_FILE).read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [row["messages"] for row in rows if row["split"] == split]


def _encode(tokenizer, messages: list[dict[str, str]]) -> tuple[list[int], list[int]]:
    """Token ids of the rendered conversation and labels that keep only the assistant's tokens.

    Each assistant reply is the text between the prompt that asks for it (the conversation so
    far plus ``<|im_start|>assistant\\n``) and the end of its ``<|im_end|>``: the model learns to
    write replies and to stop, never to write the user's turns.
    """
    text = tokenizer.apply_chat_template(messages, tokenize=False)
    spans = []
    for i, message in enumerate(messages):
        if message["role"] == "assistant":
            start = len(
                tokenizer.apply_chat_template(
                    messages[:i], tokenize=False, add_generation_prompt=True
                )
            )
            end = len(tokenizer.apply_chat_template(messages[: i + 1], tokenize=False)) - 1
            assert text[start:end] == message["content"] + "<|im_end|>"
            spans.append((start, end))
    encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids = encoded["input_ids"]
    labels = [
        i if any(s <= a < e for s, e in spans) else -100
        for i, (a, _) in zip(ids, encoded["offset_mapping"], strict=True)
    ]
    return ids, labels


def _length_batches(lengths: list[int], steps: int, seed: int) -> list[list[int]]:
    """``steps`` batches of conversations of similar length, in random order.

    A batch is padded to its longest conversation; drawing batch members from a pool sorted by
    length wastes far less compute on padding than purely random batches (stories are long).
    """
    import random

    rng = random.Random(seed)
    batches: list[list[int]] = []
    while len(batches) < steps:
        order = list(range(len(lengths)))
        rng.shuffle(order)
        epoch = []
        for start in range(0, len(order), BATCH * 16):
            pool = sorted(order[start : start + BATCH * 16], key=lengths.__getitem__)
            epoch += [pool[i : i + BATCH] for i in range(0, len(pool), BATCH)]
        rng.shuffle(epoch)
        batches += epoch
    return batches[:steps]


def build(context: BuildContext) -> None:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(context.seed)
    dialogues = conversations(context.data_dir, "train")
    # Role names too: the template writes "system", "user" and "assistant" in every prompt.
    texts = [f"system\n{DEFAULT_SYSTEM_PROMPT}\n"] + [
        f"{m['role']}\n{m['content']}\n" for d in dialogues for m in d
    ]
    tokenizer = sd.fast_bpe_tokenizer(texts, context.out_dir, "GPT2Tokenizer", SPECIAL_TOKENS)
    tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.pad_token = tokenizer.eos_token  # as SmolLM2-Instruct: <|im_end|> pads
    assert [tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS.values()] == [0, 1, 2]
    encoded = [_encode(tokenizer, d) for d in dialogues]
    config = LlamaConfig(  # type: ignore[call-arg]  # rope_theta: 4.57's field; 5.x takes it as an extra keyword into rope_parameters
        vocab_size=len(tokenizer),
        hidden_size=WIDTH,
        intermediate_size=3 * WIDTH,
        num_hidden_layers=LAYERS,
        num_attention_heads=HEADS,
        num_key_value_heads=KV_HEADS,
        max_position_embeddings=8192,
        rope_theta=100000.0,
        rms_norm_eps=1e-5,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        architectures=["LlamaForCausalLM"],
    )
    model = LlamaForCausalLM(config)
    batches = _length_batches([len(ids) for ids, _ in encoded], STEPS, context.seed)
    pad = tokenizer.pad_token_id

    def next_batch(step: int) -> dict[str, torch.Tensor]:
        chosen = [encoded[i] for i in batches[step]]
        width = max(len(ids) for ids, _ in chosen)
        ids = torch.full((len(chosen), width), pad)
        labels = torch.full((len(chosen), width), -100)
        mask = torch.zeros((len(chosen), width), dtype=torch.long)
        for row, (token_ids, token_labels) in enumerate(chosen):
            ids[row, : len(token_ids)] = torch.tensor(token_ids)
            labels[row, : len(token_labels)] = torch.tensor(token_labels)
            mask[row, : len(token_ids)] = 1
        return {"input_ids": ids, "attention_mask": mask, "labels": labels}

    train(model, next_batch, STEPS, LR, desc="chat SFT")
    model.generation_config.bos_token_id = tokenizer.bos_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(context.out_dir)
    tokenizer.save_pretrained(context.out_dir)


RECIPE = Recipe(
    name="smollm2-135m-instruct",
    repo_ids=("HuggingFaceTB/SmolLM2-135M-Instruct",),
    architecture="LlamaForCausalLM",
    summary="tiny Llama (GQA, 4 layers, 128 wide) with SmolLM2's ChatML template, chats about "
    "transformers",
    build=build,
    data_files=(CHAT_FILE,),
)
