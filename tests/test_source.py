"""show_source: notebooks display the code of course_utils helpers without copying it."""

from __future__ import annotations

import inspect

import pytest

from course_utils.lessons import scratch_bert
from course_utils.source import show_source, source_of


def test_class_source_is_the_real_file_with_a_header():
    text = source_of(scratch_bert.FeedForward)
    header, body = text.split("\n", 1)
    line = inspect.getsourcelines(scratch_bert.FeedForward)[1]
    assert header == f"# course_utils.lessons.scratch_bert.FeedForward, line {line}"
    assert body.startswith("class FeedForward(nn.Module):")
    assert "def forward" in body


def test_methods_are_dedented():
    text = source_of(scratch_bert.SelfAttention.forward)
    assert text.split("\n", 1)[1].startswith("def forward(")
    bound = scratch_bert.FeedForward(
        scratch_bert.ScratchBertConfig(hidden_size=8, num_attention_heads=2)
    ).forward
    assert "def forward" in source_of(bound)


@pytest.mark.parametrize("bad", [len, 3, scratch_bert.ScratchBertConfig()])
def test_objects_without_source_are_refused_clearly(bad):
    with pytest.raises(ValueError, match="class, function|cannot find the source"):
        source_of(bad)


def test_plain_text_outside_jupyter(capsys):
    show_source(scratch_bert.explicit_attention)
    printed = capsys.readouterr().out
    assert printed == source_of(scratch_bert.explicit_attention)
    assert "def explicit_attention(" in printed
