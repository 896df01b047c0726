"""Benchmark figures of the course; the last line printed is one JSON object.

- import_s: cold ``import course_utils`` in a fresh interpreter (best of 5).
- zoo_warm_s: ``python -m course_utils.zoo build`` when nothing changed (best of 3).
- batched_vs_loop: one batched sentiment-pipeline call on 256 sentences (batch_size=32) versus
  a Python loop of 256 single calls, same model, as a speed-up factor. The sentences are the
  held-out split, cycled: real, short and of mixed length, so batches carry much padding.
- batched_sorted_vs_loop: the same batched call with the sentences sorted by length first
  (notebook 02 teaches why), for comparison.

Run with ``make bench`` (offline, so the sentiment model is the zoo's stand-in).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

N_SENTENCES = 256
BATCH_SIZE = 32


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


def main() -> None:
    import_s = cold_import_seconds()
    print(f"cold import course_utils: {import_s:.3f} s")
    zoo_warm_s = warm_zoo_seconds()
    print(f"warm zoo build: {zoo_warm_s:.2f} s")
    speedup, batched, loop, sorted_speedup = batched_vs_loop()
    print(f"{N_SENTENCES} sentences: batched {batched:.2f} s, loop {loop:.2f} s → ×{speedup:.2f}")
    print(
        json.dumps(
            {
                "import_s": round(import_s, 4),
                "zoo_warm_s": round(zoo_warm_s, 3),
                "batched_vs_loop": round(speedup, 2),
                "batched_sorted_vs_loop": round(sorted_speedup, 2),
                "batched_s": round(batched, 3),
                "loop_s": round(loop, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
