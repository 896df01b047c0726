"""Unit tests of course_utils.finetuning (data sets, few-shot samples, loss logs, accuracy)."""

from __future__ import annotations

from collections import Counter

import matplotlib
import pytest
import torch

from course_utils import finetuning, plotting
from course_utils.data import LabelledText
from course_utils.errors import EmptyInputError

matplotlib.use("Agg")

ROWS = [LabelledText(f"good thing {i}", 1) for i in range(5)] + [
    LabelledText(f"bad thing {i}", 0) for i in range(3)
]


def test_to_dataset_has_the_columns_trainer_expects():
    dataset = finetuning.to_dataset(ROWS)
    assert dataset.column_names == ["text", "label"]
    assert len(dataset) == len(ROWS)
    assert dataset[5] == {"text": "bad thing 0", "label": 0}


def test_to_dataset_refuses_nothing():
    with pytest.raises(EmptyInputError):
        finetuning.to_dataset([])


@pytest.mark.parametrize("k", [1, 2, 3])
def test_few_shot_sample_is_balanced_and_drawn_from_the_rows(k):
    sample = finetuning.few_shot_sample(ROWS, k=k, seed=0)
    assert Counter(row.label for row in sample) == {0: k, 1: k}
    assert len(set(sample)) == len(sample)
    assert set(sample) <= set(ROWS)


def test_few_shot_sample_repeats_with_a_seed_and_varies_across_seeds():
    first = finetuning.few_shot_sample(ROWS, k=2, seed=3)
    assert finetuning.few_shot_sample(ROWS, k=2, seed=3) == first
    draws = {tuple(finetuning.few_shot_sample(ROWS, k=2, seed=s)) for s in range(10)}
    assert len(draws) > 1


def test_few_shot_sample_mixes_the_classes():
    orders = {
        tuple(row.label for row in finetuning.few_shot_sample(ROWS, k=3, seed=s)) for s in range(10)
    }
    assert orders != {(0, 0, 0, 1, 1, 1)}


def test_few_shot_sample_says_how_many_there_are():
    with pytest.raises(ValueError, match=r"class NEGATIVE has only 3.*k <= 3"):
        finetuning.few_shot_sample(ROWS, k=4, seed=0)
    with pytest.raises(ValueError, match="at least 1"):
        finetuning.few_shot_sample(ROWS, k=0, seed=0)
    with pytest.raises(EmptyInputError):
        finetuning.few_shot_sample([], k=1, seed=0)


LOG = [
    {"loss": 0.69, "grad_norm": 1.0, "learning_rate": 2e-4, "epoch": 0.5, "step": 2},
    {"eval_loss": 0.5, "eval_accuracy": 0.8, "epoch": 0.5, "step": 2},
    {"loss": 0.41, "grad_norm": 1.2, "learning_rate": 1e-4, "epoch": 1.0, "step": 4},
    {"train_runtime": 3.2, "train_loss": 0.55, "epoch": 1.0, "step": 4},
]


class _FakeTrainer:
    class state:  # noqa: N801 - mimics trainer.state
        log_history = LOG


def test_loss_history_keeps_only_the_periodic_training_losses():
    assert finetuning.loss_history(LOG) == [(2, 0.69), (4, 0.41)]
    assert finetuning.loss_history(_FakeTrainer()) == [(2, 0.69), (4, 0.41)]


def test_loss_history_explains_an_empty_log():
    with pytest.raises(ValueError, match="logging_steps"):
        finetuning.loss_history([{"train_loss": 0.5, "step": 3}])
    with pytest.raises(TypeError):
        finetuning.loss_history("not a log")


class _KeywordClassifier(torch.nn.Module):
    """Predicts POSITIVE when the token id 7 ("good") occurs; NEGATIVE otherwise."""

    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(1))
        self.seen_training_flags = []

    def forward(self, input_ids, attention_mask):
        self.seen_training_flags.append(self.training)
        good = (input_ids == 7).any(dim=1).float()
        return type("Output", (), {"logits": torch.stack([1 - good, good], dim=1)})()


class _Batch(dict):
    def to(self, device):
        return _Batch({name: tensor.to(device) for name, tensor in self.items()})


def _tokenizer(texts, padding, truncation, return_tensors):
    ids = [[7 if word == "good" else 3 for word in text.split()] for text in texts]
    width = max(len(row) for row in ids)
    padded = [row + [0] * (width - len(row)) for row in ids]
    mask = [[1] * len(row) + [0] * (width - len(row)) for row in ids]
    return _Batch(input_ids=torch.tensor(padded), attention_mask=torch.tensor(mask))


def test_predict_batches_in_eval_mode_and_restores_the_mode():
    model = _KeywordClassifier().train()
    texts = ["good day", "bad day", "very good", "meh", "good"]
    assert finetuning.predict(model, _tokenizer, texts, batch_size=2) == [1, 0, 1, 0, 1]
    assert model.seen_training_flags == [False, False, False]  # three batches, dropout off
    assert model.training  # put back into training mode


def test_accuracy_counts_correct_predictions():
    rows = [
        LabelledText("good day", 1),
        LabelledText("bad day", 0),
        LabelledText("not good", 0),  # the keyword model gets this one wrong
        LabelledText("awful", 0),
    ]
    assert finetuning.accuracy(_KeywordClassifier(), _tokenizer, rows) == pytest.approx(0.75)


def test_predict_and_accuracy_refuse_bad_input():
    with pytest.raises(EmptyInputError):
        finetuning.accuracy(_KeywordClassifier(), _tokenizer, [])
    with pytest.raises(EmptyInputError):
        finetuning.predict(_KeywordClassifier(), _tokenizer, [])
    with pytest.raises(ValueError, match="batch_size"):
        finetuning.predict(_KeywordClassifier(), _tokenizer, ["good"], batch_size=0)


def test_plot_loss_curves_draws_one_line_per_run():
    curves = {"a": [(1, 0.7), (2, 0.5), (3, 0.4)], "b": [(2, 0.6), (4, 0.3)]}
    ax = plotting.plot_loss_curves(curves, title="losses")
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["a", "b"]
    assert list(lines[1].get_xdata()) == [2, 4]
    assert list(lines[1].get_ydata()) == [0.6, 0.3]
    assert ax.get_title() == "losses"


def test_plot_loss_curves_refuses_empty_curves():
    with pytest.raises(ValueError, match="No curves"):
        plotting.plot_loss_curves({})
    with pytest.raises(ValueError, match="'a' has no points"):
        plotting.plot_loss_curves({"a": []})
