# SPDX-License-Identifier: GPL-2.0-or-later
"""Type aliases shared by the annotated modules (typing only: nothing here runs code).

Spelled with ``typing.Union``/``Optional`` so that they also evaluate on Python 3.9.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

__all__ = ["WindowSpec", "RealScalar", "ComplexScalar", "DbRef", "DbAxes", "SizeSpec"]

#: A window specification (see `swiftspec.filters.get_window`): a name, a
#: ``(name, *params)`` tuple, a number (a Kaiser beta), a callable ``f(n) -> window`` or
#: the window's samples.
WindowSpec = Union[str, Tuple[Any, ...], float, Callable[[int], np.ndarray], npt.ArrayLike]

#: A real number: Python's (``int`` is accepted where ``float`` is) or numpy's.
RealScalar = Union[float, np.integer, np.floating]

#: A number, complex included.
ComplexScalar = Union[complex, np.number]

#: The ``ref`` of `swiftspec.power_to_db`: a number (or an array broadcast against the
#: input), or a function such as ``np.max`` called with ``axis=`` and ``keepdims=True``.
DbRef = Union[npt.ArrayLike, Callable[..., Any]]

#: The ``axes`` of `swiftspec.power_to_db`: ``'auto'``, None (all axes), an axis or axes.
DbAxes = Union[str, int, Sequence[int], None]

#: An image size for `swiftspec.clips`: ``'WxH'``, ``'N'``, an int N or a (width, height)
#: pair; None for the natural size.
SizeSpec = Union[None, str, int, Sequence[int]]
