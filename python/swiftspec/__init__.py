# SPDX-License-Identifier: GPL-2.0-or-later
"""swiftspec: librosa's spectrograms, computed by a Swift engine over FFTW.

The public API mirrors librosa's names, keyword-only arguments, defaults, shapes,
dtypes and errors::

    import swiftspec
    D = swiftspec.stft(y, n_fft=2048, hop_length=512)
    S = swiftspec.feature.melspectrogram(y=y, sr=sr, n_mels=128)
    S_db = swiftspec.power_to_db(S, ref=np.max)
"""

from . import display, feature, filters, stream, util
from ._ffi import abi_version as __abi_version__
from ._ffi import fftw_version as __fftw_version__
from ._ffi import library_path as __library_path__
from ._ffi import simd_level as __simd_level__
from ._info import show_config
from ._threads import get_num_threads, set_num_threads
from .audio import load, resample  # soundfile and soxr are imported on first call
from .convert import fft_frequencies, hz_to_mel, mel_frequencies, mel_to_hz
from .exceptions import LibraryError, ParameterError, SwiftSpecError
from .spectrum import amplitude_to_db, db_to_amplitude, db_to_power, istft, power_to_db, stft

__version__ = "0.1.0"

__all__ = [
    "stft",
    "istft",
    "power_to_db",
    "amplitude_to_db",
    "db_to_power",
    "db_to_amplitude",
    "hz_to_mel",
    "mel_to_hz",
    "mel_frequencies",
    "fft_frequencies",
    "feature",
    "filters",
    "stream",
    "display",
    "util",
    "set_num_threads",
    "get_num_threads",
    "ParameterError",
    "SwiftSpecError",
    "LibraryError",
    "__version__",
    "__abi_version__",
    "__fftw_version__",
    "__library_path__",
    "__simd_level__",
    "load",
    "resample",
    "show_config",
]
