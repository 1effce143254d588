"""The files around a GeoPackage store: checks before opening, leftovers of killed saves, the lock.

:mod:`geo.store.gpkg` owns connections and transactions; this module owns
what happens on the file system: refusing a file that is not a store (a
0-byte file, another kind of file), removing the temporary file a killed
first save left behind, the writers' lock and making a rename durable.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from geo.errors import StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: SQLite's own locking still serialises writers
    fcntl = None  # type: ignore[assignment]

_LOCK_POLL_S: Final = 0.05
_GPKG_APPLICATION_IDS: Final = (b"GPKG", b"GP10", b"GP11")
_SQLITE_SIDE_FILES: Final = ("-journal", "-wal", "-shm")
_MOVE_AWAY = "请把它移走（或改名），或把 PARKMAP_STORE 指向另一个 .gpkg 文件；程序不会覆盖它。"


def new_file_path(path: Path) -> Path:
    """Return where this process builds a store before moving it to ``path`` (the first save).

    Parameters
    ----------
    path
        The store's file.

    Returns
    -------
    Path
        A hidden file beside it, named with this process's id.
    """
    return path.with_name(f".{path.name}.{os.getpid()}.new")


def remove_with_side_files(path: Path) -> None:
    """Remove ``path`` and any SQLite journal next to it (a stale journal must never meet a new file).

    Parameters
    ----------
    path
        A SQLite file.
    """
    for suffix in ("", *_SQLITE_SIDE_FILES):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def check_store_file(path: Path) -> None:
    """Raise unless ``path`` (an existing file) looks like a GeoPackage: SQLite header and GeoPackage application id.

    A 0-byte file is refused too: it is not a store (it may be a failed copy),
    and saving into it would hide whatever went wrong.

    Parameters
    ----------
    path
        An existing file.
    """
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        msg = f"无法读取数据库文件 {path}：{exc.strerror or exc}。请检查文件权限。"
        raise StoreError(msg) from exc
    if not header:
        msg = f"数据库文件 {path} 是空文件（0 字节），不是有效的数据库（可能复制或下载未完成）。{_MOVE_AWAY}"
        raise StoreError(msg)
    if not header.startswith(b"SQLite format 3\x00") or header[68:72] not in _GPKG_APPLICATION_IDS:
        msg = (
            f"The store file {path} is not a GeoPackage; move it away or set PARKMAP_STORE to another .gpkg path. "
            f"数据库文件不是 GeoPackage。{_MOVE_AWAY}"
        )
        raise StoreError(msg)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    except OSError:  # pragma: no cover - no such call (Windows): assume alive, keep the file
        return True
    return True


def remove_stale_new_files(path: Path) -> list[Path]:
    """Remove the ``.<store>.<pid>.new`` files (and journals) of first saves whose process is gone; return them.

    A file whose process still runs is left alone (that save may be in
    progress); files that cannot be removed (read-only folder) stay too.

    Parameters
    ----------
    path
        The store's file.

    Returns
    -------
    list of Path
        The files removed.
    """
    pattern = re.compile(rf"\.{re.escape(path.name)}\.(\d+)\.new")
    removed = []
    try:
        candidates = list(path.parent.glob(f".{glob_escape(path.name)}.*.new*"))
    except OSError:
        return []
    for candidate in candidates:
        base = candidate.name
        for suffix in _SQLITE_SIDE_FILES:
            base = base.removesuffix(suffix)
        match = pattern.fullmatch(base)
        if match is None or _pid_alive(int(match.group(1))):
            continue
        with contextlib.suppress(OSError):
            candidate.unlink()
            removed.append(candidate)
    return removed


def glob_escape(name: str) -> str:
    """Return ``name`` with glob wildcards escaped.

    Parameters
    ----------
    name
        A file name.

    Returns
    -------
    str
        The name with ``*``, ``?`` and ``[`` in brackets.
    """
    return re.sub(r"([*?\[])", r"[\1]", name)


def not_writable_error(path: Path, exc: OSError) -> StoreError:
    """Return the message for a store whose folder or file cannot be written.

    Parameters
    ----------
    path
        The store's file.
    exc
        The error met.

    Returns
    -------
    StoreError
        The error to raise, in Chinese.
    """
    msg = (
        f"无法写入数据库 {path}：{exc.strerror or exc}（文件夹或文件没有写权限，或磁盘只读）。"
        "数据未改动。请让管理员开放写权限，或把 PARKMAP_STORE 指向可写的位置。"
    )
    return StoreError(msg)


@contextlib.contextmanager
def writers_lock(path: Path, *, timeout_s: float) -> Iterator[None]:
    """Hold the exclusive ``<store>.lock`` (``fcntl.flock``), waiting up to ``timeout_s``.

    Parameters
    ----------
    path
        The store's file.
    timeout_s
        How long to wait for another writer, in seconds.

    Yields
    ------
    None
        While the lock is held.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path.with_name(path.name + ".lock"), "a+b")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise not_writable_error(path, exc) from exc
    with handle:
        if fcntl is not None:
            _acquire(handle, path, timeout_s)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _acquire(handle: object, path: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # type: ignore[arg-type]
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                msg = (
                    f"The store {path} is busy: another import has been writing for more than "
                    f"{timeout_s:g} s. Wait for it to finish and try again."
                )
                raise StoreError(msg) from None
            time.sleep(_LOCK_POLL_S)


def sync_directory(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX); a no-op where folders cannot be opened.

    Parameters
    ----------
    folder
        The folder holding the renamed file.
    """
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
