"""Habits of a maintained project: pre-commit hooks that work offline, a changelog."""

from __future__ import annotations

import shutil
import subprocess
import sys

import nbformat
import yaml
from conftest import NOTEBOOKS, REPO

sys.path.insert(0, str(REPO / "tools"))
import check_notebooks


def test_pre_commit_hooks_are_local_and_valid():
    config = REPO / ".pre-commit-config.yaml"
    bin_dir = REPO / ".venv" / "bin"
    validate = [str(bin_dir / "pre-commit"), "validate-config", str(config)]
    if not (bin_dir / "pre-commit").exists():  # another venv (make test-compat): same module
        validate = [sys.executable, "-m", "pre_commit", "validate-config", str(config)]
    result = subprocess.run(validate, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    repos = yaml.safe_load(config.read_text())["repos"]
    assert [repo["repo"] for repo in repos] == ["local"]  # nothing fetched from GitHub
    for hook in repos[0]["hooks"]:
        assert hook["language"] == "system"
        for word in hook["entry"].split():
            if "/" in word:
                assert (REPO / word).exists(), f"hook {hook['id']} runs missing {word}"


def test_the_notebook_hook_strips_outputs_and_says_so(tmp_path, capsys):
    path = tmp_path / "00_setup.ipynb"
    shutil.copy(NOTEBOOKS / "00_setup.ipynb", path)
    assert check_notebooks.main([str(path)]) == 0  # committed notebooks are already clean
    notebook = nbformat.read(path, as_version=4)
    cell = next(c for c in notebook.cells if c.cell_type == "code" and not c.outputs)
    cell.outputs = [nbformat.v4.new_output("stream", text="a saved session's output\n")]
    cell.execution_count = 7
    nbformat.write(notebook, path)
    assert check_notebooks.main([str(path)]) == 1
    assert "stripped outputs" in capsys.readouterr().out
    assert "a saved session's output" not in path.read_text()


def test_the_changelog_has_an_entry_for_the_current_version():
    import tomllib

    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    changelog = (REPO / "CHANGELOG.md").read_text()
    assert f"## {version}" in changelog or "## Unreleased" in changelog
