"""Two app servers, one PostgreSQL, one Redis: a lockout earned on one holds on the other."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

#: An owner's engine on the test database makes and drops the two servers' schema.
pytestmark = pytest.mark.commits

PG_URL = os.environ.get(
    "ESAFETY_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = "redis://127.0.0.1:6379/14"
SCHEMA = "multiserver_check"
PROJECT = Path(__file__).resolve().parents[2]


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def shared_services(tmp_path):
    if not PG_URL.startswith("postgresql") or not _reachable("127.0.0.1", 5432):
        pytest.skip("needs PostgreSQL on 127.0.0.1:5432")
    if not _reachable("127.0.0.1", 6379):
        pytest.skip("needs Redis on 127.0.0.1:6379")
    import redis

    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    url = PG_URL + ("&" if "?" in PG_URL else "?") + f"options=-csearch_path%3D{SCHEMA}"
    yield url
    store.flushdb()
    store.close()
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    admin.dispose()


def _seed_teacher(database_url: str, tmp_path: Path) -> None:
    script = (
        "from esafety import create_app\n"
        "from esafety.extensions import db\n"
        "from esafety.auth.services import create_user\n"
        "from esafety.auth.roles import Role\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    db.create_all()\n"
        "    create_user('Two', 'Servers', [Role.TEACHER], email='two@school.example',"
        " password='the right password')\n"
        "    db.session.commit()\n"
    )
    env = _server_env(database_url, tmp_path)
    subprocess.run([sys.executable, "-c", script], env=env, check=True, cwd=PROJECT)


def _server_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ESAFETY_DATABASE_URL": database_url,
        "ESAFETY_REDIS_URL": REDIS_URL,
        "ESAFETY_SECRET_KEY": "shared-secret-for-both-servers",
        "ESAFETY_INSTANCE_DIR": str(tmp_path),
    }


def _start_server(database_url: str, tmp_path: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "esafety", "run", "--port", str(port)],
        env=_server_env(database_url, tmp_path),
        cwd=PROJECT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    # A minute: on a busy machine importing the app alone can take several seconds.
    for _ in range(600):
        if _reachable("127.0.0.1", port):
            return process, base
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.kill()
    process.wait()
    raise RuntimeError("the app server did not start")


def _try_login(base: str, password: str) -> str:
    """Sign in through the real form (CSRF token and cookie included); return the page text."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    token = token or re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page
    )
    data = urllib.parse.urlencode(
        {"csrf_token": token.group(1), "email": "two@school.example", "password": password}
    ).encode()
    try:
        return opener.open(base + "/login", data=data).read().decode()
    except urllib.error.HTTPError as error:
        return error.read().decode()


def test_a_lockout_earned_on_one_server_is_enforced_by_the_other(shared_services, tmp_path):
    _seed_teacher(shared_services, tmp_path)
    first, first_url = _start_server(shared_services, tmp_path)
    second, second_url = _start_server(shared_services, tmp_path)
    try:
        for _ in range(5):
            assert "do not match an account" in _try_login(first_url, "a wrong password")
        page = _try_login(second_url, "the right password")
        assert "locked after several wrong tries" in page
    finally:
        for process in (first, second):
            process.terminate()
            process.wait(10)
