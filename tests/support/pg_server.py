"""A throw-away PostgreSQL server for the tests and the benchmarks.

pytest-postgresql's ``postgresql_proc`` runs ``pg_ctl`` as the current user,
and PostgreSQL refuses to run as root, which is how CI runs. This module runs
Debian's binaries (``/usr/lib/postgresql/<v>/bin``) itself: as the ``postgres``
OS user (through ``runuser``) when we are root, as ourselves otherwise, in a
fresh directory under the system temp folder (pytest's own tmp folders are
mode 0700 and root-owned, so the ``postgres`` user could not enter them), on a
free loopback port with ``trust`` authentication. pytest-postgresql's
``DatabaseJanitor`` then creates and drops one database per test.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: Set to "1" to run the suite without PostgreSQL, explicitly (never silently).
SKIP_ENV = "HT_SKIP_POSTGRES"
_SUPERUSER = "postgres"


class PostgresUnavailable(RuntimeError):
    """The temporary PostgreSQL server could not be started."""


def _bindir() -> Path:
    explicit = os.environ.get("HT_PG_BINDIR")
    if explicit:
        return Path(explicit)
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    if candidates:
        return Path(candidates[-1])
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        return Path(pg_ctl).parent
    raise PostgresUnavailable("Không tìm thấy PostgreSQL (pg_ctl): cài gói 'postgresql' hoặc đặt HT_PG_BINDIR")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    """One running server; ``url(dbname)`` gives a SQLAlchemy psycopg 3 URL."""

    host: str
    port: int
    user: str
    base_dir: Path
    bindir: Path
    _as_user: list[str]

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"

    def stop(self) -> None:
        """Stop the server and delete its files."""
        subprocess.run(
            [
                *self._as_user,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.base_dir / "data"),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
            capture_output=True,
            check=False,
            timeout=60,
        )
        shutil.rmtree(self.base_dir, ignore_errors=True)


def start_postgres(*, durable: bool = False) -> PostgresServer:
    """Initialise and start a temporary server.

    Parameters
    ----------
    durable : bool
        Keep fsync on (benchmarks); tests turn it off for speed.

    Raises
    ------
    PostgresUnavailable
        With the failing command's output, when initdb or pg_ctl fails.
    """
    bindir = _bindir()
    base = Path(tempfile.mkdtemp(prefix="ht-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            raise PostgresUnavailable("Chạy bằng root nhưng không có 'runuser' để chạy PostgreSQL bằng user postgres")
        as_user = [runuser, "-u", _SUPERUSER, "--"]
        shutil.chown(base, user=_SUPERUSER)
        os.chmod(base, 0o700)
    data = base / "data"
    port = _free_port()

    def run(cmd: list[str], what: str) -> None:
        try:
            done = subprocess.run([*as_user, *cmd], capture_output=True, text=True, timeout=120, cwd=base)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresUnavailable(f"{what} failed: {exc}") from exc
        if done.returncode != 0:
            raise PostgresUnavailable(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")

    run(
        [
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            _SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ],
        "initdb",
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={base} "
        "-c max_connections=200 -c shared_buffers=128MB"
    )
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    run(
        [
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(base / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        ],
        "pg_ctl start",
    )
    return PostgresServer("127.0.0.1", port, _SUPERUSER, base, bindir, as_user)
