"""Secrets never leak: canary values planted in the environment appear in no output or file."""

from __future__ import annotations

from pathlib import Path

from conftest import CANARIES, EXECUTED, REPO


def _files_containing_canaries(root: Path) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and path.stat().st_size < 50 * 2**20:
            content = path.read_bytes()
            for name, value in CANARIES.items():
                if value.encode() in content:
                    found.append(f"{path.relative_to(REPO)} holds the {name} canary")
    return found


def test_canaries_are_in_the_environment_of_the_suite():
    import os

    for name, value in CANARIES.items():
        assert os.environ[name] == value


def test_executed_notebooks_and_their_records_do_not_leak_secrets(executed_notebooks):
    assert executed_notebooks, "no notebook was executed"
    assert not _files_containing_canaries(EXECUTED)
    assert not _files_containing_canaries(REPO / "notebooks")


def test_setup_banner_does_not_show_the_token(run_python):
    result = run_python("import course_utils; course_utils.setup()")
    assert result.returncode == 0, result.stderr
    for value in CANARIES.values():
        assert value not in result.stdout + result.stderr
