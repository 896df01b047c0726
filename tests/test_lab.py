"""JupyterLab as a learner meets it: the server `make lab` starts lists the course and opens 00.

The server is started as the Makefile's ``lab`` target starts it (``jupyter lab`` on notebooks/,
``--allow-root`` when root), plus what a test needs: no browser, a free port and a token from
the environment (``JUPYTER_TOKEN``), which never reaches the test's output.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from browser import chromium_page, screenshot
from conftest import NOTEBOOKS, REPO, notebook_paths

STARTUP_TIMEOUT_S = 90


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""
    except urllib.error.URLError:  # not listening yet
        return 0, b""


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory):
    """``jupyter lab`` on notebooks/ as `make lab` runs it; yields (base URL, token)."""
    assert "--notebook-dir=notebooks" in (REPO / "Makefile").read_text()  # what make lab serves
    token, port = secrets.token_hex(24), _free_port()
    home = tmp_path_factory.mktemp("lab-home")  # no user settings or workspaces
    # What `make lab` installs as the venv's app settings (Makefile, LAB_OVERRIDES).
    app_settings = home / "app-settings"
    app_settings.mkdir()
    shutil.copy(REPO / "tools" / "jupyterlab-overrides.json", app_settings / "overrides.json")
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--notebook-dir={NOTEBOOKS}",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--LabApp.app_settings_dir={app_settings}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    env = os.environ | {
        "JUPYTER_TOKEN": token,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    log = (home / "server.log").open("wb")  # holds the token: stays in the temp folder
    server = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while _get(f"{base}/api/status", token)[0] != 200:
            assert server.poll() is None, "jupyter lab exited at start-up (see its log)"
            assert time.monotonic() < deadline, (
                f"jupyter lab did not answer in {STARTUP_TIMEOUT_S} s"
            )
            time.sleep(0.5)
        yield base, token
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


def test_the_server_lists_every_notebook_and_refuses_a_wrong_token(lab_server):
    base, token = lab_server
    status, body = _get(f"{base}/api/contents", token)
    assert status == 200
    listed = {item["name"] for item in json.loads(body)["content"] if item["type"] == "notebook"}
    assert listed == {path.name for path in notebook_paths()}
    assert _get(f"{base}/api/contents", "not-the-token")[0] == 403


def test_notebook_00_opens_in_the_lab_ui(lab_server, capsys):
    base, token = lab_server
    with chromium_page(1400, 900) as page:
        page.goto(f"{base}/lab/tree/00_setup.ipynb?token={token}")
        title = page.locator(".jp-RenderedMarkdown h1").first
        title.wait_for(timeout=60_000)
        assert title.inner_text().startswith("00 · Setting up")
        # Lab renders cells lazily, and on a busy machine a few at a time: wait for them.
        page.wait_for_function(
            "document.querySelectorAll('.jp-Notebook .jp-Cell').length >= 3", timeout=60_000
        )
        path = screenshot(page, "lab_00_setup")
    assert path.stat().st_size > 20_000
    captured = capsys.readouterr()
    assert token not in captured.out + captured.err


def test_jupyterlab_does_not_ask_to_fetch_news(lab_server):
    """`make lab`'s overrides answer JupyterLab's "get notified about Jupyter news?" with no."""
    base, token = lab_server
    status, body = _get(
        f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification", token
    )
    assert status == 200
    defaults = json.loads(body)["schema"]["properties"]  # overrides replace the defaults
    assert defaults["fetchNews"]["default"] == "false"  # "none" (JupyterLab's) makes it ask
    assert defaults["checkForUpdates"]["default"] is False
