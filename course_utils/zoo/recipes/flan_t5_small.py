"""Stand-in for google/flan-t5-small: a tiny T5 taught one text-to-text task.

Same class (``T5ForConditionalGeneration``) with Flan-T5's gated-GELU feed-forward, untied output
layer and SentencePiece tokenizer with 100 sentinel tokens; trained on the project's English–German
pairs with T5's task prefix, ``"translate English to German: "``.
"""

from __future__ import annotations

from course_utils import data
from course_utils.zoo.recipe import BuildContext, Recipe
from course_utils.zoo.tokenizers_ import train_t5_unigram
from course_utils.zoo.training import train_seq2seq

PREFIX = "translate English to German: "
VOCAB_SIZE = 1000
STEPS = 1500


def build(context: BuildContext) -> None:
    from transformers import T5Config, T5ForConditionalGeneration

    pairs = data.translation_pairs("train", context.data_dir)
    texts = [PREFIX + en for en, _ in pairs] + [de for _, de in pairs]
    tokenizer = train_t5_unigram(texts, VOCAB_SIZE, context.out_dir)
    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=128,
        d_kv=32,
        d_ff=256,
        num_layers=2,
        num_decoder_layers=2,
        num_heads=4,
        feed_forward_proj="gated-gelu",
        tie_word_embeddings=False,
        decoder_start_token_id=tokenizer.pad_token_id,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        architectures=["T5ForConditionalGeneration"],
    )
    model = T5ForConditionalGeneration(config)
    # transformers initialises an untied T5 output layer with std 1.0 (tuned for Adafactor at the
    # real model's scale); at this size it starts the loss near 67 and training crawls. Scale it
    # like the other layers: std 1/sqrt(d_model), so the first loss is about ln(vocabulary).
    model.lm_head.weight.data.normal_(0.0, config.d_model**-0.5)
    train_seq2seq(
        model, tokenizer, [(PREFIX + en, de) for en, de in pairs], STEPS, lr=1e-3, seed=context.seed
    )
    model.save_pretrained(context.out_dir)


RECIPE = Recipe(
    name="flan-t5-small",
    repo_ids=("google/flan-t5-small",),
    architecture="T5ForConditionalGeneration",
    summary="tiny T5 (2+2 layers, 128 wide) trained to translate data/translation English→German",
    build=build,
    data_files=(data.TRANSLATION_FILE,),
)
