"""HTTP plumbing: the threaded server, multipart uploads and parameter coercion."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from tests.support.botapi.files import _Upload
from tests.support.botapi.limits import (
    _BOOL_PARAMS,
    _INT_PARAMS,
    _JSON_PARAMS,
    ApiError,
    JSONDict,
    _bad_request,
    _dumps,
)

# --------------------------------------------------------------------------------------------------
# HTTP plumbing.
# --------------------------------------------------------------------------------------------------

_API_PATH = re.compile(r"^/bot([^/]+)/([A-Za-z0-9_]*)$")
_DISPOSITION_PARAM = re.compile(r';\s*([\w*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def _parse_multipart(body: bytes, boundary: str) -> tuple[JSONDict, dict[str, _Upload]]:
    params: JSONDict = {}
    files: dict[str, _Upload] = {}
    delimiter = b"--" + boundary.encode("latin-1")
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        part = part.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, _, content = part.partition(b"\r\n\r\n")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            header, _, value = line.partition(":")
            headers[header.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        attrs: dict[str, str] = {}
        for key, value in _DISPOSITION_PARAM.findall(disposition):
            if value.startswith('"'):
                value = value[1:-1].replace('\\"', '"').replace("%22", '"')
            attrs[key.lower()] = value
        if "filename*" in attrs and "''" in attrs["filename*"]:
            encoding, _, quoted = attrs["filename*"].partition("''")
            attrs["filename"] = urllib.parse.unquote(quoted, encoding=encoding or "utf-8")
        name = attrs.get("name")
        if name is None:
            continue
        if "filename" in attrs:
            content_type = headers.get("content-type", "application/octet-stream")
            files[name] = _Upload(attrs["filename"], content_type, content)
        else:
            params[name] = content.decode("utf-8", "replace")
    return params, files


def _coerce_params(raw: JSONDict) -> JSONDict:
    """Give form values (always strings) the types a JSON body would have."""
    params: JSONDict = {}
    for name, value in raw.items():
        if isinstance(value, str):
            if name in _JSON_PARAMS:
                try:
                    value = json.loads(value) if value else None
                except ValueError:
                    what = "reply keyboard markup" if name == "reply_markup" else name.replace("_", " ")
                    raise _bad_request(f"can't parse {what} JSON object") from None
            elif name in _INT_PARAMS:
                try:
                    value = int(value) if value != "" else None
                except ValueError:
                    raise _bad_request(f"invalid {name} specified") from None
            elif name in _BOOL_PARAMS:
                value = value.lower() in ("true", "1")
            elif name == "chat_id" and re.fullmatch(r"-?\d+", value.strip()):
                value = int(value)
        elif name in _INT_PARAMS and isinstance(value, float) and value.is_integer():
            value = int(value)
        params[name] = value
    return params


if TYPE_CHECKING:  # annotations only: the fake imports this module
    from tests.support.botapi.fake import BotApiFake


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # benchmarks open many connections at once

    def __init__(self, address: tuple[str, int], fake: BotApiFake) -> None:
        self.fake = fake
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # the client gave up (a timeout fault, a stopped bot): nothing to report
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: PTB and httpx reuse connections
    disable_nagle_algorithm = True  # otherwise delayed ACKs cost ~40 ms per request
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.fake._cond:
            self.server.fake._connections.add(self.connection)

    def finish(self) -> None:
        with self.server.fake._cond:
            self.server.fake._connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        fake = self.server.fake
        path = urllib.parse.urlsplit(self.path)
        body = self._read_body()
        route = urllib.parse.unquote(path.path)  # PTB percent-encodes the ":" of the token in file URLs
        api_match = _API_PATH.match(route)
        if api_match is None or not api_match[2]:
            self._reply(404, _dumps(ApiError(404, "Not Found").payload()))
            return
        if api_match[1] != fake.token:
            self._reply(401, _dumps(ApiError(401, "Unauthorized").payload()))
            return
        try:
            params, files = self._parse_params(path.query, body)
        except ApiError as error:
            self._reply(error.code, _dumps(error.payload()))
            return
        outcome = fake._handle_request(api_match[2], params, files)
        if outcome.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if outcome.delay and fake._stop_event.wait(outcome.delay):
            self.close_connection = True
            return
        assert outcome.body is not None
        self._reply(outcome.status, outcome.body)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _parse_params(self, query: str, body: bytes) -> tuple[JSONDict, dict[str, _Upload]]:
        raw: JSONDict = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        files: dict[str, _Upload] = {}
        content_type = self.headers.get("Content-Type", "")
        mime = content_type.split(";")[0].strip().lower()
        if body:
            if mime == "application/json":
                try:
                    decoded = json.loads(body)
                except ValueError:
                    raise _bad_request("can't parse JSON object") from None
                if not isinstance(decoded, dict):
                    raise _bad_request("JSON object expected")
                raw.update(decoded)
            elif mime == "multipart/form-data":
                boundary = re.search(r'boundary="?([^";]+)"?', content_type)
                if boundary is None:
                    raise _bad_request("multipart boundary is missing")
                parts, files = _parse_multipart(body, boundary[1])
                raw.update(parts)
            else:
                raw.update(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        return _coerce_params(raw), files

    def _reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        head = (
            f"HTTP/1.1 {status} {phrase}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        try:
            self.wfile.write(head.encode("latin-1") + body)  # one segment: no delayed-ACK stall
        except OSError:
            self.close_connection = True
