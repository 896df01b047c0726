"""Unit tests of course_utils.finetuning (predictions and accuracy) and the loss-curve plot."""

from __future__ import annotations

import matplotlib
import pytest
import torch

from course_utils import finetuning, plotting
from course_utils.data import LabelledText
from course_utils.errors import EmptyInputError

matplotlib.use("Agg")


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
