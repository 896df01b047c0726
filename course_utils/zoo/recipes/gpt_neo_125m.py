"""Stand-in for EleutherAI/gpt-neo-125m: GPT-Neo's alternating global and local attention.

Same class (``GPTNeoForCausalLM``), GPT-2's byte-level BPE kind of tokenizer and a 2048-token
context like the real model; 3 layers (global, local, global) of width 128 trained on the
project's stories.
"""

from __future__ import annotations

from course_utils import data
from course_utils.zoo import story_decoders as sd
from course_utils.zoo.recipe import BuildContext, Recipe
from course_utils.zoo.tokenizers_ import train_byte_level_bpe


def build(context: BuildContext) -> None:
    from transformers import GPTNeoConfig, GPTNeoForCausalLM

    tokenizer = train_byte_level_bpe(data.stories(context.data_dir), sd.VOCAB_SIZE, context.out_dir)

    def make_config(tokenizer) -> GPTNeoConfig:
        return GPTNeoConfig(
            vocab_size=len(tokenizer),
            max_position_embeddings=2048,
            hidden_size=sd.WIDTH,
            num_layers=sd.LAYERS,
            num_heads=sd.HEADS,
            attention_types=[[["global", "local"], 1], [["global"], 1]],
            window_size=256,
            bos_token_id=tokenizer.eos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            architectures=["GPTNeoForCausalLM"],
        )

    sd.train_story_decoder(context, tokenizer, make_config, GPTNeoForCausalLM)


RECIPE = Recipe(
    name="gpt-neo-125m",
    repo_ids=("EleutherAI/gpt-neo-125m",),
    architecture="GPTNeoForCausalLM",
    summary="tiny GPT-Neo (global/local attention, 3 layers, 128 wide) trained on data/stories",
    build=build,
    data_files=(data.STORIES_FILE,),
)
