"""Connections spread evenly over the workers of ``serve --workers N`` (``skillmatch.balancing``): real worker
processes, each running the service's event loop over one shared listening socket, and real connections."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import socket
from collections import Counter
from pathlib import Path
from typing import Any

from skillmatch.balancing import BOARD_ENV, CORES_ENV, AcceptBoard, BalancedLoop, create_board
from skillmatch.serving import worker_cores

SPAWN = multiprocessing.get_context("spawn")


def _worker(sock: socket.socket, board: str, cores: str, ready: Any) -> None:
    """A worker: say its process id on each connection it accepts, and keep the connection open."""
    os.environ[BOARD_ENV], os.environ[CORES_ENV] = board, cores

    async def greet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(f"{os.getpid()}\n".encode())
        await writer.drain()
        await reader.read()
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(greet, sock=sock)
        ready.put((os.getpid(), sorted(os.sched_getaffinity(0))))
        await server.serve_forever()

    loop = BalancedLoop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(main())


def _holder(board: str, held: int, ready: Any) -> None:
    """A worker that only holds a slot of the board and says it holds ``held`` connections."""
    slot = AcceptBoard(Path(board))  # kept: closing the file (its map too) would free the slot
    slot.publish(held)
    ready.put(os.getpid())
    signal.pause()


def _open(port: int, count: int) -> tuple[list[socket.socket], Counter[int]]:
    connections, by_worker = [], Counter[int]()
    for _ in range(count):  # one after the other, as people arrive
        connection = socket.create_connection(("127.0.0.1", port), timeout=30)
        by_worker[int(connection.makefile().readline())] += 1
        connections.append(connection)
    return connections, by_worker


def test_two_workers_run_on_a_core_each_accept_connections_in_turn_and_a_killed_one_does_not_hold_new_ones_back(
    tmp_path: Path,
) -> None:
    board = str(create_board(tmp_path / "accept.board"))
    listener = socket.create_server(("127.0.0.1", 0), backlog=128)
    port = listener.getsockname()[1]
    ready = SPAWN.Queue()
    cores = worker_cores(2) or [0, 0]  # (a machine with one core: both on it)
    args = (listener, board, ",".join(map(str, cores)), ready)
    workers = [SPAWN.Process(target=_worker, args=args, daemon=True) for _ in range(2)]
    opened: list[socket.socket] = []
    try:
        for worker in workers:
            worker.start()
        started = dict(ready.get(timeout=60) for _ in workers)
        assert set(started) == {w.pid for w in workers}
        # Each on a core of its own (the first on the first): they do not take each other's.
        assert sorted(map(tuple, started.values())) == [(core,) for core in sorted(cores)], started
        connections, by_worker = _open(port, 40)
        opened += connections
        # Without the board, the first worker to wake takes each connection: 45/19, 25/39, 37/27 for 64.
        assert sorted(by_worker) == sorted(w.pid for w in workers)
        assert abs(by_worker[workers[0].pid] - by_worker[workers[1].pid]) <= 2, by_worker

        os.kill(workers[0].pid, signal.SIGKILL)  # type: ignore[arg-type]
        workers[0].join(10)
        connections, by_worker = _open(port, 10)
        opened += connections
        assert by_worker == {workers[1].pid: 10}
    finally:
        for connection in opened:
            connection.close()
        for worker in workers:
            worker.kill()
            worker.join(10)
        listener.close()


def test_the_board_sees_live_workers_only_and_a_dead_ones_slot_is_taken_again(tmp_path: Path) -> None:
    path = create_board(tmp_path / "accept.board")
    ready = SPAWN.Queue()
    holder = SPAWN.Process(target=_holder, args=(str(path), 5, ready), daemon=True)
    holder.start()
    ready.get(timeout=60)
    mine = AcceptBoard(path)
    try:
        assert mine.slot == 1  # the holder took the first one
        assert mine.fewest_elsewhere() == 5
        os.kill(holder.pid, signal.SIGKILL)  # type: ignore[arg-type]
        holder.join(10)
        assert mine.fewest_elsewhere() is None  # its count is still written, but nobody holds its slot
        ready = SPAWN.Queue()  # (the killed holder may have died holding the first queue's lock)
        replacement = SPAWN.Process(target=_holder, args=(str(path), 0, ready), daemon=True)
        replacement.start()
        ready.get(timeout=60)
        assert mine.fewest_elsewhere() == 0
        replacement.kill()
        replacement.join(10)
    finally:
        mine.close()
