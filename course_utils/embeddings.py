"""Sentence embeddings: pooling token vectors into one vector, comparing vectors, and the data.

A transformer encoder gives one vector per *token*. To compare whole sentences we pool those into
one vector per sentence and compare sentences by the cosine of the angle between their vectors.
The helpers here are the small, easy-to-get-wrong parts of that (padding must not leak into the
average, shapes must agree), plus loaders for the project's similarity data in
``data/similarity/`` (see its DATASHEET.md).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from course_utils.errors import EmptyInputError
from course_utils.paths import data_dir

PAIRS_FILE = "similarity/pairs.csv"
CORPUS_FILE = "similarity/corpus.csv"
QUERIES_FILE = "similarity/queries.csv"
# Why each pair is in the set (see the datasheet); a pair has exactly one.
PAIR_CATEGORIES = ("paraphrase", "partial", "negation", "overlap", "topical", "unrelated")
MIN_SCORE, MAX_SCORE = 0.0, 5.0


@dataclass(frozen=True)
class SimilarityPair:
    """Two sentences and how similar in meaning a person judged them, from 0 to 5."""

    sentence1: str
    sentence2: str
    score: float
    category: str


@dataclass(frozen=True)
class CorpusEntry:
    """One short FAQ-style sentence of the search corpus."""

    id: str
    topic: str
    text: str


@dataclass(frozen=True)
class SearchQuery:
    """A question, the topic it belongs to and the ``id`` of the corpus entry that answers it."""

    query: str
    topic: str
    answer_id: str


def _rows(relative: str, root: Path | None) -> list[dict[str, str]]:
    with open((root or data_dir()) / relative, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def similarity_pairs(root: Path | None = None) -> list[SimilarityPair]:
    """The project's graded sentence pairs (STS-style scores 0–5, rubric in the datasheet)."""
    pairs = []
    for line, row in enumerate(_rows(PAIRS_FILE, root), start=2):
        score = float(row["score"])
        if not MIN_SCORE <= score <= MAX_SCORE or row["category"] not in PAIR_CATEGORIES:
            raise ValueError(
                f"{PAIRS_FILE} line {line}: score must be within 0–5 and category one of "
                f"{', '.join(PAIR_CATEGORIES)}; got {row['score']!r} and {row['category']!r}."
            )
        pairs.append(SimilarityPair(row["sentence1"], row["sentence2"], score, row["category"]))
    return pairs


def search_corpus(root: Path | None = None) -> list[CorpusEntry]:
    """Short FAQ-style sentences in several topics, for nearest-neighbour search."""
    return [CorpusEntry(row["id"], row["topic"], row["text"]) for row in _rows(CORPUS_FILE, root)]


def search_queries(root: Path | None = None) -> list[SearchQuery]:
    """Questions for the search corpus, each with the ``id`` of the entry that answers it."""
    return [
        SearchQuery(row["query"], row["topic"], row["answer_id"])
        for row in _rows(QUERIES_FILE, root)
    ]


def _check_token_batch(last_hidden_state: torch.Tensor, attention_mask: torch.Tensor) -> None:
    if last_hidden_state.dim() != 3:
        raise ValueError(
            f"last_hidden_state must have 3 dimensions (sentences, tokens, hidden), not shape "
            f"{tuple(last_hidden_state.shape)}: pass outputs.last_hidden_state."
        )
    if last_hidden_state.shape[0] == 0:
        raise EmptyInputError("The batch holds no sentences: encode at least one sentence.")
    if tuple(attention_mask.shape) != tuple(last_hidden_state.shape[:2]):
        raise ValueError(
            f"attention_mask has shape {tuple(attention_mask.shape)} but the hidden states are "
            f"{tuple(last_hidden_state.shape[:2])} (sentences, tokens): pass the mask the "
            "tokenizer returned for this very batch."
        )


def mean_pool(last_hidden_state: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Average of each sentence's token vectors, counting only real tokens (mask == 1).

    In a padded batch, short sentences are filled up with ``[PAD]`` positions. The encoder still
    computes vectors there, so a plain ``.mean(dim=1)`` would mix them into the short sentences'
    averages, and a sentence's embedding would depend on which other sentences share its batch.
    Multiplying by the mask and dividing by the number of real tokens removes them.

    Returns a tensor of shape (sentences, hidden).
    """
    _check_token_batch(last_hidden_state, attention_mask)
    mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
    counts = mask.sum(dim=1)
    if bool((counts == 0).any()):
        empty = (counts.squeeze(-1) == 0).nonzero().flatten().tolist()
        raise EmptyInputError(
            f"Sentence(s) {empty} have no real tokens (their attention mask is all zeros), so "
            "they have nothing to average: remove them from the batch."
        )
    return (last_hidden_state * mask).sum(dim=1) / counts


def cls_pool(
    last_hidden_state: torch.Tensor, attention_mask: torch.Tensor | None = None
) -> torch.Tensor:
    """The vector of the first token, ``[CLS]``, as the sentence's embedding.

    ``attention_mask`` is optional; it is accepted so that ``cls_pool`` and ``mean_pool`` can
    be swapped freely, and, when given, it is used to check that position 0 is a real token
    (with left padding ``[CLS]`` would not be there).
    """
    if attention_mask is None:
        attention_mask = torch.ones(last_hidden_state.shape[:2], dtype=torch.long)
    _check_token_batch(last_hidden_state, attention_mask)
    if not bool((attention_mask[:, 0] == 1).all()):
        raise ValueError(
            "Position 0 is padding for some sentences (left padding?), so it is not [CLS]: "
            "use a tokenizer that pads on the right (padding_side='right')."
        )
    return last_hidden_state[:, 0]


def _as_matrix(vectors: Any, name: str) -> torch.Tensor:
    matrix = torch.as_tensor(vectors, dtype=torch.float32)
    if matrix.dim() == 1:
        matrix = matrix.unsqueeze(0)
    if matrix.dim() != 2:
        raise ValueError(
            f"{name} must be one vector or a matrix with one vector per row, "
            f"not shape {tuple(matrix.shape)}."
        )
    if matrix.shape[0] == 0 or matrix.shape[1] == 0:
        raise EmptyInputError(f"{name} is empty (shape {tuple(matrix.shape)}): pass vectors.")
    return matrix


def cosine_matrix(a: Any, b: Any) -> torch.Tensor:
    """Cosine similarity of every row of ``a`` with every row of ``b``: shape (len(a), len(b)).

    The cosine compares directions only (1 = same direction, 0 = at right angles), so a vector's
    length — which grows with, for example, the number of tokens averaged — does not count.
    Accepts torch tensors, NumPy arrays or lists; a single vector counts as one row.
    """
    a, b = _as_matrix(a, "a"), _as_matrix(b, "b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"a has vectors of size {a.shape[1]} but b of size {b.shape[1]}: embeddings from "
            "different models cannot be compared; encode both sides with the same model."
        )
    a = torch.nn.functional.normalize(a, dim=1)
    b = torch.nn.functional.normalize(b, dim=1)
    return a @ b.T


def nearest(query_emb: Any, corpus_emb: Any, k: int = 3) -> tuple[torch.Tensor, torch.Tensor]:
    """The ``k`` corpus rows most similar (by cosine) to each query row: ``(scores, indices)``.

    Both results have shape (queries, k), best match first.
    """
    similarities = cosine_matrix(query_emb, corpus_emb)
    if not 1 <= k <= similarities.shape[1]:
        raise ValueError(f"k must be between 1 and the corpus size ({similarities.shape[1]}).")
    return similarities.topk(k, dim=1)


def spearman(scores_a: Any, scores_b: Any) -> float:
    """Spearman's rank correlation of two lists of scores, from -1 to 1.

    It compares the *order* of the pairs only, which is what matters when a model's cosine
    (around -1 to 1) is compared with people's 0–5 grades on a different scale.
    """
    from scipy.stats import spearmanr

    a = [float(value) for value in torch.as_tensor(scores_a).flatten().tolist()]
    b = [float(value) for value in torch.as_tensor(scores_b).flatten().tolist()]
    if len(a) != len(b):
        raise ValueError(f"{len(a)} scores against {len(b)}: pass one score per pair on each side.")
    if len(a) < 2:
        raise EmptyInputError("A rank correlation needs at least two pairs of scores.")
    if len(set(a)) == 1 or len(set(b)) == 1:
        raise ValueError("One side has the same score for every pair, so it has no order to rank.")
    return float(spearmanr(a, b)[0])  # [0]: the coefficient, in every SciPy version
