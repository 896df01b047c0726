"""Unit tests of course_utils.embeddings (pooling, cosine, Spearman, the similarity data)."""

from __future__ import annotations

import csv

import matplotlib
import pytest
import torch

from course_utils import embeddings, plotting
from course_utils.errors import EmptyInputError
from course_utils.paths import data_dir

matplotlib.use("Agg")


def _batch() -> tuple[torch.Tensor, torch.Tensor]:
    """Two 'sentences': 2 real tokens + 2 padding, and 4 real tokens."""
    torch.manual_seed(0)
    hidden = torch.randn(2, 4, 3)
    mask = torch.tensor([[1, 1, 0, 0], [1, 1, 1, 1]])
    return hidden, mask


def test_mean_pool_ignores_padding():
    hidden, mask = _batch()
    pooled = embeddings.mean_pool(hidden, mask)
    assert pooled.shape == (2, 3)
    assert torch.allclose(pooled[0], hidden[0, :2].mean(dim=0))
    assert torch.allclose(pooled[1], hidden[1].mean(dim=0))
    # whatever the encoder put at the padding positions changes nothing
    changed = hidden.clone()
    changed[0, 2:] = 1000.0
    assert torch.allclose(embeddings.mean_pool(changed, mask), pooled)
    # ...while the unmasked mean (the classic bug) is pulled away by it
    assert not torch.allclose(changed.mean(dim=1)[0], pooled[0])


def test_mean_pool_refuses_bad_shapes_and_empty_rows():
    hidden, mask = _batch()
    with pytest.raises(ValueError, match="attention_mask has shape"):
        embeddings.mean_pool(hidden, mask[:, :3])
    with pytest.raises(ValueError, match="3 dimensions"):
        embeddings.mean_pool(hidden[0], mask[0])
    with pytest.raises(EmptyInputError, match="no real tokens"):
        embeddings.mean_pool(hidden, torch.tensor([[0, 0, 0, 0], [1, 1, 1, 1]]))
    with pytest.raises(EmptyInputError, match="no sentences"):
        embeddings.mean_pool(hidden[:0], mask[:0])


def test_cls_pool_takes_the_first_token_and_spots_left_padding():
    hidden, mask = _batch()
    assert torch.equal(embeddings.cls_pool(hidden), hidden[:, 0])
    assert torch.equal(embeddings.cls_pool(hidden, mask), hidden[:, 0])
    with pytest.raises(ValueError, match="left padding"):
        embeddings.cls_pool(hidden, torch.tensor([[0, 0, 1, 1], [1, 1, 1, 1]]))


def test_cosine_matrix_values_and_shapes():
    a = torch.tensor([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]])
    matrix = embeddings.cosine_matrix(a, a)
    assert matrix.shape == (3, 3)
    assert torch.allclose(matrix.diagonal(), torch.ones(3))  # identical vectors: cosine 1
    assert matrix[0, 1].item() == pytest.approx(0.0, abs=1e-7)  # right angle
    assert matrix[0, 2].item() == pytest.approx(2**-0.5)  # length does not count
    single = embeddings.cosine_matrix([1.0, 0.0], a.numpy())  # one vector, NumPy input
    assert single.shape == (1, 3)
    assert torch.allclose(embeddings.cosine_matrix(-a[:1], a[:1]), -torch.ones(1, 1))


def test_cosine_matrix_refuses_empty_and_mismatched_input():
    with pytest.raises(EmptyInputError):
        embeddings.cosine_matrix(torch.empty(0, 4), torch.ones(2, 4))
    with pytest.raises(ValueError, match="size 3 but b of size 4"):
        embeddings.cosine_matrix(torch.ones(2, 3), torch.ones(2, 4))
    with pytest.raises(ValueError, match="one vector per row"):
        embeddings.cosine_matrix(torch.ones(2, 3, 4), torch.ones(2, 4))


def test_nearest_returns_best_first():
    corpus = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    scores, indices = embeddings.nearest(torch.tensor([[0.9, 0.1]]), corpus, k=2)
    assert indices.tolist() == [[0, 2]]
    assert scores[0, 0] > scores[0, 1]
    with pytest.raises(ValueError, match="k must be"):
        embeddings.nearest(corpus, corpus, k=4)


def test_spearman_compares_order_only():
    assert embeddings.spearman([1, 2, 3, 4], [10, 20, 30, 400]) == pytest.approx(1.0)
    assert embeddings.spearman(torch.tensor([1.0, 2.0, 3.0]), [3, 2, 1]) == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="3 scores against 2"):
        embeddings.spearman([1, 2, 3], [1, 2])
    with pytest.raises(EmptyInputError):
        embeddings.spearman([], [])
    with pytest.raises(ValueError, match="same score"):
        embeddings.spearman([1, 1, 1], [1, 2, 3])


def _count_rows(name: str) -> int:
    with open(data_dir() / "similarity" / name, newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_similarity_pairs_loader():
    pairs = embeddings.similarity_pairs()
    assert len(pairs) == _count_rows("pairs.csv") >= 120
    assert all(0 <= p.score <= 5 for p in pairs)
    assert {p.category for p in pairs} == set(embeddings.PAIR_CATEGORIES)
    assert all(p.sentence1.strip() and p.sentence2.strip() for p in pairs)
    assert len({(p.sentence1, p.sentence2) for p in pairs}) == len(pairs)  # no duplicates
    assert {p.score for p in pairs} == {0, 1, 2, 3, 4, 5}  # the whole scale is used


def test_similarity_pairs_loader_refuses_out_of_range_scores(tmp_path):
    (tmp_path / "similarity").mkdir()
    (tmp_path / "similarity" / "pairs.csv").write_text(
        "sentence1,sentence2,score,category\nA cat.,A dog.,7,topical\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="line 2"):
        embeddings.similarity_pairs(tmp_path)


def test_search_corpus_and_queries_loaders():
    corpus = embeddings.search_corpus()
    queries = embeddings.search_queries()
    assert len(corpus) == _count_rows("corpus.csv") >= 60
    assert len(queries) == _count_rows("queries.csv") >= 10
    ids = {entry.id: entry.topic for entry in corpus}
    assert len(ids) == len(corpus)  # ids are unique
    assert len({entry.topic for entry in corpus}) >= 5
    for query in queries:  # every expected answer exists and is in the query's topic
        assert ids[query.answer_id] == query.topic


def test_plot_similarity_matrix_checks_labels():
    ax = plotting.plot_similarity_matrix([[1.0, 0.2], [0.2, 1.0]], ["a", "b"], title="t")
    assert [label.get_text() for label in ax.get_yticklabels()] == ["a", "b"]
    assert len(ax.texts) == 4  # every cell is written out
    with pytest.raises(ValueError, match="must match"):
        plotting.plot_similarity_matrix([[1.0, 0.2]], ["a", "b"])
