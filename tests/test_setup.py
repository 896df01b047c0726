"""``course_utils`` start-up: cheap import, mode decision, import order, clear errors."""

from __future__ import annotations

import http.server
import json
import threading
import time

import pytest

from course_utils import environment


def test_import_is_lazy_and_fast(run_python):
    code = (
        "import sys, time; t = time.perf_counter(); import course_utils; "
        "elapsed = time.perf_counter() - t; "
        "print(elapsed, 'torch' in sys.modules, 'transformers' in sys.modules)"
    )
    runs = [run_python(code).stdout.split() for _ in range(3)]
    best = min(float(elapsed) for elapsed, _, _ in runs)
    assert runs[0][1:] == ["False", "False"], (
        "import course_utils must not import torch/transformers"
    )
    assert best <= 0.3, f"import course_utils took {best:.3f} s (budget 0.3 s)"


def test_setup_after_transformers_import_says_what_to_do(run_python):
    # A learner's kernel: nothing configured yet, transformers imported before setup().
    fresh = {"HF_HUB_CACHE": None, "HF_HUB_OFFLINE": None, "TRANSFORMERS_OFFLINE": None}
    result = run_python("import transformers, course_utils; course_utils.setup()", env=fresh)
    assert result.returncode != 0
    assert "SetupOrderError" in result.stderr
    assert "restart the kernel" in result.stderr.lower()
    assert "before any cell that imports transformers" in result.stderr


def test_harmless_late_setup_still_says_so(run_python):
    result = run_python("import transformers, course_utils; course_utils.setup(verbose=False)")
    assert result.returncode == 0, result.stderr
    assert "was imported before course_utils.setup()" in result.stdout


def test_setup_twice_is_fine(run_python):
    result = run_python(
        "import course_utils; course_utils.setup(verbose=False); import transformers; "
        "s = course_utils.setup(verbose=False); print(s.offline)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"  # and no import-order note for the second call


def test_course_offline_forces_offline_and_points_cache_at_zoo(run_python):
    result = run_python(
        "import course_utils; s = course_utils.setup(); "
        "from huggingface_hub import constants; "
        "print(constants.HF_HUB_OFFLINE, constants.HF_HUB_CACHE == str(s.hub_cache))"
    )
    assert result.returncode == 0, result.stderr
    assert "offline (stand-in models)" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "True True"


def test_unreachable_hub_falls_back_to_offline_quickly(run_python):
    # A port nobody listens on: the connection is refused, as in an air-gapped room.
    env = {"COURSE_OFFLINE": None, "HF_HUB_OFFLINE": None, "HF_ENDPOINT": "http://127.0.0.1:9"}
    started = time.perf_counter()
    result = run_python("import course_utils; print(course_utils.setup().offline)", env=env)
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    assert "no Hub answers there" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "True"
    assert elapsed < 5 + 10, "fallback must take at most ~5 s beyond interpreter start-up"


def test_silent_hub_times_out_within_budget():
    # A server that accepts connections but never answers: the probe must give up on time.
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    try:
        started = time.perf_counter()
        assert not environment.hub_reachable(f"http://127.0.0.1:{port}", timeout=1.0)
        assert time.perf_counter() - started < 2.0
    finally:
        listener.close()


def test_hub_reachable_when_a_hub_answers():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"id": environment.PROBE_MODEL}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert environment.hub_reachable(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"COLAB_RELEASE_TAG": "release"}, "colab"),
        ({"KAGGLE_KERNEL_RUN_TYPE": "Interactive"}, "kaggle"),
    ],
)
def test_platform_detection(monkeypatch, variables, expected):
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    assert environment.detect_platform() == expected


def test_unknown_model_offline_in_a_notebook_names_it_and_lists_the_zoo(tmp_path):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import course_utils\ncourse_utils.setup(verbose=False)"),
            nbformat.v4.new_code_cell(
                "from transformers import AutoModel\nAutoModel.from_pretrained('no-such-org/no-such-model')"
            ),
        ]
    )
    client = NotebookClient(notebook, kernel_name="python3", timeout=120)
    with pytest.raises(CellExecutionError):
        client.execute()
    error = notebook.cells[1].outputs[-1]
    text = "\n".join(error["traceback"])
    assert "no-such-org/no-such-model" in text
    assert "not available offline" in text
    assert "google-bert/bert-base-uncased" in text  # lists what the zoo has
    assert json.dumps(error).count("Traceback") == 0  # no stack trace from deep in a library
