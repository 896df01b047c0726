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
import shutil
import string
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import pytest

if TYPE_CHECKING:
    from course_utils.local_hub import LocalHub

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
# `make test-compat` (transformers 4.57) executes into its own folder: build/executed stays the
# 5.x run that `make site` publishes.
_GENERATION = version("transformers").split(".")[0]
EXECUTED = (
    REPO / "build" / ("executed" if _GENERATION == "5" else f"executed-transformers{_GENERATION}")
)
# Notebooks that log in to the local test Hub, and the HF_HOME they get (searched for secrets).
# The cells whose committed outputs nbval compares (README, "Committed outputs").
CHECK_TAG = "nbval-check-output"
HUB_NOTEBOOKS = {"05_gated_models"}
# Second runs of a notebook with other parameters, for a branch its default run does not take:
# name -> (notebook stem, parameters). They go to EXECUTED / "variants" (the site shows only the
# default runs); `executed_notebooks[name]` holds the result.
VARIANT_RUNS = {
    # A machine where Mistral does not fit: section 7 falls back to SmolLM2-135M-Instruct.
    "05_gated_models.small_machine": ("05_gated_models", {"free_memory_gib": 0.0}),
}
HUB_HOME = REPO / "build" / "hub-home"
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


# The hidden cell the harness appends to the copy of a notebook it executes (never committed;
# `make site` drops it). It evaluates tests/notebook_values.py's expressions in the notebook's
# own namespace and writes them as JSON; an expression that fails is reported, not skipped.
COLLECT_TAG = "collect-values"
COLLECT_SOURCE = string.Template("""\
def _collect_values(expressions, target):
    import json
    from pathlib import Path

    def plain(value):
        if hasattr(value, "tolist"):  # tensors, NumPy arrays and scalars
            return value.tolist()
        if isinstance(value, dict):
            return {str(key): plain(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(item) for item in value]
        return value

    values = {}
    for name, expression in expressions.items():
        try:
            values[name] = plain(eval(expression, globals()))
        except Exception as error:
            values[name] = {"collect_error": f"{expression}: {type(error).__name__}: {error}"}
    Path(target).write_text(json.dumps(values, indent=2, sort_keys=True, default=repr))


_collect_values($expressions, $target)
del _collect_values
""")


def with_collecting_cell(source: Path, target: Path) -> nbformat.NotebookNode:
    """``source`` with the hidden cell that writes the values the suite checks to ``target``."""
    from notebook_values import VALUES

    notebook = nbformat.read(source, as_version=4)
    expressions = VALUES.get(source.stem, {})
    code = COLLECT_SOURCE.substitute(expressions=repr(expressions), target=repr(str(target)))
    cell = nbformat.v4.new_code_cell(code)
    cell.metadata.update({"tags": [COLLECT_TAG], "jupyter": {"source_hidden": True}})
    notebook.cells.append(cell)
    return notebook


def _execute(
    source: Path, extra_env: dict[str, str], variant: str | None = None
) -> tuple[str, str | None]:
    """Run one notebook with papermill (in a worker process); return (name, error or None).

    ``extra_env`` holds variables for this notebook only: workers run several notebooks, so
    they are restored afterwards. ``variant`` names a run of ``VARIANT_RUNS`` (its parameters).
    """
    import papermill

    name = variant or source.stem
    folder = EXECUTED / "variants" if variant else EXECUTED
    folder.mkdir(parents=True, exist_ok=True)
    output = folder / f"{name}.ipynb"
    values = folder / f"{name}.values.json"
    values.unlink(missing_ok=True)
    staged = EXECUTED / "input" / f"{name}.ipynb"
    staged.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(with_collecting_cell(source, values), staged)
    previous = {name: os.environ.get(name) for name in extra_env}
    os.environ.update(extra_env)
    # Two notebooks run at once on CI's two cores: one thread each, or they oversubscribe.
    os.environ["OMP_NUM_THREADS"] = "1"
    # Importing streamlit (the chatbot tests do) sets MPLBACKEND=Agg for the whole process; a
    # kernel that inherited it would draw no inline plots, and the course site would have none.
    os.environ.pop("MPLBACKEND", None)
    try:
        papermill.execute_notebook(
            str(staged),
            str(output),
            parameters={"seed": 0, "quick": True} | (VARIANT_RUNS[variant][1] if variant else {}),
            kernel_name="python3",
            cwd=str(NOTEBOOKS),
            progress_bar=False,
            execution_timeout=900,  # a cell that hangs fails its notebook, not the CI run
        )
    except Exception as error:  # reported by the test of that notebook
        return name, f"{type(error).__name__}: {error}"
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return name, None


@pytest.fixture(scope="session", autouse=True)
def _notebook_runs(request: pytest.FixtureRequest) -> Iterator[dict[str, Future] | None]:
    """Start executing every notebook (papermill, quick=True, seed=0) as the session starts.

    The runs are the suite's longest step, and two worker processes carry them out while this
    process goes on with the other tests; the tests that read the results come last (see
    ``pytest_collection_modifyitems``) and wait for them in ``executed_notebooks``. A session
    that collected no such test runs no notebook.

    The notebooks in ``HUB_NOTEBOOKS`` talk to a local test Hub of their own (``notebook_hub``:
    the shared ``local_hub`` is busy with other tests meanwhile), which accepts the HF_TOKEN
    canary, with ``HF_HOME`` in ``HUB_HOME``, so the secrets tests can search what they wrote.
    """
    readers = [item for item in request.session.items if _reads_executed_notebooks(item)]
    if not readers:
        yield None
        return
    # `pytest tests/test_notebooks.py -k 08_gpt` runs one notebook; a test of them all runs all.
    wanted = {_notebook_of(item) for item in readers}
    paths = notebook_paths() if None in wanted else sorted(wanted)
    variants = [name for name, (stem, _) in VARIANT_RUNS.items() if stem in {p.stem for p in paths}]
    hub = request.getfixturevalue("notebook_hub")
    EXECUTED.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(HUB_HOME, ignore_errors=True)
    hub_env = {"HF_ENDPOINT": hub.endpoint, "HF_HOME": str(HUB_HOME)}
    # Processes, not threads: a kernel inherits its worker's environment (hub_env above).
    with ProcessPoolExecutor(
        max_workers=2, mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        # Later notebooks train more, so start them first: the pool ends with short ones.
        runs = {
            path.stem: pool.submit(_execute, path, hub_env if path.stem in HUB_NOTEBOOKS else {})
            for path in reversed(paths)
        }
        for name in variants:
            stem = VARIANT_RUNS[name][0]
            env = hub_env if stem in HUB_NOTEBOOKS else {}
            runs[name] = pool.submit(_execute, NOTEBOOKS / f"{stem}.ipynb", env, name)
        yield runs


@pytest.fixture(scope="session", autouse=True)
def _remove_the_canarys_hub_cache() -> Iterator[None]:
    """Sessions with the canary token download into a cache of that token (see setup()): the
    canary is new every run, so its cache would be left behind every run."""
    yield
    from course_utils.zoo import local_hub_cache_dir

    shutil.rmtree(local_hub_cache_dir(CANARIES["HF_TOKEN"]), ignore_errors=True)


@pytest.fixture(scope="session")
def executed_notebooks(_notebook_runs) -> dict[str, ExecutedNotebook | str]:
    """Every notebook as executed into build/executed/ by ``_notebook_runs``, once finished.

    Values are an ``ExecutedNotebook`` or, when execution failed, the error text.
    """
    executed: dict[str, ExecutedNotebook | str] = {}
    for stem, run in _notebook_runs.items():
        error = run.result()[1]
        if error:
            executed[stem] = error
            continue
        folder = EXECUTED / "variants" if stem in VARIANT_RUNS else EXECUTED
        values_file = folder / f"{stem}.values.json"
        results = json.loads(values_file.read_text()) if values_file.exists() else {}
        executed[stem] = ExecutedNotebook(folder / f"{stem}.ipynb", results)
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


# Obviously fake: the local test Hub treats it as a valid account not granted gated models.
NO_ACCESS_TOKEN = "hf_course_no_access_token"


@pytest.fixture(scope="session")
def local_hub():
    """The course's local Hub (course_utils/local_hub.py) serving the zoo for the whole session.

    It accepts the HF_TOKEN canary, refuses NO_ACCESS_TOKEN gated models (403) and any other
    token everywhere (401). This process has huggingface_hub configured offline, so code that
    talks to the Hub runs in a subprocess (``run_python``) with ``HF_ENDPOINT=hub.endpoint``.
    """
    with _zoo_hub() as hub:
        yield hub


@pytest.fixture(scope="session")
def notebook_hub():
    """A local test Hub like ``local_hub``, for the notebook runs alone (see ``_notebook_runs``).

    Tests of ``local_hub`` look at the requests it recorded; notebooks running at the same time
    must not add theirs.
    """
    with _zoo_hub() as hub:
        yield hub


def _zoo_hub() -> LocalHub:
    """A local test Hub over the zoo, accepting the canary token (see ``local_hub``)."""
    from course_utils.local_hub import LocalHub

    return LocalHub.from_zoo(
        accepted_tokens=[CANARIES["HF_TOKEN"]], tokens_without_access=[NO_ACCESS_TOKEN]
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Trim nbval's runs (``_trim_nbval_runs``); put the tests of executed notebooks last.

    They wait for the notebooks that ``_notebook_runs`` executes while the other tests run.
    """
    _trim_nbval_runs(config, items)
    items.sort(key=_reads_executed_notebooks)  # a stable sort: otherwise in collection order


def _notebook_of(item: pytest.Item) -> Path | None:
    """The notebook a test of executed notebooks reads, if it reads only one (else None: all)."""
    params = getattr(item, "callspec", None) and item.callspec.params
    if not params:
        return None
    if "variant" in params:
        return NOTEBOOKS / f"{VARIANT_RUNS[params['variant']][0]}.ipynb"
    return params.get("path")


def _reads_executed_notebooks(item: pytest.Item) -> bool:
    return "executed_notebooks" in getattr(item, "fixturenames", ())  # nbval's cells have none


def _trim_nbval_runs(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Let nbval run each notebook only as far as its last cell with committed outputs.

    nbval executes a notebook cell by cell to compare the outputs of its
    cells tagged ``nbval-check-output``. Cells after the last such cell have nothing to compare, and
    papermill already runs every notebook to the end and checks its results
    (tests/test_notebooks.py): running them a second time would only spend the suite's budget.
    A notebook without checked cells is not re-executed at all.
    """
    last_checked: dict[Path, int] = {}
    for index, item in enumerate(items):
        cell = getattr(item, "cell", None)  # nbval's cell items carry their notebook cell
        if cell is not None and CHECK_TAG in cell.metadata.get("tags", []):
            last_checked[item.path] = index
    trailing = [
        item
        for index, item in enumerate(items)
        if item.path.suffix == ".ipynb" and index > last_checked.get(item.path, -1)
    ]
    if trailing:
        config.hook.pytest_deselected(items=trailing)
        skipped = {id(item) for item in trailing}
        items[:] = [item for item in items if id(item) not in skipped]
