"""Stand-in for openai-community/gpt2: a tiny GPT-2 trained on the project's simple stories.

Same class (``GPT2LMHeadModel``), same byte-level BPE kind of tokenizer and the same 1024-token
context as the real model; only the width, depth and vocabulary shrink, so a few minutes on a
CPU give readable story sentences.
"""

from __future__ import annotations

from course_utils import data
from course_utils.zoo import story_decoders as sd
from course_utils.zoo.recipe import BuildContext, Recipe
from course_utils.zoo.tokenizers_ import train_byte_level_bpe


def build(context: BuildContext) -> None:
    from transformers import GPT2Config, GPT2LMHeadModel

    tokenizer = train_byte_level_bpe(data.stories(context.data_dir), sd.VOCAB_SIZE, context.out_dir)

    def make_config(tokenizer) -> GPT2Config:
        return GPT2Config(
            vocab_size=len(tokenizer),
            n_positions=1024,
            n_embd=sd.WIDTH,
            n_layer=sd.LAYERS,
            n_head=sd.HEADS,
            resid_pdrop=0.0,  # no dropout: see story_decoders
            embd_pdrop=0.0,
            attn_pdrop=0.0,
            bos_token_id=tokenizer.eos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            architectures=["GPT2LMHeadModel"],
        )

    sd.train_story_decoder(context, tokenizer, make_config, GPT2LMHeadModel)


RECIPE = Recipe(
    name="gpt2",
    repo_ids=("openai-community/gpt2", "gpt2"),
    architecture="GPT2LMHeadModel",
    summary="tiny GPT-2 (3 layers, 128 wide) + byte-level BPE trained on data/stories",
    build=build,
    data_files=(data.STORIES_FILE,),
)
