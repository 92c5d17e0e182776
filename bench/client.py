"""A small HTTP client for the benchmark's own scripts: a browser-like session (cookies, CSRF
tokens) over the standard library, and the request-file format scenario.lua replays.

A request file has one request a line: METHOD<TAB>PATH<TAB>COOKIE<TAB>BODY (form-encoded).
"""

from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

#: Sent by every bench client (and by scenario.lua), so a session's fingerprint never changes.
USER_AGENT = "esafety-bench/1"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class Refused(RuntimeError):
    """The server did not answer as a browser would expect (a failed sign-in, a 500)."""


@dataclass
class Response:
    status: int
    location: str
    body: str


class Session:
    """One person's browser: keeps the cookies the server sets."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in sorted(self.cookies.items()))

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        body = urlencode(form) if form is not None else None
        headers = {"User-Agent": USER_AGENT, "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = self.cookie_header
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            text = raw.read().decode("utf-8", "replace")
            for header in raw.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if morsel["expires"] and "1970" in morsel["expires"] or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Response(raw.status, raw.headers.get("Location", ""), text)
        finally:
            connection.close()

    def get(self, path: str, expect: int = 200) -> Response:
        response = self.request("GET", path)
        if response.status != expect:
            raise Refused(f"GET {path}: {response.status}, expected {expect}")
        return response

    def post(self, path: str, form: dict, expect: int = 302) -> Response:
        response = self.request("POST", path, form)
        if response.status != expect:
            raise Refused(f"POST {path}: {response.status}, expected {expect}")
        return response


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    if match is None:
        raise Refused("no CSRF token on the page")
    return match.group(1) or match.group(2)


def request_line(method: str, path: str, cookie: str = "", form: dict | None = None) -> str:
    return "\t".join([method, path, cookie, urlencode(form) if form else ""])


@dataclass(frozen=True)
class RawRequest:
    method: str
    path: str
    cookie: str
    body: str


def read_requests(path: Path) -> list[RawRequest]:
    requests = []
    for line in path.read_text().splitlines():
        if line.strip():
            method, target, cookie, body = (line.split("\t") + ["", "", "", ""])[:4]
            requests.append(RawRequest(method, target, cookie, body))
    return requests


def send(host: str, port: int, request: RawRequest, timeout: float = 60) -> int:
    """Send one prepared request on a fresh connection; return the status code."""
    headers = {"User-Agent": USER_AGENT, "Connection": "close"}
    if request.cookie:
        headers["Cookie"] = request.cookie
    body = request.body or None
    if request.method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(request.method, request.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def wait_for(host: str, port: int, path: str = "/healthz", seconds: float = 60) -> None:
    """Wait until the server answers 200 (it is starting its workers)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if send(host, port, RawRequest("GET", path, "", ""), timeout=5) == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise Refused(f"the server on port {port} did not answer {path} in {seconds} s")
        time.sleep(0.2)
