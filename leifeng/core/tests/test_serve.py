"""`leifeng serve` starts the production server (gunicorn) with DEBUG off, whatever the env says."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="SQLite run")
def test_serve_runs_gunicorn_with_debug_off(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "1",  # ignored by `serve`
        "LEIFENG_VAR_DIR": str(tmp_path),
        "LEIFENG_BIND": f"127.0.0.1:{port}",
        "LEIFENG_WORKERS": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    leifeng = Path(sys.executable).with_name("leifeng")
    server = subprocess.Popen(
        [str(leifeng), "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, headers, body = fetch(f"http://127.0.0.1:{port}/")
                break
            except (ConnectionError, urllib.error.URLError):
                time.sleep(0.3)
        assert status == 200, server.stdout.read().decode() if server.poll() is not None else ""
        assert "志爱晋城" in body
        assert "Content-Security-Policy" in headers
        css_status, _headers, _body = fetch(f"http://127.0.0.1:{port}/static/leifeng/site.css")
        assert css_status == 200
        missing_status, _headers, missing_body = fetch(f"http://127.0.0.1:{port}/api/v1/nothing")
        assert missing_status == 404
        assert "URLconf" not in missing_body  # Django's debug page would list the URLs
    finally:
        server.terminate()
        server.wait(timeout=20)
