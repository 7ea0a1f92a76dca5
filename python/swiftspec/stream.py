# SPDX-License-Identifier: GPL-2.0-or-later
"""Streaming analysis: frames from audio that arrives in chunks, with bounded memory.

`MelSpectrogram` and `STFT` take audio in chunks of any size (including empty chunks,
single samples and chunks far longer than ``n_fft``) and return, from each call to
``process``, every frame that the samples seen so far complete::

    stream = swiftspec.stream.MelSpectrogram(sr=16000, n_fft=400, hop_length=160)
    for chunk in chunks:                  # e.g. 10 ms blocks from a sound card
        S = stream.process(chunk)         # [shape=(n_mels, k)], k >= 0 new frames
        ...
    S_last = stream.flush()               # end of stream (see "Centre semantics")

Guarantee
---------
The concatenation of everything ``process`` and ``flush`` return is **bit-identical** to the
offline call on the concatenated audio::

    np.concatenate(outputs, axis=-1) == swiftspec.feature.melspectrogram(
        y=np.concatenate(chunks, axis=-1), center=False, ...)

whatever the chunk sizes. Each frame is computed by the same engine call on the same
samples as offline (frames are independent and the engine is deterministic: the result
of a frame depends neither on its neighbours, nor on the thread count, nor on where its
samples sit in memory). Chunk boundaries therefore never change a single bit.

Memory
------
Between calls a stream keeps only the samples the next frame still needs: at most
``n_fft - 1`` samples per channel (``buffered_samples``), which is the least any
implementation can keep for arbitrary chunking. It never keeps a reference to a chunk.
Within a call, frames that straddle the previous chunk and the new one are computed from a
temporary of fewer than ``2 * n_fft`` samples per channel; frames lying inside the new
chunk are computed from a view of it (no copy when the chunk is C-contiguous). So memory
does not grow with the length of the stream: hours of audio run in constant space.

Centre semantics
----------------
With ``center=False`` (the default) frame ``t`` covers samples
``[t * hop_length, t * hop_length + n_fft)``; the last, incomplete frame is never emitted
(offline drops it too), so ``flush`` returns no frames and only resets the stream.

With ``center=True`` the stream behaves like the offline call with ``center=True,
pad_mode="constant"``: ``n_fft // 2`` zeros are placed before the first sample, so frame
``t`` is centred on sample ``t * hop_length``. Frames near the start are available at
once, but every frame is delayed by ``n_fft // 2`` samples relative to the non-centred
analysis (a frame needs the samples after its centre). The end of the signal is only known
when you call ``flush``: it appends ``n_fft // 2`` zeros and returns the remaining frames.
The result equals ``melspectrogram(y=concatenated, center=True, pad_mode="constant")``
bit for bit. Other pad modes ('reflect', ...) need samples from beyond the end of the
signal and are not supported by streams. A stream that received no audio at all returns
no frames from ``flush`` (the offline call would give one frame of zero-padded silence
and warn).

Channels and types
------------------
Chunks have shape ``(..., n)``; the leading shape (channels) and the floating type are
fixed by the first non-empty chunk, and later chunks must match them (a
``ParameterError`` says so; convert with ``chunk.astype(...)``). An empty 1-D chunk is
accepted by any stream. Output has shape ``(..., n_mels, k)`` (or ``(..., 1 + n_fft // 2,
k)`` for `STFT`) and the dtype of the offline call.

A stream object is not thread-safe: feed each stream from one thread at a time (distinct
streams may run in parallel).
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np
import numpy.typing as npt

from . import feature, spectrum
from ._analysis import default_hop_length
from ._typing import WindowSpec  # (defined there, shared with spectrum and filters)
from ._validate import fft_size, is_positive_int, positive_int, valid_audio
from .exceptions import ParameterError

__all__ = ["MelSpectrogram", "STFT"]


class _FrameStream:
    """Chunked framing shared by the streams.

    Subclasses set ``_compute(segment) -> np.ndarray [shape=(..., d, k)]``: the offline
    ``center=False`` analysis of a segment that holds exactly ``k`` frames.
    """

    def __init__(self, *, n_fft: int, hop_length: int, center: bool) -> None:
        self.n_fft = fft_size(n_fft, "n_fft")
        self.hop_length = positive_int(hop_length, "hop_length")
        if not isinstance(center, (bool, np.bool_)):
            raise ParameterError(f"center={center!r} must be True or False")
        self.center = bool(center)
        self._out_dtypes: Dict[np.dtype, Tuple[int, np.dtype]] = {}
        self.reset()

    # ---- state -------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget all audio: the next chunk starts a new stream.

        The channel layout and sample type are forgotten too.
        """
        self._lead: Optional[Tuple[int, ...]] = None  # leading shape, fixed by 1st chunk
        self._dtype: Optional[np.dtype] = None
        self._buffer: Optional[np.ndarray] = None  # samples [next_frame * hop, n_seen)
        self._n_seen = 0  # samples received, in padded coordinates (with the centre pad)
        self._n_received = 0  # samples received from the caller
        self._next_frame = 0

    @property
    def buffered_samples(self) -> int:
        """Samples per channel held between calls (at most ``n_fft - 1``)."""
        return 0 if self._buffer is None else int(self._buffer.shape[-1])

    @property
    def frames_emitted(self) -> int:
        """Frames returned since the stream (re)started.

        Frame ``t`` starts at sample ``t * hop_length`` (``center=False``) or is centred on
        it (``center=True``).
        """
        return self._next_frame

    @property
    def samples_received(self) -> int:
        """Samples per channel passed to `process` since the stream (re)started."""
        return self._n_received

    # ---- processing --------------------------------------------------------------------

    def process(self, y: npt.ArrayLike) -> np.ndarray:
        """Feed a chunk of audio; return the frames it completes.

        Parameters
        ----------
        y : np.ndarray [shape=(..., n)], floating point
            The next ``n`` samples (``n >= 0``) of every channel.

        Returns
        -------
        frames : np.ndarray [shape=(..., d, k)]
            The ``k >= 0`` frames completed by this chunk, in order (``d`` is ``n_mels``
            or ``1 + n_fft // 2``).

        Raises
        ------
        ParameterError
            If ``y`` is not finite floating-point audio, or its leading shape or type
            differ from the earlier chunks'. The stream is left unchanged.
        """
        state = self._state()
        try:
            return self._feed(self._check_chunk(y))
        except BaseException:  # e.g. the first chunk fixed the layout, then failed
            self._restore(state)
            raise

    # The attributes a chunk changes. Buffers are never modified in place, so references
    # to them make a complete snapshot.
    _STATE = ("_lead", "_dtype", "_buffer", "_n_seen", "_n_received", "_next_frame")

    def _state(self) -> Tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._STATE)

    def _restore(self, state: Tuple[Any, ...]) -> None:
        for name, value in zip(self._STATE, state):
            setattr(self, name, value)

    def flush(self) -> np.ndarray:
        """End the stream: return its last frames and reset it.

        Returns
        -------
        frames : np.ndarray [shape=(..., d, k)]
            With ``center=True``, the frames completed by the ``n_fft // 2`` zeros of the
            end padding; with ``center=False``, no frames (``k == 0``).
        """
        if self._lead is None:
            out = self._empty(None, None)
        elif self.center:
            pad = np.zeros(self._lead + (self.n_fft // 2,), dtype=self._dtype)
            out = self._feed(pad, count=False)
        else:
            out = self._empty(self._lead, self._dtype)
        self.reset()
        return out

    # ---- internals ---------------------------------------------------------------------

    def _check_chunk(self, y: npt.ArrayLike) -> np.ndarray:
        y = np.asarray(y)
        valid_audio(y)  # floating point, ndim >= 1, finite (librosa's messages)
        if y.shape[-1] == 0:
            if self._lead is not None and y.ndim != 1 and y.shape[:-1] != self._lead:
                raise ParameterError(
                    f"chunk of shape {y.shape} does not match the stream's channels {self._lead}"
                )
            return y
        if self._lead is None:
            self._start(y.shape[:-1], y.dtype)
        if y.shape[:-1] != self._lead:
            raise ParameterError(
                f"chunk of shape {y.shape} does not match the stream's "
                f"channels {self._lead} (fixed by the first chunk)"
            )
        if y.dtype != self._dtype:
            raise ParameterError(
                f"chunk of dtype {y.dtype} in a stream of {self._dtype} "
                f"audio (fixed by the first chunk): the offline result would "
                f"differ; convert with chunk.astype(np.{self._dtype})"
            )
        return y

    def _start(self, lead: Tuple[int, ...], dtype: np.dtype) -> None:
        self._lead = tuple(lead)
        self._dtype = np.dtype(dtype)
        if self.center:  # the offline call's left padding (pad_mode='constant')
            pad = self.n_fft // 2
            self._buffer = np.zeros(self._lead + (pad,), dtype=self._dtype)
            self._n_seen = pad

    def _feed(self, y: np.ndarray, count: bool = True) -> np.ndarray:
        n_fft, hop = self.n_fft, self.hop_length
        length = y.shape[-1]
        if length == 0:
            lead = self._lead if self._lead is not None else y.shape[:-1]
            dtype = self._dtype if self._dtype is not None else y.dtype
            return self._empty(lead, dtype)
        pos = self._n_seen  # stream position of y[..., 0]
        end = pos + length
        first = self._next_frame
        last = (end - n_fft) // hop if end >= n_fft else -1  # last complete frame
        k = max(0, last - first + 1)
        buffer = self._buffer
        parts: List[np.ndarray] = []
        if k:
            # Frames starting before this chunk need the buffered samples
            # [first * hop, pos): a small temporary of fewer than 2 * n_fft samples.
            n_edge = min(k, max(0, -(-pos // hop) - first))
            if n_edge:
                need = (first + n_edge - 1) * hop + n_fft - pos
                parts.append(self._compute(np.concatenate([buffer, y[..., :need]], axis=-1)))
            if k > n_edge:  # frames inside the chunk: a view of it
                start = (first + n_edge) * hop - pos
                stop = (first + k - 1) * hop + n_fft - pos
                parts.append(self._compute(y[..., start:stop]))
        # Keep the samples [next * hop, end) the next frame needs: fewer than n_fft.
        keep_from = (first + k) * hop
        if keep_from >= end:
            new_buffer = None
        elif keep_from >= pos:
            new_buffer = y[..., keep_from - pos :].copy()
        else:  # then first * hop <= keep_from < pos: the buffer holds samples
            assert buffer is not None
            old = buffer[..., keep_from - first * hop :]
            new_buffer = np.concatenate([old, y], axis=-1)
        # Commit only now: a failed computation leaves the stream unchanged.
        self._buffer = new_buffer
        self._n_seen = end
        self._next_frame = first + k
        if count:
            self._n_received += length
        if not parts:
            return self._empty(self._lead, self._dtype)
        return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=-1)

    def _empty(self, lead: Optional[Tuple[int, ...]], dtype: Optional[npt.DTypeLike]) -> np.ndarray:
        """No frames: shape (..., d, 0) with the dtype the offline call would give
        (mono float32 before any audio)."""
        lead = () if lead is None else lead
        key = np.dtype(np.float32 if dtype is None else dtype)
        if key not in self._out_dtypes:
            probe = self._compute(np.zeros(self.n_fft, dtype=key))
            self._out_dtypes[key] = (probe.shape[-2], probe.dtype)
        d, out_dtype = self._out_dtypes[key]
        return np.empty(tuple(lead) + (d, 0), dtype=out_dtype)

    def _compute(self, segment: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError


class MelSpectrogram(_FrameStream):
    """A streaming `swiftspec.feature.melspectrogram`.

    Parameters
    ----------
    sr : number > 0
        Sampling rate of the audio.
    n_fft : int > 0
        FFT window length.
    hop_length : int > 0
        Samples between successive frames.
    win_length : int <= n_fft or None
        Window length (``n_fft`` if None), centred in ``n_fft``.
    window : string, tuple, number, callable, or np.ndarray [shape=(win_length,)]
        See `swiftspec.filters.get_window`.
    n_mels : int >= 0
        Number of mel bands.
    fmin, fmax : float
        Lowest and highest frequency (Hz) of the filter bank; ``fmax=None`` is ``sr / 2``.
    htk : bool
        HTK instead of Slaney mel scale.
    norm : {None, 'slaney', number}
        Filter normalisation (see `swiftspec.filters.mel`).
    power : float > 0
        Exponent of the magnitude (2 for power, 1 for energy).
    center : bool
        False (default): frame ``t`` starts at sample ``t * hop_length``. True: as the
        offline ``center=True, pad_mode="constant"`` (see the module notes: the end
        padding is added by `flush`).
    precision : {'exact', 'fast'}
        As in `swiftspec.feature.melspectrogram` ('fast' needs float32 audio).
    n_threads : int > 0 or None
        Native threads per engine call.
    dtype : np.dtype
        Type of the mel basis (``filters.mel``'s ``dtype``); the output is float32 for
        float32 audio and this default, float64 for float64 audio.

    Attributes
    ----------
    n_fft, hop_length, center : as given
    n_mels : int
    buffered_samples, frames_emitted, samples_received : int
        See `process`.

    Raises
    ------
    ParameterError
        For invalid parameters, at construction (as the offline call would raise).

    Warns
    -----
    UserWarning
        Once, at construction, if some mel filters are empty.

    Notes
    -----
    ``process(chunk)`` returns ``np.ndarray [shape=(..., n_mels, k)]``. Everything returned
    by ``process`` and ``flush``, concatenated on the last axis, is bit-identical to
    ``swiftspec.feature.melspectrogram(y=all_audio, center=center, sr=sr, ...)``
    (with ``pad_mode="constant"`` for ``center=True``). See the module docstring for the
    memory bound (``n_fft - 1`` samples per channel between calls) and centre semantics.

    Examples
    --------
    >>> stream = MelSpectrogram(sr=16000, n_fft=400, hop_length=160, n_mels=64)
    >>> frames = [stream.process(block) for block in blocks]  # doctest: +SKIP
    >>> S = np.concatenate(frames + [stream.flush()], axis=-1)  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        sr: float = 22050,
        n_fft: int = 2048,
        hop_length: int = 512,
        win_length: Optional[int] = None,
        window: WindowSpec = "hann",
        n_mels: int = 128,
        fmin: float = 0.0,
        fmax: Optional[float] = None,
        htk: bool = False,
        norm: Union[None, str, float] = "slaney",
        power: float = 2.0,
        center: bool = False,
        precision: str = "exact",
        n_threads: Optional[int] = None,
        dtype: npt.DTypeLike = np.float32,
    ) -> None:
        if not is_positive_int(hop_length):
            raise ParameterError(f"hop_length={hop_length!r} must be a positive integer")
        self._kwargs: Dict[str, Any] = dict(
            sr=sr,
            n_fft=n_fft,
            hop_length=hop_length,
            win_length=win_length,
            window=window,
            n_mels=n_mels,
            fmin=fmin,
            fmax=fmax,
            htk=htk,
            norm=norm,
            power=power,
            precision=precision,
            n_threads=n_threads,
            dtype=dtype,
        )
        super().__init__(n_fft=n_fft, hop_length=hop_length, center=center)
        # Validate every argument now (as the offline call would), and see whether the
        # basis warns: it then warns once, here, rather than on every chunk.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            probe = self._call(np.zeros(self.n_fft, dtype=np.float32))
        for warning in caught:
            warnings.warn(warning.message, warning.category, stacklevel=2)
        self._quiet = bool(caught)
        self.n_mels = int(probe.shape[-2])

    def _call(self, segment: np.ndarray) -> np.ndarray:
        return np.asarray(feature.melspectrogram(y=segment, center=False, **self._kwargs))

    def _compute(self, segment: np.ndarray) -> np.ndarray:
        if not self._quiet:
            return self._call(segment)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self._call(segment)

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self._kwargs.items())
        return f"swiftspec.stream.MelSpectrogram({args}, center={self.center!r})"


class STFT(_FrameStream):
    """A streaming `swiftspec.stft`.

    Parameters
    ----------
    n_fft : int > 0
        FFT length.
    hop_length : int > 0 or None
        Samples between successive frames; ``win_length // 4`` if None.
    win_length : int <= n_fft or None
        Window length (``n_fft`` if None).
    window : string, tuple, number, callable, or np.ndarray [shape=(win_length,)]
        See `swiftspec.filters.get_window`.
    center : bool
        As in `MelSpectrogram` (``pad_mode="constant"`` semantics with True).
    dtype : np.dtype or None
        Complex output type; complex64 for float32 audio, complex128 for float64.
    precision : {'exact', 'fast'}
        As in `swiftspec.stft`.
    n_threads : int > 0 or None
        Native threads per engine call.

    Notes
    -----
    ``process(chunk)`` returns ``np.ndarray [shape=(..., 1 + n_fft // 2, k)]``, complex.
    The concatenated output is bit-identical to ``swiftspec.stft(all_audio,
    center=center, ...)``; the memory bound and centre semantics are those of
    `MelSpectrogram`.
    """

    def __init__(
        self,
        *,
        n_fft: int = 2048,
        hop_length: Optional[int] = None,
        win_length: Optional[int] = None,
        window: WindowSpec = "hann",
        center: bool = False,
        dtype: Optional[npt.DTypeLike] = None,
        precision: str = "exact",
        n_threads: Optional[int] = None,
    ) -> None:
        n_fft_checked = fft_size(n_fft, "n_fft")
        if hop_length is None:  # swiftspec.stft's default, resolved once
            base = n_fft_checked if win_length is None else positive_int(win_length, "win_length")
            hop_length = default_hop_length(base)
        self._kwargs: Dict[str, Any] = dict(
            n_fft=n_fft,
            hop_length=hop_length,
            win_length=win_length,
            window=window,
            dtype=dtype,
            precision=precision,
            n_threads=n_threads,
        )
        super().__init__(n_fft=n_fft, hop_length=hop_length, center=center)
        self._compute(np.zeros(self.n_fft, dtype=np.float32))  # validate the arguments

    def _compute(self, segment: np.ndarray) -> np.ndarray:
        return np.asarray(spectrum.stft(segment, center=False, **self._kwargs))

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self._kwargs.items())
        return f"swiftspec.stream.STFT({args}, center={self.center!r})"
