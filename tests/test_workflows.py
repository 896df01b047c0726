"""The GitHub Actions workflows (.github/workflows): linted here, since GitHub runs them only after a push.

Two linters that install from PyPI and run offline: check-jsonschema validates each file against
the workflow schema it ships (SchemaStore's), and zizmor audits it (pinned actions, permissions,
credentials, template injection). Then the course's own rules: the workflow runs `.ci/run`, on the
Python the Makefile uses, with the zoo cached under the folder the zoo really uses, a CPU torch
index only inside the workflow, and the site published from main only.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
import make_site

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
CI = REPO / ".github" / "workflows" / "ci.yml"
BIN = Path(sys.executable).parent
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def _load(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads `on:` as True
    return workflow


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_there_are_workflows():
    assert CI in WORKFLOWS


@pytest.mark.timeout(120)
def test_workflows_match_the_github_workflow_schema():
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema"]
    command += ["vendor.github-workflows", *map(str, WORKFLOWS)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.timeout(120)
def test_zizmor_finds_nothing():
    command = [
        str(BIN / "zizmor"),
        "--offline",
        "--collect=workflows",
        "--no-progress",
        "--color=never",
    ]
    result = subprocess.run(
        [*command, str(REPO / ".github" / "workflows")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_and_names_its_release(path):
    uses = re.findall(r"^\s*(?:- )?uses: *(\S+)(.*)$", path.read_text(), re.M)
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), f"pin {action} to a commit"
        assert re.fullmatch(r"\s*# v\d+(\.\d+)*", comment), f"{action}: say its release: # vX.Y.Z"


def test_ci_runs_the_course_ci_on_the_makefiles_python():
    workflow = _load(CI)
    assert {"push", "pull_request"} <= set(workflow["on"])
    runs = [step.get("run", "").strip() for step in _steps(workflow)]
    assert ".ci/run" in runs
    python = next(
        step["with"]["python-version"]
        for step in _steps(workflow)
        if step.get("uses", "").startswith("actions/setup-python@")
    )
    assert f"PYTHON ?= python{python}\n" in (REPO / "Makefile").read_text()


def test_torch_comes_from_the_cpu_index_only_inside_the_workflow():
    """GitHub's runners would otherwise install PyPI's CUDA build of the pinned torch."""
    job = _load(CI)["jobs"]["test"]
    assert job["env"]["PIP_EXTRA_INDEX_URL"] == TORCH_CPU_INDEX
    for name in ("requirements.txt", "requirements-compat.txt", "Makefile", "pyproject.toml"):
        assert "download.pytorch.org" not in (REPO / name).read_text(), name
    assert "download.pytorch.org" not in (REPO / ".ci" / "run").read_text()


def test_the_zoo_cache_is_the_zoos_folder_keyed_by_its_fingerprints(tmp_path, monkeypatch):
    from course_utils.paths import zoo_root

    steps = _steps(_load(CI))
    cache = next(step for step in steps if step.get("uses", "").startswith("actions/cache@"))
    cached = Path(cache["with"]["path"].replace("~", str(Path.home()), 1))
    for name in ("COURSE_ZOO_DIR", "XDG_CACHE_HOME"):  # a runner sets neither
        monkeypatch.delenv(name, raising=False)
    assert zoo_root().is_relative_to(cached)
    assert "steps.zoo.outputs.key" in cache["with"]["key"]
    # The step that makes the key runs here as it runs on GitHub.
    fingerprints = next(step for step in steps if step.get("id") == "zoo")
    output = tmp_path / "github_output"
    result = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", fingerprints["run"]],
        cwd=REPO,
        env=os.environ | {"GITHUB_OUTPUT": str(output)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"key=[0-9a-f]{20}\n", output.read_text())


def test_the_site_is_built_and_published_from_main_only():
    workflow = _load(CI)
    steps = _steps(workflow)
    assert "make site" in [step.get("run", "").strip() for step in steps]
    upload = next(
        s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact@")
    )
    assert REPO / upload["with"]["path"] == make_site.SITE
    main_push = "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert upload["if"] == main_push
    pages = workflow["jobs"]["pages"]
    assert pages["if"] == main_push and pages["needs"] == "test"
    assert pages["permissions"] == {"pages": "write", "id-token": "write"}
    assert workflow["permissions"] == {"contents": "read"}  # everything else: read-only
