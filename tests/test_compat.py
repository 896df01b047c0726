"""The same stand-in gives the same output on transformers 4.57.x and 5.x.

The transformers 4 zoo is ported from the 5.x builds (course_utils/zoo/port.py), so every
stand-in must tokenize, score and generate (greedy and beam search) identically in the two
environments. ``make test-compat`` runs this with both: ``.venv`` (5.x) and ``.venv-compat``
(4.57); in ``make test`` alone the 4.57 environment may not exist yet.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
from importlib.metadata import version

import pytest
from conftest import REPO

ENVIRONMENTS = {"5": REPO / ".venv", "4": REPO / ".venv-compat"}


def _probe(environment) -> dict:  # environment: a Path
    python = environment / "bin" / "python"
    result = subprocess.run(
        [str(python), str(REPO / "tests" / "compat_probe.py")],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
        env=os.environ | {"COURSE_OFFLINE": "1", "OMP_NUM_THREADS": "1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_stand_in_behaves_the_same_on_both_generations():
    here = version("transformers").split(".")[0]
    other = ENVIRONMENTS["4" if here == "5" else "5"]
    if not (other / "bin" / "python").exists():
        assert here == "5", "make test-compat needs .venv (transformers 5) beside .venv-compat"
        pytest.skip("the transformers 4.57 environment is made by `make test-compat`")
    new, old = _probe(ENVIRONMENTS["5"]), _probe(ENVIRONMENTS["4"])
    assert set(new) == set(old) and len(new) >= 14
    for name in new:
        five, four = new[name], old[name]
        assert four["architecture"] == five["architecture"], name
        assert four["input_ids"] == five["input_ids"], f"{name}: tokenized differently"
        assert all(
            math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-4)
            for a, b in zip(four["scores"], five["scores"], strict=True)
        ), f"{name}: different scores"
        for key in ("greedy", "greedy_text", "beam", "beam_text"):
            assert four.get(key) == five.get(key), f"{name}: {key} differs"
