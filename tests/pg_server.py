"""A throwaway PostgreSQL server on loopback for one test run: ``python -m tests.pg_server -- pytest ...``.

It finds the PostgreSQL binaries (installing the Debian package ``postgresql`` with apt when they are missing),
creates a cluster in a temporary folder, starts it on a free loopback port, runs the command with
``SKILLMATCH_TEST_PG_URL`` pointing at it, then stops the server and removes the folder. PostgreSQL refuses to
run as root: as root, the cluster belongs to the ``postgres`` system user that the Debian package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ENV_VAR = "SKILLMATCH_TEST_PG_URL"
DEBIAN_PACKAGE = "postgresql"


def pg_bin_dir() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl`` (Debian keeps them out of PATH), or None when not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def install_postgres() -> Path:
    """Install the Debian package with apt (as root, or through sudo) and return its binaries' folder."""
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    print(f"PostgreSQL is missing: installing the Debian package {DEBIAN_PACKAGE!r}", file=sys.stderr)
    subprocess.run([*prefix, "apt-get", "update", "-q"], check=True, env=env)
    subprocess.run([*prefix, "apt-get", "install", "-y", "-q", DEBIAN_PACKAGE], check=True, env=env)
    found = pg_bin_dir()
    if found is None:
        raise RuntimeError(f"the {DEBIAN_PACKAGE} package installed no initdb")
    return found


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_owner(user: str | None) -> list[str]:
    return ["runuser", "-u", user, "--"] if user else []


@contextmanager
def running_server(bin_dir: Path | None = None) -> Iterator[str]:
    """Start a throwaway server and yield its URL (database ``skillmatch``, trust authentication on loopback).

    Args:
        bin_dir: the PostgreSQL binaries to use (default: the system's, installed when missing).
    """
    bin_dir = bin_dir or pg_bin_dir() or install_postgres()
    user = "postgres" if os.geteuid() == 0 else None
    role = user or pwd.getpwuid(os.geteuid()).pw_name
    root = Path(tempfile.mkdtemp(prefix="skillmatch-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if user:
        entry = pwd.getpwnam(user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
        os.chown(sockets, entry.pw_uid, entry.pw_gid)
    port = free_port()
    run = [*_as_owner(user)]
    quiet = {"check": True, "stdout": subprocess.DEVNULL}
    try:
        subprocess.run(
            [*run, str(bin_dir / "initdb"), "-D", str(data), "-U", role, "-A", "trust", "-E", "UTF8", "--no-sync"],
            **quiet,  # type: ignore[arg-type]
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={sockets} "
            "-c fsync=on -c max_connections=200 -c shared_buffers=64MB"
        )
        subprocess.run(
            [*run, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"],
            **quiet,  # type: ignore[arg-type]
        )
        subprocess.run(
            [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", role, "skillmatch"],
            **quiet,  # type: ignore[arg-type]
        )
        yield f"postgresql+psycopg://{role}@127.0.0.1:{port}/skillmatch"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*run, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                stdout=subprocess.DEVNULL,
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)


def main(argv: Sequence[str]) -> int:
    """Run a command (after ``--``) with a throwaway server; its exit code."""
    command = list(argv[argv.index("--") + 1 :] if "--" in argv else argv)
    if not command:
        print("usage: python -m tests.pg_server -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    # A stopped run (SIGTERM) still stops its server and removes the folder.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    with running_server() as url:
        print(f"PostgreSQL for the tests: {url}", file=sys.stderr)
        return subprocess.run(command, env=os.environ | {ENV_VAR: url}, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
