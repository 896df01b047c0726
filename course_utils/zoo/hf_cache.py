"""Writing a model folder into the Hugging Face hub-cache layout.

``from_pretrained(repo_id)`` in offline mode looks for
``<cache>/models--org--name/refs/<revision>`` (a file holding a commit sha) and then for the files
in ``<cache>/models--org--name/snapshots/<sha>/``. Writing that layout is all it takes for the
unchanged loading code of a notebook to find a stand-in.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def repo_folder(cache_dir: Path, repo_id: str) -> Path:
    """``models--org--name``: how huggingface_hub names a model repo's cache folder."""
    return cache_dir / ("models--" + repo_id.replace("/", "--"))


def installed_commit(cache_dir: Path, repo_id: str, revision: str = "main") -> str | None:
    """The commit sha ``revision`` points to in the cache, or None when not installed."""
    ref = repo_folder(cache_dir, repo_id) / "refs" / revision
    if not ref.is_file():
        return None
    commit = ref.read_text().strip()
    if not (repo_folder(cache_dir, repo_id) / "snapshots" / commit).is_dir():
        return None
    return commit


def install_snapshot(
    cache_dir: Path, repo_id: str, source: Path, commit: str, extra_refs: tuple[str, ...] = ()
) -> None:
    """Install the files of ``source`` as snapshot ``commit`` of ``repo_id``.

    Files are hard-linked when possible (no extra disk), else copied. ``refs/main`` and every
    name in ``extra_refs`` (short revisions that pipelines pin) are pointed at the snapshot last,
    so a reader never sees a half-written snapshot. Older snapshots of the repo are removed.
    """
    repo_dir = repo_folder(cache_dir, repo_id)
    snapshots = repo_dir / "snapshots"
    target = snapshots / commit
    if not target.is_dir():
        staging = snapshots / f".staging-{commit}-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(
            source, staging, copy_function=_link_or_copy, ignore=shutil.ignore_patterns(".*")
        )
        staging.rename(target)
    refs = repo_dir / "refs"
    refs.mkdir(parents=True, exist_ok=True)
    for name in ("main", *extra_refs):
        (refs / name).write_text(commit)
    for old in snapshots.iterdir():
        if old.name != commit and not old.name.startswith(".staging-"):
            shutil.rmtree(old, ignore_errors=True)


def _link_or_copy(src: str, dst: str) -> str:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst
