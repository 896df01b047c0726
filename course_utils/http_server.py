"""A small HTTP server on 127.0.0.1 that runs in a background thread: the course's local Hub and
the test suite's OpenAI-compatible server are both built on it.

Why one helper: both must behave the same way at the edges, where hand-written servers usually
fail. A client that announces a body and then sends nothing (or sends it a byte at a time) gets a
408 after ``timeouts.SERVER_READ_SECONDS`` instead of holding a thread forever; an unreadable or huge
``Content-Length`` gets a 400 or 413 reply instead of a dropped connection; no header value can
carry a line break (header injection) or a character HTTP cannot send; request lines and headers
are never logged, since they may carry tokens; and a bug in a route answers 500 rather than
leaving the client waiting.
"""

from __future__ import annotations

import re
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from course_utils.timeouts import SERVER_READ_SECONDS

MAX_BODY = 2**20  # bytes: the largest request body either server needs is a chat history
CHUNK = 2**20
_UNSAFE_IN_HEADER = re.compile(r"[\x00-\x1f\x7f]")
HOST = "127.0.0.1"  # loopback only: nothing off this machine reaches the servers


@dataclass(frozen=True)
class Request:
    """What a route sees of a request: method, raw path with its query, headers, body."""

    method: str
    path: str
    headers: Message  # looks names up case-insensitively, as HTTP requires
    body: bytes = b""


@dataclass
class Reply:
    """A route's answer. ``file`` is sent in chunks; ``stream`` (server-sent events and the
    like) is flushed piece by piece on a connection that closes at its end."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    file: Path | None = None
    stream: Iterable[bytes] | None = None


Route = Callable[[Request], Reply]
ServerT = TypeVar("ServerT", bound="BackgroundServer")


def safe_header_value(value: str) -> str:
    """``value`` with control characters (CR, LF, …) replaced by spaces and anything outside
    Latin-1 escaped, so it can neither start a new header nor break the reply."""
    cleaned = _UNSAFE_IN_HEADER.sub(" ", value)
    return cleaned.encode("latin-1", "backslashreplace").decode("latin-1")


class BackgroundServer:
    """Serve ``route`` on 127.0.0.1 in a daemon thread; a context manager that starts and stops.

    ``name`` appears in error messages and the thread's name. Servers with routes of their own
    (the local Hub, the test OpenAI server) subclass it and pass their route method.
    """

    def __init__(self, route: Route, name: str, read_timeout: float = SERVER_READ_SECONDS) -> None:
        self._handle = route
        self.name = name
        self.read_timeout = read_timeout
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        """``http://127.0.0.1:<port>``."""
        if self._server is None:
            raise RuntimeError(f"The {self.name} is not running: call start() first.")
        return f"http://{HOST}:{self._server.server_port}"

    def start(self: ServerT, port: int = 0) -> ServerT:
        """Listen on 127.0.0.1 (``port`` 0: a free one) and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError(f"The {self.name} is already running.")
        self._server = _Server((HOST, port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=self.name,
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port (safe to call twice)."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self: ServerT) -> ServerT:
        return self if self._server is not None else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def answer(self, request: Request) -> Reply:
        """The route's reply; a route that raises answers 500 (and says so on stderr)."""
        try:
            return self._handle(request)
        except Exception as error:
            where = request.path.split("?", 1)[0]
            print(f"{self.name}: {request.method} {where} failed: {error!r}", file=sys.stderr)
            return plain_reply(500, f"Internal error in the course's {self.name}")


def plain_reply(status: int, message: str) -> Reply:
    return Reply(status, {"Content-Type": "text/plain; charset=utf-8"}, message.encode())


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], owner: BackgroundServer) -> None:
        self.owner = owner
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a client hanging up mid-reply is normal (no tracebacks on stderr)."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as huggingface_hub's and openai's clients expect
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.owner.read_timeout)

    def do_GET(self) -> None:
        self._reply()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def _reply(self) -> None:
        body, refusal = self._read_body()
        if refusal is not None:
            self.close_connection = True
            self._send(refusal)
            return
        request = Request(self.command, self.path, self.headers, body)  # names case-blind
        self._send(self.server.owner.answer(request))

    def _read_body(self) -> tuple[bytes, Reply | None]:
        announced = self.headers.get("Content-Length")
        if announced is None:
            return b"", None
        if not (announced.strip().isascii() and announced.strip().isdigit()):
            return b"", plain_reply(400, "Content-Length must be a whole number of bytes.")
        length = int(announced)
        if length > MAX_BODY:
            return b"", plain_reply(413, f"Request bodies are limited to {MAX_BODY} bytes.")
        # One deadline for the whole body: a client dripping a byte at a time must not hold the
        # thread for longer than a silent one.
        deadline = time.monotonic() + self.server.owner.read_timeout
        body = b""
        while len(body) < length:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return b"", plain_reply(408, "The request body did not arrive in time.")
            self.connection.settimeout(remaining)
            try:
                piece = self.rfile.read1(length - len(body))
            except TimeoutError:
                return b"", plain_reply(408, "The request body did not arrive in time.")
            if not piece:
                return b"", plain_reply(400, "The request body ended before its Content-Length.")
            body += piece
        self.connection.settimeout(self.server.owner.read_timeout)
        return body, None

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        headers = dict(reply.headers)
        if reply.stream is not None:
            headers["Connection"] = "close"
            self.close_connection = True
        elif "Content-Length" not in headers:
            headers["Content-Length"] = str(len(reply.body))
        for name, value in headers.items():
            self.send_header(name, safe_header_value(value))
        self.end_headers()
        if self.command == "HEAD":
            return
        try:
            if reply.stream is not None:
                for piece in reply.stream:
                    self.wfile.write(piece)
                    self.wfile.flush()
            elif reply.file is not None:
                with reply.file.open("rb") as file:
                    shutil.copyfileobj(file, self.wfile, CHUNK)
            else:
                self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: request lines and headers must never reach a log (they may carry tokens)."""
