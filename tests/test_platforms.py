"""Colab and Kaggle: every notebook has its badges and install cell, and the cell does the right thing.

The platforms are simulated in a fresh interpreter that runs the cell in a real IPython shell,
so its ``%pip`` line is IPython's own magic: stub ``google.colab`` / ``kaggle_secrets`` packages
and a stub ``pip`` (which records its arguments instead of installing) come first on
``PYTHONPATH``, with the platform's environment markers set. As on a fresh platform,
``course_utils`` cannot be imported until the stub pip has "installed" it.
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
from IPython.core.inputtransformer2 import TransformerManager

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
    """Stub platform modules, a stub pip, and a sitecustomize that hides course_utils."""
    stubs = tmp_path / "stubs"
    (stubs / "pip").mkdir(parents=True)
    (stubs / "pip" / "__init__.py").write_text("")
    (stubs / "pip" / "__main__.py").write_text(
        textwrap.dedent("""
            import json, os, sys
            from pathlib import Path

            with open(os.environ["STUB_COMMANDS"], "a") as log:
                log.write(json.dumps(sys.argv[1:]) + "\\n")
            if os.environ["STUB_PIP_STATUS"] != "0":
                sys.exit("ERROR: Could not find a version that satisfies the requirement")
            Path(os.environ["STUB_INSTALLED"]).touch()
        """)
    )
    # A fresh Colab/Kaggle runtime has no course_utils: it appears once pip "installed" it.
    (stubs / "sitecustomize.py").write_text(
        textwrap.dedent("""
            import os, sys
            from pathlib import Path

            class NotInstalledYet:
                def find_spec(self, name, path=None, target=None):
                    if name.split(".")[0] == "course_utils":
                        if not Path(os.environ["STUB_INSTALLED"]).exists():
                            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
                    return None

            if os.environ.get("STUB_INSTALLED"):
                sys.meta_path.insert(0, NotInstalledYet())
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


def _in_ipython(cell: str, then: str = "") -> str:
    """Python that runs ``cell`` in an IPython shell (magics and all), then ``then`` in it."""
    return textwrap.dedent(f"""
        import sys
        from IPython.core.interactiveshell import InteractiveShell

        shell = InteractiveShell.instance(colors="nocolor")
        for source in ({cell!r}, {then!r}):
            if not shell.run_cell(source).success:
                sys.exit(1)
    """)


# What each simulated platform sets, and what the token lookup must report.
PLATFORMS = {
    "colab": ({"COLAB_RELEASE_TAG": "release-colab-test"}, "the Colab secret"),
    "kaggle": ({"KAGGLE_KERNEL_RUN_TYPE": "Interactive"}, "the Kaggle secret"),
    "local": ({}, "the environment variable"),
}


def _platform_env(tmp_path: Path, platform: str, pip_status: int) -> dict[str, str | None]:
    env: dict[str, str | None] = dict.fromkeys(PLATFORM_MARKERS) | PLATFORMS[platform][0]
    return env | {
        "PYTHONPATH": str(_stub_folder(tmp_path, platform)),
        "STUB_COMMANDS": str(tmp_path / "commands.jsonl"),
        "STUB_PIP_STATUS": str(pip_status),
        # Locally (make lab, CI) course_utils is installed: only the platforms start without it.
        "STUB_INSTALLED": None if platform == "local" else str(tmp_path / "installed"),
    }


def _recorded(tmp_path: Path) -> list[list[str]]:
    commands = tmp_path / "commands.jsonl"
    lines = commands.read_text().splitlines() if commands.exists() else []
    return [json.loads(line) for line in lines]


def test_the_install_cell_is_five_short_lines_at_most():
    lines = platform_cells.setup_source().splitlines()
    assert len(lines) <= 5, lines
    assert [line for line in lines if len(line) > 110 and "%pip" not in line] == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_install_cell_and_token_lookup_take_the_platforms_branch(platform, tmp_path, run_python):
    token_source = PLATFORMS[platform][1]
    canary = CANARIES["HF_TOKEN"]
    env = _platform_env(tmp_path, platform, pip_status=0)
    env |= {"STUB_SECRET": canary, "HF_TOKEN": None if platform != "local" else canary}
    preamble = "import google.colab\n" if platform == "colab" else ""  # as Colab's kernel does
    then = textwrap.dedent("""
        import course_utils
        from course_utils.hub_access import find_token

        session = course_utils.setup(seed=0, offline=True)
        token = find_token(prompt=False)
        print("PLATFORM", session.platform)
        print("TOKEN", token)
    """)
    result = run_python(_in_ipython(preamble + platform_cells.setup_source(), then), env=env)
    assert result.returncode == 0, (result.stdout + result.stderr)[-2000:]
    assert f"PLATFORM {platform}" in result.stdout
    assert f"from {token_source} HF_TOKEN" in result.stdout
    assert canary not in result.stdout + result.stderr
    recorded = _recorded(tmp_path)
    if platform == "local":
        assert recorded == []  # make lab / CI: the cell does nothing
        return
    # IPython's %pip ran `python -m pip install -q <the package>`, exactly once.
    assert recorded == [["install", "-q", platform_cells.install_requirement()]]
    assert (tmp_path / "installed").exists()


@pytest.mark.parametrize("platform", ["colab", "kaggle"])
def test_a_failed_install_says_what_to_do(platform, tmp_path, run_python):
    env = _platform_env(tmp_path, platform, pip_status=1)  # as pip with Kaggle's Internet off
    result = run_python(_in_ipython(platform_cells.setup_source()), env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-2000:]
    assert "ERROR: Could not find a version" in output  # pip's own message stays visible
    assert "ModuleNotFoundError: No module named 'course_utils'" in output
    # The traceback ends on the import, whose comment says what to do.
    assert "switch on Internet" in output.split("Traceback")[-1]


def _cell_installs(environment: dict[str, str]) -> bool:
    """Whether the install cell's ``if`` is true in ``environment`` (its test, evaluated)."""
    tree = ast.parse(TransformerManager().transform_cell(platform_cells.setup_source()))
    (branch,) = [node for node in tree.body if isinstance(node, ast.If)]
    return eval(compile(ast.Expression(branch.test), "<cell>", "eval"), {"os": _Os(environment)})


class _Os:
    def __init__(self, environ: dict[str, str]) -> None:
        self.environ = environ


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_cell_and_course_utils_agree_on_the_platform(platform, monkeypatch):
    for name in PLATFORM_MARKERS:
        monkeypatch.delenv(name, raising=False)
    markers = PLATFORMS[platform][0]
    for name, value in markers.items():
        monkeypatch.setenv(name, value)
    assert _cell_installs(markers) == (platform != "local")
    assert detect_platform() == platform


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


def _imports(sources: list[str]) -> set[str]:
    """Top-level third-party modules that ``sources`` import."""
    modules = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module.split(".")[0])
    return {module for module in modules if module not in sys.stdlib_module_names}


def _notebook_sources() -> list[str]:
    """Every code cell, as the Python IPython runs (``%pip`` and ``!`` lines become calls)."""
    transform = TransformerManager().transform_cell
    return [
        transform(cell.source)
        for path in notebook_paths()
        for cell in _cells(path)
        if cell.cell_type == "code"
    ]


def _python_sources(folder: Path, *, zoo: bool) -> list[str]:
    """The modules under ``folder``: the zoo's only (``zoo=True``) or all but the zoo's."""
    return [
        path.read_text()
        for path in sorted(folder.rglob("*.py"))
        if ("zoo" in path.relative_to(folder).parts) == zoo
    ]


# Not imported by any code of the course, but loaded by transformers for the course's models
# (Marian's and T5's tokenizers, device_map="auto"): the platforms must have them too.
LOADED_BY_TRANSFORMERS = {"sentencepiece", "sacremoses", "accelerate", "safetensors"}
NOT_FROM_PYPI = {"course_utils", "google", "kaggle_secrets"}  # the course; the platforms' own


def _missing(modules: set[str], offered: set[str]) -> dict[str, list[str]]:
    """Modules whose distribution (import name → distribution name) is not in ``offered``."""
    distributions = packages_distributions()
    missing = {}
    for module in modules - NOT_FROM_PYPI:
        names = _names(distributions.get(module, [module]))
        if not names & (offered | PLATFORM_PROVIDED):
            missing[module] = sorted(names)
    return missing


def test_the_platform_install_brings_every_library_the_notebooks_import():
    """What Colab/Kaggle get (dependencies + the platform extra) covers every notebook and
    everything a notebook can reach: course_utils outside the zoo, and the chatbot app."""
    project = _project()
    offered = _names(
        project["dependencies"] + project["optional-dependencies"][platform_cells.EXTRA]
    )
    areas = {
        "notebooks": _notebook_sources(),
        "course_utils": _python_sources(REPO / "course_utils", zoo=False),
        "apps": _python_sources(REPO / "apps", zoo=False),
    }
    assert all(areas.values()), areas.keys()
    for area, sources in areas.items():
        missing = _missing(_imports(sources), offered)
        assert not missing, f"{area} import these; add them to [{platform_cells.EXTRA}]: {missing}"
    assert not LOADED_BY_TRANSFORMERS - offered, LOADED_BY_TRANSFORMERS - offered


def test_the_zoo_needs_only_the_offline_extra_more():
    """The offline zoo (never built on the platforms) may also use the offline extra."""
    project = _project()
    extras = project["optional-dependencies"]
    offered = _names(project["dependencies"] + extras[platform_cells.EXTRA] + extras["offline"])
    missing = _missing(_imports(_python_sources(REPO / "course_utils", zoo=True)), offered)
    assert not missing, f"the zoo imports these; add them to [offline]: {missing}"


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
