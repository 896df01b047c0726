"""Secrets never leak: canary values planted in the environment appear in no output or file."""

from __future__ import annotations

from pathlib import Path

from conftest import CANARIES, EXECUTED, HUB_HOME, REPO, ExecutedNotebook


def _files_containing_canaries(root: Path) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and path.stat().st_size < 50 * 2**20:
            content = path.read_bytes()
            for name, value in CANARIES.items():
                if value.encode() in content:
                    found.append(f"{path} holds the {name} canary")
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


def test_gated_notebook_logs_in_with_the_canary_and_leaks_it_nowhere(
    executed_notebooks, notebook_hub
):
    """Notebook 05 ran against the local Hub with the HF_TOKEN canary as its token.

    The Hub saw the canary (requests it accepted), yet it is in no output or log of the executed
    notebook (stdout, stderr and library warnings all land there), in its recorded results, or
    in any file it wrote: its HF_HOME, the cache it downloaded into, build/ and notebooks/.
    """
    from course_utils.zoo import local_hub_cache_dir

    outcome = executed_notebooks["05_gated_models"]
    assert isinstance(outcome, ExecutedNotebook), outcome
    accepted = [r for r in notebook_hub.requests if r.authorized == "accepted"]
    assert any("Mistral" in r.path for r in accepted), "the gated model was never downloaded"
    assert outcome.results["logged_in_user"] == "course-learner"
    hub_cache = local_hub_cache_dir(CANARIES["HF_TOKEN"])  # where notebook 05 downloaded
    for root in (EXECUTED, HUB_HOME, hub_cache, REPO / "build", REPO / "notebooks"):
        assert not _files_containing_canaries(root), root
