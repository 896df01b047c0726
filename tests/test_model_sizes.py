"""Model sizes: exact counts from the stored configs, where the parameters live, class picking."""

from __future__ import annotations

import pytest

from course_utils import configs, memory, model_sizes
from course_utils.errors import CourseError

# Exact counts of the classes whose sizes are usually quoted (built from the stored config on
# the meta device), not the papers' rounded figures, which notebook 15 compares with these.
# BERT's count is BertModel *with* its pooler; GPT-2's and T5's heads are tied.
EXACT = {
    "distilbert/distilbert-base-uncased": ("AutoModel", "DistilBertModel", 66_362_880),
    "google-bert/bert-base-uncased": ("AutoModel", "BertModel", 109_482_240),
    "google-bert/bert-large-uncased": ("AutoModel", "BertModel", 335_141_888),
    "openai-community/gpt2": ("AutoModelForCausalLM", "GPT2LMHeadModel", 124_439_808),
    "openai-community/gpt2-medium": ("AutoModelForCausalLM", "GPT2LMHeadModel", 354_823_168),
    "openai-community/gpt2-large": ("AutoModelForCausalLM", "GPT2LMHeadModel", 774_030_080),
    "google-t5/t5-small": ("AutoModelForSeq2SeqLM", "T5ForConditionalGeneration", 60_506_624),
    "google-t5/t5-base": ("AutoModelForSeq2SeqLM", "T5ForConditionalGeneration", 222_903_552),
    "google-t5/t5-large": ("AutoModelForSeq2SeqLM", "T5ForConditionalGeneration", 737_668_096),
}
# The class each stored model's size is usually quoted for, by model_type.
AUTO_FOR_TYPE = {"bert": "AutoModel", "distilbert": "AutoModel", "t5": "AutoModelForSeq2SeqLM"}


def _auto_class_for(repo_id: str) -> str:
    return AUTO_FOR_TYPE.get(configs.load_config(repo_id).model_type, "AutoModelForCausalLM")


# --------------------------------------------------------------------------------------------
# Exact counts


def test_the_three_acceptance_sizes_exactly():
    assert model_sizes.count_parameters("google-bert/bert-base-uncased") == 109_482_240
    assert model_sizes.count_parameters("openai-community/gpt2", "AutoModelForCausalLM") == (
        124_439_808
    )
    assert model_sizes.count_parameters("google-t5/t5-small", "AutoModelForSeq2SeqLM") == (
        60_506_624
    )


@pytest.mark.parametrize("repo_id", sorted(EXACT))
def test_exact_size_and_class(repo_id):
    auto_class, class_name, size = EXACT[repo_id]
    model = model_sizes.build_on_meta(repo_id, auto_class)
    assert type(model).__name__ == class_name
    assert sum(p.numel() for p in model.parameters()) == size
    assert model_sizes.count_parameters(repo_id, auto_class) == size


def test_every_model_of_the_notebook_is_stored():
    assert set(EXACT) <= set(configs.available_configs())


def test_models_are_built_on_the_meta_device():
    model = model_sizes.build_on_meta("google-t5/t5-large", "AutoModelForSeq2SeqLM")
    assert {p.device.type for p in model.parameters()} == {"meta"}


def test_tied_heads_are_counted_once():
    """GPT-2 and T5: the full LM equals the bare model, because the head is the embedding."""
    gpt2 = model_sizes.build_on_meta("openai-community/gpt2", "AutoModelForCausalLM")
    assert gpt2.lm_head.weight is gpt2.transformer.wte.weight
    for repo_id, full in [
        ("openai-community/gpt2", "AutoModelForCausalLM"),
        ("google-t5/t5-small", "AutoModelForSeq2SeqLM"),
    ]:
        assert model_sizes.count_parameters(repo_id, full) == model_sizes.count_parameters(repo_id)


def test_causal_lm_count_agrees_with_memory_module():
    for repo_id in ("openai-community/gpt2", "openai-community/gpt2-large"):
        assert model_sizes.count_parameters(
            repo_id, "AutoModelForCausalLM"
        ) == memory.count_parameters_exactly(repo_id)


def test_bert_masked_lm_drops_the_pooler_and_adds_a_head():
    config = configs.load_config("google-bert/bert-base-uncased")
    h, v = config.hidden_size, config.vocab_size
    base = model_sizes.count_parameters(config, "AutoModel")
    mlm = model_sizes.count_parameters(config, "AutoModelForMaskedLM")
    # - pooler (h*h + h) + transform (h*h + h) + LayerNorm (2h) + output bias (v)
    assert mlm - base == 2 * h + v == 32_058


def test_a_config_dict_gives_the_same_count():
    import json

    path = configs.configs_dir() / "google-t5--t5-small.json"
    values = json.loads(path.read_text(encoding="utf-8"))
    assert model_sizes.count_parameters(values, "AutoModelForSeq2SeqLM") == 60_506_624


# --------------------------------------------------------------------------------------------
# Where the parameters live


@pytest.mark.parametrize("repo_id", configs.available_configs())
def test_buckets_sum_to_the_total_for_every_stored_config(repo_id):
    auto_class = _auto_class_for(repo_id)
    model = model_sizes.build_on_meta(repo_id, auto_class)
    buckets = model_sizes.parameter_breakdown(model)
    assert sum(buckets.values()) == sum(p.numel() for p in model.parameters())
    assert list(buckets) == list(model_sizes.BUCKETS)  # no "other": every rule matched
    assert all(count >= 0 for count in buckets.values())
    assert buckets["attention"] > 0 and buckets["MLP"] > 0 and buckets["embeddings"] > 0


@pytest.mark.parametrize(
    "repo_id",
    ["openai-community/gpt2", "openai-community/gpt2-medium", "openai-community/gpt2-large"],
)
def test_gpt2_buckets_match_the_formula(repo_id):
    config = configs.load_config(repo_id)
    v, p, h, n_layers = config.vocab_size, config.n_positions, config.n_embd, config.n_layer
    buckets = model_sizes.parameter_breakdown(config, "AutoModelForCausalLM")
    assert buckets == {
        "embeddings": (v + p) * h,
        "attention": n_layers * (4 * h * h + 4 * h),
        "MLP": n_layers * (8 * h * h + 5 * h),
        "layer norms": (2 * n_layers + 1) * 2 * h,
        "head & pooler": 0,  # tied: the head is the token embedding
    }


def test_bert_buckets_match_the_formula():
    config = configs.load_config("google-bert/bert-base-uncased")
    v, p, h = config.vocab_size, config.max_position_embeddings, config.hidden_size
    n_layers, types = config.num_hidden_layers, config.type_vocab_size
    buckets = model_sizes.parameter_breakdown(config)
    assert buckets["embeddings"] == (v + p + types) * h
    assert buckets["attention"] == n_layers * 4 * (h * h + h)
    assert buckets["layer norms"] == (2 * n_layers + 1) * 2 * h  # + the embeddings' LayerNorm
    assert buckets["head & pooler"] == h * h + h  # the pooler
    mlm = model_sizes.parameter_breakdown(config, "AutoModelForMaskedLM")
    assert mlm["head & pooler"] == (h * h + h) + 2 * h + v  # transform, LayerNorm, output bias
    assert mlm["embeddings"] == buckets["embeddings"]  # the tied decoder weight is not a head


def test_t5_attention_includes_cross_attention_and_relative_bias():
    config = configs.load_config("google-t5/t5-small")
    h, heads, n_layers = config.d_model, config.num_heads, config.num_layers
    buckets = model_sizes.parameter_breakdown(config, "AutoModelForSeq2SeqLM")
    projections = 4 * h * (heads * config.d_kv)  # q, k, v, o without bias
    relative_bias = 2 * config.relative_attention_num_buckets * heads  # one table per stack
    assert buckets["attention"] == n_layers * projections * 3 + relative_bias  # enc 1, dec 2
    assert buckets["MLP"] == 2 * n_layers * 2 * h * config.d_ff
    assert buckets["embeddings"] == config.vocab_size * h  # shared by encoder, decoder, head
    assert buckets["head & pooler"] == 0


def test_an_untied_head_is_counted_as_head():
    config = configs.load_config("openai-community/gpt2")
    config.tie_word_embeddings = False
    buckets = model_sizes.parameter_breakdown(config, "AutoModelForCausalLM")
    assert buckets["head & pooler"] == config.vocab_size * config.n_embd
    mistral = model_sizes.parameter_breakdown(
        "mistralai/Mistral-7B-Instruct-v0.3", "AutoModelForCausalLM"
    )
    assert mistral["head & pooler"] == 32768 * 4096


def test_embeddings_share_falls_and_mlp_share_grows_with_size():
    families = [
        ("distilbert/distilbert-base-uncased", "google-bert/bert-large-uncased"),
        ("openai-community/gpt2", "openai-community/gpt2-large"),
        ("google-t5/t5-small", "google-t5/t5-large"),
    ]
    for small, large in families:
        small_share = model_sizes.shares(
            model_sizes.parameter_breakdown(small, _auto_class_for(small))
        )
        large_share = model_sizes.shares(
            model_sizes.parameter_breakdown(large, _auto_class_for(large))
        )
        assert small_share["embeddings"] > 0.25 > 0.10 > large_share["embeddings"], small
        assert large_share["MLP"] > 0.5 > small_share["MLP"], large


def test_an_unknown_layout_lands_in_other_and_still_sums():
    """OPT-350m projects its 512-wide embeddings to 1024: project_in/out match no rule."""
    from transformers import AutoConfig

    config = AutoConfig.for_model(
        "opt",
        vocab_size=1000,
        hidden_size=64,
        word_embed_proj_dim=32,
        ffn_dim=256,
        num_hidden_layers=2,
        num_attention_heads=4,
        max_position_embeddings=128,
        do_layer_norm_before=False,
    )
    model = model_sizes.build_on_meta(config, "AutoModelForCausalLM")
    buckets = model_sizes.parameter_breakdown(model)
    assert buckets[model_sizes.OTHER] == 2 * 64 * 32
    assert sum(buckets.values()) == sum(p.numel() for p in model.parameters())


def test_shares_sum_to_one_and_refuse_zero():
    fractions = model_sizes.shares({"a": 1, "b": 3})
    assert fractions == {"a": 0.25, "b": 0.75}
    with pytest.raises(ValueError, match="zero"):
        model_sizes.shares({"a": 0})


# --------------------------------------------------------------------------------------------
# How the auto classes pick a class


def test_auto_class_table_for_the_three_families():
    rows = model_sizes.auto_class_table(
        ["google-bert/bert-base-uncased", "openai-community/gpt2", "google-t5/t5-small"]
    )
    bert, gpt2, t5 = rows
    assert bert["model"] == "google-bert/bert-base-uncased"
    assert (bert["model_type"], bert["AutoConfig"]) == ("bert", "BertConfig")
    assert bert["AutoModelForMaskedLM"] == "BertForMaskedLM"
    assert bert["AutoModelForCausalLM"] == "BertLMHeadModel"  # exists, though BERT is no decoder
    assert bert["AutoModelForSeq2SeqLM"] is None
    assert gpt2["AutoModel"] == "GPT2Model"
    assert gpt2["AutoModelForCausalLM"] == "GPT2LMHeadModel"
    assert gpt2["AutoModelForMaskedLM"] is None
    assert t5["AutoConfig"] == "T5Config"
    assert t5["AutoModelForCausalLM"] is None
    assert t5["AutoModelForSeq2SeqLM"] == "T5ForConditionalGeneration"
    assert set(t5) == {"model", "model_type", "AutoConfig", *model_sizes.AUTO_CLASSES}


def test_auto_class_table_takes_labels_and_other_auto_classes():
    config = configs.load_config("distilbert/distilbert-base-uncased")
    (row,) = model_sizes.auto_class_table(
        {"DistilBERT": config}, ["AutoModelForSequenceClassification"]
    )
    assert row["model"] == "DistilBERT"
    assert row["AutoModelForSequenceClassification"] == "DistilBertForSequenceClassification"


def test_the_table_matches_what_from_config_builds():
    for repo_id in ("google-bert/bert-base-uncased", "google-t5/t5-small"):
        (row,) = model_sizes.auto_class_table([repo_id])
        for name in model_sizes.AUTO_CLASSES:
            if row[name] is not None:
                assert type(model_sizes.build_on_meta(repo_id, name)).__name__ == row[name]


def test_a_missing_combination_says_which_auto_classes_work():
    assert model_sizes.model_class_for("google-t5/t5-small", "AutoModelForCausalLM") is None
    with pytest.raises(model_sizes.NoModelClassError, match="'t5'") as caught:
        model_sizes.build_on_meta("google-t5/t5-small", "AutoModelForCausalLM")
    assert isinstance(caught.value, CourseError) and isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert "AutoModelForSeq2SeqLM" in message and "AutoModel," in message
    assert "AutoModelForMaskedLM" not in message


@pytest.mark.parametrize("name", ["AutoModelForTranslation", "automodel", "AutoConfig", ""])
def test_unknown_auto_class_is_refused_clearly(name):
    with pytest.raises(model_sizes.UnknownAutoClassError, match="is not an AutoModel class") as c:
        model_sizes.count_parameters("openai-community/gpt2", name)
    assert isinstance(c.value, CourseError)
    for known in model_sizes.AUTO_CLASSES:
        assert known in str(c.value)
    with pytest.raises(model_sizes.UnknownAutoClassError):
        model_sizes.auto_class_table(["openai-community/gpt2"], ["AutoModel", name])


def test_removed_auto_model_with_lm_head_points_to_its_replacements():
    from importlib.metadata import version

    if int(version("transformers").split(".")[0]) < 5:
        assert model_sizes.model_class_for("openai-community/gpt2", "AutoModelWithLMHead")
        return
    with pytest.raises(model_sizes.UnknownAutoClassError, match="transformers 5 removed it"):
        model_sizes.build_on_meta("openai-community/gpt2", "AutoModelWithLMHead")


def test_unknown_config_id_lists_the_stored_ones():
    with pytest.raises(configs.ConfigNotStoredError, match="google-t5/t5-smal'") as caught:
        model_sizes.count_parameters("google-t5/t5-smal")
    assert "google-t5/t5-small" in str(caught.value)
    with pytest.raises(configs.ConfigNotStoredError):
        model_sizes.auto_class_table(["google-t5/t5-xxl"])


def test_a_non_config_is_refused():
    with pytest.raises(TypeError, match="Expected a transformers config"):
        model_sizes.parameter_breakdown(42)


# --------------------------------------------------------------------------------------------
# Plot and import cost


def test_plot_stacks_the_buckets_and_groups_families():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    breakdowns = {
        "a": {"embeddings": 30, "attention": 20, "MLP": 50, "layer norms": 0, "head & pooler": 0},
        "b": {"embeddings": 10, "attention": 30, "MLP": 60, "layer norms": 0, "head & pooler": 0},
        "c": {"embeddings": 5, "attention": 35, "MLP": 160, "layer norms": 0, "head & pooler": 0},
    }
    left, right = model_sizes.plot_parameter_breakdown(breakdowns, group_size=2)
    # Only buckets with parameters are drawn: embeddings, attention, MLP.
    assert len(left.containers) == len(right.containers) == 3
    embeddings, attention, mlp = right.containers
    assert [bar.get_height() for bar in embeddings.patches] == pytest.approx([30, 10, 2.5])
    assert [bar.get_y() for bar in mlp.patches] == pytest.approx([50, 40, 20])
    assert [bar.get_height() for bar in left.containers[2].patches] == pytest.approx(
        [50e-6, 60e-6, 160e-6]
    )
    x = [bar.get_x() for bar in embeddings.patches]
    assert x[1] - x[0] == pytest.approx(1.0) and x[2] - x[1] == pytest.approx(1.6)  # a gap
    assert [t.get_text() for t in left.get_xticklabels()] == ["a", "b", "c"]
    assert {t.get_text() for t in right.get_legend().get_texts()} == {
        "embeddings",
        "attention",
        "MLP",
    }
    plt.close(left.figure)


def test_plot_refuses_bad_input():
    with pytest.raises(ValueError, match="No breakdowns"):
        model_sizes.plot_parameter_breakdown({})
    with pytest.raises(ValueError, match="at least one parameter"):
        model_sizes.plot_parameter_breakdown({"empty": {"MLP": 0}})
    with pytest.raises(ValueError, match="group_size"):
        model_sizes.plot_parameter_breakdown({"a": {"MLP": 1}}, group_size=0)


def test_importing_the_module_does_not_import_torch():
    import subprocess
    import sys

    code = (
        "import sys, course_utils; course_utils.model_sizes; "
        "print('torch' in sys.modules, 'transformers' in sys.modules, 'matplotlib' in sys.modules)"
    )
    output = subprocess.check_output([sys.executable, "-c", code], text=True)
    assert output.split() == ["False", "False", "False"]
