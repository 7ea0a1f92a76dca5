# SPDX-License-Identifier: GPL-2.0-or-later
"""Quick-start demo: the log-mel spectrogram of the bundled bird recording.

Computes it with swiftspec, saves it as a PNG, and prints its shape, the time taken
and its largest deviation from librosa (when librosa is installed).
"""

import time
import wave
from pathlib import Path

import numpy as np

import swiftspec

SAMPLE = Path(swiftspec.__file__).parent / "data" / "oss_birds_10s.wav"
OUTPUT = Path("demo-output") / "oss_birds_10s_logmel.png"
PARAMS = dict(n_fft=2048, hop_length=512, n_mels=128)


def read_pcm16(path):
    """A mono 16-bit PCM WAV as float32 in [-1, 1), scaled as libsndfile does."""
    with wave.open(str(path), "rb") as f:
        assert f.getsampwidth() == 2 and f.getnchannels() == 1
        sr = f.getframerate()
        samples = np.frombuffer(f.readframes(f.getnframes()), dtype="<i2")
    return samples.astype(np.float32) / 32768.0, sr


def save_png(log_mel, path):
    """Min-max scale to 8 bits, low frequencies at the bottom, and save with Pillow."""
    from PIL import Image

    lo, hi = float(log_mel.min()), float(log_mel.max())
    pixels = np.round(255 * (log_mel - lo) / max(hi - lo, 1e-12)).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.png")
    Image.fromarray(pixels[::-1]).save(tmp)
    tmp.replace(path)


def main():
    y, sr = read_pcm16(SAMPLE)
    start = time.perf_counter()
    S = swiftspec.feature.melspectrogram(y=y, sr=sr, **PARAMS)
    log_mel = swiftspec.power_to_db(S, ref=np.max)
    elapsed = time.perf_counter() - start
    save_png(log_mel, OUTPUT)
    print(f"input:  {SAMPLE.name}, {len(y) / sr:.2f} s at {sr} Hz")
    print(f"log-mel spectrogram: shape {log_mel.shape}, dtype {log_mel.dtype}, "
          f"computed in {elapsed * 1e3:.2f} ms (first call, includes FFT planning)")
    print(f"image:  {OUTPUT}")
    try:
        import librosa
    except ImportError:
        print("librosa is not installed: no parity check")
        return
    reference = librosa.power_to_db(
        librosa.feature.melspectrogram(y=y, sr=sr, **PARAMS), ref=np.max)
    deviation = float(np.max(np.abs(log_mel - reference)))
    print(f"largest deviation from librosa {librosa.__version__}: {deviation:.3g} dB")


if __name__ == "__main__":
    main()
