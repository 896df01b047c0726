"""Every notebook runs top to bottom offline (papermill), and what it computed is right.

The assertions are on values computed by each notebook's own run — read from its namespace after
the last cell by the hidden cell the harness appends (the names and expressions are in
``tests/notebook_values.py``) — never on printed text.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import nbformat
import pytest
from conftest import SEED_SENTENCE_IDS, ExecutedNotebook, notebook_paths
from notebook_values import VALUES


def check_00_setup(results: dict) -> None:
    assert results["offline"] is True
    assert results["token_ids"] == SEED_SENTENCE_IDS
    assert results["zoo_error_names_id"] is True
    assert results["versions"]["transformers"].split(".")[0] in {"4", "5"}


def check_01_variants(results: dict) -> None:
    assert results["families_check_passed"] is True
    assert results["causal_pairs"] == 9  # eight words, then EOS
    assert results["causal_mask_is_lower_triangular"] is True
    assert (
        results["causal_prefix_unaffected"] is True
    )  # changing a later token leaves earlier logits
    assert results["t5_sentinel_in_input"] is True
    assert 0 < results["t5_target_fraction"] < 0.35  # span corruption: short targets
    assert results["mlm_top_token"] == "away"  # "Once upon a time, in a land far [MASK]."


def check_02_pipelines(results: dict) -> None:
    expected = ["POSITIVE", "NEGATIVE", "POSITIVE", "NEGATIVE"]
    assert results["default_pipeline_labels"] == expected
    assert results["explicit_pipeline_labels"] == expected
    assert results["n_test_sentences"] >= 100
    assert results["heldout_accuracy"] >= 0.90
    assert results["manual_matches_pipeline"] is True
    assert results["empty_input_error"].startswith("empty texts at positions [1]")
    assert results["batched_vs_loop"] > 0  # the figure itself is `make bench`'s, on a quiet machine
    from importlib.metadata import version  # the kernel ran in this very environment

    major = int(version("transformers").split(".")[0])
    assert results["translation_pipeline_available"] == (major == 4)  # removed in transformers 5


def check_03_direct_loading(results: dict) -> None:
    assert results["input_ids"] == SEED_SENTENCE_IDS
    assert results["direct_label"] == results["pipeline_label"] == "POSITIVE"
    assert abs(sum(results["probabilities"]) - 1) < 1e-4
    assert results["mlm_top_token"] == "away"
    assert results["gpt2_text"].startswith("Once upon a time, in a land far away")
    assert len(results["gpt2_text"].split()) > 12
    assert results["t5_text"] == "Das Haus ist klein"


def check_04_bert_tasks(results: dict) -> None:
    untrained = results["untrained_accuracies"]
    assert len(untrained) == 5 and 0.3 <= sum(untrained) / 5 <= 0.7  # random heads: chance
    assert results["fine_tuned_accuracy"] >= 0.85 >= max(untrained) + 0.1
    assert results["ner_f1"] >= 0.85
    groups = results["ner_groups"]
    assert groups[0] == ["PER", "ORG", "LOC"]  # Freya Nasser, Kestrel Aerospace, Cape Town
    assert groups[1] == ["MISC", "LOC", "MISC"]  # Irish, Porto, Rugby World Cup
    from importlib.metadata import version  # the kernel ran in this very environment

    assert results["qa_pipeline_available"] == (version("transformers").split(".")[0] == "4")
    answers = results["helper_answers"]
    assert results["manual_answer"] == answers["Which instrument does Beatriz Ortiz play?"]
    assert answers["Which instrument does Beatriz Ortiz play?"] == "bassoon"
    assert answers["Where does Beatriz Ortiz live now?"] == "Adelaide"
    assert answers["When was Beatriz Ortiz born?"] is None  # not in the context: no answer
    assert answers["Who founded Meridian Ceramics?"] is None
    assert results["long_context_windows"] > 1
    assert results["long_context_beatriz_in_first_window"] is False  # truncation would miss it
    assert results["long_context_answer"] == "Adelaide"
    assert results["long_context_answer_from_beatriz"] is True  # her paragraph, not a filler one
    assert results["qa_scores"]["exact_match"] >= 0.8
    assert results["qa_scores"]["no_answer_accuracy"] >= 0.7
    # Next-sentence prediction's input: [CLS] A [SEP] B [SEP], segment 0 then segment 1.
    tokens, segments = results["nsp_tokens"], results["nsp_token_type_ids"]
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]" and tokens.count("[SEP]") == 2
    end_of_a = tokens.index("[SEP]") + 1
    assert segments == [0] * end_of_a + [1] * (len(tokens) - end_of_a)
    nsp = results["nsp_probabilities"]  # online only: the offline BERT's NSP head is untrained
    assert nsp is None or (len(nsp) == 2 and nsp[0] > nsp[1])  # true next sentence more likely
    # Constrained Viterbi (a CRF's decoding with hard IOB2 transitions) never writes O -> I-X.
    assert results["ner_viterbi_invalid_transitions"] == 0
    assert results["ner_argmax_invalid_transitions"] >= results["ner_viterbi_invalid_transitions"]
    assert results["ner_viterbi_f1"] >= results["ner_f1"] - 0.02


def check_05_gated_models(results: dict) -> None:
    # Counted on the meta device from the stored real config, and by formula: they must agree.
    assert results["n_params_meta"] == 7_248_023_552  # Mistral-7B-v0.3's published size
    assert results["n_params_formula"] == results["n_params_meta"]
    # The suite runs this notebook against its local Hub with the HF_TOKEN canary.
    assert results["token_source"] == "the environment variable"
    assert results["no_token_status"] == 401  # real GatedRepoError, no token sent
    assert results["logged_in_user"] == "course-learner"
    assert results["may_download"] is True  # auth_check with the token passed
    assert results["wrong_token_error"] == "TokenRejectedError"
    assert results["fits_here"] is True  # the stand-in's own config was estimated
    assert results["model_class"] == "MistralForCausalLM"
    assert results["chat_model_id"] == "mistralai/Mistral-7B-Instruct-v0.3"
    assert results["chat_prompt"].startswith("<s>[INST]")  # Mistral's own template
    _assert_a_story(results["answer"])


def _assert_a_story(answer: str) -> None:
    """At least 15 words, over 90 % of them plain words: a story, not noise."""
    words = answer.split()
    assert len(words) >= 15, answer
    assert sum(word.strip(".,!?'\"").isalpha() for word in words) / len(words) > 0.9, answer


@pytest.mark.parametrize("variant", ["05_gated_models.small_machine"])
def test_05_talks_to_smollm2_where_mistral_does_not_fit(variant, executed_notebooks):
    """Run with `free_memory_gib=0.0`: no download, and section 7 still has a chat model."""
    outcome = executed_notebooks[variant]
    assert isinstance(outcome, ExecutedNotebook), f"{variant} failed to execute:\n{outcome}"
    results = outcome.results
    assert results["may_download"] is True and results["fits_here"] is False
    assert results["model_class"] == "LlamaForCausalLM"
    assert results["chat_model_id"] == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert results["chat_model_parameters"] == 134_515_008  # the real model's count
    assert results["chat_prompt"].startswith("<|im_start|>system\n")  # ChatML, SmolLM2's own
    assert results["chat_prompt"].endswith("<|im_start|>assistant\n")
    _assert_a_story(results["answer"])


def check_06_bert_from_scratch(results: dict) -> None:
    # The from-scratch model reproduces HF BertModel with the real MiniLM weights, padding included.
    assert results["max_abs_diff"] <= 1e-4
    assert results["max_abs_diff_real_tokens"] <= 2e-5
    assert results["pooler_max_abs_diff"] <= 1e-4
    assert results["explicit_vs_sdpa_max_abs_diff"] <= 1e-4
    assert results["heads_explicit_vs_sdpa_max_abs_diff"] <= 1e-5  # one layer's heads, by hand
    assert results["padding_key_max_weight"] == 0.0  # the mask gives padding keys no weight
    assert results["padding_invariant"] is True
    assert results["unmasked_padding_leaks"] is True
    assert results["missing_key_error_names_key"] is True
    # torchinfo's input_data=(ids, types, mask) is a positional call: BertModel's order differs.
    assert results["bert_forward_order"] == ["input_ids", "attention_mask", "token_type_ids"]
    assert results["tuple_order_changes_output"] is True
    assert results["unused_after_load"] == []  # every checkpoint tensor found its place
    assert results["n_parameters"] == results["hf_n_parameters"] > 0
    assert results["previous_token_head_score"] > 0.9
    # nn.TransformerEncoder: matches with the right settings; the defaults' effects are visible.
    assert results["torch_encoder_max_abs_diff"] <= 1e-4
    # PyTorch's defaults (eps 1e-5): within 1e-4 at real tokens, yet above it over all positions.
    defaults_real, defaults_all = results["torch_encoder_pytorch_defaults_diff"]
    assert results["max_abs_diff_real_tokens"] < defaults_real <= 1e-4 < defaults_all
    assert results["torch_encoder_fast_path_zero_padding"] is True
    assert results["torch_encoder_tanh_gelu_diff"] > 1e-4
    assert results["sbert_match_max_abs_diff"] <= 1e-4
    assert results["paraphrase_ranked_first"] is True
    assert results["classifier_logits_shape"] == [results["n_reviews"], 2]
    speed = results["scratch_vs_hf_speed"]
    assert math.isfinite(speed) and speed > 0  # the figure itself is `make bench`'s
    assert results["exercises_unanswered"] == [None] * 10  # the exercise cells run unanswered


def check_08_gpt_from_scratch(results: dict) -> None:
    # The causal mask, without and with 3 cached tokens: query i (token P + i) sees keys 0 … P + i.
    assert results["causal_mask"] == [[int(j <= i) for j in range(6)] for i in range(6)]
    assert results["cache_mask"] == [[int(j <= 3 + i) for j in range(5)] for i in range(2)]
    # Explicit attention matrices, then the fused call; the cache changes nothing.
    assert results["explicit_vs_sdpa_max_abs_diff"] <= 1e-6
    assert results["attention_rows_sum_to_one"] is True
    assert results["attention_future_weights_zero"] is True
    assert results["attention_cache_matches"] is True
    # Post-LN normalises the block's output; pre-LN passes the grown residual stream through.
    assert abs(results["post_ln_std"] - 1) < 0.05
    assert results["pre_ln_std"] > results["block_input_std"] / 2 > results["post_ln_std"]
    assert results["causal_prefix_unchanged"] is True  # a later token leaves earlier logits alone
    assert results["hf_head_tied"] is True
    assert results["n_parameters"] == results["hf_n_parameters"] > 0  # tied: counted once
    assert results["max_abs_diff"] <= 1e-4  # the gpt2 checkpoint's weights, padded batch
    assert results["untransposed_diff"] > 100 * 1e-4  # the transpose trap shows in the logits
    n_layer, prompt_length = results["n_layer"], results["prompt_length"]
    assert results["n_layers_cached"] == n_layer
    batch, _, cached, _ = results["cache_shape"]
    assert (batch, cached) == (1, prompt_length)
    assert results["cache_shape_after_one_more"][2] == prompt_length + 1
    assert results["greedy_equals_hf"] is True  # exactly HF generate's tokens, with the cache
    assert results["uncached_equals_hf"] is True
    assert results["n_generated"] > 0
    # The uncached loop is timed over 100 tokens at most (each step reads the whole text).
    n_cached, n_uncached = results["timed_positions"]
    assert 0 < n_uncached <= min(n_cached, 100)
    # Timings: the figures themselves are `make bench`'s, measured on a quiet machine.
    assert math.isfinite(results["cache_speedup"]) and results["cache_speedup"] > 0
    assert (
        math.isfinite(results["scratch_vs_hf_generate"]) and results["scratch_vs_hf_generate"] > 0
    )
    # top_k_top_p on a toy vector: None keeps all, a k beyond the vocabulary too, top-p adapts.
    toy, toy_vocab = results["toy_filter_kept"], results["toy_vocab_size"]
    assert toy["top_k=None, top_p=None"] == toy["top_k=10, top_p=None"] == toy_vocab
    assert toy["top_k=2, top_p=None"] == 2
    assert 1 <= toy["top_k=None, top_p=0.9"] < toy_vocab
    kept, vocab_size = results["candidates_kept"], results["vocab_size"]
    assert kept["none"] == vocab_size and kept["top_k=50"] == min(50, vocab_size)
    assert 1 <= kept["top_p=0.95"] < vocab_size
    assert results["sampling_repeats"] is True  # a seeded generator repeats its draw
    assert results["n_sampled"] > 0
    assert results["exercises_unanswered"] == [None] * 5  # the exercise cells run unanswered


def check_07_text_generation(results: dict) -> None:
    assert results["typo_refused"] is True  # max_lenght is an error, not silently ignored
    assert 0 < results["max_length_new_tokens"] < 15  # max_length counted the prompt
    assert results["opt_prompt_starts_with_eos"] is True
    assert results["greedy_first_token_matches"] is True
    assert all(story.strip() for story in results["beam_and_greedy_stories"])
    # What generate applies when only do_sample=True is set: the 50 most likely tokens, raw scores.
    assert results["default_top_k"] == 50
    assert results["default_keeps_the_most_likely"] is True
    assert results["default_temperature_is_one"] is True
    assert results["top_k_0_keeps_all"] is True
    assert results["sampling_seed_repeats"] is True
    assert results["another_seed_differs"] is True
    assert results["temperature_zero_refused"] is True  # the library's ValueError, both versions
    assert results["temperature_without_sampling_is_greedy"] is True
    cold, normal, hot = results["temperature_entropies"]
    assert cold < normal < hot  # T < 1 sharpens, T > 1 flattens
    # Each filter built in the notebook equals what generate does with the same setting.
    assert results["generate_equals_filters"] == dict.fromkeys(
        ("temperature", "top_k", "top_p", "repetition_penalty"), True
    )
    assert results["top_k_kept"] == 5
    sizes, top = results["nucleus_sizes"], results["top_probability"]
    assert set(sizes) == set(top) and len(sizes) == 2
    certain, unsure = sorted(sizes, key=top.__getitem__, reverse=True)
    assert 1 <= sizes[certain] < sizes[unsure]  # top-p keeps fewer where the model is surer
    assert results["penalty_lowers_repeated_token"] is True
    # Greedy decoding repeats itself over the long text, and the penalty removes repetition.
    trigrams = results["distinct_trigrams"]
    assert 0 < trigrams["plain"] < trigrams["penalised"] <= 1
    rows = {row["model"]: row for row in results["decoders"]}
    assert len(rows) == 5 and all(row["text"] and row["parameters"] > 0 for row in rows.values())
    smollm2 = rows["HuggingFaceTB/SmolLM2-135M-Instruct"]  # the real weights, offline too
    assert smollm2["parameters"] == 134_515_008 and smollm2["context_length"] == 8192
    assert smollm2["positions"] == "rotary (RoPE)" and len(smollm2["text"].split()) >= 10
    assert rows["bigscience/bloom-560m"]["context_length"] is None  # ALiBi: no position table
    assert all(rows[m]["context_length"] > 0 for m in rows if "bloom" not in m)
    assert all(row["vocab_size"] >= row["tokenizer_size"] for row in rows.values())
    # GPT-2's checkpoint ships token ids only, no decoding setting (section 4 prints it).
    assert rows["openai-community/gpt2"]["decoding_defaults"] == {}


def check_12_sentence_embeddings(results: dict) -> None:
    rho = results["spearman"]
    bert_methods = [method for method in rho if method != "SBERT"]
    assert results["n_pairs"] >= 120
    assert len(bert_methods) == 3 and all(0 < value <= 1 for value in rho.values())
    # The acceptance criterion, from the computed figures: SBERT beats every BERT pooling.
    assert results["sbert_wins"] is True
    assert rho["SBERT"] > max(rho[method] for method in bert_methods)
    assert min(results["bootstrap_sbert_ahead"].values()) > 0.5  # ahead in most resamples
    # Mask-aware mean pooling is batch-independent; the plain .mean(dim=1) is not, and costs ρ.
    assert results["masked_mean_batch_drift"] < 1e-4 < results["unmasked_mean_batch_drift"]
    assert rho["BERT mean"] > rho["BERT mean, no mask"]
    assert results["sbert_by_hand_max_difference"] < 1e-5  # library == AutoModel + pooling
    assert results["sbert_cut_at_512_difference"] > 1e-3  # the library cuts at 256 word pieces
    # Failure cases: shared-word pairs ranked far above people's ranks by every method,
    # negation pairs above them by SBERT too.
    ranks = results["category_percentiles"]
    assert all(ranks["overlap"][m] > ranks["overlap"]["human"] + 0.1 for m in rho)
    assert ranks["negation"]["SBERT"] > ranks["negation"]["human"]
    # Semantic search, checked against each query's expected answer.
    quality, n_queries = results["search_quality"], results["n_queries"]
    assert n_queries >= 15
    assert quality["SBERT"]["top1"] >= 0.75 * n_queries
    assert quality["SBERT"]["top3"] >= 0.9 * n_queries
    assert quality["SBERT"]["top1"] >= max(q["top1"] for q in quality.values())
    # Why: anisotropy of raw BERT vectors, and SBERT's contrastive objective.
    unrelated = results["mean_cosine_different_topics"]
    assert abs(unrelated["SBERT"]) < 0.2 < min(unrelated[m] for m in bert_methods)
    in_batch = results["in_batch_paraphrase"]
    assert in_batch["SBERT"]["loss"] < min(in_batch[m]["loss"] for m in bert_methods)


def check_13_training_regimes(results: dict) -> None:
    few = results["few_shot_accuracies"]
    full, loop = results["full_accuracy"], results["loop_accuracy"]
    untrained, zero_shot = results["untrained_accuracy"], results["zero_shot_accuracy"]
    assert results["n_test"] >= 100
    assert results["few_shot_n_examples"] == 2 * results["few_shot_k"] < results["n_train"] / 10
    # The stratified draw is balanced, repeats with its seed and differs across seeds.
    assert results["few_shot_class_counts"] == [results["few_shot_k"]] * 2
    assert results["few_shot_draw_repeats"] is True and results["few_shot_draws_differ"] is True
    # trainer.predict: one row of 2 logits per test sentence, the test labels, and the same
    # accuracy as trainer.evaluate (both in evaluation mode, so deterministic).
    assert results["predict_shape"] == [results["n_test"], 2]
    assert results["predict_labels_are_test_labels"] is True
    assert results["evaluate_equals_predict"] is True
    assert 0.3 <= untrained <= 0.7  # a random head on a balanced test set: about chance
    assert zero_shot >= 0.6  # label descriptions alone, no training, clearly beat chance
    # Few-shot: 16 examples are memorised (loss near 0) by every draw ...
    assert len(few) >= 2 and len(results["few_shot_losses"]) == len(few)
    assert all(last < 0.2 < 0.6 < first for first, last in results["few_shot_losses"])
    # ... yet all the labelled data generalises clearly better, and far above chance.
    assert full >= 0.8 and full >= sum(few) / len(few) + 0.05 and full >= untrained + 0.2
    for name in ("full_losses", "loop_losses"):
        first, last = results[name]
        assert last < 0.7 * first, f"{name}: the training loss did not go down"
    # The plain PyTorch loop reproduces the Trainer run up to training noise.
    assert results["loop_curve_points"] == results["full_curve_points"] >= 5
    assert loop >= 0.8 and abs(loop - full) <= 0.08
    table = {row["regime"]: row for row in results["results_table"]}
    assert table["full fine-tuning, Trainer"]["held-out accuracy"] == full
    assert table["zero-shot (label descriptions)"]["labelled examples"] == 0
    assert table["full fine-tuning, plain loop"]["labelled examples"] == results["n_train"]


def check_15_model_sizes(results: dict) -> None:
    # Counted on the meta device from the stored real configs: the exact counts.
    counts = results["exact_counts"]
    assert len(counts) == 9  # BERT, GPT-2 and T5 in three sizes each
    assert counts["google-bert/bert-base-uncased"] == 109_482_240  # BertModel, with its pooler
    assert counts["openai-community/gpt2"] == 124_439_808  # GPT2LMHeadModel, head tied
    assert counts["google-t5/t5-small"] == 60_506_624  # T5ForConditionalGeneration, head tied
    assert counts["google-bert/bert-large-uncased"] == 335_141_888
    assert counts["openai-community/gpt2-large"] == 774_030_080
    assert counts["google-t5/t5-large"] == 737_668_096
    assert results["model_classes"]["google-t5/t5-small"] == "T5ForConditionalGeneration"
    assert results["model_classes"]["google-bert/bert-base-uncased"] == "BertModel"
    assert results["gpt2_head_tied"] is True
    # The papers' figures beside the counts: each explanation the notebook gives holds for the
    # counts it computed (the figures themselves are the papers', not the notebook's).
    from course_utils.configs import load_config

    paper, old_vocab = results["paper_millions"], results["old_vocab_counts"]
    assert results["gpt1_vocab"] == 40_478 and len(old_vocab) == 3
    for repo_id, n in old_vocab.items():  # GPT-2 with the original GPT's vocabulary
        config = load_config(repo_id)
        assert n == counts[repo_id] - (config.vocab_size - 40_478) * config.hidden_size
        assert round(n / 1e6) == paper[repo_id] != round(counts[repo_id] / 1e6), repo_id
    for repo_id, n in results["bert_pretraining_counts"].items():  # + MLM transform + NSP head
        config = load_config(repo_id)
        h, v = config.hidden_size, config.vocab_size
        assert n == counts[repo_id] + (h * h + h) + 2 * h + v + (2 * h + 2), repo_id
    assert round(results["bert_pretraining_counts"]["google-bert/bert-large-uncased"] / 1e6) == 336
    twice = results["t5_head_counted_twice"]
    for repo_id, n in twice.items():
        config = load_config(repo_id)
        assert n == counts[repo_id] + config.vocab_size * config.hidden_size, repo_id
    assert round(twice["google-t5/t5-large"] / 1e7) == paper["google-t5/t5-large"] / 10
    for repo_id in (
        "distilbert/distilbert-base-uncased",
        "google-bert/bert-base-uncased",
        "google-t5/t5-small",
    ):  # "agree to within about half a million"
        assert abs(counts[repo_id] / 1e6 - paper[repo_id]) < 0.6, repo_id
    # Bytes per dtype: 4, 2, 2, 1 and 1/2 per parameter.
    for repo_id, row in results["weights_bytes"].items():
        assert row["fp32"] == 4 * counts[repo_id] == 2 * row["bf16"] == 8 * row["int4"]
    # Every parameter in exactly one bucket; from small to large the embeddings' share falls
    # and the MLPs' share grows.
    breakdowns = results["breakdowns"]
    assert set(breakdowns) == set(counts)
    for repo_id, buckets in breakdowns.items():
        assert sum(buckets.values()) == counts[repo_id], repo_id
    for small, large in [
        ("distilbert/distilbert-base-uncased", "google-bert/bert-large-uncased"),
        ("openai-community/gpt2", "openai-community/gpt2-large"),
        ("google-t5/t5-small", "google-t5/t5-large"),
    ]:
        small_share = {k: n / counts[small] for k, n in breakdowns[small].items()}
        large_share = {k: n / counts[large] for k, n in breakdowns[large].items()}
        assert small_share["embeddings"] > 0.25 > 0.10 > large_share["embeddings"], small
        assert large_share["MLP"] > 0.5 > small_share["MLP"], large
    # GPT-2: the exact formula hits the count; 12·L·H² + V·H is within 1%.
    for repo_id, formula in results["gpt2_formula"].items():
        assert formula["exact"] == formula["course_utils"] == counts[repo_id]
        assert 0.99 < formula["approx"] / counts[repo_id] < 1
    # Class picking: model_type + task; T5 has no causal-LM class, and asking is a ValueError.
    assert results["gpt2_causal_lm_class"] == "GPT2LMHeadModel"
    assert results["gpt2_auto_model_class"] == "GPT2Model"
    table = {row["model"]: row for row in results["auto_class_table"]}
    assert table["T5-small"]["AutoModelForCausalLM"] is None
    assert table["T5-small"]["AutoModelForSeq2SeqLM"] == "T5ForConditionalGeneration"
    assert table["BERT-base"]["AutoModelForMaskedLM"] == "BertForMaskedLM"
    assert table["GPT-2"]["AutoModelForMaskedLM"] is None
    assert results["t5_causal_lm_error"] == "ValueError"
    assert results["t5_causal_lm_error_names_auto_class"] is True


def check_16_challenges(results: dict) -> None:
    # (a) a GRU beside self-attention. Only what the notebook states, with wide margins (best of
    # 3, one thread): 1,024 steps in a row are slower than one step over a batch of 1,024
    # (measured 2.6×), and the GRU's time grows with n (2048 vs 64 tokens: measured 31×). Which
    # of GRU and attention wins at a length depends on the machine; the notebook prints it.
    assert math.isfinite(results["gru_sequential_over_batched"])
    assert results["gru_sequential_over_batched"] > 1
    lengths = results["rnn_lengths"]
    assert lengths[:6] == [64, 128, 256, 512, 1024, 2048]
    for name in ("rnn_seconds", "rnn_attention_seconds"):
        assert len(results[name]) == len(lengths) and min(results[name]) > 0, name
    assert results["rnn_seconds"][5] > 8 * results["rnn_seconds"][0]
    # (b) self-attention: time ~ n² on the largest sizes, score memory = heads · n² · 4 bytes
    sizes = results["attention_sizes"]
    assert results["attention_fit_sizes"] == sizes[-5:] and sizes[-1] == 4096
    # The fitted exponents are timings: `make bench` reports them from a quiet machine.
    for name in ("attention_slope", "attention_short_slope", "attention_sdpa_slope"):
        assert math.isfinite(results[name]) and results[name] > 0, name
    expected = [results["attention_heads"] * n * n * 4 for n in sizes]
    assert results["score_bytes"] == expected == results["score_tensor_bytes"]
    # (c) attention maps of the real all-MiniLM-L6-v2
    layers, heads, queries, keys = results["attention_map_shape"]
    assert (layers, heads) == (6, 12) and queries == keys == results["attention_n_tokens"]
    assert results["attention_row_sum_error"] < 1e-4  # softmax rows sum to 1
    assert results["pattern_max"]["previous token"] > 0.9  # a previous-token head exists
    assert results["best_heads"]["previous token"] == [0, 2]  # real weights: same online
    for pattern in ("next token", "same word"):
        assert results["pattern_max"][pattern] > 3 * results["pattern_mean"][pattern]
    assert results["pattern_mean"]["[CLS]"] > 3 / queries  # heads park attention on [CLS]
    # (d) rollout against ablation, as the notebook describes them (real weights: same online)
    assert results["rollout_row_sum_error"] < 1e-5
    assert results["rollout_special_share"] > 0.5 > results["raw_special_share"]  # "most"
    assert results["ablation_tokens"] == queries - 2  # every token but [CLS] and [SEP]
    assert results["raw_agreement"] > results["rollout_agreement"] + 0.3  # "far more like"


def check_17_lora(results: dict) -> None:
    assert results["lora_share"] <= 0.02
    assert results["lora_share"] == pytest.approx(results["lora_trainable"] / results["lora_total"])
    assert results["lora_start_difference"] == 0  # B starts at zero: the base model, exactly
    before, after = results["domain_accuracy_before"], results["domain_accuracy_after"]
    assert after >= before + 0.1
    assert results["lora_losses"][1] < results["lora_losses"][0]
    assert results["general_accuracy_switched_off"] == results["general_accuracy_before"]
    assert results["adapter_mb"] < 0.05 * results["full_model_mb"]
    assert results["reload_difference"] < 1e-5 and results["unload_difference"] < 1e-5
    assert results["merge_difference"] < 1e-4
    assert results["merged_class"] == "DistilBertForSequenceClassification"


def check_10_encoder_decoder(results: dict) -> None:
    from importlib.metadata import version  # the kernel ran in this very environment

    major = int(version("transformers").split(".")[0])
    assert results["translation_pipeline_removed"] == (major >= 5)  # v5: a KeyError, caught
    tutorial = results["tutorial_translation"]
    assert tutorial["marian"].strip() and tutorial["marian"] != tutorial["source"]
    assert results["decoder_start_tokens"] == {"Marian": "<pad>", "BART": "</s>", "T5": "<pad>"}
    # Too long for BART: the library's IndexError untruncated, the text cut short with truncation.
    too_long = results["too_long"]
    assert too_long["error"].startswith("IndexError")
    assert too_long["tokens"] > too_long["truncated_to"] == too_long["tokenizer_limit"]
    chunks = results["chunks"]
    assert len(chunks["lengths"]) >= 2 and max(chunks["lengths"]) <= chunks["limit"]
    assert chunks["joined_equals_text"] is True
    # Translation of 100 held-out pairs (quick), measured: Marian chrF 97.7 (90 % exact);
    # copying the English scores 14.6, German of the wrong sentence 13.2. Marian > 85 / 60 % (as
    # tests/test_seq2seq.py) needs most words right, with room for a slightly worse retrained model.
    baselines = results["chrf_baselines"]
    assert max(baselines["copy the English"], baselines["German of the wrong sentence"]) < 30
    marian = results["marian_translation"]
    assert marian["n"] >= 100
    assert marian["chrf"] > 85 and marian["exact"] > 0.6
    fixed = results["fixed_sentence"]
    assert fixed["marian"] == fixed["reference"] == "Am Samstag nimmt er diesen Zug"
    # BART's lengths are bounded by each article: every summary is shorter than its article.
    example = results["summary_example"]
    bounds = example["bounds"]
    assert bounds["min_length"] < bounds["max_length"] < example["article_tokens"]
    assert example["bounded_tokens"] < example["article_tokens"]
    lengths = results["summary_lengths"]
    assert len(lengths) == 2 * results["bart_scores"]["test"]["n"]
    for row in lengths:
        assert row["max_length"] < row["article_tokens"], row
        assert row["summary_tokens"] < row["article_tokens"], row
        assert row["summary_words"] < row["article_words"], row
    assert results["summaries_shorter"] == [True, True]
    # Summaries of 40 articles per split (quick), bounded, measured: BART fact recall 0.56 on test
    # and 0.08 on unseen (new names), where 95 % of its summaries invent a name (test: 32 %).
    bart = results["bart_scores"]
    assert bart["test"]["n"] >= 40 and bart["test"]["fact_recall"] > 0.4
    assert bart["test"]["fact_recall"] > bart["unseen"]["fact_recall"] + 0.2
    assert bart["unseen"]["invented_name"] > bart["test"]["invented_name"] + 0.3
    assert results["bart_settings"]["num_beams"] > 1
    assert results["bart_settings"]["no_repeat_ngram_size"] == 3
    # Cross-attention of Marian writing its translation of the fixed sentence.
    attention = results["cross_attention"]
    assert attention["shape"] == [len(attention["target_tokens"]), len(attention["source_tokens"])]
    assert attention["source_tokens"][-1] == attention["target_tokens"][-1] == "</s>"
    assert all(abs(total - 1) < 1e-4 for total in attention["row_sums"])
    reads_most = dict(results["cross_attention_reads_most"])  # the text's diagonal examples
    assert reads_most["▁Samstag"] == "▁Saturday" and reads_most["▁Zug"] == "▁train"
    step = results["cross_attention_step"]
    assert step["target"].lstrip("▁").startswith("nimm")  # verb-second "nimmt" …
    assert step["looks_at"].lstrip("▁") == "take" and step["weight"] > 0.4  # … reads "take(s)"
    assert results["exercises_unanswered"] == [None] * 3  # the exercise cells run unanswered


def check_11_text_to_text(results: dict) -> None:
    assert len(results["t5_three_tasks"]) == 3 and all(results["t5_three_tasks"])
    # Translation of 100 held-out pairs (quick), measured: T5 chrF 91.2 (72 % exact), Marian 97.5.
    # T5 > 60 / 30 % (as tests/test_seq2seq.py) needs most words right.
    t5 = results["t5_translation"]
    assert t5["n"] >= 100 and t5["chrf"] > 60 and t5["exact"] > 0.3
    scores = results["translation_scores"]
    assert scores["Marian (one pair)"] > 85 and scores["copy the English"] < 30
    assert scores["T5 (many tasks)"] == t5["chrf"]
    # The same T5 summarises and answers (one model, three prefixes). Measured on the quick
    # samples: summary fact recall 0.73; answers 13 % exact overall, 70 % of the 10 "How many …"
    # questions, whose numbers it copies from the context.
    assert results["t5_summary_scores"]["fact_recall"] > 0.4
    assert results["t5_summary_scores"]["n"] == 40
    assert 0 <= results["t5_no_repeat_fact_recall"] <= 1
    t5_qa = results["t5_qa"]
    assert t5_qa["n"] >= 100 and t5_qa["exact_match"] > 0.05 and t5_qa["how_many_exact"] > 0.4
    same_article = results["t5_same_article"]  # held-out article, two prefixes, two tasks
    assert "Quinium Energy" in same_article["summarize"] and "450" in same_article["summarize"]
    assert same_article["question"] == "450"
    # SST-2 as text: the input is built offline too; t5-small runs online only.
    inputs, expected = results["sst2_inputs"], results["sst2_expected"]
    assert len(inputs) == len(expected) == 6
    assert all(text.startswith("sst2 sentence: ") for text in inputs)
    assert sorted(expected) == ["negative"] * 3 + ["positive"] * 3
    assert results["sst2_skipped"] is True  # offline: never tries to load t5-small
    assert results["exercises_unanswered"] == [None] * 3  # the exercise cells run unanswered


def check_19_chatbot(results: dict) -> None:
    prompt = results["prompt_text"]  # ChatML with the default system prompt and the cue
    assert prompt.startswith("<|im_start|>system\n")
    assert "<|im_start|>user\nWhat is BERT?<|im_end|>\n" in prompt
    assert prompt.endswith("<|im_start|>assistant\n")
    ids = results["special_ids"]
    assert len(set(ids.values())) == 2 and results["eos_token"] == "<|im_end|>"
    first, follow = results["reply_1"], results["reply_2_with_history"]
    assert "BERT" in first and "<|im" not in first
    assert results["history_roles"] == ["user", "assistant", "user", "assistant"]
    assert "BERT" in follow  # "What is it good for?" answered about BERT, from the history
    assert results["reply_2_without_history"] != follow
    assert results["stream_pieces"] > 1 and results["streamed_equals_greedy"] is True
    samples = results["temperature_samples"]
    assert len(set(samples["0.0"])) == 1 and len(set(samples["1.0"])) > 1
    # generate itself refuses temperature 0 with sampling, and says to use do_sample=False
    assert "strictly positive" in results["temperature_zero_error"]
    assert "do_sample=False" in results["temperature_zero_error"]
    brief, default = results["brief_reply"], results["default_reply"]
    assert brief != default and "BERT" in brief  # the system prompt changed the reply
    assert results["decoding_shipped"] == {}  # so generate's own defaults apply when sampling
    injection = results["injection_control_tokens"]  # the typed <|im_end|>, <|im_start|>
    assert injection["default"] == injection["sanitized"] + 2
    trim = results["trim"]
    assert trim["tokens_after"] <= trim["budget"] < trim["tokens_before"]
    assert trim["messages_after"] < trim["messages_before"]
    assert trim["kept_system"] is True and trim["kept_last"] is True
    assert trim["kept_newest"] is True  # what was dropped is the oldest turns
    assert results["backend_equals_own_greedy"] is True  # LocalBackend packages the same calls
    assert results["backend_sample_is_own_draw"] is True  # and samples the same way
    assert results["key_hidden"] is True
    expected = "skipped: offline" if results["key_found"] else "skipped: no key"
    assert results["openai_cell"] == expected  # offline: never tries the network,
    assert results["openai_backend_cell"] == expected  # neither with the client nor the backend


CHECKS: dict[str, Callable[[dict], None]] = {
    "00_setup": check_00_setup,
    "01_variants": check_01_variants,
    "02_pipelines": check_02_pipelines,
    "03_direct_loading": check_03_direct_loading,
    "04_bert_tasks": check_04_bert_tasks,
    "05_gated_models": check_05_gated_models,
    "06_bert_from_scratch": check_06_bert_from_scratch,
    "07_text_generation": check_07_text_generation,
    "08_gpt_from_scratch": check_08_gpt_from_scratch,
    "10_encoder_decoder": check_10_encoder_decoder,
    "11_text_to_text": check_11_text_to_text,
    "12_sentence_embeddings": check_12_sentence_embeddings,
    "13_training_regimes": check_13_training_regimes,
    "15_model_sizes": check_15_model_sizes,
    "16_challenges": check_16_challenges,
    "17_lora": check_17_lora,
    "19_chatbot": check_19_chatbot,
}


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_notebook_runs_and_computes_correct_values(path, executed_notebooks):
    outcome = executed_notebooks[path.stem]
    assert isinstance(outcome, ExecutedNotebook), f"{path.name} failed to execute:\n{outcome}"
    assert path.stem in CHECKS, f"{path.name} has no result checks in tests/test_notebooks.py"
    failed = {
        name: value["collect_error"]
        for name, value in outcome.results.items()
        if isinstance(value, dict) and "collect_error" in value
    }
    assert not failed, f"{path.name}: values the notebook did not compute: {failed}"
    assert set(outcome.results) == set(VALUES[path.stem]), f"{path.name}: no values collected"
    CHECKS[path.stem](outcome.results)


def test_the_collecting_cell_reads_the_notebook_namespace_and_reports_failures(tmp_path):
    import json

    import torch
    from conftest import COLLECT_TAG, with_collecting_cell

    source = tmp_path / "01_variants.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), source)
    target = tmp_path / "values.json"
    cell = with_collecting_cell(source, target).cells[-1]
    assert COLLECT_TAG in cell.metadata["tags"]
    namespace = {"verdicts": [], "word_pairs": [1, 2], "top_tokens": (torch.tensor(3),)}
    exec(cell.source, namespace)
    values = json.loads(target.read_text())
    assert values["causal_pairs"] == 2 and values["mlm_top_token"] == 3
    assert values["families_check_passed"] is True  # all([]) of the empty verdicts
    assert "NameError" in values["causal_mask_is_lower_triangular"]["collect_error"]
    assert "_collect_values" not in namespace  # the cell leaves no name behind


def test_every_notebook_has_checks_and_values():
    stems = {path.stem for path in notebook_paths()}
    assert set(CHECKS) == set(VALUES) == stems
