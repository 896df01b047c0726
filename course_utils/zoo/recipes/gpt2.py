"""Stand-in for openai-community/gpt2: a tiny GPT-2 trained on the project's simple stories.

Same class (``GPT2LMHeadModel``), same byte-level BPE kind of tokenizer and the same 1024-token
context as the real model; only the width, depth and vocabulary shrink, so a few minutes on a
CPU give readable story sentences.
"""

from __future__ import annotations

from course_utils import data
from course_utils.zoo.recipe import BuildContext, Recipe
from course_utils.zoo.tokenizers_ import train_byte_level_bpe
from course_utils.zoo.training import train_causal_lm

VOCAB_SIZE = 2048
CONTEXT = 64
STEPS = 400


def build(context: BuildContext) -> None:
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    stories = data.stories(context.data_dir)
    tokenizer = train_byte_level_bpe(stories, VOCAB_SIZE, context.out_dir)
    eos = tokenizer.eos_token_id
    stream = torch.tensor(
        [i for story in stories for i in tokenizer(story)["input_ids"] + [eos]], dtype=torch.long
    )
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=1024,
        n_embd=128,
        n_layer=3,
        n_head=4,
        bos_token_id=eos,
        eos_token_id=eos,
        architectures=["GPT2LMHeadModel"],
    )
    model = GPT2LMHeadModel(config)
    train_causal_lm(model, stream, STEPS, CONTEXT, seed=context.seed)
    model.generation_config.pad_token_id = eos
    model.save_pretrained(context.out_dir)


RECIPE = Recipe(
    name="gpt2",
    repo_ids=("openai-community/gpt2", "gpt2"),
    architecture="GPT2LMHeadModel",
    summary="tiny GPT-2 (3 layers, 128 wide) + byte-level BPE trained on data/stories",
    build=build,
    data_files=(data.STORIES_FILE,),
)
