# SPDX-License-Identifier: GPL-2.0-or-later
"""Outputs on disk: one spectrogram as the bytes of its file format, written atomically.

A new output format is one more entry in ``_RENDERERS`` (and its shape in
`Settings.output_shape`). ``'shards'`` renders each clip as its shard row
(`clip_array`); `convert` stacks a recording's rows into one staging array and
`swiftspec.images.shards` packs those into the shards.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Dict, Union

import numpy as np

from .. import clips as _clips

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

    from .settings import Settings

#: Writes one output's bytes to an open binary file.
Writer = Callable[[BinaryIO], Any]

TMP_SUFFIX = ".swiftspec-tmp"
# PNG encoding dominates the run time: zlib level 1 with the run-length strategy (3,
# Z_RLE) is several times faster than Pillow's default (level 6) on spectrograms, and its
# files are slightly smaller. The pixels are the same either way (lossless).
PNG_OPTIONS = {"compress_level": 1, "compress_type": 3}


def image(S: np.ndarray, settings: Settings) -> PILImage:
    """The image of one clip's spectrogram (``settings.size``, ``colormap``...); a
    (3, bands, frames) one is an RGB image, each channel scaled to 8 bits on its own."""
    if S.ndim == 3:
        from PIL import Image

        return Image.merge(
            "RGB",
            [
                _clips.to_image(channel, size=settings.size, resample=settings.resize_filter)
                for channel in S
            ],
        )
    return _clips.to_image(
        S, size=settings.size, colormap=settings.colormap, resample=settings.resize_filter
    )


def _png(S: np.ndarray, settings: Settings) -> Writer:
    picture = image(S, settings)
    return lambda f: picture.save(f, format="PNG", **PNG_OPTIONS)


def _npy(S: np.ndarray, settings: Settings) -> Writer:
    return npy_writer(np.ascontiguousarray(S, dtype=np.float32))


SHARD_DTYPES = ("uint8", "float16", "float32")


def clip_array(S: np.ndarray, settings: Settings) -> np.ndarray:
    """One clip as a shard row: the pixels of its PNG (uint8), or the log-mel array in
    ``settings.shard_dtype``."""
    if settings.shard_dtype == "uint8":
        return np.asarray(image(S, settings))
    return np.asarray(S, dtype=settings.shard_dtype)


def _shard_row(S: np.ndarray, settings: Settings) -> Writer:
    return npy_writer(clip_array(S, settings))


def npy_writer(array: np.ndarray) -> Writer:
    return lambda f: np.save(f, array, allow_pickle=False)


_RENDERERS: Dict[str, Callable[[np.ndarray, Settings], Writer]] = {
    "png": _png,
    "npy": _npy,
    "shards": _shard_row,
}
FORMATS = tuple(_RENDERERS)


def render(S: np.ndarray, settings: Settings) -> Writer:
    """The writer of one output (``settings.format``) for the log-mel spectrogram ``S``.

    The image is made here, the file written by the writer: a bad setting fails before
    any file is opened.
    """
    return _RENDERERS[settings.format](S, settings)


def atomic_write(path: Union[str, os.PathLike[str]], write: Writer) -> None:
    """Call ``write(fileobj)`` on a temporary file next to ``path``, then rename it.

    The temporary is named ``.<name>.<pid>-<random><TMP_SUFFIX>`` and is removed on
    failure.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:12]}{TMP_SUFFIX}")
    try:
        with open(tmp, "xb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def remove_stale_temporaries(out_dir: Union[str, os.PathLike[str]]) -> int:
    """Delete temporaries a killed run left behind (ours only: .*<TMP_SUFFIX>)."""
    removed = 0
    for root, _, files in os.walk(out_dir):
        for name in files:
            if name.startswith(".") and name.endswith(TMP_SUFFIX):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(root, name))
                    removed += 1
    return removed
