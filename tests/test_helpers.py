"""Unit tests of the small helpers notebooks share."""

from __future__ import annotations

import matplotlib
import pytest

from course_utils import exercises, text, timing
from course_utils.errors import EmptyInputError
from course_utils.zoo.hf_cache import install_snapshot, installed_commit, repo_folder

matplotlib.use("Agg")


@pytest.mark.parametrize("bad", ["", "   ", [], ["fine", ""], ["ok", " \n"]])
def test_empty_text_is_refused_with_advice(bad):
    with pytest.raises(EmptyInputError) as caught:
        text.check_texts(bad)
    assert "empty" in str(caught.value).lower() or "no texts" in str(caught.value).lower()


def test_non_text_is_refused():
    with pytest.raises(TypeError, match="pass strings only"):
        text.check_texts(["fine", 3])
    for nothing in (None, 5):
        with pytest.raises(TypeError, match="pass a string or a list of strings"):
            text.check_texts(nothing)


def test_a_dataset_row_is_refused_rather_than_classified_by_its_keys():
    with pytest.raises(TypeError, match=r"keys \['text', 'label'\].*row\['text'\]"):
        text.check_texts({"text": "awful film", "label": 0})


class FakeTokenizer:
    """One token per word, plus the two special tokens a BERT-style tokenizer adds."""

    model_max_length = 8

    def __call__(self, texts, verbose=True):
        return {"input_ids": [[101, *range(len(t.split())), 102] for t in texts]}


class FakeClassifier:
    """A text-classification pipeline's interface: the call, its tokenizer and its model."""

    def __init__(self, max_position_embeddings=512):
        self.tokenizer = FakeTokenizer()
        self.model = type("Model", (), {})()
        self.model.config = type("Config", (), {"max_position_embeddings": max_position_embeddings})
        self.calls = []

    def __call__(self, items, batch_size, **options):
        self.calls.append((items, options))
        return [{"label": "POSITIVE", "score": 1.0} for _ in items]


def test_classify_refuses_a_text_longer_than_the_model_reads_and_names_it():
    classifier = FakeClassifier()
    long = "word " * 7  # 9 tokens with [CLS] and [SEP]: one over the tokenizer's 8
    with pytest.raises(text.TextTooLongError, match="Text 1 is 9 tokens long.*at most 8") as caught:
        text.classify(classifier, ["fine", long])
    assert (caught.value.index, caught.value.length, caught.value.limit) == (1, 9, 8)
    assert classifier.calls == []
    # The model's position table counts too, whichever limit is smaller.
    with pytest.raises(text.TextTooLongError, match="at most 4"):
        text.classify(FakeClassifier(max_position_embeddings=4), "one two three")
    assert len(text.classify(classifier, "word " * 6)) == 1  # exactly 8 tokens: fine
    # Asking for truncation explicitly hands it to the pipeline.
    assert len(text.classify(classifier, long, truncation=True)) == 1
    assert classifier.calls[-1] == ([long], {"truncation": True})


def test_classify_checks_before_calling_the_model():
    calls = []

    def fake_classifier(items, batch_size):
        calls.append(items)
        return [{"label": "POSITIVE", "score": 1.0} for _ in items]

    with pytest.raises(EmptyInputError):
        text.classify(fake_classifier, ["", "fine"])
    assert calls == []
    assert text.classify(fake_classifier, "fine") == [{"label": "POSITIVE", "score": 1.0}]


def test_family_checker_marks_right_and_wrong():
    answers = {
        "sentiment analysis": "encoder-only",
        "translation": "Encoder Decoder",
        "summarization": "decoder-only",
        "semantic similarity": "encoder_only",
    }
    verdicts = {v.task: v.correct for v in exercises.check_families(answers)}
    assert verdicts == {
        "sentiment analysis": True,
        "translation": True,
        "summarization": False,
        "semantic similarity": True,
    }


def test_family_checker_explains_bad_answers():
    with pytest.raises(ValueError, match="not a family"):
        exercises.check_families({"translation": "transformer"})
    with pytest.raises(ValueError, match="Unknown task"):
        exercises.check_families({"poetry": "decoder-only"})
    with pytest.raises(ValueError, match="missing"):
        exercises.check_families({"translation": "encoder-decoder"})


def test_best_time_takes_the_minimum():
    durations = iter([0.0, 0.03, 0.01, 0.02])  # warm-up first, then three timed calls
    import time

    assert timing.best_time(lambda: time.sleep(next(durations)), repeat=3) < 0.02
    with pytest.raises(ValueError):
        timing.best_time(lambda: None, repeat=0)


def test_plot_attention_checks_shapes():
    from course_utils import plotting

    ax = plotting.plot_attention([[1, 0], [1, 1]], ["a", "b"], binary=True)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    with pytest.raises(ValueError, match="must match"):
        plotting.plot_attention([[1, 0], [1, 1]], ["a", "b", "c"])
    with pytest.raises(ValueError, match="must match"):
        plotting.plot_bars(["a"], [1.0, 2.0])


def test_snapshot_layout_is_what_huggingface_hub_reads(tmp_path):
    source = tmp_path / "model"
    source.mkdir()
    (source / "config.json").write_text("{}")
    (source / ".complete").write_text("marker")
    cache = tmp_path / "hub"
    install_snapshot(cache, "org/name", source, "a" * 40, extra_refs=("714eb0f",))
    folder = repo_folder(cache, "org/name")
    assert folder.name == "models--org--name"
    assert (folder / "snapshots" / ("a" * 40) / "config.json").exists()
    assert not (folder / "snapshots" / ("a" * 40) / ".complete").exists()
    assert installed_commit(cache, "org/name") == "a" * 40
    assert installed_commit(cache, "org/name", "714eb0f") == "a" * 40
    install_snapshot(cache, "org/name", source, "b" * 40)
    assert sorted(p.name for p in (folder / "snapshots").iterdir()) == ["b" * 40]

    from huggingface_hub import try_to_load_from_cache

    assert try_to_load_from_cache("org/name", "config.json", cache_dir=cache) is not None
