"""environment.yml, requirements.txt and pyproject.toml describe one and the same environment."""

from __future__ import annotations

import re
import sys
from importlib.metadata import PackageNotFoundError, version

import tomllib
import yaml
from conftest import REPO
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

sys.path.insert(0, str(REPO / "tools"))
import compat_requirements


def _pins() -> dict[str, str]:
    """requirements.txt as {normalised name: exact version}; every line must be an exact pin."""
    pins: dict[str, str] = {}
    for number, line in enumerate((REPO / "requirements.txt").read_text().splitlines(), 1):
        line = line.split("#")[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", (
            f"requirements.txt line {number} ({line!r}) must pin one exact version with =="
        )
        name = canonicalize_name(requirement.name)
        assert name not in pins, f"requirements.txt names {name} twice"
        pins[name] = specifiers[0].version
    return pins


def _environment() -> dict:
    return yaml.safe_load((REPO / "environment.yml").read_text())


def test_environment_yml_installs_requirements_txt_and_the_package():
    dependencies = _environment()["dependencies"]
    pip_sections = [item["pip"] for item in dependencies if isinstance(item, dict)]
    assert pip_sections == [["-r requirements.txt", "-e ."]]


def test_environment_yml_python_is_the_tested_python():
    conda = [item for item in _environment()["dependencies"] if isinstance(item, str)]
    pythons = [item for item in conda if re.match(r"python\b", item)]
    assert pythons == ["python=3.11"]  # README and `make` (PYTHON ?= python3.11) say 3.11
    assert "PYTHON ?= python3.11" in (REPO / "Makefile").read_text()


def test_conda_packages_do_not_contradict_the_pins():
    """A package conda installs and pip pins must agree, or pip silently replaces it."""
    pins = _pins()
    conda = [item for item in _environment()["dependencies"] if isinstance(item, str)]
    for item in conda:
        name, _, pinned = item.partition("=")
        name = canonicalize_name(name)
        if name in pins:
            assert pinned.lstrip("=") == pins[name], f"environment.yml {item} vs {pins[name]}"


def _pins_of_this_environment() -> dict[str, str]:
    """requirements.txt, or under transformers 4 (.venv-compat) what make test-compat installs."""
    if version("transformers").startswith("4."):
        return {
            name: str(next(iter(Requirement(line).specifier)).version)
            for name, line in compat_requirements.merged().items()
        }
    return _pins()


def test_the_compat_pins_replace_only_what_moves_with_transformers():
    overrides = compat_requirements.pins(REPO / "requirements-compat.txt")
    assert "transformers" in overrides and set(overrides) < set(_pins())
    assert Requirement(overrides["transformers"]).specifier.contains("4.57.6")


def test_this_environment_has_exactly_the_pinned_versions():
    mismatched = {}
    for name, pinned in _pins_of_this_environment().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            mismatched[name] = (pinned, "not installed")
            continue
        if installed.split("+")[0] != pinned:  # torch's local tag: 2.13.0+cpu
            mismatched[name] = (pinned, installed)
    assert not mismatched, f"pinned vs installed (rerun make): {mismatched}"


def test_no_deps_packages_are_pinned_installed_and_named_where_they_are_installed():
    """requirements-nodeps.txt: exact pins, installed here, and installed by make and conda users."""
    pins = compat_requirements.pins(REPO / "requirements-nodeps.txt")
    assert pins and not set(pins) & set(_pins())
    for name, line in pins.items():
        pinned = next(iter(Requirement(line).specifier))
        assert pinned.operator == "==", f"requirements-nodeps.txt: {line!r} must pin with =="
        assert version(name) == pinned.version, f"{name}: rerun make ({version(name)} installed)"
    command = "--no-deps -r requirements-nodeps.txt"
    assert (REPO / "Makefile").read_text().count(command) == 2  # .venv and .venv-compat
    assert command in (REPO / "environment.yml").read_text()


def test_pyprojects_ranges_admit_the_pinned_versions():
    """Colab/Kaggle install from pyproject's ranges; they must include what the suite tests."""
    pins = _pins()
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = [Requirement(line) for line in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        requirements += [Requirement(line) for line in extra]
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"pyproject asks for {name}, which requirements.txt does not pin"
        assert requirement.specifier.contains(pins[name]), (
            f"pyproject's {requirement} excludes the tested {name}=={pins[name]}"
        )
