"""Stand-in for google-bert/bert-base-uncased: the real MiniLM encoder with a masked-LM head.

MiniLM shares bert-base-uncased's vocabulary, so token ids match the real model exactly. Its
sentence-embedding checkpoint has no masked-LM head, so one is trained briefly (top layers and
head only) on the project's stories and sentiment sentences.
"""

from __future__ import annotations

import json
from pathlib import Path

from course_utils import data
from course_utils.zoo.minilm import minilm_dir
from course_utils.zoo.recipe import BuildContext, Recipe
from course_utils.zoo.training import train_masked_lm

STEPS = 150
TRAINABLE_LAYERS = 2


def build(context: BuildContext) -> None:
    from transformers import (
        BertConfig,
        BertForMaskedLM,
        BertForPreTraining,
        BertModel,
        BertTokenizer,
    )

    encoder = BertModel.from_pretrained(minilm_dir())  # with its pooler
    config = BertConfig(**{**encoder.config.to_dict(), "architectures": ["BertForMaskedLM"]})
    masked_lm = BertForMaskedLM(config)
    masked_lm.bert.load_state_dict(
        encoder.state_dict(), strict=False
    )  # no pooler in BertForMaskedLM
    trainable = tuple(f"encoder.layer.{i}." for i in range(6 - TRAINABLE_LAYERS, 6))
    for name, parameter in masked_lm.bert.named_parameters():
        parameter.requires_grad = any(layer in name for layer in trainable)
    tokenizer = BertTokenizer.from_pretrained(minilm_dir(), model_max_length=512)
    texts = data.stories(context.data_dir) + [
        r.text for r in data.sentiment("train", context.data_dir)
    ]
    train_masked_lm(masked_lm, tokenizer, texts, STEPS, lr=1e-3, seed=context.seed)

    # Save in the real checkpoint's shape: encoder with pooler, MLM head (and an NSP head).
    full = BertForPreTraining(config)
    full.bert.load_state_dict(encoder.state_dict())
    full.bert.load_state_dict(masked_lm.bert.state_dict(), strict=False)
    full.cls.predictions.load_state_dict(masked_lm.cls.predictions.state_dict())
    full.save_pretrained(context.out_dir)
    tokenizer.save_pretrained(context.out_dir)
    _declare_architecture(context.out_dir / "config.json", "BertForMaskedLM")


def _declare_architecture(config_file: Path, architecture: str) -> None:
    """``save_pretrained`` writes its own class name; the real checkpoint declares this one."""
    config = json.loads(config_file.read_text())
    config["architectures"] = [architecture]
    config_file.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


RECIPE = Recipe(
    name="bert-base-uncased",
    repo_ids=("google-bert/bert-base-uncased", "bert-base-uncased"),
    architecture="BertForMaskedLM",
    summary=(
        "real MiniLM encoder (same vocabulary); masked-LM head and top 2 layers trained on"
        " data/stories and the data/sentiment train split"
    ),
    build=build,
    data_files=(data.STORIES_FILE, data.SENTIMENT_FILE),
)
