# SPDX-License-Identifier: GPL-2.0-or-later
"""Long recordings: MFCC rows too long for a log-mel scratch take a two-pass path."""

import numpy as np
import pytest

import swiftspec

librosa = pytest.importorskip("librosa")


def test_mfcc_two_pass_path_matches_librosa():
    # 128 mels x 32,770 frames > 2**22 log-mel values: the engine streams the row twice
    # (peak dB first, then dB + top_db + DCT per block) instead of holding it.
    rng = np.random.default_rng(5)
    n = 32768 * 64 + 100
    y = (rng.standard_normal(n) * np.linspace(1e-3, 1, n)).astype(np.float32)
    ours = swiftspec.feature.mfcc(y=y, sr=32000, hop_length=64, n_mfcc=20)
    reference = librosa.feature.mfcc(y=y, sr=32000, hop_length=64, n_mfcc=20)
    assert ours.shape == reference.shape == (20, 32770)
    assert np.max(np.abs(ours - reference)) <= 1e-3 * max(1.0, np.max(np.abs(reference)))
