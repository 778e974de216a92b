"""Waiting for the next commit of profiles: PostgreSQL's notifications, or just the poll interval elsewhere.

A serving process polls the profile generations every fraction of a second (``ProfileWriter.poll``); on
PostgreSQL it also listens on ``CHANNEL``, which every commit of profiles notifies, so that it wakes up as soon as
another process (on any host) committed. A lost connection is opened again at the next wait; meanwhile the poll
interval still bounds how late a process is.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy.engine import Engine

from matching.profiles.store import CHANNEL

log = logging.getLogger(__name__)


class ChangeListener:
    """Waits until profiles were committed (PostgreSQL) or a timeout passed."""

    def __init__(self, engine: Engine, stop: threading.Event) -> None:
        """Args:
        engine: the database.
        stop: set to end a wait at once (the service stops).
        """
        self.engine = engine
        self.stop = stop
        self._conn: Any = None

    @property
    def listening(self) -> bool:
        """Whether notifications can wake this listener (PostgreSQL with psycopg 3)."""
        return self.engine.dialect.name == "postgresql" and self.engine.dialect.driver == "psycopg"

    def _connect(self) -> Any:
        import psycopg  # only on PostgreSQL, whose driver the engine already uses

        url = self.engine.url.set(drivername="postgresql")
        conn = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True, connect_timeout=5)
        conn.execute(f'LISTEN "{CHANNEL}"')
        return conn

    def wait(self, timeout: float) -> bool:
        """Wait for a notification or the timeout.

        Args:
            timeout: seconds to wait at most.

        Returns:
            Whether a notification came (False: the timeout passed, or nothing can notify).
        """
        if not self.listening:
            self.stop.wait(timeout)
            return False
        try:
            if self._conn is None:
                self._conn = self._connect()
            for _ in self._conn.notifies(timeout=timeout, stop_after=1):
                return True
            return False
        except Exception as exc:  # noqa: BLE001 - the poll still bounds the delay; try again at the next wait
            log.warning("listening for profile changes failed (%s); polling only", type(exc).__name__)
            self.close()
            self.stop.wait(timeout)
            return False

    def close(self) -> None:
        """Close the listening connection."""
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # noqa: BLE001, S110 - closing a broken connection
                pass
            self._conn = None


__all__ = ["ChangeListener"]
