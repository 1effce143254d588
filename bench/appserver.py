"""Run the app on a loopback port and drive headless Debian Chromium: shared by the browser benchmark and tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
HEALTH_TIMEOUT_S = 120.0


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen, *, timeout_s: float = HEALTH_TIMEOUT_S) -> None:
    """Wait until Streamlit answers its health check, or raise if the server died or took too long."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            msg = f"the app server exited with code {proc.returncode}: see its log"
            raise RuntimeError(msg)
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    msg = f"the app server was not healthy after {timeout_s:.0f} s"
    raise RuntimeError(msg)


@contextmanager
def app_server(
    store: Path | str,
    *,
    port: int | None = None,
    log_path: Path,
    extra_env: Mapping[str, str] | None = None,
    quotas: Path | None = None,
) -> Iterator[str]:
    """Run the app on 127.0.0.1 with ``store`` (a GeoPackage path or a PostGIS URL); yield its URL once healthy; always stop it.

    Quotas are kept beside a GeoPackage store, or in ``quotas`` (required for a URL). ``extra_env`` adds
    settings (``PARKMAP_SIGNIN=local``...). On failure the end of the server log is printed to stderr.
    """
    port = port or free_port()
    if quotas is None:
        if not isinstance(store, Path):
            raise ValueError("a PostGIS store needs quotas=<path of a quota file>")
        quotas = store.parent / "county_quotas.csv"
    # no file watcher: a test or benchmark server never reloads code, and in a busy tree inotify's queue overflows
    env = {**os.environ, "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none", "PARKMAP_STORE": str(store), "PARKMAP_QUOTAS": str(quotas),
           **(extra_env or {})}  # fmt: skip
    command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port), "--server.address", "127.0.0.1"]
    with log_path.open("w") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_healthy(url, proc)
            yield url
        finally:
            if sys.exc_info()[0] is not None:
                log.flush()
                print(f"app server log (tail):\n{log_path.read_text(errors='replace')[-4000:]}", file=sys.stderr)
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
