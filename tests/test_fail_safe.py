"""The course's boundaries fail safe: hostile or clumsy input gets a clear answer, never a hang,
lost data, a bypassed gate or injected markup.

Each test reproduces one failure found by probing the boundaries (issue "Fail safe at the
boundaries"); every test has its own time limit, so a hang fails the test, not the CI run.
"""

from __future__ import annotations

import contextlib
import socket
import time
from pathlib import Path

import pytest

from course_utils.http_server import BackgroundServer, Reply, Request, safe_header_value
from course_utils.local_hub import HubRepo, LocalHub

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def tiny_hub(tmp_path: Path):
    """A local Hub serving one small repo (no zoo needed)."""
    (tmp_path / "config.json").write_text('{"model_type": "gpt2"}')
    with LocalHub({"someone/tiny": HubRepo(tmp_path, COMMIT)}) as hub:
        yield hub


def raw_exchange(endpoint: str, request: bytes, wait: float = 30) -> bytes:
    """Send ``request`` as it is on a fresh connection; return all the server sends back."""
    host, port = endpoint.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
            if b"\r\n\r\n" in received:
                head, _, body = received.partition(b"\r\n\r\n")
                length = [
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ]
                if length and len(body) >= length[0]:
                    break
    return received


def status_and_headers(reply: bytes) -> tuple[int, list[str]]:
    head = reply.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    return int(head[0].split()[1]), head[1:]


# 1. Hangs: a request that announces a body and sends nothing.


@pytest.mark.timeout(30)
def test_a_silent_request_body_gets_408_after_the_read_timeout_and_frees_the_thread():
    server = BackgroundServer(lambda request: Reply(200, body=b"ok"), "probe", read_timeout=0.5)
    with server:
        started = time.monotonic()
        reply = raw_exchange(server.address, b"POST /x HTTP/1.1\r\nContent-Length: 100\r\n\r\n")
        assert status_and_headers(reply)[0] == 408
        assert time.monotonic() - started < 10
        ok = raw_exchange(server.address, b"GET /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        assert status_and_headers(ok)[0] == 200


@pytest.mark.timeout(60)
def test_the_local_hub_does_not_wait_forever_for_a_body_that_never_comes(tiny_hub):
    """At the real read timeout: a huge announced body is refused at once, a small one times out."""
    huge = b"GET /api/whoami-v2 HTTP/1.1\r\nContent-Length: 1000000000\r\n\r\n"
    assert status_and_headers(raw_exchange(tiny_hub.endpoint, huge))[0] == 413
    silent = b"GET /api/whoami-v2 HTTP/1.1\r\nContent-Length: 10\r\n\r\n"
    assert status_and_headers(raw_exchange(tiny_hub.endpoint, silent))[0] == 408


# 7. The local Hub: header injection and malformed requests.


@pytest.mark.timeout(30)
def test_a_revision_cannot_inject_a_header(tiny_hub):
    path = "/api/models/someone/tiny/revision/x%0d%0aSet-Cookie:%20pwned=1"
    reply = raw_exchange(tiny_hub.endpoint, f"GET {path} HTTP/1.1\r\n\r\n".encode())
    status, headers = status_and_headers(reply)
    assert status == 404
    assert not [h for h in headers if h.lower().startswith("set-cookie")], headers
    assert any(h.startswith("X-Error-Message: Invalid rev id: x  Set-Cookie") for h in headers)


@pytest.mark.timeout(30)
def test_a_non_latin1_revision_gets_a_reply_not_a_dropped_connection(tiny_hub):
    path = "/api/models/someone/tiny/revision/%E2%82%AC"
    status, headers = status_and_headers(
        raw_exchange(tiny_hub.endpoint, f"GET {path} HTTP/1.1\r\n\r\n".encode())
    )
    assert status == 404
    assert "X-Error-Message: Invalid rev id: \\u20ac" in headers


@pytest.mark.timeout(30)
@pytest.mark.parametrize("length", ["abc", "-5"])
def test_an_unreadable_content_length_gets_400(tiny_hub, length):
    request = f"GET /api/whoami-v2 HTTP/1.1\r\nContent-Length: {length}\r\n\r\n".encode()
    assert status_and_headers(raw_exchange(tiny_hub.endpoint, request))[0] == 400


def test_header_values_lose_line_breaks_and_keep_latin1():
    assert safe_header_value("a\r\nSet-Cookie: x") == "a  Set-Cookie: x"
    assert safe_header_value("café €") == "café \\u20ac"


@pytest.mark.timeout(30)
def test_a_failing_route_answers_500_instead_of_hanging():
    def broken(request: Request) -> Reply:
        raise RuntimeError("bug")

    with BackgroundServer(broken, "probe") as server:
        reply = raw_exchange(server.address, b"GET / HTTP/1.1\r\n\r\n")
    assert status_and_headers(reply)[0] == 500


# 9. setup()'s Hub probe: one probe, at most a few seconds, and only the Hub's own answer counts.


@pytest.fixture
def silent_endpoint():
    """A loopback port that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


@pytest.mark.timeout(60)
def test_setup_probes_a_silent_local_hub_once_and_says_so_once(run_python, silent_endpoint):
    env = {"COURSE_OFFLINE": None, "HF_HUB_OFFLINE": None, "HF_ENDPOINT": silent_endpoint}
    code = (  # times every probe setup() makes
        "import time, course_utils, course_utils.session as s\n"
        "probes, probe = [], s.hub_reachable\n"
        "def timed(*args, **kwargs):\n"
        "    started = time.monotonic(); answer = probe(*args, **kwargs)\n"
        "    probes.append(time.monotonic() - started); return answer\n"
        "s.hub_reachable = timed\n"
        "session = course_utils.setup()\n"
        "print('PROBES', len(probes), sum(probes), session.offline, session.local_hub)"
    )
    result = run_python(code, env=env)
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1].split()
    assert last[:2] == ["PROBES", "1"] and float(last[2]) <= 5.0, result.stdout
    assert last[3:] == ["True", "None"]  # offline, reading the zoo directly
    assert result.stdout.count("Notice:") == 1, result.stdout
    assert "did not answer within" not in result.stdout  # no second, contradicting notice


@pytest.mark.timeout(30)
def test_a_proxy_error_page_is_not_the_hub():
    def proxy(request: Request) -> Reply:
        return Reply(404, {"Content-Type": "text/html"}, b"<html>blocked by proxy</html>")

    from course_utils import environment

    with BackgroundServer(proxy, "proxy") as server:
        assert not environment.hub_reachable(server.address, timeout=2)


# 8. Unchecked arguments: setup() refuses them before it changes anything.


@pytest.mark.parametrize("arguments", ["seed='42'", "offline='no'", "seed=True", "verbose=None"])
def test_setup_refuses_bad_arguments_before_changing_the_environment(run_python, arguments):
    code = (
        "import os, course_utils\n"
        "before = dict(os.environ)\n"
        "try:\n"
        f"    course_utils.setup({arguments})\n"
        "except TypeError as error:\n"
        "    print('REFUSED', error)\n"
        "print('UNCHANGED', dict(os.environ) == before)"
    )
    result = run_python(code, env={"HF_HUB_OFFLINE": None, "HF_HUB_CACHE": None})
    assert result.returncode == 0, result.stderr
    assert "REFUSED setup(" in result.stdout and "UNCHANGED True" in result.stdout, result.stdout


# 1. Hangs: logging in against a Hub that accepts the connection and never answers.


@pytest.mark.timeout(60)
def test_log_in_to_a_silent_hub_gives_up_within_15_seconds(run_python, silent_endpoint):
    code = (
        "import time\n"
        "from course_utils import hub_access as h\n"
        "token = h.HubToken('hf_' + 'x' * 34, 'the prompt')\n"
        "started = time.monotonic()\n"
        "try:\n"
        "    h.log_in(token)\n"
        "except h.HubUnreachableError as error:\n"
        "    print('UNREACHABLE', time.monotonic() - started, error)\n"
    )
    online = {"HF_HUB_OFFLINE": None, "TRANSFORMERS_OFFLINE": None}  # huggingface_hub reads both
    result = run_python(code, env={"HF_ENDPOINT": silent_endpoint, **online})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("UNREACHABLE"), result.stdout + result.stderr
    assert float(result.stdout.split()[1]) <= 15
    assert "did not answer within" in result.stdout and "x" * 34 not in result.stdout


# 10. Raw traces a learner can reach: wrong types get a sentence, not an AttributeError.


def test_log_in_and_find_token_refuse_wrong_types_clearly():
    from course_utils import hub_access

    with pytest.raises(TypeError, match="takes the HubToken that find_token"):
        hub_access.log_in("hf_pasted_into_a_cell")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes the secret's name as text"):
        hub_access.find_token(None)  # type: ignore[arg-type]


def test_memory_checks_refuse_numbers_that_are_not_numbers():
    from course_utils import memory

    estimate = memory.estimate_memory("openai-community/gpt2", "fp32")
    for bad in (float("nan"), float("inf"), -0.1):
        with pytest.raises(ValueError, match="headroom"):
            estimate.fits(100, headroom=bad)
    with pytest.raises(ValueError, match="available_gib"):
        estimate.fits(float("nan"))
    assert estimate.fits(100) and not estimate.fits(0.01)  # the real answers still work


def test_a_config_with_a_negative_size_is_refused_not_counted():
    from course_utils import model_sizes

    with pytest.raises(ValueError, match="num_hidden_layers"):
        model_sizes.count_parameters({"model_type": "gpt2", "n_layer": -1})
    assert model_sizes.count_parameters({"model_type": "gpt2", "n_layer": 1}) > 0


# 2. The gate: a gated stand-in downloaded with a token is not loadable by a session without one.


@pytest.mark.timeout(240)
def test_a_session_without_a_token_cannot_load_what_a_token_downloaded(local_hub, run_python):
    from conftest import CANARIES

    load = (
        "import course_utils; course_utils.setup(verbose=False)\n"
        "from transformers import AutoModelForCausalLM\n"
        "try:\n"
        "    AutoModelForCausalLM.from_pretrained('mistralai/Mistral-7B-Instruct-v0.3')\n"
        "    print('LOADED')\n"
        "except OSError as error:\n"
        "    print('REFUSED', 'gated' in str(error).lower())\n"
    )
    hub = {"HF_ENDPOINT": local_hub.endpoint, "HF_HUB_OFFLINE": None, "HF_HUB_CACHE": None}
    with_token = run_python(load, env={**hub, "HF_TOKEN": CANARIES["HF_TOKEN"]}, timeout=200)
    assert "LOADED" in with_token.stdout, with_token.stdout + with_token.stderr[-2000:]
    without = run_python(load, env={**hub, "HF_TOKEN": None}, timeout=200)
    assert "REFUSED True" in without.stdout, without.stdout + without.stderr[-2000:]  # the gate


# 3. Data loss: `zoo clean` deletes only what the zoo wrote.


def run_zoo(run_python, folder: Path, *arguments: str):
    code = (
        f"from course_utils.zoo.__main__ import main; raise SystemExit(main({list(arguments)!r}))"
    )
    return run_python(code, env={"COURSE_ZOO_DIR": str(folder)})


def test_zoo_clean_refuses_a_folder_that_is_not_the_zoo(run_python, tmp_path):
    (tmp_path / "notes.txt").write_text("a learner's notes")
    (tmp_path / "transformers5").mkdir()  # looks like the zoo's, but the folder is not marked
    result = run_zoo(run_python, tmp_path, "clean")
    assert result.returncode == 2 and "nothing was deleted" in result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "notes.txt").read_text() == "a learner's notes"
    assert (tmp_path / "transformers5").is_dir()


def test_zoo_clean_deletes_the_zoo_and_keeps_everything_else(run_python, tmp_path):
    from course_utils.zoo.folder import MARKER

    (tmp_path / MARKER).write_text("zoo")
    (tmp_path / "transformers5" / "builds").mkdir(parents=True)
    (tmp_path / "notes.txt").write_text("mine")
    result = run_zoo(run_python, tmp_path, "clean")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_zoo_clean_removes_a_zoo_made_before_marks_existed(run_python, tmp_path):
    zoo = tmp_path / "zoo"
    (zoo / "transformers4" / "hub").mkdir(parents=True)
    (zoo / ".build.lock").write_text("")
    assert run_zoo(run_python, zoo, "clean").returncode == 0
    assert not zoo.exists()


# 6. Damaged stand-ins are found, and a read-only zoo explains itself.


def test_a_truncated_or_deleted_file_makes_a_stand_in_stale(tmp_path):
    from course_utils.zoo.integrity import damaged_files, write_manifest

    build = tmp_path / "build"
    build.mkdir()
    (build / "model.safetensors").write_bytes(b"x" * 1000)
    (build / "config.json").write_text("{}")
    write_manifest(build)
    assert damaged_files(build) == []
    snapshot = tmp_path / "snapshot"
    snapshot.mkdir()
    (snapshot / "config.json").write_text("{}")  # model.safetensors deleted from the snapshot
    assert damaged_files(build, snapshot) == ["model.safetensors"]
    (build / "model.safetensors").write_bytes(b"x" * 10)  # cut short
    assert damaged_files(build) == ["model.safetensors"]
    (build / "model.safetensors").write_bytes(b"y" * 1000)  # same size, other bytes
    assert damaged_files(build) == []  # the quick check on every setup() compares sizes
    assert damaged_files(build, check_hashes=True) == ["model.safetensors"]  # zoo list hashes


def test_zoo_list_names_a_damaged_stand_in_and_the_command_that_fixes_it(
    run_python, tmp_path, monkeypatch
):
    from course_utils.zoo import plan
    from course_utils.zoo.integrity import write_manifest

    monkeypatch.setenv("COURSE_ZOO_DIR", str(tmp_path))  # a zoo holding one small build
    build = next(s for s in plan() if s.recipe.name == "gpt2").build_dir
    build.mkdir(parents=True)
    (build / "model.safetensors").write_bytes(b"x" * 1000)
    write_manifest(build)
    with (build / "model.safetensors").open("r+b") as weights:
        weights.truncate(100)
    result = run_zoo(run_python, tmp_path, "list")
    assert "[damaged] openai-community/gpt2" in result.stdout, result.stdout
    assert "python -m course_utils.zoo build gpt2 --force" in result.stdout


def test_a_read_only_zoo_folder_gets_a_clear_error(run_python, tmp_path):
    import os

    if os.geteuid() == 0:  # root writes anywhere: make the folder a file's child instead
        (tmp_path / "file").write_text("")
        folder = tmp_path / "file" / "zoo"
    else:
        folder = tmp_path / "read-only"
        folder.mkdir(mode=0o500)
    result = run_zoo(run_python, folder, "build", "gpt2")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "cannot be written" in result.stderr and "COURSE_ZOO_DIR" in result.stderr
    assert "Traceback" not in result.stderr


# 10. `zoo build nope`: a sentence, not a traceback.


def test_zoo_build_of_an_unknown_recipe_says_so_without_a_traceback(run_python):
    code = "from course_utils.zoo.__main__ import main; raise SystemExit(main(['build', 'nope']))"
    result = run_python(code)
    assert result.returncode == 2
    assert "No recipe named ['nope']" in result.stderr and "Traceback" not in result.stderr


# 5. HTML injection: a model's labels are text, not markup.


def test_entity_labels_are_escaped_in_the_highlighted_html():
    from course_utils.tasks.highlight import highlight

    hostile = "<img src=x onerror=alert(1)>"
    page = highlight("Ada Lovelace", [{"start": 0, "end": 12, "entity_group": hostile}])
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


# 8. A NaN threshold cannot turn a confident answer into "no answer".


def test_question_answering_refuses_a_nan_threshold():
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    from course_utils.tasks import qa

    model_id = "distilbert/distilbert-base-cased-distilled-squad"
    model = AutoModelForQuestionAnswering.from_pretrained(model_id)
    tokenizer = AutoTokenizer.from_pretrained(model_id)
    question, context = "Where does Ada live?", "Ada lives in Lisbon."
    with pytest.raises(AssertionError, match="min_score"):
        qa.answer_question(question, context, model, tokenizer, min_score=float("nan"))
    assert qa.answer_question(question, context, model, tokenizer, min_score=0).text is not None


# 1 and 4. The chat backends: a silent endpoint gets a message in time; a huge prompt is refused.


@pytest.mark.timeout(60)
def test_the_openai_backend_gives_up_on_a_silent_endpoint_within_20_seconds(silent_endpoint):
    from course_utils import chat
    from course_utils.chat import ApiKey, EndpointUnreachableError

    key = ApiKey("sk-not-a-real-key", "the test")
    backend = chat.OpenAIBackend("course-echo", f"{silent_endpoint}/v1", key)  # the real limit
    started = time.monotonic()
    with pytest.raises(EndpointUnreachableError, match="did not answer within"):
        chat.complete(backend, [{"role": "user", "content": "Hi"}])
    assert time.monotonic() - started <= 20 + 3


@pytest.mark.timeout(30)
def test_a_prompt_too_long_for_a_model_without_a_limit_is_refused(monkeypatch):
    from course_utils import chat

    monkeypatch.setattr(chat, "token_limit", lambda config, tokenizer=None: None)  # like BLOOM
    backend = chat.LocalBackend()
    assert backend.context_length == chat.UNLIMITED_CONTEXT
    book = [{"role": "user", "content": "Once upon a time. " * 5500}]  # ~99,000 characters
    with pytest.raises(chat.ChatError, match="too long"):
        chat.complete(backend, book, max_new_tokens=5)


# 10. Loading a chat model that is not there, or gated: a sentence, not an OSError.


@pytest.mark.parametrize(
    ("model_id", "says"),
    [
        ("no-such-org/no-such-chat-model", "not available offline"),
        ("mistralai/Mistral-7B-Instruct-v0.3", "gated"),
    ],
)
def test_the_local_chat_backend_explains_a_model_it_cannot_load(model_id, says):
    from course_utils import chat
    from course_utils.errors import CourseError

    with pytest.raises(CourseError, match=says) as caught:
        chat.LocalBackend(model_id)
    assert model_id in str(caught.value)


def test_a_key_echoed_in_another_letter_case_is_masked_too():
    from course_utils.chat import _scrub

    key = "sk-Canary-AbC123"
    said = f"unknown key {key.lower()} (was {key.upper()}, {key})"
    assert _scrub(said, key) == "unknown key *** (was ***, ***)"


def test_log_in_in_an_offline_session_says_the_session_is_offline(run_python):
    code = (
        "from course_utils import hub_access as h\n"
        "try:\n"
        "    h.log_in(h.HubToken('hf_' + 'x' * 34, 'the prompt'))\n"
        "except h.HubUnreachableError as error:\n"
        "    print(error)\n"
    )
    result = run_python(code, env={"HF_HUB_OFFLINE": "1"})
    assert result.returncode == 0, result.stderr
    assert "This session is offline (HF_HUB_OFFLINE=1)" in result.stdout


@pytest.mark.timeout(30)
def test_a_body_dripped_byte_by_byte_gets_408_within_one_read_timeout():
    server = BackgroundServer(lambda request: Reply(200, body=b"ok"), "probe", read_timeout=1.0)
    with server:
        host, port = server.address.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=20) as connection:
            connection.sendall(b"POST /x HTTP/1.1\r\nContent-Length: 100\r\n\r\n")
            started = time.monotonic()
            reply = b""
            for _ in range(40):  # a byte every 0.25 s: each read is in time, the whole is not
                try:
                    connection.sendall(b"x")
                except OSError:
                    break
                time.sleep(0.25)
                connection.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    reply += connection.recv(65536)
                connection.setblocking(True)
                if reply:
                    break
        assert status_and_headers(reply)[0] == 408
        assert time.monotonic() - started < 4


@pytest.mark.timeout(30)
def test_a_content_length_of_unicode_digits_gets_400(tiny_hub):
    request = "GET /api/whoami-v2 HTTP/1.1\r\nContent-Length: ²\r\n\r\n".encode()
    assert status_and_headers(raw_exchange(tiny_hub.endpoint, request))[0] == 400


@pytest.mark.timeout(30)
def test_an_answer_that_is_not_http_is_not_the_hub(capfd):
    from course_utils import environment

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def answer_garbage() -> None:
        connection, _ = listener.accept()
        connection.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
        connection.close()

    import threading

    threading.Thread(target=answer_garbage, daemon=True).start()
    try:
        assert not environment.hub_reachable(f"http://127.0.0.1:{listener.getsockname()[1]}", 5)
    finally:
        listener.close()
    assert "Traceback" not in capfd.readouterr().err  # no thread traceback in the notebook


def test_setup_offline_ignores_transformers_legacy_cache_variables(run_python, tmp_path):
    code = (
        "import os, course_utils\n"
        "course_utils.setup(verbose=False)\n"
        "print([os.environ.get(n) for n in ('TRANSFORMERS_CACHE', 'PYTORCH_TRANSFORMERS_CACHE')])"
    )
    legacy = {"TRANSFORMERS_CACHE": str(tmp_path), "PYTORCH_TRANSFORMERS_CACHE": str(tmp_path)}
    result = run_python(code, env=legacy)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[None, None]"


def test_zoo_clean_waits_for_no_build_and_deletes_nothing_during_one(run_python, tmp_path):
    from filelock import FileLock

    from course_utils.zoo.folder import LOCK, MARKER

    (tmp_path / MARKER).write_text("zoo")
    (tmp_path / "transformers5").mkdir()
    with FileLock(str(tmp_path / LOCK)):  # a build is running
        result = run_zoo(run_python, tmp_path, "clean")
    assert result.returncode == 2 and "build of the offline model zoo is running" in result.stderr
    assert (tmp_path / "transformers5").is_dir()
