"""Unit tests of the small helpers notebooks share."""

from __future__ import annotations

import matplotlib
import pytest

from course_utils import exercises, timing
from course_utils.zoo.hf_cache import install_snapshot, installed_commit, repo_folder

matplotlib.use("Agg")


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


def test_best_time_takes_the_minimum(monkeypatch):
    """A fake clock: each call 'takes' the next duration (the warm-up call is not timed)."""
    durations = iter([0.03, 0.01, 0.02])
    clock = [0.0]

    def call() -> None:
        clock[0] += next(durations)

    monkeypatch.setattr(timing.time, "perf_counter", lambda: clock[0])
    warmed = []
    assert timing.best_time(call, repeat=3, warmup=0) == pytest.approx(0.01)
    assert timing.best_time(lambda: warmed.append(1), repeat=2, warmup=3) == 0 and len(warmed) == 5
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
