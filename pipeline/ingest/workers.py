"""The worker pool of a batch: a function mapped over tasks in a few processes, results in order.

Used by ``batch`` for both passes; it knows nothing of pages.
"""

from __future__ import annotations

import gc
import multiprocessing
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult
from typing import Any, Generic, TypeVar

POOL_FROM = 100  # tasks a map works on in this process before it starts the worker processes
CHUNK = 16  # pages a worker process takes at a time (reading one takes a few milliseconds)
WINDOW = 3  # chunks per process given out at a time: the one it works on, and the next ones
T = TypeVar("T")
R = TypeVar("R")
C = TypeVar("C")


@dataclass(frozen=True)
class Ready(Generic[R]):
    """A task whose result is known already (taken from the cache): handed on in its turn, not worked on."""

    value: R


def _work(function: Callable[[T], R], tasks: list[T]) -> list[R]:
    """What a worker process does with a chunk of tasks."""
    return [function(task) for task in tasks]


class Workers:
    """Maps a function over tasks in up to `jobs` processes, results in the order of the tasks, with only a
    few of either in memory at a time.

    Each item is (context, task): the task goes to a process, or is `Ready` with its result; the context stays
    in this process and comes back with the result. Items are taken from their iterator only as results are
    handed on: at most WINDOW chunks per process are out at a time, and at most twice as many items as they
    hold wait here for their turn (``Pool.imap`` would keep every result the caller has not taken yet, and
    take in tasks as fast as its pipe does). A map works in this process until it has had POOL_FROM tasks;
    then the processes are started (starting them costs more than a few pages take), once: forked from this
    process when it runs no other thread, else from a fork server (see ``_context``).
    """

    def __init__(self, jobs: int, preload: tuple[str, ...] = ()) -> None:
        self.jobs = jobs
        self.preload = list(preload)  # modules the fork server imports once for every worker
        self.pool: Any = None
        self.frozen = False  # whether _start froze this process's objects (gc.freeze) for the fork

    def map(
        self, function: Callable[[T], R], items: Iterable[tuple[C, T | Ready[R]]], chunk: int = CHUNK
    ) -> Iterator[tuple[C, R]]:
        """(context, result) for each item, in order; `chunk`: tasks a process takes at a time."""
        items = iter(items)
        if self.pool is None:
            yield from self._here(function, items)
        if self.pool is not None:
            yield from self._spread(function, items, chunk)

    def _here(
        self, function: Callable[[T], R], items: Iterator[tuple[C, T | Ready[R]]]
    ) -> Iterator[tuple[C, R]]:
        """In this process: to the end with one job, else until there is work enough to start processes."""
        tasks = 0
        for context, task in items:
            if isinstance(task, Ready):
                yield context, task.value
                continue
            yield context, function(task)
            tasks += 1
            if self.jobs > 1 and tasks == POOL_FROM:
                self._start()
                return

    def _start(self) -> None:
        context = _context(self.preload)
        if context.get_start_method() == "fork":
            # What this process holds now is never collected in a worker: the collector there would touch
            # every object of it and so copy the memory the fork shares (Python's gc.freeze documentation).
            # Here it is collected again once the workers are gone (``__exit__``).
            gc.freeze()
            self.frozen = True
        self.pool = context.Pool(self.jobs)

    def _spread(
        self, function: Callable[[T], R], items: Iterator[tuple[C, T | Ready[R]]], chunk: int
    ) -> Iterator[tuple[C, R]]:
        """Over the processes, a chunk of tasks at a time, results handed on in order."""
        window = _Window(self.pool, function, chunk, WINDOW * self.jobs)
        for context, task in items:
            window.add(context, task)
            if window.full:
                yield from window.hand_on()
        while window.waiting:
            yield from window.hand_on()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_: object) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
        if self.frozen:
            gc.unfreeze()


def _context(preload: list[str]) -> multiprocessing.context.BaseContext:
    """Where the worker processes come from. Forked from this process when it runs no other thread: they
    start with everything it has imported and loaded, at no cost. A fork copies only the thread that forks,
    so with another thread running (a progress bar's) a lock that thread holds would stay held in the
    workers for ever: they come from a fork server instead, a fresh process that imports the `preload`
    modules once and forks them clean of this process's threads."""
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(preload)
    return context


class _Window(Generic[C, T, R]):
    """What a map has taken from its items and not handed on yet, in order: results known already, tasks in
    the chunk being filled, chunks given to the pool.

    Kept full: a chunk's results are handed on only when `most_out` chunks are out, and then one chunk's worth
    before the window is filled again, so the processes always have the next chunks while this one writes.
    """

    def __init__(self, pool: Any, function: Callable[[T], R], size: int, most_out: int) -> None:
        self.pool, self.function, self.size, self.most_out = pool, function, size, most_out
        self.waiting: deque[tuple[C, Ready[R] | None]] = deque()  # None: the result comes from a chunk
        self.chunk: list[T] = []  # tasks not given out yet
        self.out: deque[AsyncResult] = deque()  # chunks given out, oldest first

    @property
    def full(self) -> bool:
        return len(self.out) >= self.most_out or len(self.waiting) >= 2 * self.most_out * self.size

    def add(self, context: C, task: T | Ready[R]) -> None:
        if isinstance(task, Ready):
            self.waiting.append((context, task))
            return
        self.waiting.append((context, None))
        self.chunk.append(task)
        if len(self.chunk) == self.size:
            self._give_out()

    def hand_on(self) -> Iterator[tuple[C, R]]:
        """In order: the `Ready` items at the front, then the oldest chunk's results (waiting for them), with
        the `Ready` items among them."""
        while self.waiting:
            context, ready = self.waiting[0]
            if ready is None:
                break
            self.waiting.popleft()
            yield context, ready.value
        if not self.waiting:
            return
        if not self.out:  # the task at the front is in the chunk being filled
            self._give_out()
        done = deque(self.out.popleft().get())
        while done:
            context, ready = self.waiting.popleft()
            yield context, done.popleft() if ready is None else ready.value

    def _give_out(self) -> None:
        self.out.append(self.pool.apply_async(_work, (self.function, self.chunk)))
        self.chunk = []
