"""Stand-in for facebook/opt-125m: Meta's OPT decoder with OPT's special tokens.

Same class (``OPTForCausalLM``), a GPT-2 style byte-level BPE with OPT's ``</s>`` (begin and end,
and put in front of every input as OPT's tokenizer does) and ``<pad>`` tokens, and OPT's
2048-token context; 3 layers of width 128 trained on the
project's stories.
"""

from __future__ import annotations

from course_utils import data
from course_utils.zoo import story_decoders as sd
from course_utils.zoo.recipe import BuildContext, Recipe
from course_utils.zoo.tokenizers_ import train_byte_level_bpe

OPT_SPECIAL_TOKENS = {
    "bos_token": "</s>",
    "eos_token": "</s>",
    "unk_token": "<unk>",
    "pad_token": "<pad>",
}


def build(context: BuildContext) -> None:
    from transformers import AutoTokenizer, OPTConfig, OPTForCausalLM

    stories = data.stories(context.data_dir)
    train_byte_level_bpe(stories, sd.VOCAB_SIZE, context.out_dir, special_tokens=OPT_SPECIAL_TOKENS)
    # Like the real OPT tokenizer, put </s> in front of every input; in training the stories
    # follow one another, each after the previous one's </s>, which is the same thing.
    tokenizer = AutoTokenizer.from_pretrained(context.out_dir, add_bos_token=True)

    def make_config(tokenizer) -> OPTConfig:
        return OPTConfig(
            vocab_size=len(tokenizer),
            hidden_size=sd.WIDTH,
            word_embed_proj_dim=sd.WIDTH,
            num_hidden_layers=sd.LAYERS,
            num_attention_heads=sd.HEADS,
            ffn_dim=4 * sd.WIDTH,
            dropout=0.0,  # no dropout: see story_decoders
            attention_dropout=0.0,
            max_position_embeddings=2048,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
            architectures=["OPTForCausalLM"],
        )

    sd.train_story_decoder(context, tokenizer, make_config, OPTForCausalLM)


RECIPE = Recipe(
    name="opt-125m",
    repo_ids=("facebook/opt-125m",),
    architecture="OPTForCausalLM",
    summary="tiny OPT (3 layers, 128 wide) + byte-level BPE with OPT's tokens, on data/stories",
    build=build,
    data_files=(data.STORIES_FILE,),
)
