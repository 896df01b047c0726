"""Finding damaged stand-ins: each build records the size and SHA-256 of every file it made.

A truncated ``model.safetensors`` (a full disk, an interrupted copy) or a deleted file would
otherwise look built and then fail deep inside safetensors or transformers. ``setup()`` compares
sizes on every start (a ``stat`` per file, no reading), so a damaged stand-in is rebuilt before
a notebook loads it; ``python -m course_utils.zoo list`` also compares hashes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

MANIFEST = ".manifest.json"
CHUNK = 2**20


def visible_files(folder: Path) -> list[Path]:
    """The files a build installs (hidden ones are the zoo's own marks)."""
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(folder).parts)
    )


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(build_dir: Path) -> None:
    """Record every file's size and hash (right after a build, or once for an older build)."""
    entries = {
        path.relative_to(build_dir).as_posix(): [path.stat().st_size, sha256(path)]
        for path in visible_files(build_dir)
    }
    (build_dir / MANIFEST).write_text(json.dumps(entries, indent=1, sort_keys=True))


def damaged_files(
    build_dir: Path, copy: Path | None = None, check_hashes: bool = False
) -> list[str]:
    """Files that are missing, or whose size (and hash) differ from the build's manifest.

    Checks the build itself, or ``copy`` (an installed snapshot of it) against the build's
    manifest. A build without a manifest (made before manifests existed) is taken as it is: the
    builder writes its manifest on the next ``zoo build``.
    """
    manifest = build_dir / MANIFEST
    if not manifest.is_file():
        return []
    folder = copy or build_dir
    damaged = []
    for name, (size, digest) in json.loads(manifest.read_text()).items():
        path = folder / name
        wrong_size = not path.is_file() or path.stat().st_size != size
        if wrong_size or (check_hashes and sha256(path) != digest):
            damaged.append(name)
    return damaged
