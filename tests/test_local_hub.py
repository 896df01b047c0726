"""The local test Hub: the real huggingface_hub and transformers code against the zoo's stand-ins.

This process has huggingface_hub configured offline (conftest), so everything that talks to the
Hub runs in a fresh interpreter with ``HF_ENDPOINT`` set to the local Hub, an empty cache and an
empty ``HF_HOME``. Every run also proves the canary secrets never reach its output.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import CANARIES, NO_ACCESS_TOKEN

from course_utils.local_hub import HubRepo, LocalHub

GATED = "mistralai/Mistral-7B-Instruct-v0.3"
INVALID_TOKEN = "hf_invalid_course_token"  # obviously fake, and unknown to the local Hub
# What huggingface_hub raises for an HTTP error: its own class from 1.0; 0.36 (beside
# transformers 4.57, `make test-compat`) raises requests' HTTPError from whoami/login.
HTTP_ERRORS = {"huggingface_hub.errors.HfHubHTTPError", "requests.exceptions.HTTPError"}

# Prepended to every snippet: run a call and describe what it raised, as JSON.
PRELUDE = """
import json, os

def outcome(call):
    try:
        value = call()
    except Exception as error:
        response = getattr(error, "response", None)
        return {
            "raised": f"{type(error).__module__}.{type(error).__qualname__}",
            "bases": [cls.__name__ for cls in type(error).__mro__],
            "status": getattr(response, "status_code", None),
            "message": str(error),
            "cause": type(error.__cause__).__name__ if error.__cause__ else None,
        }
    return {"raised": None, "value": value}

def report(**results):
    print("RESULT " + json.dumps(results, default=str))
"""


@pytest.fixture
def hub_python(local_hub: LocalHub, run_python, tmp_path: Path):
    """Run a snippet against the local Hub in a fresh interpreter; return what it reported.

    ``token`` becomes ``HF_TOKEN`` (None: no token at all); ``env`` adds variables.
    """

    def run(code: str, token: str | None = None, env: dict[str, str | None] | None = None):
        overrides: dict[str, str | None] = {
            "HF_HUB_OFFLINE": "0",
            "TRANSFORMERS_OFFLINE": "0",
            "HF_ENDPOINT": local_hub.endpoint,
            "HF_HUB_CACHE": str(tmp_path / "cache"),
            "HF_HOME": str(tmp_path / "home"),
            "HF_TOKEN": token,
            "HF_TOKEN_PATH": None,
            "HF_STORED_TOKENS_PATH": None,
            "HF_HUB_DISABLE_PROGRESS_BARS": "1",
            "OMP_NUM_THREADS": "1",
            **(env or {}),
        }
        result = run_python(PRELUDE + textwrap.dedent(code), env=overrides)
        output = result.stdout + result.stderr
        for name, value in CANARIES.items():
            assert value not in output, f"the {name} canary appeared in the snippet's output"
        assert result.returncode == 0, result.stderr[-3000:]
        reports = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
        assert reports, f"the snippet reported nothing:\n{result.stdout[-2000:]}"
        return json.loads(reports[-1].removeprefix("RESULT "))

    return run


def stand_in(repo_id: str):
    from course_utils.zoo import plan

    return next(state for state in plan() if repo_id in state.recipe.repo_ids)


def repo_files(folder: Path) -> list[str]:
    """What the zoo installs from a build folder: every file but the hidden ones."""
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    )


def files_holding(root: Path, secret: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


def fetch(url: str, token: str | None = None, method: str = "GET") -> tuple[int, dict, bytes]:
    """A plain HTTP request (no proxy): status, headers and body."""
    request = urllib.request.Request(url, method=method)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_model_info_gives_the_zoo_commit_and_the_build_folder_files(hub_python):
    state = stand_in("openai-community/gpt2")
    from course_utils.zoo.fingerprint import commit_sha

    result = hub_python(
        """
        from huggingface_hub import model_info
        info = model_info("openai-community/gpt2")
        alias = model_info("gpt2")
        report(sha=info.sha, files=sorted(s.rfilename for s in info.siblings),
               gated=info.gated, private=info.private, id=info.id, alias_sha=alias.sha)
        """
    )
    assert result["sha"] == commit_sha(state.fingerprint, "openai-community/gpt2")
    assert result["alias_sha"] == commit_sha(state.fingerprint, "gpt2")
    assert result["files"] == repo_files(state.build_dir)
    assert (result["id"], result["gated"], result["private"]) == (
        "openai-community/gpt2",
        False,
        False,
    )


def test_hf_hub_download_serves_the_build_folder_and_names_what_is_missing(hub_python):
    result = hub_python(
        """
        from huggingface_hub import hf_hub_download
        report(
            config=outcome(lambda: hf_hub_download("openai-community/gpt2", "config.json")),
            missing=outcome(lambda: hf_hub_download("openai-community/gpt2", "no-such.json")),
            repo=outcome(lambda: hf_hub_download("nobody-course/no-such-model", "config.json")),
            revision=outcome(
                lambda: hf_hub_download("openai-community/gpt2", "config.json", revision="v9")
            ),
        )
        """
    )
    downloaded = Path(result["config"]["value"])
    expected = stand_in("openai-community/gpt2").build_dir / "config.json"
    assert downloaded.read_bytes() == expected.read_bytes()
    assert "EntryNotFoundError" in result["missing"]["bases"], result["missing"]
    assert result["missing"]["status"] == 404
    assert result["repo"]["raised"] == "huggingface_hub.errors.RepositoryNotFoundError"
    assert result["revision"]["raised"] == "huggingface_hub.errors.RevisionNotFoundError"


def test_gated_model_without_a_token_is_public_to_look_at_but_refused(hub_python):
    result = hub_python(
        f"""
        from huggingface_hub import HfApi, hf_hub_download, model_info
        from transformers import AutoConfig
        report(
            gated=model_info("{GATED}").gated,
            download=outcome(lambda: hf_hub_download("{GATED}", "config.json")),
            check=outcome(lambda: HfApi().auth_check("{GATED}")),
            transformers=outcome(lambda: AutoConfig.from_pretrained("{GATED}")),
        )
        """,
        token=None,
    )
    assert result["gated"] == "manual"  # like the real Hub: model info shows the gate
    for refusal in (result["download"], result["check"]):
        assert refusal["raised"] == "huggingface_hub.errors.GatedRepoError", refusal
        assert refusal["status"] == 401
        assert "Please log in" in refusal["message"]
    # What a learner's from_pretrained shows: an OSError caused by the GatedRepoError.
    refusal = result["transformers"]
    assert (refusal["raised"], refusal["cause"]) == ("builtins.OSError", "GatedRepoError")
    assert "gated repo" in refusal["message"]


def test_gated_model_with_a_token_without_access_is_refused_with_403(hub_python):
    result = hub_python(
        f"""
        from huggingface_hub import hf_hub_download
        report(download=outcome(lambda: hf_hub_download("{GATED}", "config.json")))
        """,
        token=NO_ACCESS_TOKEN,
    )
    refusal = result["download"]
    assert refusal["raised"] == "huggingface_hub.errors.GatedRepoError", refusal
    assert refusal["status"] == 403
    assert "not in the authorized list" in refusal["message"]


def test_an_invalid_token_is_refused_everywhere_with_401(hub_python):
    result = hub_python(
        f"""
        from huggingface_hub import hf_hub_download
        report(
            gated=outcome(lambda: hf_hub_download("{GATED}", "config.json")),
            public=outcome(lambda: hf_hub_download("openai-community/gpt2", "config.json")),
        )
        """,
        token=INVALID_TOKEN,
    )
    for refusal in (result["gated"], result["public"]):
        assert refusal["raised"] == "huggingface_hub.errors.HfHubHTTPError", refusal
        assert refusal["status"] == 401
        assert "Invalid credentials in Authorization header" in refusal["message"]


def test_the_accepted_token_loads_the_gated_model_and_generates(hub_python, local_hub, tmp_path):
    result = hub_python(
        f"""
        from transformers import AutoModelForCausalLM, AutoTokenizer
        tokenizer = AutoTokenizer.from_pretrained("{GATED}")
        model = AutoModelForCausalLM.from_pretrained("{GATED}")
        inputs = tokenizer("[INST] Tell me a story. [/INST]", return_tensors="pt")
        output = model.generate(**inputs, max_new_tokens=4, do_sample=False)
        report(architecture=type(model).__name__,
               new_tokens=output.shape[1] - inputs["input_ids"].shape[1])
        """,
        token=CANARIES["HF_TOKEN"],
    )
    assert result["architecture"] == "MistralForCausalLM"
    assert 1 <= result["new_tokens"] <= 4
    weights = [
        r for r in local_hub.requests if r.path.startswith(f"/{GATED}/") and r.method == "GET"
    ]
    assert any(r.path.endswith("/model.safetensors") for r in weights)
    assert {r.authorized for r in weights} == {"accepted"}
    assert not files_holding(tmp_path / "cache", CANARIES["HF_TOKEN"])


def test_a_stand_in_loads_with_from_pretrained_into_an_empty_cache(hub_python, tmp_path):
    from course_utils.zoo.fingerprint import commit_sha

    cache = tmp_path / "cache"
    assert not cache.exists()
    result = hub_python(
        """
        from transformers import AutoModelForCausalLM, AutoTokenizer
        model = AutoModelForCausalLM.from_pretrained("openai-community/gpt2")
        tokenizer = AutoTokenizer.from_pretrained("openai-community/gpt2")
        report(architecture=type(model).__name__, ids=tokenizer("Once upon a time")["input_ids"])
        """,
        token=None,
    )
    assert result["architecture"] == "GPT2LMHeadModel"
    assert result["ids"]
    commit = commit_sha(stand_in("openai-community/gpt2").fingerprint, "openai-community/gpt2")
    snapshot = cache / "models--openai-community--gpt2" / "snapshots" / commit
    assert (snapshot / "model.safetensors").is_file()


def test_whoami_and_login_with_the_accepted_token(hub_python, tmp_path):
    home, hf_home = tmp_path / "user", tmp_path / "home"
    result = hub_python(
        """
        from huggingface_hub import get_token, login, whoami
        token = os.environ["COURSE_TEST_TOKEN"]
        me = whoami(token=token)
        login(token=token, add_to_git_credential=False)
        report(name=me["name"], role=me["auth"]["accessToken"]["role"],
               active=get_token() == token)
        """,
        token=None,
        env={"COURSE_TEST_TOKEN": CANARIES["HF_TOKEN"], "HOME": str(home)},
    )
    assert result == {"name": "course-learner", "role": "read", "active": True}
    holding = files_holding(tmp_path, CANARIES["HF_TOKEN"])
    assert (hf_home / "token") in holding
    assert all(path.is_relative_to(hf_home) for path in holding)
    assert not home.exists() or not any(home.rglob("*"))


def test_login_with_an_invalid_token_raises_and_saves_nothing(hub_python, tmp_path):
    result = hub_python(
        f"""
        from huggingface_hub import login
        report(login=outcome(lambda: login(token="{INVALID_TOKEN}", add_to_git_credential=False)))
        """,
        token=None,
    )
    refusal = result["login"]
    assert refusal["raised"] in HTTP_ERRORS, refusal
    assert refusal["status"] == 401
    assert "Invalid user token" in refusal["message"]
    assert not (tmp_path / "home" / "token").exists()


def test_requests_are_recorded_by_how_the_token_was_judged_never_with_it(local_hub):
    url = f"{local_hub.endpoint}/api/whoami-v2"
    tokens = {
        "accepted": CANARIES["HF_TOKEN"],
        "no-access": NO_ACCESS_TOKEN,
        "invalid": INVALID_TOKEN,
        "none": None,
    }
    statuses = {judged: fetch(url, token)[0] for judged, token in tokens.items()}
    assert statuses == {"accepted": 200, "no-access": 200, "invalid": 401, "none": 401}
    assert [r.authorized for r in local_hub.requests[-4:]] == list(tokens)
    secrets = [token for token in tokens.values() if token]
    leaking = [i for i, r in enumerate(local_hub.requests) if any(s in repr(r) for s in secrets)]
    assert not leaking, f"{len(leaking)} recorded requests hold a token"


def test_the_server_answers_like_the_hub_for_any_folder(tmp_path):
    folder = tmp_path / "repo"
    (folder / "sub").mkdir(parents=True)
    (folder / "config.json").write_text('{"model_type": "gpt2"}')
    (folder / "model.safetensors").write_bytes(b"\0" * 100)
    (folder / "sub" / "extra.txt").write_text("hello")
    (folder / ".complete").write_text("hidden")
    commit = "a" * 40
    repo = HubRepo(folder, commit, revisions=("v1",))
    with LocalHub({"someone/tiny": repo}) as hub:
        base = f"{hub.endpoint}/someone/tiny/resolve"
        status, headers, body = fetch(f"{base}/v1/config.json")
        blob = folder.joinpath("config.json").read_bytes()
        git_blob_id = hashlib.sha1(b"blob %d\0" % len(blob) + blob).hexdigest()
        assert (status, body, headers["ETag"]) == (200, blob, f'"{git_blob_id}"')
        assert headers["X-Repo-Commit"] == commit
        status, headers, body = fetch(f"{base}/main/model.safetensors", method="HEAD")
        sha256 = hashlib.sha256(b"\0" * 100).hexdigest()
        assert (status, body, headers["ETag"], headers["Content-Length"]) == (
            200,
            b"",
            f'"{sha256}"',
            "100",
        )
        assert fetch(f"{base}/main/.complete")[1]["X-Error-Code"] == "EntryNotFound"
        status, _, body = fetch(f"{hub.endpoint}/api/models/someone/tiny/tree/main?recursive=true")
        assert status == 200
        assert [(e["type"], e["path"]) for e in json.loads(body)] == [
            ("directory", "sub"),
            ("file", "config.json"),
            ("file", "model.safetensors"),
            ("file", "sub/extra.txt"),
        ]
        status, headers, body = fetch(f"{hub.endpoint}/api/spaces/someone/tiny")
        assert (status, "error" in json.loads(body)) == (404, True)


def test_the_teacher_command_serves_the_zoo_and_never_prints_the_token():
    token = CANARIES["HF_TOKEN"]
    process = subprocess.Popen(
        [sys.executable, "-m", "course_utils.local_hub"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "HF_TOKEN": token, "OMP_NUM_THREADS": "1"},
    )
    watchdog = threading.Timer(60, process.kill)  # never let a hang stall the suite
    watchdog.start()
    try:
        printed = []
        while line := process.stdout.readline():
            printed.append(line)
            if line.startswith("HF_ENDPOINT="):
                break
        assert printed and printed[-1].startswith("HF_ENDPOINT="), "".join(printed)
        endpoint = printed[-1].strip().removeprefix("HF_ENDPOINT=")
        assert fetch(f"{endpoint}/api/whoami-v2", token)[0] == 200
        assert fetch(f"{endpoint}/{GATED}/resolve/main/config.json", token)[0] == 200
        assert fetch(f"{endpoint}/{GATED}/resolve/main/config.json")[0] == 401
    finally:
        process.send_signal(signal.SIGINT)
        rest, errors = process.communicate(timeout=30)
        watchdog.cancel()
    assert process.returncode == 0, errors
    assert token not in "".join(printed) + rest + errors


def _ignore_sigint_like_a_background_job() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_ctrl_c_stops_the_teacher_command_started_in_the_background_on_any_thread():
    # A shell starts `make hub &` with SIGINT ignored, and Linux may deliver a process's SIGINT
    # to any of its threads: the command must stop either way.
    libc = ctypes.CDLL(None, use_errno=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "course_utils.local_hub"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        preexec_fn=_ignore_sigint_like_a_background_job,
    )
    try:
        while line := process.stdout.readline():
            if line.startswith("HF_ENDPOINT="):
                break
        threads = [int(t) for t in os.listdir(f"/proc/{process.pid}/task") if int(t) != process.pid]
        assert threads, "the local Hub serves from a thread of its own"
        assert libc.tgkill(process.pid, threads[0], signal.SIGINT) == 0, ctypes.get_errno()
        process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 0
