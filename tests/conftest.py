"""Test-suite set-up: offline models, canary secrets, and the executed notebooks.

The suite always runs offline against the model zoo, as CI and air-gapped classrooms do. It
also plants *canary* secrets in the environment — fresh random values every run, never written
in the repository — so the secrets tests can prove that nothing leaks them.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import secrets
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
EXECUTED = REPO / "build" / "executed"
# Token ids of "I loved learning huggingface today" in the real bert-base-uncased vocabulary.
SEED_SENTENCE_IDS = [101, 1045, 3866, 4083, 17662, 12172, 2651, 102]

# Before anything imports huggingface_hub: offline, reading the zoo.
os.environ["COURSE_OFFLINE"] = "1"
from course_utils.zoo import hub_cache_dir  # noqa: E402

os.environ["HF_HUB_CACHE"] = str(hub_cache_dir())
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["COURSE_QUICK"] = "1"  # notebooks' `quick` default, for nbval's runs of them

CANARY_NAMES = ("HF_TOKEN", "OPENAI_API_KEY", "KAGGLE_KEY")
if os.environ.get("COURSE_CANARIES_PLANTED") != "1":  # worker processes inherit the parent's
    os.environ.update(
        {
            "HF_TOKEN": "hf_" + secrets.token_hex(17),
            "OPENAI_API_KEY": "sk-canary-" + secrets.token_hex(16),
            "KAGGLE_KEY": secrets.token_hex(16),
            "COURSE_CANARIES_PLANTED": "1",
        }
    )
CANARIES = {name: os.environ[name] for name in CANARY_NAMES}


def notebook_paths() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]*.ipynb"))


@dataclass(frozen=True)
class ExecutedNotebook:
    path: Path
    results: dict


def _execute(source: Path) -> tuple[str, str | None]:
    """Run one notebook with papermill (in a worker process); return (name, error or None)."""
    import papermill

    output = EXECUTED / source.name
    results = EXECUTED / f"{source.stem}.results.json"
    results.unlink(missing_ok=True)
    os.environ["COURSE_RESULTS_FILE"] = str(results)
    # Two notebooks run at once on CI's two cores: one thread each, or they oversubscribe.
    os.environ["OMP_NUM_THREADS"] = "1"
    try:
        papermill.execute_notebook(
            str(source),
            str(output),
            parameters={"seed": 0, "quick": True},
            kernel_name="python3",
            cwd=str(NOTEBOOKS),
            progress_bar=False,
        )
    except Exception as error:  # reported by the test of that notebook
        return source.stem, f"{type(error).__name__}: {error}"
    return source.stem, None


@pytest.fixture(scope="session")
def executed_notebooks() -> dict[str, ExecutedNotebook | str]:
    """Every notebook executed once with papermill (quick=True, seed=0) into build/executed/.

    Values are an ``ExecutedNotebook`` or, when execution failed, the error text.
    """
    EXECUTED.mkdir(parents=True, exist_ok=True)
    # Processes, not threads: each notebook gets its own COURSE_RESULTS_FILE in its environment.
    with ProcessPoolExecutor(
        max_workers=2, mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        # Later notebooks train more, so start them first: the pool ends with short ones.
        outcomes = dict(pool.map(_execute, reversed(notebook_paths())))
    executed: dict[str, ExecutedNotebook | str] = {}
    for stem, error in outcomes.items():
        if error:
            executed[stem] = error
            continue
        results_file = EXECUTED / f"{stem}.results.json"
        results = json.loads(results_file.read_text()) if results_file.exists() else {}
        executed[stem] = ExecutedNotebook(EXECUTED / f"{stem}.ipynb", results)
    return executed


@pytest.fixture
def run_python(tmp_path: Path):
    """Run a Python snippet in a fresh interpreter (for import-order and start-up checks)."""
    import subprocess

    def run(code: str, env: dict[str, str | None] | None = None, timeout: float = 120):
        """``env`` values override the suite's environment; ``None`` removes a variable."""
        full_env = dict(os.environ)
        for key, value in (env or {}).items():
            if value is None:
                full_env.pop(key, None)
            else:
                full_env[key] = value
        return subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
            cwd=tmp_path,
        )

    return run
