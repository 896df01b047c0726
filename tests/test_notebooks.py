"""Every notebook runs top to bottom offline (papermill), and what it computed is right.

The assertions are on values each notebook records with ``course_utils.record`` — computed by the
models in the notebook — never on printed text.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import SEED_SENTENCE_IDS, ExecutedNotebook, notebook_paths


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


CHECKS: dict[str, Callable[[dict], None]] = {
    "00_setup": check_00_setup,
    "01_variants": check_01_variants,
    "02_pipelines": check_02_pipelines,
    "03_direct_loading": check_03_direct_loading,
}


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_notebook_runs_and_records_correct_results(path, executed_notebooks):
    outcome = executed_notebooks[path.stem]
    assert isinstance(outcome, ExecutedNotebook), f"{path.name} failed to execute:\n{outcome}"
    assert path.stem in CHECKS, f"{path.name} has no result checks in tests/test_notebooks.py"
    assert outcome.results, f"{path.name} recorded no results"
    CHECKS[path.stem](outcome.results)
