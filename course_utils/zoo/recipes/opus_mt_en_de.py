"""Stand-in for Helsinki-NLP/opus-mt-en-de: a tiny Marian model translating English → German.

Same class (``MarianMTModel``) and tokenizer layout as the real OPUS-MT models: one SentencePiece
model per language (``source.spm``, ``target.spm``) and one shared ``vocab.json`` with ``</s>``
first and ``<pad>`` last; the pad token also starts the decoder. Trained on the project's
English–German pairs (``data/translation``, train split). Unlike T5, there is no task prefix:
a Marian model does one language pair only, which is why there are over a thousand of them.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from course_utils import data
from course_utils.zoo.recipe import BuildContext, Recipe
from course_utils.zoo.seq2seq_training import train_text_to_text

PIECES_PER_LANGUAGE = 500
STEPS = 1500


def _train_sentencepiece(texts: list[str], path: Path) -> list[str]:
    """A unigram SentencePiece model for one language; returns its pieces (no control tokens)."""
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(texts),
        model_writer=model,
        vocab_size=PIECES_PER_LANGUAGE,
        model_type="unigram",
        unk_id=0,
        bos_id=-1,
        eos_id=-1,
        pad_id=-1,
        character_coverage=1.0,
        num_threads=1,
        minloglevel=2,
    )
    path.write_bytes(model.getvalue())
    processor = spm.SentencePieceProcessor(model_proto=model.getvalue())
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size()) if i != 0]


def build(context: BuildContext) -> None:
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    pairs = data.translation_pairs("train", context.data_dir)
    out = context.out_dir
    english = _train_sentencepiece([en for en, _ in pairs], out / "source.spm")
    german = _train_sentencepiece([de for _, de in pairs], out / "target.spm")
    pieces = ["</s>", "<unk>"] + sorted(set(english) | set(german)) + ["<pad>"]
    vocab = {piece: index for index, piece in enumerate(pieces)}
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=1))
    tokenizer = MarianTokenizer(
        str(out / "source.spm"),
        str(out / "target.spm"),
        str(out / "vocab.json"),
        source_lang="en",
        target_lang="de",
    )
    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        d_model=128,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=256,
        decoder_ffn_dim=256,
        max_position_embeddings=512,
        dropout=0.0,  # opus-mt has 0.1; without it this tiny model translates better, faster
        scale_embedding=True,  # as opus-mt: token vectors × √d_model, above the sinusoids
        pad_token_id=pad,
        eos_token_id=vocab["</s>"],
        decoder_start_token_id=pad,
        forced_eos_token_id=vocab["</s>"],
        architectures=["MarianMTModel"],
    )
    model = MarianMTModel(config)
    train_text_to_text(model, tokenizer, pairs, STEPS, lr=1e-3, seed=context.seed)
    model.generation_config = GenerationConfig(
        # opus-mt-en-de's own settings: beam search, and never generate <pad>.
        num_beams=4,
        max_length=128,
        bad_words_ids=[[pad]],
        pad_token_id=pad,
        eos_token_id=vocab["</s>"],
        decoder_start_token_id=pad,
        forced_eos_token_id=vocab["</s>"],
    )
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


RECIPE = Recipe(
    name="opus-mt-en-de",
    repo_ids=("Helsinki-NLP/opus-mt-en-de",),
    architecture="MarianMTModel",
    summary="tiny Marian (2+2 layers, 128 wide) + two SentencePiece models, data/translation en→de",
    build=build,
    data_files=(data.TRANSLATION_FILE,),
)
