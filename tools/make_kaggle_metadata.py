"""Write ``kaggle/<notebook>/kernel-metadata.json`` for every notebook.

``kaggle kernels push -p kaggle/<notebook>`` then publishes that notebook. Kaggle derives a
kernel's URL slug from its title, so the title is built to slugify to the id's slug. The owner
comes from ``[tool.transformer-variants]`` in pyproject.toml — the one place a fork edits.

Usage: ``python tools/make_kaggle_metadata.py`` (the tests check the files are current).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import tomllib

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
KAGGLE = REPO / "kaggle"


def coordinates() -> dict[str, str]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    return config["tool"]["transformer-variants"]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def metadata_for(notebook: Path, kaggle_user: str) -> dict:
    number, _, topic = notebook.stem.partition("_")
    title = f"Transformer Variants {number} {topic.replace('_', ' ').title()}"
    return {
        "id": f"{kaggle_user}/{slugify(title)}",
        "title": title,
        "code_file": f"../../notebooks/{notebook.name}",
        "language": "python",
        "kernel_type": "notebook",
        "is_private": False,
        "enable_gpu": False,
        "enable_tpu": False,
        "enable_internet": True,  # real models come from the Hugging Face Hub
        "keywords": ["nlp", "transformers", "beginner"],
        "dataset_sources": [],
        "competition_sources": [],
        "kernel_sources": [],
        "model_sources": [],
    }


def expected_files() -> dict[Path, str]:
    user = coordinates()["kaggle_user"]
    return {
        KAGGLE / path.stem / "kernel-metadata.json": json.dumps(metadata_for(path, user), indent=2)
        + "\n"
        for path in sorted(NOTEBOOKS.glob("[0-9][0-9]*.ipynb"))
    }


def main() -> int:
    for path, content in expected_files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        print(f"wrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
