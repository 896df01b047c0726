"""Colab and Kaggle: every notebook has its badges and install cell, and the cell does the right thing.

The platforms are simulated in a fresh interpreter: stub ``google.colab`` / ``kaggle_secrets``
packages on ``PYTHONPATH`` and the platform's environment markers. A ``sitecustomize`` in the
stub folder records the commands the cell hands to ``subprocess.run`` instead of running pip, so
the test sees exactly what a learner's runtime would install.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import textwrap
from importlib.metadata import packages_distributions
from pathlib import Path

import nbformat
import pytest
import tomllib
from conftest import CANARIES, REPO, notebook_paths

from course_utils.environment import detect_platform

sys.path.insert(0, str(REPO / "tools"))
import platform_cells

PLATFORM_MARKERS = ("COLAB_RELEASE_TAG", "KAGGLE_KERNEL_RUN_TYPE", "KAGGLE_URL_BASE")
# Libraries the platforms provide themselves (and which the course must not reinstall).
PLATFORM_PROVIDED = {"torch", "ipython", "google-colab", "kaggle-secrets"}


def _cells(path: Path) -> list[nbformat.NotebookNode]:
    return nbformat.read(path, as_version=4).cells


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_notebook_starts_with_badges_and_the_install_cell(path):
    cells = _cells(path)
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# ")
    badges, setup = cells[1], cells[2]
    assert badges.source == platform_cells.badges_source(path), "run tools/platform_cells.py"
    assert setup.source == platform_cells.setup_source(), "run tools/platform_cells.py"
    # The badges open this very notebook, at the ref the install cell pins.
    blob = f"/blob/{platform_cells.coordinates()['git_ref']}/notebooks/{path.name})"
    assert badges.source.count(blob) == 2
    # The install cell is the first code cell: before the parameters and before setup().
    first_code = next(cell for cell in cells if cell.cell_type == "code")
    assert first_code is setup
    assert "parameters" in cells[3].metadata.get("tags", [])


def test_a_fork_changes_the_coordinates_in_one_place(monkeypatch):
    fork = {"github_repository": "a-teacher/fork", "git_ref": "v9.9.9", "kaggle_user": "teacher"}
    monkeypatch.setattr(platform_cells, "coordinates", lambda: fork)
    notebook = notebook_paths()[0]
    assert "a-teacher/fork/blob/v9.9.9/notebooks/" in platform_cells.badges_source(notebook)
    assert "github.com/a-teacher/fork@v9.9.9" in platform_cells.setup_source()


def _stub_folder(tmp_path: Path, platform: str) -> Path:
    """Stub platform modules plus a sitecustomize that records subprocess.run's commands."""
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    (stubs / "sitecustomize.py").write_text(
        textwrap.dedent("""
            import json, os, subprocess

            def _record(command, *args, **kwargs):
                with open(os.environ["STUB_COMMANDS"], "a") as log:
                    log.write(json.dumps(list(command)) + "\\n")
                return subprocess.CompletedProcess(command, int(os.environ["STUB_PIP_STATUS"]))

            subprocess.run = _record
        """)
    )
    if platform == "colab":
        colab = stubs / "google" / "colab"
        colab.mkdir(parents=True)
        (stubs / "google" / "__init__.py").write_text("")
        (colab / "__init__.py").write_text("")
        (colab / "userdata.py").write_text(
            "import os\n"
            "class SecretNotFoundError(Exception): pass\n"
            "def get(name):\n"
            "    if name != 'HF_TOKEN': raise SecretNotFoundError(name)\n"
            "    return os.environ['STUB_SECRET']\n"
        )
    if platform == "kaggle":
        (stubs / "kaggle_secrets.py").write_text(
            "import os\n"
            "class UserSecretsClient:\n"
            "    def get_secret(self, label):\n"
            "        if label != 'HF_TOKEN': raise Exception(f'No user secrets exist for {label}')\n"
            "        return os.environ['STUB_SECRET']\n"
        )
    return stubs


# What each simulated platform sets, and what the token lookup must report.
PLATFORMS = {
    "colab": ({"COLAB_RELEASE_TAG": "release-colab-test"}, "the Colab secret"),
    "kaggle": ({"KAGGLE_KERNEL_RUN_TYPE": "Interactive"}, "the Kaggle secret"),
    "local": ({}, "the environment variable"),
}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_install_cell_and_token_lookup_take_the_platforms_branch(platform, tmp_path, run_python):
    markers, token_source = PLATFORMS[platform]
    canary = CANARIES["HF_TOKEN"]
    commands = tmp_path / "commands.jsonl"
    env = dict.fromkeys(PLATFORM_MARKERS) | markers
    env |= {
        "PYTHONPATH": str(_stub_folder(tmp_path, platform)),
        "STUB_COMMANDS": str(commands),
        "STUB_PIP_STATUS": "0",
        "STUB_SECRET": canary,
        "HF_TOKEN": None if platform != "local" else canary,
    }
    cell = platform_cells.setup_source()
    preamble = "import google.colab\n" if platform == "colab" else ""  # as Colab's kernel does
    result = run_python(
        preamble
        + cell
        + textwrap.dedent("""
            import course_utils
            from course_utils.hub_access import find_token

            session = course_utils.setup(seed=0, offline=True)
            token = find_token(prompt=False)
            print("PLATFORM", session.platform)
            print("TOKEN", token)
        """),
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"PLATFORM {platform}" in result.stdout
    assert f"from {token_source} HF_TOKEN" in result.stdout
    assert canary not in result.stdout + result.stderr
    lines = commands.read_text().splitlines() if commands.exists() else []
    recorded = [json.loads(line) for line in lines]
    if platform == "local":
        assert recorded == []  # make lab / CI: the cell does nothing
        return
    assert len(recorded) == 1
    command = recorded[0]
    assert command[1:5] == ["-m", "pip", "install", "--quiet"]
    assert command[-1] == platform_cells.install_requirement()
    # Nothing that would replace the platform's torch: no torch, no upgrade or reinstall flags.
    assert not any("torch" in part or part.startswith("--upgrade") for part in command)
    assert "--force-reinstall" not in command


def test_a_failed_install_says_what_to_do(tmp_path, run_python):
    env = dict.fromkeys(PLATFORM_MARKERS) | {
        "KAGGLE_KERNEL_RUN_TYPE": "Interactive",
        "PYTHONPATH": str(_stub_folder(tmp_path, "kaggle")),
        "STUB_COMMANDS": str(tmp_path / "commands.jsonl"),
        "STUB_PIP_STATUS": "1",  # what pip returns when Kaggle's Internet switch is off
    }
    result = run_python(platform_cells.setup_source(), env=env)
    assert result.returncode == 1
    assert "RuntimeError: Installing course_utils failed" in result.stderr
    assert "switch on Internet" in result.stderr


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_cell_and_course_utils_agree_on_the_platform(platform, monkeypatch):
    for name in PLATFORM_MARKERS:
        monkeypatch.delenv(name, raising=False)
    for name, value in PLATFORMS[platform][0].items():
        monkeypatch.setenv(name, value)
    namespace: dict = {}
    tree = ast.parse(platform_cells.setup_source())
    decision = [node for node in tree.body if not isinstance(node, ast.If)]  # skip the install
    exec(compile(ast.Module(decision, []), "<platform cell>", "exec"), namespace)
    cell_says = (
        "colab" if namespace["on_colab"] else "kaggle" if namespace["on_kaggle"] else "local"
    )
    assert cell_says == detect_platform() == platform


def _project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def _names(requirements: list[str]) -> set[str]:
    """Normalised distribution names (PEP 503: lower case, ``-`` for ``_``)."""
    return {
        re.split(r"[\[<>=!~; ]", requirement)[0].lower().replace("_", "-")
        for requirement in requirements
    }


def test_the_package_never_asks_for_torch():
    project = _project()
    asked = _names(project["dependencies"]) | _names(
        project["optional-dependencies"][platform_cells.EXTRA]
    )
    platform_stack = {"torch", "torchvision", "torchaudio", "triton"}
    assert not {name for name in asked if name in platform_stack or name.startswith("nvidia-")}


def _third_party_imports() -> set[str]:
    """Top-level modules imported by the notebooks and by course_utils."""
    sources = [path.read_text() for path in (REPO / "course_utils").rglob("*.py")]
    for path in notebook_paths():
        for cell in _cells(path):
            if cell.cell_type == "code":
                lines = cell.source.splitlines()
                sources.append("\n".join(line for line in lines if not line.startswith(("!", "%"))))
    modules = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module.split(".")[0])
    return {module for module in modules if module not in sys.stdlib_module_names}


def test_the_platform_install_brings_every_library_the_notebooks_import():
    project = _project()
    extras = project["optional-dependencies"]
    # The offline extra is the zoo's (it builds stand-ins); the platforms run online.
    offered = _names(project["dependencies"] + extras[platform_cells.EXTRA] + extras["offline"])
    distributions = packages_distributions()
    missing = {}
    for module in _third_party_imports() - {"course_utils", "google", "kaggle_secrets"}:
        names = _names(distributions.get(module, [module]))
        if not names & (offered | PLATFORM_PROVIDED):
            missing[module] = sorted(names)
    assert not missing, f"add to pyproject's [{platform_cells.EXTRA}] extra: {missing}"


def test_installing_the_package_here_changes_nothing_else(tmp_path):
    """pip, offline, with this environment's torch installed: only the course package would install."""
    report = tmp_path / "report.json"
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--dry-run",
        "--no-index",
        "--no-build-isolation",
        "--quiet",
        "--report",
        str(report),
        f"{REPO}[{platform_cells.EXTRA}]",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    installs = [item["metadata"]["name"] for item in json.loads(report.read_text())["install"]]
    assert installs == [platform_cells.PACKAGE]
