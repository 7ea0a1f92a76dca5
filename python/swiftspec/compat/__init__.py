# SPDX-License-Identifier: GPL-2.0-or-later
"""Drop-in replacements for other libraries' spectrogram APIs, computed by swiftspec.

- `swiftspec.compat.torchaudio`: ``Spectrogram``, ``MelSpectrogram``, ``AmplitudeToDB`` and
  ``MFCC`` with torchaudio's arguments, defaults and conventions (numpy in, numpy out; torch
  tensors in, torch tensors out). Importing it does not import torch.
"""

from . import torchaudio

__all__ = ["torchaudio"]
