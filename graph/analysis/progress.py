"""Progress of a long analysis on stderr: one line per step with its time, and a bar (tqdm) for
the loops that take a while. Silent unless switched on (the CLI switches it on when stderr is a
terminal, or with ``--progress``); results never depend on it."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


class Progress:
    """Reports steps and loops of an analysis; ``Progress(False)`` (the default everywhere) does nothing."""

    def __init__(self, enabled: bool = False, stream=None):
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr

    @contextmanager
    def step(self, text: str) -> Iterator[None]:
        """Announce a step, and say how long it took when it is done."""
        if not self.enabled:
            yield
            return
        started = time.perf_counter()
        print(f"leernet: {text} ...", file=self.stream, flush=True)
        yield
        print(f"leernet: {text}: {time.perf_counter() - started:.1f} s", file=self.stream, flush=True)

    def bar(self, total: int | None, text: str, unit: str = "it"):
        """A progress bar of ``total`` units, or a counter when the total is unknown (use as a context
        manager; ``update(n)`` moves it)."""
        if not self.enabled:
            return _Silent()
        from tqdm import tqdm

        return tqdm(total=total, desc=f"leernet: {text}", unit=unit, file=self.stream, leave=False,
                    dynamic_ncols=True, mininterval=0.5)

    def iterate(self, items: Iterable, total: int | None, text: str, unit: str = "it") -> Iterable:
        """``items``, moving a bar as they are used."""
        if not self.enabled:
            return items
        from tqdm import tqdm

        return tqdm(items, total=total, desc=f"leernet: {text}", unit=unit, file=self.stream, leave=False,
                    dynamic_ncols=True, mininterval=0.5)

    def note(self, text: str) -> None:
        """A line of information (e.g. that a measure is estimated)."""
        if self.enabled:
            print(f"leernet: {text}", file=self.stream, flush=True)


class _Silent:
    """A progress bar that shows nothing."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n: int = 1) -> None:
        pass


SILENT = Progress(False)
