# SPDX-License-Identifier: GPL-2.0-or-later
"""Exception hierarchy of swiftspec (librosa's, plus ValueError for convenience)."""

from __future__ import annotations

__all__ = ["SwiftSpecError", "ParameterError", "LibraryError"]


class SwiftSpecError(Exception):
    """Root of the exceptions raised by swiftspec."""


class ParameterError(SwiftSpecError, ValueError):
    """A bad argument: librosa's ``ParameterError``.

    Unlike librosa's, it is also a ``ValueError``, so code that catches either works.
    """


class LibraryError(SwiftSpecError, RuntimeError):
    """The native library failed in a way validation should have prevented.

    Attributes
    ----------
    code : int
        The ``SWIFTSPEC_ERR_*`` status code.
    function : str
        The C function that returned it.
    """

    def __init__(self, function: str, code: int, message: str) -> None:
        super().__init__(f"{function}: {message} (status {code})")
        self.function = function
        self.code = code
