"""Tiny decoder-only stand-ins trained on the project's stories, one per real model family.

GPT-Neo, OPT and BLOOM differ in where they put positions (learned, learned with an offset,
ALiBi), in their attention (GPT-Neo alternates global and local layers) and in their tokenizers'
special tokens. Each stand-in keeps its family's real class and conventions; what they share is
the recipe: a byte-level BPE vocabulary and a few hundred next-token steps on ``data/stories``,
so greedy output is readable story English, and it goes on for more than a sentence whatever the
prompt (see ``STORIES_PER_TEXT``). None of them uses dropout (GPT-2 and OPT switch
theirs off; the other families have none): a tiny model that sees each story a few times needs
no protection from overfitting, and dropout would only make every step dearer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from course_utils import data
from course_utils.zoo.recipe import BuildContext
from course_utils.zoo.training import train_causal_lm

if TYPE_CHECKING:
    from transformers import PretrainedConfig, PreTrainedModel, PreTrainedTokenizerBase

VOCAB_SIZE = 2048
CONTEXT = 64  # tokens per training window
STEPS = 250
WIDTH, LAYERS, HEADS = 128, 3, 4
# The stories are trained on four to a text, so end-of-text follows one story end in four. With
# one story a text, end-of-text was the likeliest token after any full stop that could end a
# story: on a prompt unlike the stories (a weather report, a product launch), greedy decoding
# closed the sentence and stopped. Real decoders learn from long documents too.
STORIES_PER_TEXT = 4


def _save_as(
    fast: PreTrainedTokenizerBase, out_dir: Path, tokenizer_class: str
) -> PreTrainedTokenizerBase:
    """Save a generic fast tokenizer under its family's class name and load it back as such."""
    from transformers import AutoTokenizer

    fast.save_pretrained(out_dir)
    config_file = out_dir / "tokenizer_config.json"
    config = json.loads(config_file.read_text())
    config["tokenizer_class"] = tokenizer_class
    config_file.write_text(json.dumps(config, indent=2))
    return AutoTokenizer.from_pretrained(out_dir)


def fast_bpe_tokenizer(
    texts: list[str], out_dir: Path, tokenizer_class: str, special: dict[str, str]
) -> PreTrainedTokenizerBase:
    """A byte-level BPE saved as ``tokenizer_class``, for families with no classic-files tokenizer.

    ``BloomTokenizerFast`` and ``LlamaTokenizerFast`` load from a ``tokenizer.json`` only, so
    the ``tokenizers`` library writes one directly, with the family's own special tokens.
    """
    from tokenizers import ByteLevelBPETokenizer
    from transformers import PreTrainedTokenizerFast

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        texts, vocab_size=VOCAB_SIZE, min_frequency=2, special_tokens=list(special.values())
    )
    fast = PreTrainedTokenizerFast(tokenizer_object=bpe, model_max_length=2048, **special)
    return _save_as(fast, out_dir, tokenizer_class)


def sentencepiece_bpe_tokenizer(
    texts: list[str],
    out_dir: Path,
    special: dict[str, str],
    chat_template: str,
    control_tokens: tuple[str, ...] = (),
) -> PreTrainedTokenizerBase:
    """A Llama-style tokenizer (SentencePiece-like BPE, ``▁`` for spaces, ``<s>`` first).

    Mistral's tokenizer is a ``LlamaTokenizer``: words carry a leading ``▁`` instead of GPT-2's
    ``Ġ``, and every input starts with ``<s>``. ``chat_template`` formats conversations;
    ``control_tokens`` (Mistral's ``[INST]`` and ``[/INST]``) are single, never-split tokens.
    """
    from tokenizers import SentencePieceBPETokenizer, processors
    from transformers import PreTrainedTokenizerFast

    bpe = SentencePieceBPETokenizer()
    bpe.train_from_iterator(
        texts,
        vocab_size=VOCAB_SIZE,
        min_frequency=2,
        special_tokens=list(special.values()) + list(control_tokens),
    )
    bos = special["bos_token"]
    bpe.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A", pair=f"{bos} $A {bos} $B", special_tokens=[(bos, bpe.token_to_id(bos))]
    )
    fast = PreTrainedTokenizerFast(tokenizer_object=bpe, model_max_length=2048, **special)
    fast.chat_template = chat_template
    return _save_as(fast, out_dir, "LlamaTokenizerFast")


def train_story_decoder(
    context: BuildContext,
    tokenizer: PreTrainedTokenizerBase,
    make_config: Callable[[PreTrainedTokenizerBase], PretrainedConfig],
    model_class: type[PreTrainedModel],
    texts: list[str] | None = None,
) -> None:
    """Train ``model_class(make_config(tokenizer))`` on the stories and save it beside the tokenizer.

    The texts (by default the stories, ``STORIES_PER_TEXT`` to a text) are joined into one
    stream, each followed by the end-of-text token, so the model learns where a text ends and
    ``generate`` can stop there.
    """
    import torch

    if texts is None:
        stories = data.stories(context.data_dir)
        texts = [
            " ".join(stories[i : i + STORIES_PER_TEXT])
            for i in range(0, len(stories), STORIES_PER_TEXT)
        ]
    eos = tokenizer.eos_token_id
    stream = [
        i for text in texts for i in tokenizer(text, add_special_tokens=False)["input_ids"] + [eos]
    ]
    model = model_class(make_config(tokenizer))
    train_causal_lm(
        model, torch.tensor(stream, dtype=torch.long), STEPS, CONTEXT, seed=context.seed
    )
    model.generation_config.pad_token_id = tokenizer.pad_token_id or eos
    model.save_pretrained(context.out_dir)
    tokenizer.save_pretrained(context.out_dir)
