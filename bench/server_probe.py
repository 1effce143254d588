"""What the server side uses while the many-users benchmark runs: memory of the app and postgres processes, connections.

Read from ``/proc`` (Linux) and ``pg_stat_activity``, sampled on a background thread.
RSS counts a page once per process that maps it, so the postgres processes'
shared buffers are counted many times in an RSS sum; PSS (``smaps_rollup``)
shares each page out among the processes that map it, so a PSS sum is what the
processes use together. Both are reported, in MB (10**6 bytes).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

MB = 1_000_000


def _children(parent: int) -> list[int]:
    """The processes whose parent is ``parent``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == parent:
                found.append(int(entry.name))
    return found


def process_tree(root: int) -> list[int]:
    """Return ``root`` and every process below it.

    Parameters
    ----------
    root
        A process id.

    Returns
    -------
    list of int
        Process ids, ``root`` first.
    """
    out, todo = [root], [root]
    while todo:
        kids = _children(todo.pop())
        out += kids
        todo += kids
    return out


def app_pids(port: int, *, parent: int | None = None) -> list[int]:
    """Return the app server processes listening on ``port`` (children of ``parent``, default this process).

    Parameters
    ----------
    port
        The ``--server.port`` the app was started with.
    parent
        Their parent process (default: this one).

    Returns
    -------
    list of int
        The Streamlit processes (and anything they started).
    """
    found = []
    for pid in _children(os.getpid() if parent is None else parent):
        with contextlib.suppress(OSError):
            words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if b"streamlit" in b" ".join(words) and str(port).encode() in words:
                found += process_tree(pid)
    return found


def postmaster_pid(pgdata: Path) -> int:
    """Return the pid of the PostgreSQL server of ``pgdata`` (first line of ``postmaster.pid``).

    Parameters
    ----------
    pgdata
        The cluster's data folder.

    Returns
    -------
    int
        The postmaster's pid.
    """
    return int((pgdata / "postmaster.pid").read_text().split()[0])


def memory_mb(pids: Iterable[int]) -> tuple[float, float]:
    """Return the summed RSS and PSS of ``pids`` in MB (processes that are gone count 0).

    Parameters
    ----------
    pids
        Process ids.

    Returns
    -------
    tuple of float
        (RSS, PSS) in MB.
    """
    rss = pss = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                name, _, value = line.partition(":")
                if name in ("Rss", "Pss"):
                    kb = int(value.split()[0]) * 1024
                    rss, pss = (rss + kb, pss) if name == "Rss" else (rss, pss + kb)
    return rss / MB, pss / MB


@dataclass
class Peaks:
    """The highest values seen by a :class:`Probe` (MB and connection counts), and how many samples were taken."""

    app_rss_mb: float = 0.0
    app_pss_mb: float = 0.0
    postgres_rss_mb: float = 0.0
    postgres_pss_mb: float = 0.0
    connections: int = 0  # client backends on the benchmark's database, the probe's own excluded
    connections_by_role: dict[str, int] = field(default_factory=dict)
    samples: int = 0


class Probe:
    """Sample memory and connections every ``every_s`` seconds on a thread until :meth:`stop`.

    Parameters
    ----------
    app_ports
        Ports of the app processes (children of this process).
    pgdata
        The cluster's data folder (its postmaster's processes are measured).
    superuser_url
        Where ``pg_stat_activity`` is read.
    database
        The benchmark's database.
    every_s
        Seconds between samples.
    """

    def __init__(self, *, app_ports: list[int], pgdata: Path, superuser_url: str, database: str, every_s: float = 0.5) -> None:
        self.app_ports, self.pgdata, self.url, self.database, self.every_s = app_ports, pgdata, superuser_url, database, every_s
        self.peaks = Peaks()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-probe", daemon=True)

    def __enter__(self) -> Probe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> Peaks:
        """Stop sampling; return the peaks.

        Returns
        -------
        Peaks
            The highest values seen.
        """
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        return self.peaks

    def _run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.is_set():
                self.sample(conn)
                self._stop.wait(self.every_s)

    def sample(self, conn: psycopg.Connection) -> None:
        """Take one sample and raise the peaks.

        Parameters
        ----------
        conn
            An autocommit superuser connection (excluded from the count).
        """
        peaks = self.peaks
        apps = [pid for port in self.app_ports for pid in app_pids(port)]
        app_rss, app_pss = memory_mb(apps)
        pg_rss, pg_pss = memory_mb(process_tree(postmaster_pid(self.pgdata)))
        rows = conn.execute(
            "SELECT usename, count(*) FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend' "
            "AND pid <> pg_backend_pid() GROUP BY usename",
            (self.database,),
        ).fetchall()
        by_role = {str(name): int(n) for name, n in rows}
        peaks.app_rss_mb, peaks.app_pss_mb = max(peaks.app_rss_mb, app_rss), max(peaks.app_pss_mb, app_pss)
        peaks.postgres_rss_mb, peaks.postgres_pss_mb = max(peaks.postgres_rss_mb, pg_rss), max(peaks.postgres_pss_mb, pg_pss)
        if sum(by_role.values()) >= peaks.connections:
            peaks.connections, peaks.connections_by_role = sum(by_role.values()), by_role
        peaks.samples += 1
