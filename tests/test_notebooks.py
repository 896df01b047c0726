"""Every notebook runs top to bottom offline (papermill), and what it computed is right.

The assertions are on values each notebook records with ``course_utils.record`` — computed by the
models in the notebook — never on printed text.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import ExecutedNotebook, notebook_paths

SEED_SENTENCE_IDS = [101, 1045, 3866, 4083, 17662, 12172, 2651, 102]


def check_00_setup(results: dict) -> None:
    assert results["offline"] is True
    assert results["token_ids"] == SEED_SENTENCE_IDS
    assert results["zoo_error_names_id"] is True
    assert results["versions"]["transformers"].split(".")[0] in {"4", "5"}


def check_01_variants(results: dict) -> None:
    assert results["families_check_passed"] is True
    assert results["causal_pairs"] == 9  # eight words, then EOS
    assert results["causal_mask_is_lower_triangular"] is True
    assert results["causal_prefix_unaffected"] is True  # changing a later token leaves earlier logits
    assert results["t5_sentinel_in_input"] is True
    assert 0 < results["t5_target_fraction"] < 0.35  # span corruption: short targets
    assert results["mlm_top_token"] == "away"  # "Once upon a time, in a land far [MASK]."


CHECKS: dict[str, Callable[[dict], None]] = {
    "00_setup": check_00_setup,
    "01_variants": check_01_variants,
}


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_notebook_runs_and_records_correct_results(path, executed_notebooks):
    outcome = executed_notebooks[path.stem]
    assert isinstance(outcome, ExecutedNotebook), f"{path.name} failed to execute:\n{outcome}"
    assert path.stem in CHECKS, f"{path.name} has no result checks in tests/test_notebooks.py"
    assert outcome.results, f"{path.name} recorded no results"
    CHECKS[path.stem](outcome.results)
