"""Training small tokenizers for the stand-ins of models whose vocabularies we cannot ship.

Each function writes the *classic* files of its family (``vocab.json`` + ``merges.txt`` for GPT-2,
``spiece.model`` for T5) and lets transformers load and convert them. That route works the same on
transformers 4.57 and 5.x, and the saved folder then holds ``tokenizer.json`` as well.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

GPT2_EOS = "<|endoftext|>"


def train_byte_level_bpe(
    texts: Iterable[str],
    vocab_size: int,
    out_dir: Path,
    tokenizer_class: str = "GPT2Tokenizer",
    special_tokens: dict[str, str] | None = None,
) -> PreTrainedTokenizerBase:
    """A GPT-2 style byte-level BPE tokenizer trained on ``texts``, saved in ``out_dir``."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import AutoTokenizer

    special = special_tokens or {
        "bos_token": GPT2_EOS,
        "eos_token": GPT2_EOS,
        "unk_token": GPT2_EOS,
    }
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        texts,
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=sorted(set(special.values())),
        show_progress=False,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    bpe.save_model(str(out_dir))  # vocab.json + merges.txt
    config = {"tokenizer_class": tokenizer_class, "model_max_length": 1024, **special}
    (out_dir / "tokenizer_config.json").write_text(json.dumps(config, indent=2))
    tokenizer = AutoTokenizer.from_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return tokenizer


def train_t5_unigram(
    texts: Iterable[str], vocab_size: int, out_dir: Path
) -> PreTrainedTokenizerBase:
    """A T5 style SentencePiece unigram tokenizer (pad 0, eos 1, unk 2, 100 sentinels)."""
    import sentencepiece as spm
    from transformers import AutoTokenizer

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(texts),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="unigram",
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        character_coverage=1.0,
        num_threads=1,
        minloglevel=2,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "spiece.model").write_bytes(model.getvalue())
    config = {"tokenizer_class": "T5Tokenizer", "extra_ids": 100, "model_max_length": 512}
    (out_dir / "tokenizer_config.json").write_text(json.dumps(config, indent=2))
    tokenizer = AutoTokenizer.from_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return tokenizer
