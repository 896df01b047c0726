"""The offline model zoo: small stand-ins served under the real Hugging Face Hub ids.

Offline (CI, air-gapped classrooms) ``course_utils.setup()`` points the Hugging Face cache at
``hub_cache_dir()``, so a notebook's ordinary ``from_pretrained("google-bert/bert-base-uncased")``
loads a stand-in that keeps the real architecture and task head. Online, none of this is used.

Command line: ``python -m course_utils.zoo build | list | clean | path``.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from course_utils.errors import ModelNotInZooError
from course_utils.paths import data_dir, zoo_root
from course_utils.zoo.fingerprint import CodeIndex, commit_sha, fingerprints
from course_utils.zoo.hf_cache import installed_commit, repo_folder
from course_utils.zoo.integrity import damaged_files
from course_utils.zoo.recipe import BuildContext, Recipe, all_recipes

__all__ = [
    "BuildContext",
    "Recipe",
    "StandIn",
    "available_ids",
    "ensure_built",
    "gated_ids",
    "hub_cache_dir",
    "local_hub_cache_dir",
    "plan",
    "require",
]


@dataclass(frozen=True)
class StandIn:
    """One recipe's state in this machine's zoo."""

    recipe: Recipe
    fingerprint: str
    built: bool
    source_fingerprint: str = ""

    @property
    def build_dir(self) -> Path:
        return generation_dir() / "builds" / self.recipe.name / self.fingerprint[:16]


def generation_dir() -> Path:
    """This library generation's part of the zoo: ``<zoo root>/transformers<major>/``.

    Some files transformers 5 saves (a T5 tokenizer's config, for one) do not load in 4.57, so
    the two generations the course supports side by side keep separate builds and caches instead
    of taking turns overwriting one.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        major = version("transformers").split(".")[0]
    except PackageNotFoundError:
        major = "-missing"
    return zoo_root() / f"transformers{major}"


def hub_cache_dir() -> Path:
    """The Hugging Face hub-cache folder that offline sessions use (``HF_HUB_CACHE``)."""
    return generation_dir() / "hub"


def local_hub_cache_dir(token: str | None) -> Path:
    """The cache of a session that downloads from the course's local Hub (see ``setup()``).

    huggingface_hub hands out a cached file even when the Hub refuses the request (a 401 for a
    gated repo), so a shared cache would let a session without a token load a gated stand-in
    that another session downloaded. Hence one cache per token (named by a hash of it, never
    the token), and for a session that starts without a token a fresh folder of its own,
    deleted when the process ends.
    """
    if token:
        digest = hashlib.sha256(token.encode()).hexdigest()[:16]
        return generation_dir() / "local-hub-cache" / f"token-{digest}"
    return _session_folder()


@functools.cache
def _session_folder() -> Path:
    """One temporary cache per process (a rerun of the setup cell keeps it), removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="course-local-hub-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def local_hub_token_path() -> Path:
    """Where ``login`` saves a token in a local-Hub session: beside its caches, never over the
    learner's real token (``~/.cache/huggingface/token``)."""
    return generation_dir() / "local-hub-cache" / "token"


def plan() -> list[StandIn]:
    """Every stand-in with its fingerprint and whether it is already installed, in build order.

    Cheap (parses and hashes a few files, imports no ML library): ``setup()`` calls it on every
    start.
    """
    recipes = list(all_recipes().values())
    code = CodeIndex()
    prints = fingerprints(recipes, data_dir(), code=code)
    sources = fingerprints(recipes, data_dir(), with_libraries=False, code=code)
    states: list[StandIn] = []
    for recipe in recipes:
        print_ = prints[recipe.name]
        state = StandIn(recipe, print_, built=False)
        built = (
            (state.build_dir / ".complete").exists()
            and not damaged_files(state.build_dir)
            and all(_installed(state, repo_id) for repo_id in recipe.cached_ids)
        )
        states.append(StandIn(recipe, print_, built, sources[recipe.name]))
    return states


def _installed(state: StandIn, repo_id: str) -> bool:
    """``repo_id``'s snapshot of this build is in the offline cache, every file whole."""
    commit = commit_sha(state.fingerprint, repo_id)
    if installed_commit(hub_cache_dir(), repo_id) != commit:
        return False
    snapshot = repo_folder(hub_cache_dir(), repo_id) / "snapshots" / commit
    return not damaged_files(state.build_dir, snapshot)


def available_ids() -> list[str]:
    """Every Hub id the zoo serves offline, aliases included, sorted (gated ones excluded)."""
    return sorted(repo_id for r in all_recipes().values() for repo_id in r.cached_ids)


def gated_ids() -> list[str]:
    """Hub ids of gated models: their stand-ins are served only by the local test Hub."""
    return sorted(repo_id for r in all_recipes().values() if r.gated for repo_id in r.repo_ids)


def require(model_id: str) -> str:
    """Return ``model_id`` if the zoo serves it, else raise ``ModelNotInZooError`` listing ids."""
    if model_id not in available_ids():
        raise ModelNotInZooError(model_id, available_ids(), gated=model_id in gated_ids())
    return model_id


def ensure_built(quiet: bool = False) -> Path:
    """Make sure every stand-in is built and installed; return the hub-cache folder.

    Warm (nothing changed) this only hashes files. Otherwise it runs the build in a separate
    Python process, so the caller's process never imports transformers before ``setup()`` has
    configured it.
    """
    if not all(state.built for state in plan()):
        command = [sys.executable, "-m", "course_utils.zoo", "build"]
        if not quiet:
            print("Building the offline model zoo (first time only, a few minutes)…", flush=True)
        completed = subprocess.run(command, capture_output=quiet, text=True)
        if completed.returncode != 0:
            detail = (completed.stderr or "")[-2000:] if quiet else ""
            raise RuntimeError(
                "Building the offline model zoo failed. Run `python -m course_utils.zoo build` "
                f"in a terminal to see why.\n{detail}"
            )
    return hub_cache_dir()
