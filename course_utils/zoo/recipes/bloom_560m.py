"""Stand-in for bigscience/bloom-560m: BLOOM's ALiBi attention (no position embeddings).

Same class (``BloomForCausalLM``) and tokenizer class (``BloomTokenizerFast``, with BLOOM's
``<s>``, ``</s>``, ``<pad>`` and ``<unk>``); 3 layers of width 128 trained on the project's
stories. ALiBi lets BLOOM read past its training length, which the course can show.
"""

from __future__ import annotations

from course_utils import data
from course_utils.zoo import story_decoders as sd
from course_utils.zoo.recipe import BuildContext, Recipe

BLOOM_SPECIAL_TOKENS = {
    "unk_token": "<unk>",
    "bos_token": "<s>",
    "eos_token": "</s>",
    "pad_token": "<pad>",
}


def build(context: BuildContext) -> None:
    from transformers import BloomConfig, BloomForCausalLM

    tokenizer = sd.fast_bpe_tokenizer(
        data.stories(context.data_dir), context.out_dir, "BloomTokenizerFast", BLOOM_SPECIAL_TOKENS
    )

    def make_config(tokenizer) -> BloomConfig:
        return BloomConfig(
            vocab_size=len(tokenizer),
            hidden_size=sd.WIDTH,
            n_layer=sd.LAYERS,
            n_head=sd.HEADS,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
            architectures=["BloomForCausalLM"],
        )

    sd.train_story_decoder(context, tokenizer, make_config, BloomForCausalLM)


RECIPE = Recipe(
    name="bloom-560m",
    repo_ids=("bigscience/bloom-560m",),
    architecture="BloomForCausalLM",
    summary="tiny BLOOM (ALiBi, 3 layers, 128 wide) + byte-level BPE, trained on data/stories",
    build=build,
    data_files=(data.STORIES_FILE,),
)
