"""The package a regular install gets (the Colab/Kaggle install cell) holds all of the course.

The suite's own environment installs ``course_utils`` in editable mode, which reads the source
tree and so cannot notice a subpackage or a data file missing from the wheel. These tests build
the wheel and look inside it, then import it from an unpacked copy, away from the source tree.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
    subprocess.run([*build, "--wheel-dir", str(out), str(REPO)], check=True, timeout=300)
    (built,) = out.glob("*.whl")
    return built


def _source_files(folder: Path) -> set[str]:
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_the_wheel_holds_every_module_and_every_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {f"course_utils/{name}" for name in _source_files(REPO / "course_utils")}
    data = {f"course_utils/course_data/{name}" for name in _source_files(REPO / "data")}
    assert not modules - names, (
        f"missing from the wheel (pyproject.toml packages): {modules - names}"
    )
    assert not data - names, f"data missing from the wheel (pyproject.toml): {data - names}"


def test_an_installed_copy_finds_its_data_without_the_repository(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import course_utils, course_utils.tasks.qa, course_utils.zoo.recipes\n"
        "from course_utils import memory, paths\n"
        "print(course_utils.__file__)\n"
        "print(paths.data_dir())\n"
        "print(memory.estimate_parameters('openai-community/gpt2'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "COURSE_OFFLINE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    package_file, data, parameters = result.stdout.split()
    assert Path(package_file).is_relative_to(site)  # not the editable source tree
    assert Path(data) == site / "course_utils" / "course_data"
    assert int(parameters) == 124_439_808  # gpt2's config, read from the packaged data
