"""course_utils.token_limit: one answer to "how many tokens does this model read at once?"."""

from __future__ import annotations

from types import SimpleNamespace

from course_utils.token_limit import token_limit


def test_token_limit_reads_each_architectures_name():
    from transformers import BertConfig, BloomConfig, GPT2Config, GPTNeoConfig, OPTConfig

    assert token_limit(GPT2Config(n_positions=321)) == 321
    assert token_limit(GPTNeoConfig(max_position_embeddings=654)) == 654
    assert token_limit(OPTConfig(max_position_embeddings=987)) == 987
    assert token_limit(BertConfig(max_position_embeddings=128)) == 128
    assert token_limit(BloomConfig()) is None  # ALiBi: no position table


def test_the_tokenizers_trained_length_counts_too_and_the_smaller_limit_wins():
    from transformers import BloomConfig, GPT2Config, OPTConfig

    assert token_limit(BloomConfig(), SimpleNamespace(model_max_length=2048)) == 2048
    opt = OPTConfig(max_position_embeddings=987)
    assert token_limit(opt, SimpleNamespace(model_max_length=512)) == 512
    assert token_limit(opt, SimpleNamespace(model_max_length=4096)) == 987
    # A tokenizer saved without a limit reports int(1e30): that is no limit, not a huge one.
    assert (
        token_limit(GPT2Config(n_positions=321), SimpleNamespace(model_max_length=int(1e30))) == 321
    )
    assert token_limit(None, SimpleNamespace(model_max_length=384)) == 384
    assert token_limit(None, SimpleNamespace(model_max_length=int(1e30))) is None
