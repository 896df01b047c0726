"""A local Hugging Face Hub that serves the offline model zoo over HTTP.

Why: the zoo puts its stand-ins straight into the Hugging Face cache, so offline runs never
exercise the code that talks to the Hub: logging in, checking a token, being refused a gated
model, downloading. With ``HF_ENDPOINT`` pointing at this server the *real* ``huggingface_hub``
and ``transformers`` code runs end to end against the stand-ins, and meets the same answers the
real Hub gives (status codes, ``X-Error-Code`` headers, messages), so it raises the same errors.

Used by a teacher in an air-gapped classroom (``make hub``)::

    HF_TOKEN=<the token learners will use> python -m course_utils.local_hub --port 8765

and by the test suite (the ``local_hub`` fixture in ``tests/conftest.py``). The HTTP plumbing —
timeouts, limits, safe headers — is ``course_utils.http_server``'s.

What it mimics, and only that: ``/api/models/{id}`` (and ``/revision/{rev}``, ``/tree/{rev}``,
``/auth-check``), ``/api/whoami-v2``, ``/{id}/resolve/{rev}/{file}`` and an empty
``/api/agent-harnesses`` (huggingface_hub fetches it on its own); anything else is a 404.
Tokens are never printed, logged or recorded: a request is recorded only as how its token was
judged.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import mimetypes
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, unquote, urlsplit

from course_utils.http_server import BackgroundServer, Reply, Request

Authorization = Literal["none", "accepted", "no-access", "invalid"]

DEFAULT_USERNAME = "course-learner"
TOKEN_DISPLAY_NAME = "course-test-token"
INVALID_CREDENTIALS = "Invalid credentials in Authorization header"  # the real Hub's wording
COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")
# Files the Hub's default .gitattributes sends to LFS, plus anything big: their ETag is the
# sha256 of the content, other files' ETag is their git blob id (as on the real Hub).
LFS_SUFFIXES = frozenset(
    {".bin", ".gguf", ".h5", ".model", ".msgpack", ".onnx", ".pt", ".pth", ".safetensors"}
)
LFS_MIN_SIZE = 10 * 2**20
CHUNK = 2**20


@dataclass(frozen=True)
class HubRepo:
    """One model repo: the folder holding its files and the commit it claims to be at.

    Attributes:
        folder: its files (hidden ones, such as the zoo's ``.complete`` marker, are not served,
            as they are not installed in the offline cache either).
        commit: 40-hex commit sha, reported as ``sha`` and ``X-Repo-Commit``; huggingface_hub
            names the cache snapshot after it.
        gated: downloads need an accepted token (401 without a token, 403 with one that has
            no access); its model info and file list stay public, as on the real Hub.
        revisions: names besides ``main`` and the commit that resolve to it (for example the
            short revision ``pipeline(task)`` pins for a task's default model).
    """

    folder: Path
    commit: str
    gated: bool = False
    revisions: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordedRequest:
    """A request the server answered. Never holds the token, only how it was judged."""

    method: str
    path: str  # without the query string
    authorized: Authorization


@dataclass(frozen=True)
class _FileInfo:
    size: int
    lfs: bool
    digest: str  # sha256 for LFS files, the git blob id otherwise

    @property
    def etag(self) -> str:
        return self.digest

    @property
    def lfs_pointer(self) -> bytes:
        return (
            f"version https://git-lfs.github.com/spec/v1\noid sha256:{self.digest}\n"
            f"size {self.size}\n"
        ).encode()

    @property
    def blob_id(self) -> str:
        """The git object id the Hub lists: of the LFS pointer for LFS files."""
        return _git_blob_id(self.lfs_pointer) if self.lfs else self.digest


class LocalHub(BackgroundServer):
    """A Hub-compatible HTTP server on 127.0.0.1 serving ``repos`` (Hub id → ``HubRepo``).

    ``accepted_tokens`` may download gated repos; ``tokens_without_access`` are valid accounts
    that were not granted access (403 on gated repos, like a learner who has not clicked
    "request access" yet); any other token is invalid and refused everywhere with 401, as the
    real Hub does. Tokens are compared with ``hmac.compare_digest`` and never stored in
    ``requests``.
    """

    def __init__(
        self,
        repos: Mapping[str, HubRepo],
        accepted_tokens: Iterable[str] = (),
        tokens_without_access: Iterable[str] = (),
        username: str = DEFAULT_USERNAME,
    ) -> None:
        self._repos = dict(repos)
        self._accepted = tuple(t.encode() for t in accepted_tokens if t)
        self._no_access = tuple(t.encode() for t in tokens_without_access if t)
        if set(self._accepted) & set(self._no_access):
            raise ValueError("A token cannot be both accepted and without access.")
        self.username = username
        self.requests: list[RecordedRequest] = []
        self._files: dict[str, list[str]] = {}
        for repo_id, repo in self._repos.items():
            if not COMMIT_RE.match(repo.commit):
                raise ValueError(f"{repo_id}: commit must be 40 lowercase hex digits.")
            if not repo.folder.is_dir():
                raise FileNotFoundError(f"{repo_id}: no folder at {repo.folder}.")
            self._files[repo_id] = _visible_files(repo.folder)
        self._file_infos: dict[Path, tuple[tuple[int, int], _FileInfo]] = {}
        self._lock = threading.Lock()
        super().__init__(self._route, "local Hub")

    @classmethod
    def from_zoo(
        cls,
        accepted_tokens: Iterable[str] = (),
        tokens_without_access: Iterable[str] = (),
        username: str = DEFAULT_USERNAME,
    ) -> LocalHub:
        """Every built stand-in under all its Hub ids, with the zoo's commit shas and gates.

        Revisions besides ``main`` are the ones the offline cache has for the same id, so a
        pipeline that pins one finds it here too. Stand-ins not built yet are left out.
        """
        from course_utils.zoo import hub_cache_dir, plan
        from course_utils.zoo.fingerprint import commit_sha

        repos: dict[str, HubRepo] = {}
        for state in plan():
            if not state.built:
                continue
            for repo_id in state.recipe.repo_ids:
                commit = commit_sha(state.fingerprint, repo_id)
                pinned = _cached_revisions(hub_cache_dir(), repo_id, commit)
                repos[repo_id] = HubRepo(state.build_dir, commit, state.recipe.gated, pinned)
        if not repos:
            raise RuntimeError(
                "The offline model zoo has no built stand-in to serve. "
                "Run `python -m course_utils.zoo build` first."
            )
        return cls(repos, accepted_tokens, tokens_without_access, username)

    @property
    def repos(self) -> Mapping[str, HubRepo]:
        return dict(self._repos)

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:<port>``: the value for ``HF_ENDPOINT``."""
        return self.address

    # The Hub's behaviour: (method, raw path, Authorization header) → reply.

    def _route(self, request: Request) -> Reply:
        return self._answer(request.method, request.path, request.headers.get("Authorization"))

    def _classify(self, header: str | None) -> Authorization:
        if header is None:
            return "none"
        scheme, _, value = header.strip().partition(" ")
        candidate = value.strip().encode()
        if scheme.lower() != "bearer" or not candidate:
            return "invalid"
        # Compare with every token, in constant time each: no early exit to time.
        accepted = [hmac.compare_digest(candidate, token) for token in self._accepted]
        no_access = [hmac.compare_digest(candidate, token) for token in self._no_access]
        if any(accepted):
            return "accepted"
        return "no-access" if any(no_access) else "invalid"

    def _answer(self, method: str, raw_path: str, authorization: str | None) -> Reply:
        url = urlsplit(raw_path)
        auth = self._classify(authorization)
        with self._lock:
            self.requests.append(RecordedRequest(method, url.path, auth))
        if auth == "invalid":  # the real Hub refuses a bad token on every route
            return _error(401, INVALID_CREDENTIALS)
        if method not in ("GET", "HEAD"):
            return _error(404, "Not found")
        parts = [unquote(part) for part in url.path.split("/")[1:]]
        if parts[:2] == ["api", "whoami-v2"] and len(parts) == 2:
            return self._whoami(auth)
        if parts == ["api", "agent-harnesses"]:  # huggingface_hub fetches it once a day
            return _json(200, {"standardEnvVars": [], "harnesses": {}})
        if parts[:2] == ["api", "models"]:
            repo_id, rest = self._split_repo(parts[2:], {"revision", "tree", "auth-check"})
            return self._api(repo_id, rest, auth, parse_qs(url.query))
        if "resolve" in parts[1:3]:
            repo_id, rest = self._split_repo(parts, {"resolve"})
            if len(rest) >= 3 and rest[0] == "resolve":
                return self._resolve(repo_id, rest[1], "/".join(rest[2:]), auth)
        return _error(404, "Not found")

    def _split_repo(self, parts: list[str], route_words: set[str]) -> tuple[str, list[str]]:
        """Known ids first (``gpt2`` and ``org/name`` both exist), else guess the id's length."""
        for length in (2, 1):
            if len(parts) >= length and "/".join(parts[:length]) in self._repos:
                return "/".join(parts[:length]), parts[length:]
        length = 1 if len(parts) < 2 or parts[1] in route_words else 2
        return "/".join(parts[:length]), parts[length:]

    def _whoami(self, auth: Authorization) -> Reply:
        if auth not in ("accepted", "no-access"):
            return _error(401, INVALID_CREDENTIALS)
        user = self.username
        return _json(
            200,
            {
                "type": "user",
                "id": hashlib.sha1(user.encode()).hexdigest()[:24],
                "name": user,
                "fullname": user.replace("-", " ").title(),
                "isPro": False,
                "canPay": False,
                "emailVerified": True,
                "periodEnd": None,
                "avatarUrl": "",
                "orgs": [],
                "auth": {
                    "type": "access_token",
                    "accessToken": {"displayName": TOKEN_DISPLAY_NAME, "role": "read"},
                },
            },
        )

    def _check_repo(self, repo_id: str, auth: Authorization) -> Reply | None:
        """RepoNotFound as the real Hub sends it: 401 to anonymous callers, 404 otherwise."""
        if repo_id in self._repos:
            return None
        return _error(401 if auth == "none" else 404, "Repository not found", "RepoNotFound")

    def _check_revision(self, repo_id: str, revision: str) -> Reply | None:
        repo = self._repos[repo_id]
        if revision in ("main", repo.commit, *repo.revisions):
            return None
        return _error(404, f"Invalid rev id: {revision}", "RevisionNotFound")

    def _check_gate(self, repo_id: str, auth: Authorization) -> Reply | None:
        if not self._repos[repo_id].gated or auth == "accepted":
            return None
        if auth == "none":
            message = (
                f"Access to model {repo_id} is restricted. You must have access to it and be "
                "authenticated to access it. Please log in."
            )
            return _error(401, message, "GatedRepo")
        message = (
            f"Access to model {repo_id} is restricted and you are not in the authorized list. "
            f"Visit https://huggingface.co/{repo_id} to ask for access."
        )
        return _error(403, message, "GatedRepo")

    def _api(
        self, repo_id: str, rest: list[str], auth: Authorization, query: dict[str, list[str]]
    ) -> Reply:
        if refused := self._check_repo(repo_id, auth):
            return refused
        if rest == ["auth-check"]:
            return self._check_gate(repo_id, auth) or _json(200, {})
        if rest and rest[0] in ("revision", "tree") and len(rest) >= 2:
            if refused := self._check_revision(repo_id, rest[1]):
                return refused
            if rest[0] == "tree":
                recursive = query.get("recursive", ["false"])[0].lower() == "true"
                return self._tree(repo_id, "/".join(rest[2:]), recursive)
            if len(rest) == 2:
                return self._model_info(repo_id, query)
        elif not rest:
            return self._model_info(repo_id, query)
        return _error(404, "Not found")

    def _model_info(self, repo_id: str, query: dict[str, list[str]]) -> Reply:
        repo = self._repos[repo_id]
        blobs = query.get("blobs", ["false"])[0].lower() == "true"
        siblings: list[dict[str, Any]] = []
        for name in self._files[repo_id]:
            sibling: dict[str, Any] = {"rfilename": name}
            if blobs:
                info = self._file_info(repo.folder / name)
                sibling.update(size=info.size, blobId=info.blob_id)
                if info.lfs:
                    lfs = {"size": info.size, "sha256": info.digest}
                    sibling["lfs"] = {**lfs, "pointerSize": len(info.lfs_pointer)}
            siblings.append(sibling)
        modified = datetime.fromtimestamp(repo.folder.stat().st_mtime, tz=timezone.utc)
        namespace, _, _ = repo_id.rpartition("/")
        return _json(
            200,
            {
                "_id": repo.commit[:24],
                "id": repo_id,
                "modelId": repo_id,
                "author": namespace or None,
                "sha": repo.commit,
                "lastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "private": False,
                "gated": "manual" if repo.gated else False,
                "disabled": False,
                "downloads": 0,
                "likes": 0,
                "library_name": "transformers",
                "tags": ["transformers"],
                "siblings": siblings,
            },
        )

    def _tree(self, repo_id: str, folder: str, recursive: bool) -> Reply:
        repo = self._repos[repo_id]
        prefix = f"{folder.strip('/')}/" if folder.strip("/") else ""
        entries: list[dict[str, Any]] = []
        folders: set[str] = set()
        for name in self._files[repo_id]:
            if not name.startswith(prefix):
                continue
            inside = name[len(prefix) :].split("/")
            depth = len(inside) if recursive else 1
            for i in range(1, min(depth, len(inside) - 1) + 1):
                folders.add(prefix + "/".join(inside[:i]))
            if len(inside) > depth:
                continue
            info = self._file_info(repo.folder / name)
            entry: dict[str, Any] = {"type": "file", "oid": info.blob_id, "size": info.size}
            entry["path"] = name
            if info.lfs:
                pointer_size = len(info.lfs_pointer)
                entry["lfs"] = {"oid": info.digest, "size": info.size, "pointerSize": pointer_size}
            entries.append(entry)
        if not entries and not folders:
            return _error(404, "Entry not found", "EntryNotFound")
        for path in sorted(folders):
            oid = hashlib.sha1(f"{repo.commit}\0{path}".encode()).hexdigest()
            entries.append({"type": "directory", "oid": oid, "size": 0, "path": path})
        return _json(200, sorted(entries, key=lambda e: (e["type"] != "directory", e["path"])))

    def _resolve(self, repo_id: str, revision: str, filename: str, auth: Authorization) -> Reply:
        for check in (
            lambda: self._check_repo(repo_id, auth),
            lambda: self._check_gate(repo_id, auth),
            lambda: self._check_revision(repo_id, revision),
        ):
            if refused := check():
                return refused
        repo = self._repos[repo_id]
        commit = {"X-Repo-Commit": repo.commit}
        if filename not in self._files[repo_id]:
            response = _error(404, "Entry not found", "EntryNotFound")
            response.headers.update(commit)
            return response
        path = repo.folder / filename
        info = self._file_info(path)
        headers = {
            **commit,
            "ETag": f'"{info.etag}"',
            "Content-Type": mimetypes.guess_type(filename)[0] or "application/octet-stream",
            "Content-Length": str(info.size),
        }
        if info.lfs:  # what the real Hub sends on its redirect to the LFS storage
            headers.update({"X-Linked-Etag": f'"{info.etag}"', "X-Linked-Size": str(info.size)})
        return Reply(200, headers, file=path)

    def _file_info(self, path: Path) -> _FileInfo:
        """Size and hash of a file, hashed once (again only if the file changes)."""
        stat = path.stat()
        key = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._file_infos.get(path)
        if cached is not None and cached[0] == key:
            return cached[1]
        lfs = path.suffix in LFS_SUFFIXES or stat.st_size >= LFS_MIN_SIZE
        digest = hashlib.sha256() if lfs else hashlib.sha1(b"blob %d\0" % stat.st_size)
        with path.open("rb") as file:
            while chunk := file.read(CHUNK):
                digest.update(chunk)
        info = _FileInfo(stat.st_size, lfs, digest.hexdigest())
        with self._lock:
            self._file_infos[path] = (key, info)
        return info


def _json(status: int, payload: Any) -> Reply:
    body = json.dumps(payload).encode()
    return Reply(status, {"Content-Type": "application/json; charset=utf-8"}, body)


def _error(status: int, message: str, code: str | None = None) -> Reply:
    """An error as the Hub sends it: ``X-Error-Code``/``X-Error-Message`` and a JSON body."""
    response = _json(status, {"error": message})
    response.headers["X-Error-Message"] = message
    if code:
        response.headers["X-Error-Code"] = code
    return response


def _git_blob_id(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def _visible_files(folder: Path) -> list[str]:
    """Repo-relative paths of the files in ``folder``, skipping hidden files and folders."""
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(folder).parts)
    )


def _cached_revisions(cache_dir: Path, repo_id: str, commit: str) -> tuple[str, ...]:
    """Names in the offline cache's ``refs/`` (besides main) that point at ``commit``."""
    from course_utils.zoo.hf_cache import repo_folder

    refs = repo_folder(cache_dir, repo_id) / "refs"
    if not refs.is_dir():
        return ()
    return tuple(
        sorted(
            ref.name
            for ref in refs.iterdir()
            if ref.is_file() and ref.name != "main" and ref.read_text().strip() == commit
        )
    )


def main(argv: list[str] | None = None) -> int:
    """Serve the zoo until Ctrl-C. Accepted token: ``HF_TOKEN`` if set (never printed)."""
    parser = argparse.ArgumentParser(
        description="Serve the course's offline model zoo as a local Hugging Face Hub."
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: free)")
    args = parser.parse_args(argv)
    # A shell starts background jobs with SIGINT ignored, and Python then keeps ignoring it;
    # this command promises that Ctrl-C (SIGINT) stops it, so it takes the signal back, before
    # it says where it serves: a Ctrl-C right after that line must not be lost.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    token = os.environ.get("HF_TOKEN", "").strip()
    hub = LocalHub.from_zoo(accepted_tokens=[token] if token else ()).start(args.port)
    try:
        gated = sorted(repo_id for repo_id, repo in hub.repos.items() if repo.gated)
        print(f"Local Hugging Face Hub at {hub.endpoint}, serving {len(hub.repos)} model ids.")
        if gated:
            who = (
                "the token in HF_TOKEN only"
                if token
                else "nobody (set HF_TOKEN before starting to accept a token)"
            )
            print(f"Gated ({', '.join(gated)}): downloads allowed for {who}.")
        print("In the sessions that should use it, set:")
        print(f"HF_ENDPOINT={hub.endpoint}")
        print("Press Ctrl-C to stop.", flush=True)
        # Wake up twice a second rather than wait once: Linux may deliver Ctrl-C's SIGINT to a
        # server thread, and Python raises KeyboardInterrupt only when the main thread next runs.
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopped.")
    finally:
        hub.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
