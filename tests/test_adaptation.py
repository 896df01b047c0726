"""Unit tests of course_utils.adaptation and data/domain (notebook 17)."""

from __future__ import annotations

import csv
import importlib.util
import io
from collections import Counter

import pytest
import torch
from conftest import REPO

from course_utils.adaptation import (
    DOMAIN_FILE,
    AdaptationError,
    DomainExample,
    ParameterShare,
    accuracy_by_group,
    domain_sentiment,
    folder_bytes,
    train_classifier,
    trainable_share,
)
from course_utils.data import LabelledText
from course_utils.errors import CourseError, EmptyInputError
from course_utils.finetuning import accuracy

# peft 0.21 calls a transformers method that transformers 5 renamed (harmless)
pytestmark = pytest.mark.filterwarnings("ignore:.*is_gradient_checkpointing:FutureWarning")


def _generator_module():
    spec = importlib.util.spec_from_file_location(
        "make_domain", REPO / "data/domain/make_domain.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the data set -------------------------------------------------------------------------------

TRAIN = domain_sentiment("train")
TEST = domain_sentiment("test")


def test_domain_splits_are_big_enough_and_balanced():
    assert len(TRAIN) >= 160 and len(TEST) >= 80
    for rows in (TRAIN, TEST):
        assert Counter(row.label for row in rows) == {0: len(rows) // 2, 1: len(rows) // 2}
        kinds = Counter((row.kind, row.label) for row in rows)
        assert kinds[("flipped", 0)] == kinds[("flipped", 1)] > kinds[("plain", 0)]
        assert kinds[("plain", 0)] == kinds[("plain", 1)] > 0
        assert {row.kind for row in rows} == {"flipped", "plain"}


def test_domain_rows_are_labelled_texts_with_their_expression():
    row = TRAIN[0]
    assert isinstance(row, DomainExample) and isinstance(row, LabelledText)
    assert row.label_name in ("NEGATIVE", "POSITIVE")
    assert all(row.expression and row.expression in row.text for row in TRAIN + TEST)


def test_domain_splits_are_disjoint_and_free_of_duplicates():
    train_texts = [row.text.lower() for row in TRAIN]
    test_texts = [row.text.lower() for row in TEST]
    assert len(set(train_texts)) == len(train_texts)
    assert len(set(test_texts)) == len(test_texts)
    assert not set(train_texts) & set(test_texts)


def test_held_out_split_uses_frames_subjects_and_slang_training_never_uses():
    make_domain = _generator_module()
    train_text = " ".join(row.text.lower() for row in TRAIN)
    for subject in make_domain.SUBJECTS[1]:
        assert subject.lower() not in train_text, subject
    for frame in make_domain.FRAMES[1]:
        fixed = max(frame.replace("{s}", "|").replace("{e}", "|").split("|"), key=len).strip()
        assert fixed.lower() not in train_text, frame
    held_out = [
        expression
        for pool in (make_domain.FLIPPED_POSITIVE, make_domain.FLIPPED_NEGATIVE)
        for expression in pool[1]
    ]
    for expression in held_out:
        assert expression.lower() not in train_text, expression
    train_expressions = {row.expression for row in TRAIN}
    new = [row for row in TEST if row.kind == "flipped" and row.expression not in train_expressions]
    flipped = [row for row in TEST if row.kind == "flipped"]
    assert len(new) == len(flipped) // 2  # half the flipped held-out rows use unseen slang
    assert Counter(row.label for row in new) == {0: len(new) // 2, 1: len(new) // 2}


def test_the_csv_is_what_the_generator_writes():
    make_domain = _generator_module()
    written = io.StringIO(newline="")
    fields = ["text", "label", "split", "kind", "expression"]
    writer = csv.DictWriter(written, fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(make_domain.generate())
    assert (REPO / "data" / DOMAIN_FILE).read_bytes() == written.getvalue().encode("utf-8")


def test_domain_sentiment_refuses_an_unknown_split():
    with pytest.raises(ValueError, match="'train' or 'test'"):
        domain_sentiment("validation")


# --- counting parameters ------------------------------------------------------------------------


def test_trainable_share_counts_requires_grad_against_everything():
    model = torch.nn.Sequential(torch.nn.Linear(10, 10), torch.nn.Linear(10, 2))
    model[0].requires_grad_(False)
    share = trainable_share(model)
    assert (share.trainable, share.total) == (22, 132)
    assert share.share == pytest.approx(22 / 132)
    assert str(share) == "trainable params: 22 || all params: 132 || trainable%: 16.6667"


def test_trainable_share_refuses_a_model_without_parameters():
    with pytest.raises(AdaptationError, match="no parameters"):
        trainable_share(torch.nn.ReLU())
    assert issubclass(AdaptationError, CourseError) and issubclass(AdaptationError, ValueError)


def _tiny_classifier(seed: int = 0):
    from transformers import DistilBertConfig, DistilBertForSequenceClassification

    torch.manual_seed(seed)
    config = DistilBertConfig(
        vocab_size=len(VOCABULARY) + 1,
        dim=16,
        n_layers=1,
        n_heads=2,
        hidden_dim=32,
        max_position_embeddings=16,
        num_labels=2,
    )
    return DistilBertForSequenceClassification(config)


def _lora(model, r: int = 2):
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(r=r, lora_alpha=2 * r, target_modules=["q_lin", "v_lin", "lin1", "lin2"])
    return get_peft_model(model, config)


def test_trainable_share_agrees_with_peft():
    model = _lora(_tiny_classifier())
    trainable, total = model.get_nb_trainable_parameters()
    share = trainable_share(model)
    assert (share.trainable, share.total) == (trainable, total)
    # r · (in + out) per adapted layer: q_lin, v_lin (16 → 16), lin1 (16 → 32), lin2 (32 → 16)
    assert share.trainable == 2 * (32 + 32 + 48 + 48)
    assert share.share < 0.1


# --- training -----------------------------------------------------------------------------------

VOCABULARY = {"good": 1, "great": 2, "bad": 3, "awful": 4, "game": 5, "the": 6, "is": 7}


class _Batch(dict):
    def to(self, device):
        return _Batch({name: tensor.to(device) for name, tensor in self.items()})


def _tokenizer(texts, padding, truncation, max_length=None, return_tensors=None):
    ids = [[VOCABULARY.get(word, 5) for word in text.lower().split()] for text in texts]
    width = max(len(row) for row in ids)
    return _Batch(
        input_ids=torch.tensor([row + [0] * (width - len(row)) for row in ids]),
        attention_mask=torch.tensor([[1] * len(row) + [0] * (width - len(row)) for row in ids]),
    )


ROWS = [
    LabelledText(f"the game is {word}", label)
    for word, label in (("good", 1), ("great", 1), ("bad", 0), ("awful", 0))
] * 4


def test_train_classifier_changes_only_the_adapters_and_learns():
    model = _lora(_tiny_classifier(), r=4)
    frozen = {n: p.detach().clone() for n, p in model.named_parameters() if not p.requires_grad}
    adapters = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    run = train_classifier(
        model, _tokenizer, ROWS, epochs=15, batch_size=4, learning_rate=2e-2, logging_steps=5
    )
    assert run.steps == 15 * 4 and run.seconds > 0
    assert [step for step, _ in run.curve] == list(range(5, 61, 5))
    assert run.curve[-1][1] < run.curve[0][1]  # the loss falls
    assert not model.training  # left in evaluation mode
    after = dict(model.named_parameters())
    assert all(torch.equal(after[name], value) for name, value in frozen.items())  # untouched
    assert all(not torch.equal(after[name], value) for name, value in adapters.items())
    assert accuracy(model, _tokenizer, ROWS) == 1.0


def test_train_classifier_repeats_with_a_seed():
    curves = []
    for _ in range(2):
        model = _lora(_tiny_classifier(), r=2)
        curves.append(
            train_classifier(model, _tokenizer, ROWS, epochs=2, batch_size=4, seed=3).curve
        )
    assert curves[0] == curves[1]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"warmup": 1.0}, "warmup"),
        ({"logging_steps": 0}, "logging_steps"),
    ],
)
def test_train_classifier_refuses_bad_settings(kwargs, message):
    with pytest.raises(AdaptationError, match=message):
        train_classifier(_tiny_classifier(), _tokenizer, ROWS, **kwargs)


def test_train_classifier_refuses_nothing_to_train_and_no_data():
    model = _tiny_classifier().requires_grad_(False)
    with pytest.raises(AdaptationError, match="requires gradients"):
        train_classifier(model, _tokenizer, ROWS)
    with pytest.raises(EmptyInputError):
        train_classifier(_tiny_classifier(), _tokenizer, [])


def test_accuracy_by_group_splits_the_accuracy():
    class Keyword(torch.nn.Module):  # POSITIVE when "good" (id 1) occurs
        def __init__(self):
            super().__init__()
            self.weight = torch.nn.Parameter(torch.zeros(1))

        def forward(self, input_ids, attention_mask):
            good = (input_ids == 1).any(dim=1).float()
            return type("Output", (), {"logits": torch.stack([1 - good, good], dim=1)})()

    rows = [
        DomainExample("good", 1, "plain"),
        DomainExample("bad", 0, "plain"),
        DomainExample("sick", 1, "flipped"),  # the keyword model misses slang
        DomainExample("good grief", 0, "flipped"),
    ]
    assert accuracy_by_group(Keyword(), _tokenizer, rows, lambda row: row.kind) == {
        "flipped": 0.0,
        "plain": 1.0,
    }
    with pytest.raises(EmptyInputError):
        accuracy_by_group(Keyword(), _tokenizer, [], lambda row: row.kind)


def test_folder_bytes_adds_up_files_in_sub_folders(tmp_path):
    (tmp_path / "a.bin").write_bytes(b"x" * 100)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.json").write_bytes(b"y" * 23)
    assert folder_bytes(tmp_path) == 123
    with pytest.raises(FileNotFoundError, match="not a folder"):
        folder_bytes(tmp_path / "missing")


def test_parameter_share_is_a_plain_record():
    assert ParameterShare(1, 4).share == 0.25
