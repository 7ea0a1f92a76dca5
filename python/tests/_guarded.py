# SPDX-License-Identifier: GPL-2.0-or-later
"""A child process for calls that might allocate huge arrays, hang or crash.

The child's address space is capped at its size after importing swiftspec plus
``HEADROOM``, so a regression that allocates gigabytes fails with a MemoryError instead
of eating the machine; a call that hangs fails by timeout, and one that kills the
process (a Swift trap, a segfault) fails with its exit code. The child is restarted
after either. Calls are named as ``"module.attribute"`` (a function or a class) with
their arguments, so the test process never runs them itself.
"""

import importlib
import multiprocessing
import resource
from typing import Any, NamedTuple, Optional, Tuple

HEADROOM = 2 << 30  # bytes the child may allocate beyond its size after the imports
TIMEOUT = 60.0  # seconds; the slowest refused call takes milliseconds


class Outcome(NamedTuple):
    """What a call did: ``error`` is None when it returned."""

    error: Optional[str]  # qualified name of the exception's type
    message: str
    parameter_error: bool  # isinstance(exception, swiftspec.ParameterError)
    type_error: bool  # isinstance(exception, TypeError)


def _virtual_size() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


def _resolve(target: str) -> Any:
    module, _, name = target.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _serve(connection: Any) -> None:
    import numpy  # noqa: F401  (imported before the cap, with everything the calls use)

    import swiftspec
    import swiftspec.clips
    import swiftspec.compat.torchaudio
    import swiftspec.images
    import swiftspec.stream

    swiftspec.stft(numpy.zeros(4096, numpy.float32))  # starts the engine's threads
    limit = _virtual_size() + HEADROOM
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        try:
            target, args, kwargs, then = connection.recv()
        except EOFError:
            return
        try:
            instance = _resolve(target)(*args, **kwargs)
            for method, method_args in then:
                getattr(instance, method)(*method_args)
            outcome = Outcome(None, "", False, False)
        except BaseException as error:  # noqa: BLE001 - reported to the test
            kind = type(error)
            outcome = Outcome(
                f"{kind.__module__}.{kind.__qualname__}",
                str(error)[:2000],
                isinstance(error, swiftspec.ParameterError),
                isinstance(error, TypeError),
            )
        connection.send(outcome)


class GuardedWorker:
    """One capped child process, restarted after a crash or a hang."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._start()

    def _start(self) -> None:
        self._connection, child = self._context.Pipe()
        self._process = self._context.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        child.close()

    def _restart(self) -> None:
        self._process.kill()
        self._process.join()
        self._start()

    def call(
        self, target: str, *args: Any, then: Tuple[Tuple[str, tuple], ...] = (), **kwargs: Any
    ) -> Outcome:
        """Run ``target(*args, **kwargs)``, then each ``(method, args)`` of ``then`` on what
        it returned (a transform or stream), in the child. Return its Outcome, or raise
        AssertionError if the call hung or killed the child."""
        description = f"{target}(*{args!r:.200}, **{kwargs!r:.200}) then {then!r:.200}"
        self._connection.send((target, args, kwargs, then))
        if not self._connection.poll(TIMEOUT):
            self._restart()
            raise AssertionError(f"{description} did not return within {TIMEOUT:g} s")
        try:
            return self._connection.recv()
        except EOFError:
            self._process.join()
            code = self._process.exitcode
            self._start()
            raise AssertionError(f"{description} killed the process (exit code {code})") from None

    def close(self) -> None:
        self._connection.close()
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
