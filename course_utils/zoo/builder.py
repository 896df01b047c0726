"""Building stand-ins: run each stale recipe, then install its output under its Hub ids."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from filelock import FileLock
from tqdm.auto import tqdm

from course_utils.compat import pipeline_default_revisions
from course_utils.paths import data_dir
from course_utils.session import seed_everything
from course_utils.zoo import StandIn, hub_cache_dir, plan, port
from course_utils.zoo.fingerprint import commit_sha
from course_utils.zoo.folder import LOCK, prepare_root
from course_utils.zoo.hf_cache import install_snapshot, repo_folder
from course_utils.zoo.integrity import MANIFEST, damaged_files, write_manifest
from course_utils.zoo.recipe import BuildContext

# No fingerprint reads this module: when the seed or the one torch thread of `_timed_build`
# change, bump fingerprint.FORMAT_VERSION so that every stand-in is rebuilt.
SEED = 0

# Seconds each recipe took in a cold parallel build (2 cores, one torch thread per build). Only
# their order is used: a pool that starts the longest builds first ends with short ones on both
# cores, instead of one core idling while the other finishes a long one (about 25 s of a cold
# build). A recipe not listed here counts as longest; update the figures when a recipe changes
# a lot (`python -m course_utils.zoo build --force` prints them).
TYPICAL_SECONDS = {
    "flan-t5-small": 426,
    "distilbert-squad": 342,
    "bart-large-cnn": 243,
    "bert-base-uncased": 151,
    "opus-mt-en-de": 88,
    "sentiment-distilbert": 70,
    "bert-base-ner": 63,
    "gpt-neo-125m": 53,
    "bloom-560m": 52,
    "gpt2": 51,
    "mistral-7b-instruct": 46,
    "opt-125m": 41,
    "smollm2-135m-instruct": 17,
    "distilbert-base-uncased": 4,
    "all-minilm-l6-v2": 3,
}


def build(names: list[str] | None = None, force: bool = False) -> list[tuple[str, float]]:
    """Build the stale stand-ins (or those in ``names``; ``force`` rebuilds them anyway).

    Returns (recipe name, seconds) for every recipe that was built. A file lock makes concurrent
    builds (two notebooks starting at once) wait for each other instead of racing.
    """
    root = prepare_root()
    with FileLock(str(root / LOCK)):
        states = plan()
        unknown = set(names or ()) - {s.recipe.name for s in states}
        if unknown:
            raise ValueError(
                f"No recipe named {sorted(unknown)}; see `python -m course_utils.zoo list`."
            )
        for state in states:
            if state.built:  # builds from before these marks existed get them (once)
                _mark_source(state)
                if not (state.build_dir / MANIFEST).is_file():
                    write_manifest(state.build_dir)
        todo = [
            s for s in states if (not names or s.recipe.name in names) and (force or not s.built)
        ]
        outputs = {s.recipe.name: s.build_dir for s in states}
        timings: list[tuple[str, float]] = []
        with tqdm(total=len(todo), desc="offline model zoo", unit="model", disable=not todo) as bar:
            for wave in _waves(todo):
                for result in _run_wave(wave, outputs, force):
                    timings.append(result)
                    bar.update()
        return timings


def _waves(todo: list[StandIn]) -> list[list[StandIn]]:
    """Recipes in groups that can build at the same time: each after every recipe it needs."""
    pending = list(todo)
    waves = []
    while pending:
        waiting = {s.recipe.name for s in pending}
        ready = [s for s in pending if not waiting & set(s.recipe.needs)]
        waves.append(ready)
        pending = [s for s in pending if s not in ready]
    return waves


def _workers() -> int:
    """Parallel builds: a stand-in's small matrices keep one core busy, not two."""
    return max(1, min(int(os.environ.get("COURSE_ZOO_WORKERS", "0")) or os.cpu_count() or 1, 4))


def _run_wave(
    wave: list[StandIn], outputs: dict[str, Path], force: bool
) -> Iterator[tuple[str, float]]:
    workers = min(_workers(), len(wave))
    if workers == 1:
        yield from (_timed_build(state, outputs, force) for state in wave)
        return
    # Separate processes, spawned: no library state is shared with this one or between builds.
    context = multiprocessing.get_context("spawn")
    longest_first = sorted(wave, key=_typical_seconds, reverse=True)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_timed_build, state, outputs, force) for state in longest_first]
        for future in as_completed(futures):
            yield future.result()


def _typical_seconds(state: StandIn) -> float:
    return TYPICAL_SECONDS.get(state.recipe.name, float("inf"))


def _timed_build(state: StandIn, outputs: dict[str, Path], force: bool) -> tuple[str, float]:
    """Build one stand-in on one torch thread, however many workers run.

    A parallel build gives each worker one core anyway. Building alone on more threads would
    split sums differently and give other weights (last bits first, then other outputs), so
    the same recipe would not give the same model in a cold parallel build and a rebuild.
    """
    import torch

    torch.set_num_threads(1)
    started = time.perf_counter()
    _build_one(state, outputs, force)
    return state.recipe.name, time.perf_counter() - started


def _build_one(state: StandIn, outputs: dict[str, Path], force: bool) -> None:
    recipe = state.recipe
    final = state.build_dir
    whole = (final / ".complete").exists() and not damaged_files(final)
    rebuilt = force or not whole
    if rebuilt:
        staging = final.parent / f".staging-{final.name}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        donor = port.donor_build(recipe.name, state.source_fingerprint)
        if port.needs_port() and donor is not None:
            tqdm.write(f"  porting {recipe.name} from the transformers 5 zoo (same weights)")
            port.to_transformers4(donor, staging)
        else:
            tqdm.write(f"  building {recipe.name}: {recipe.summary}")
            context = BuildContext(
                out_dir=staging,
                inputs={name: outputs[name] for name in recipe.needs},
                data_dir=data_dir(),
                seed=SEED,
            )
            seed_everything(SEED)
            recipe.build(context)
        shutil.rmtree(final, ignore_errors=True)
        staging.rename(final)
        write_manifest(final)
        (final / ".complete").write_text(state.fingerprint)
        _mark_source(state)
        for stale in final.parent.iterdir():
            if stale != final:
                shutil.rmtree(stale, ignore_errors=True)
    for repo_id in recipe.cached_ids:
        snapshot = repo_folder(hub_cache_dir(), repo_id) / "snapshots"
        snapshot /= commit_sha(state.fingerprint, repo_id)
        if snapshot.is_dir() and (rebuilt or damaged_files(final, snapshot)):
            # Its files are hard links to the build's: after a rebuild they are the old build's,
            # and a damaged one may have lost a file. Install the snapshot again.
            shutil.rmtree(snapshot)
        install_snapshot(
            hub_cache_dir(),
            repo_id,
            final,
            commit_sha(state.fingerprint, repo_id),
            extra_refs=pipeline_default_revisions(repo_id),
        )


def _mark_source(state: StandIn) -> None:
    """Record the build's source fingerprint: a transformers 4 zoo ports the build it marks."""
    mark = state.build_dir / port.SOURCE_MARK
    if not mark.is_file() or mark.read_text() != state.source_fingerprint:
        mark.write_text(state.source_fingerprint)
