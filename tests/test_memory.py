"""The memory estimator: formula vs meta-device count, bytes per dtype, KV cache, bad input."""

from __future__ import annotations

import json

import pytest

from course_utils import configs, memory
from course_utils.errors import CourseError

MISTRAL = "mistralai/Mistral-7B-Instruct-v0.3"
# Well-known published sizes, confirmed by building each model on the meta device.
PUBLISHED = {
    "openai-community/gpt2": 124_439_808,
    "facebook/opt-125m": 125_239_296,
    "bigscience/bloom-560m": 559_214_592,
    "EleutherAI/gpt-neo-125m": 125_198_592,
    MISTRAL: 7_248_023_552,
}


def test_every_published_config_is_stored():
    assert set(PUBLISHED) <= set(configs.available_configs())


@pytest.mark.parametrize("repo_id", sorted(PUBLISHED))
def test_exact_count_matches_the_published_size(repo_id):
    assert memory.count_parameters_exactly(repo_id) == PUBLISHED[repo_id]


@pytest.mark.parametrize("repo_id", sorted(PUBLISHED))
def test_formula_agrees_with_the_exact_count(repo_id):
    exact = memory.count_parameters_exactly(repo_id)
    estimate = memory.estimate_parameters(repo_id)
    assert abs(estimate - exact) / exact <= 0.01, (estimate, exact)


def test_stored_configs_are_the_real_ones():
    """A few fields that decide the size; a typo in any of them changes the counts above too."""
    mistral = configs.load_config(MISTRAL)
    assert (mistral.vocab_size, mistral.hidden_size, mistral.intermediate_size) == (
        32768,
        4096,
        14336,
    )
    assert (mistral.num_hidden_layers, mistral.num_attention_heads) == (32, 32)
    assert mistral.num_key_value_heads == 8
    assert mistral.tie_word_embeddings is False
    assert configs.load_config("openai-community/gpt2").tie_word_embeddings is True
    assert configs.load_config("bigscience/bloom-560m").vocab_size == 250880


def test_a_dict_and_a_config_object_give_the_same_answer():
    path = configs.configs_dir() / "facebook--opt-125m.json"
    values = json.loads(path.read_text(encoding="utf-8"))
    config = configs.config_from_dict(values)
    assert memory.estimate_parameters(values) == memory.estimate_parameters(config)
    assert memory.estimate_parameters(values) == PUBLISHED["facebook/opt-125m"]


def _tiny(model_type: str, **fields):
    from transformers import AutoConfig

    return AutoConfig.for_model(model_type, **fields)


@pytest.mark.parametrize(
    ("model_type", "fields"),
    [
        # Biases in attention and MLP, grouped-query attention, tied head.
        (
            "llama",
            dict(
                vocab_size=1000,
                hidden_size=64,
                intermediate_size=176,
                num_hidden_layers=2,
                num_attention_heads=4,
                num_key_value_heads=2,
                attention_bias=True,
                mlp_bias=True,
                tie_word_embeddings=True,
            ),
        ),
        # head_dim larger than hidden_size / heads, untied head.
        (
            "llama",
            dict(
                vocab_size=1000,
                hidden_size=64,
                intermediate_size=176,
                num_hidden_layers=2,
                num_attention_heads=4,
                head_dim=32,
                tie_word_embeddings=False,
            ),
        ),
        # OPT-350m's layout: projected embeddings and no final LayerNorm.
        (
            "opt",
            dict(
                vocab_size=1000,
                hidden_size=64,
                word_embed_proj_dim=32,
                ffn_dim=256,
                num_hidden_layers=2,
                num_attention_heads=4,
                max_position_embeddings=128,
                do_layer_norm_before=False,
            ),
        ),
        # A custom MLP width and an untied head.
        (
            "gpt2",
            dict(
                vocab_size=1000,
                n_embd=64,
                n_layer=2,
                n_head=4,
                n_positions=128,
                n_inner=100,
                bos_token_id=0,
                eos_token_id=0,
                tie_word_embeddings=False,
            ),
        ),
    ],
)
def test_formula_handles_the_less_common_options_exactly(model_type, fields):
    config = _tiny(model_type, **fields)
    assert memory.estimate_parameters(config) == memory.count_parameters_exactly(config)


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [("fp32", 4000), ("float32", 4000), ("fp16", 2000), ("bf16", 2000), ("int8", 1000)],
)
def test_bytes_per_dtype(dtype, expected):
    assert memory.weights_bytes(1000, dtype) == expected


def test_int4_packs_two_numbers_per_byte_and_rounds_up():
    assert memory.weights_bytes(1000, "int4") == 500
    assert memory.weights_bytes(1001, "int4") == 501


def test_torch_dtypes_are_understood():
    import torch

    assert memory.weights_bytes(10, torch.bfloat16) == 20
    assert memory.weights_bytes(10, torch.float32) == 40


def test_mistral_kv_cache_at_32k_tokens_is_4_gib():
    # 2 (k and v) × 32 layers × 8 kv heads × 128 dims × 32768 tokens × 2 bytes = 2**32 bytes.
    assert memory.kv_cache_bytes(MISTRAL, 32768) == 4 * 2**30
    assert memory.kv_cache_bytes(MISTRAL, 32768, batch_size=2, dtype="fp32") == 16 * 2**30


def test_gpt2_kv_cache_uses_every_head():
    # GPT-2 has no grouped-query attention: 12 kv heads of 64 dims, 12 layers.
    assert memory.kv_cache_bytes("openai-community/gpt2", 1024) == 2 * 12 * 12 * 64 * 1024 * 2


def test_estimate_memory_adds_weights_and_kv_cache():
    estimate = memory.estimate_memory(MISTRAL, "bf16", context_length=32768)
    assert estimate.n_params == PUBLISHED[MISTRAL]
    assert estimate.weights == 2 * PUBLISHED[MISTRAL]
    assert estimate.kv_cache == 4 * 2**30
    assert estimate.total == estimate.weights + estimate.kv_cache
    assert not estimate.fits(15.0)  # the lesson: it does not fit a Colab T4
    text = str(estimate)
    assert "GiB" in text
    assert f"{estimate.total / 2**30:.2f}" in text


def test_quantised_weights_keep_an_fp16_cache_and_fit():
    estimate = memory.estimate_memory(MISTRAL, "int4", context_length=4096)
    assert estimate.kv_dtype == "fp16"
    assert estimate.kv_cache == memory.kv_cache_bytes(MISTRAL, 4096, dtype="fp16")
    assert estimate.fits(15.0)


def test_fits_keeps_headroom_so_bf16_mistral_does_not_fit_a_t4():
    estimate = memory.estimate_memory(MISTRAL, "bf16", context_length=4096)
    assert estimate.total_gib == pytest.approx(14.0, abs=0.01)
    assert estimate.needed_gib() == pytest.approx(14.0 * (1 + memory.INFERENCE_HEADROOM), abs=0.01)
    # What notebook 05's check answers on the free runtimes (memory free for a model):
    assert not estimate.fits(14.6)  # a Colab/Kaggle T4: 14.74 GiB, about 14.6 free
    assert not estimate.fits(12.7)  # Colab's CPU runtime: 12.7 GiB of RAM in all
    assert estimate.fits(29.0)  # Kaggle's CPU runtime
    assert estimate.fits(14.6, headroom=0)  # without headroom it would start the download
    assert memory.estimate_memory(MISTRAL, "int8", context_length=4096).fits(12.7)


@pytest.mark.parametrize("headroom", [-0.1, "20%", True])
def test_headroom_must_be_a_share_at_least_zero(headroom):
    estimate = memory.estimate_memory("openai-community/gpt2", "fp32", 1024)
    with pytest.raises(ValueError, match="headroom"):
        estimate.fits(15.0, headroom=headroom)


def test_exact_mode_counts_on_the_meta_device():
    estimate = memory.estimate_memory("bigscience/bloom-560m", "fp32", 512, exact=True)
    assert estimate.n_params == PUBLISHED["bigscience/bloom-560m"]


def test_unknown_dtype_lists_the_known_ones():
    with pytest.raises(ValueError, match="Unknown dtype 'fp8'") as caught:
        memory.weights_bytes(10, "fp8")
    for name in ("fp32", "fp16", "bf16", "int8", "int4"):
        assert name in str(caught.value)


@pytest.mark.parametrize("context", [0, -5, 2.5])
def test_context_length_must_be_positive_whole_number(context):
    with pytest.raises(ValueError, match="context_length"):
        memory.kv_cache_bytes(MISTRAL, context)


def test_batch_size_must_be_positive():
    with pytest.raises(ValueError, match="batch_size"):
        memory.estimate_memory(MISTRAL, "fp16", 128, batch_size=0)


def test_unsupported_model_type_says_what_to_use_instead():
    config = _tiny("bert", vocab_size=100, hidden_size=32, num_attention_heads=2)
    with pytest.raises(memory.UnsupportedModelError, match="'bert'") as caught:
        memory.estimate_parameters(config)
    assert isinstance(caught.value, CourseError)
    assert "count_parameters_exactly" in str(caught.value)
    assert "mistral" in str(caught.value)


@pytest.mark.parametrize(
    ("repo_id", "parameters"),
    [
        ("google-t5/t5-small", 60_506_624),
        ("distilbert/distilbert-base-uncased", 66_362_880),
        ("google-bert/bert-base-uncased", 109_482_240),
    ],
)
def test_the_advice_for_unsupported_models_leads_to_an_exact_count(repo_id, parameters):
    """Every stored config either has a formula or is counted by following the error's advice."""
    with pytest.raises(memory.UnsupportedModelError) as caught:
        memory.estimate_parameters(repo_id)
    advice = str(caught.value)
    auto_class = "AutoModelForSeq2SeqLM" if "t5" in repo_id else "AutoModel"
    assert f"'{auto_class}'" in advice
    assert memory.count_parameters_exactly(repo_id, auto_class) == parameters


@pytest.mark.parametrize("repo_id", ["google-t5/t5-small", "distilbert/distilbert-base-uncased"])
def test_a_model_with_no_text_generator_class_is_refused_with_the_classes_that_work(repo_id):
    from course_utils.model_sizes import NoModelClassError

    with pytest.raises(NoModelClassError, match="use one of: AutoModel, AutoModelFor"):
        memory.count_parameters_exactly(repo_id)


def test_every_stored_config_has_a_formula_or_a_working_exact_count():
    for repo_id in configs.available_configs():
        try:
            memory.estimate_parameters(repo_id)
        except memory.UnsupportedModelError:
            assert memory.count_parameters_exactly(repo_id, "AutoModel") > 0


def test_a_partial_config_whose_heads_do_not_divide_the_width_is_refused():
    with pytest.raises(ValueError, match="leaves each head 0 numbers wide"):
        memory.estimate_memory({"model_type": "mistral", "hidden_size": 10})


def test_missing_config_lists_the_stored_ones():
    with pytest.raises(configs.ConfigNotStoredError, match="meta-llama/Llama-2-7b") as caught:
        configs.load_config("meta-llama/Llama-2-7b")
    assert MISTRAL in str(caught.value)


def test_config_without_model_type_is_refused():
    with pytest.raises(ValueError, match="model_type"):
        memory.estimate_parameters({"hidden_size": 64})


def test_importing_the_module_does_not_import_torch():
    import subprocess
    import sys

    code = (
        "import sys, course_utils.memory; "
        "print('torch' in sys.modules, 'transformers' in sys.modules)"
    )
    output = subprocess.check_output([sys.executable, "-c", code], text=True)
    assert output.split() == ["False", "False"]


def test_memory_bars_stack_weights_and_kv_cache_against_device_lines():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_utils.plotting import plot_memory_bars

    estimates = [memory.estimate_memory(MISTRAL, d, context_length=8192) for d in ("bf16", "int4")]
    ax = plot_memory_bars(estimates, limits={"T4": 15.0, "RAM": 12.7}, title="Mistral")
    weights, kv_cache = ax.containers
    assert [bar.get_height() for bar in weights.patches] == pytest.approx(
        [e.weights / 2**30 for e in estimates]
    )
    assert [bar.get_y() for bar in kv_cache.patches] == pytest.approx(
        [e.weights / 2**30 for e in estimates]
    )
    assert [bar.get_height() for bar in kv_cache.patches] == pytest.approx([1.0, 1.0])
    assert sorted(line.get_ydata()[0] for line in ax.get_lines()) == [12.7, 15.0]
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["bf16", "int4"]
    plt.close(ax.figure)


def test_memory_bars_refuse_mismatched_labels():
    from course_utils.plotting import plot_memory_bars

    estimate = memory.estimate_memory("openai-community/gpt2", "fp32", 1024)
    with pytest.raises(ValueError, match="1 estimates"):
        plot_memory_bars([estimate], labels=["a", "b"])
    with pytest.raises(ValueError, match="No estimates"):
        plot_memory_bars([])


def test_best_dtype_exercise_judges_with_the_same_headroom_as_fits(capsys):
    from course_utils.exercises import check_best_dtype

    # Mistral, 8,192 tokens, free Colab's 12.7 GiB: bf16 needs 14.5 GiB, 17.4 with headroom;
    # int8 needs 9.3 with headroom and fits.
    assert check_best_dtype("int8", MISTRAL, context_length=8192, available_gib=12.7)
    assert "with headroom fits in 12.7 GiB" in capsys.readouterr().out
    assert not check_best_dtype("bf16", MISTRAL, context_length=8192, available_gib=12.7)
    needed = memory.estimate_memory(MISTRAL, "bf16", context_length=8192).needed_gib()
    assert f"needs {needed:.2f} GiB with headroom" in capsys.readouterr().out
    assert not check_best_dtype("int4", MISTRAL, context_length=8192, available_gib=12.7)
    assert "a more precise dtype fits too" in capsys.readouterr().out
