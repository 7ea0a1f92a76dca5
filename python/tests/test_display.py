# SPDX-License-Identifier: GPL-2.0-or-later
"""swiftspec.display.specshow: the same plot geometry as librosa.display.specshow.

The reference is librosa.display itself (0.11 under python3, 1.0 under python3.12): cell
corners of the QuadMesh, axis limits, scales, tick positions, tick labels and axis labels
must match. Mel-band centres come from swiftspec.mel_frequencies, which may differ from
numpy's float64 exp/log by a few ulps (README, "Known last-bit differences"), so mel
coordinates are compared to 1e-13 relative; everything else must be equal. FFT-bin
centres are ``k * (sr / n_fft)`` as in librosa 1.0.1; 0.11 and 1.0.0 take numpy's rfftfreq,
up to an ulp away, so against them those coordinates are compared to OLD_FFT_GRID_RTOL.
"""

import sys

import numpy as np
import pytest

import swiftspec
import swiftspec.display
from swiftspec import ParameterError

MEL_RTOL = 1e-13  # measured: at most 9 ulps (2e-15 relative)
OLD_FFT_GRID_RTOL = 4 * np.finfo(np.float64).eps  # an ulp of the centres, halved at edges
FFT_AXES = ("linear", "hz", "fft", "log")


@pytest.fixture(scope="module")
def plt():
    matplotlib = pytest.importorskip("matplotlib", reason="matplotlib is not installed")
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as pyplot

    yield pyplot
    pyplot.close("all")


def _geometry(plt, module, data, **kwargs):
    fig, ax = plt.subplots(figsize=(4, 3), dpi=40)
    mesh = module.specshow(data, ax=ax, **kwargs)
    fig.canvas.draw()
    out = dict(
        coords=np.asarray(mesh.get_coordinates()),
        values=np.asarray(mesh.get_array()),
        xlim=ax.get_xlim(),
        ylim=ax.get_ylim(),
        xscale=ax.get_xscale(),
        yscale=ax.get_yscale(),
        xticks=np.asarray(ax.get_xticks()),
        yticks=np.asarray(ax.get_yticks()),
        xlabels=[t.get_text() for t in ax.get_xticklabels()],
        ylabels=[t.get_text() for t in ax.get_yticklabels()],
        xlabel=ax.get_xlabel(),
        ylabel=ax.get_ylabel(),
        aspect=ax.get_aspect(),
        cmap=mesh.get_cmap().name,
    )
    plt.close(fig)
    return out


CASES = {
    "stft time/linear": ((257, 60), dict(x_axis="time", y_axis="linear")),
    "stft s/log, 44.1k": ((513, 40), dict(x_axis="s", y_axis="log", sr=44100, hop_length=256)),
    "stft odd n_fft, frames/hz": (
        (201, 30),
        dict(x_axis="frames", y_axis="hz", sr=8000, n_fft=401),
    ),
    "fft, long (m:ss ticks)": ((6, 3000), dict(x_axis="time", y_axis="fft")),
    "hours (h:mm:ss ticks)": ((4, 2000), dict(x_axis="time", sr=10, hop_length=20)),
    "mel 16k": ((128, 200), dict(x_axis="time", y_axis="mel", sr=16000, hop_length=160, fmax=8000)),
    "mel htk fmin/fmax, ms": (
        (64, 50),
        dict(x_axis="ms", y_axis="mel", sr=16000, hop_length=160, fmin=50.0, fmax=7000.0, htk=True),
    ),
    "mel one frame": ((40, 1), dict(x_axis="time", y_axis="mel")),
    "transposed: mel on x, time on y": ((300, 64), dict(x_axis="mel", y_axis="time")),
    "no axes": ((20, 30), dict()),
    "frames/frames square": ((40, 40), dict(x_axis="frames", y_axis="frames")),
    "off": ((20, 30), dict(x_axis="off", y_axis="off")),
    "explicit centres": (
        (5, 7),
        dict(
            x_coords=np.linspace(0, 3, 7), y_axis="linear", y_coords=np.array([0, 10, 20, 40, 80.0])
        ),
    ),
    "explicit edges": (
        (5, 7),
        dict(
            x_coords=np.arange(8) * 0.25,
            x_axis="time",
            y_coords=np.geomspace(10, 1e4, 6),
            y_axis="log",
        ),
    ),
}


@pytest.mark.parametrize("signed", [False, True], ids=["non-negative", "signed"])
@pytest.mark.parametrize("case", list(CASES))
def test_geometry_matches_librosa(case, signed, plt, rng):
    librosa = pytest.importorskip("librosa")
    librosa_display = pytest.importorskip("librosa.display")
    shape, kwargs = CASES[case]
    data = rng.standard_normal(shape) if signed else rng.random(shape)
    ref = _geometry(plt, librosa_display, data, **kwargs)
    ours = _geometry(plt, swiftspec.display, data, **kwargs)
    mel = "mel" in (kwargs.get("x_axis"), kwargs.get("y_axis"))
    old_fft_grid = tuple(int(part) for part in librosa.__version__.split(".")[:3]) < (
        1,
        0,
        1,
    ) and any(kwargs.get(f"{xy}_axis") in FFT_AXES and f"{xy}_coords" not in kwargs for xy in "xy")
    rtol = MEL_RTOL if mel else OLD_FFT_GRID_RTOL if old_fft_grid else 0
    for key, value in ref.items():
        if key == "coords" or ((mel or old_fft_grid) and key in ("xlim", "ylim")):
            np.testing.assert_allclose(ours[key], value, rtol=rtol, atol=0, err_msg=key)
        elif isinstance(value, np.ndarray):
            np.testing.assert_array_equal(ours[key], value, err_msg=key)
        else:
            assert ours[key] == value, key
    if not mel and not old_fft_grid:  # same arithmetic as matplotlib: identical corners
        np.testing.assert_array_equal(ours["coords"], ref["coords"])


def test_bin_and_band_edges(plt):
    """The cell edges, computed from swiftspec's frequency grids."""
    fig, ax = plt.subplots()
    mesh = swiftspec.display.specshow(
        np.zeros((513, 4)), y_axis="linear", x_axis="time", sr=16000, hop_length=256, ax=ax
    )
    corners = np.asarray(mesh.get_coordinates())
    freqs = swiftspec.fft_frequencies(sr=16000, n_fft=1024)
    step = 16000 / 1024
    np.testing.assert_allclose(
        corners[:, 0, 1], np.r_[freqs - step / 2, 8000 + step / 2], rtol=0, atol=1e-9
    )
    np.testing.assert_allclose(corners[0, :, 0], (np.arange(5) - 0.5) * 256 / 16000)
    mesh = swiftspec.display.specshow(np.zeros((40, 4)), y_axis="mel", sr=16000, fmax=8000, ax=ax)
    centres = swiftspec.mel_frequencies(40, fmin=0.0, fmax=8000.0)
    edges = np.asarray(mesh.get_coordinates())[:, 0, 1]
    np.testing.assert_allclose(edges[1:-1], (centres[:-1] + centres[1:]) / 2, rtol=1e-15)
    assert edges[0] < 0 < edges[1] and edges[-2] < 8000 < edges[-1]
    plt.close(fig)


def test_render_png(plt, tmp_path, rng):
    y = rng.standard_normal(16000).astype(np.float32)
    S_db = swiftspec.power_to_db(
        swiftspec.feature.melspectrogram(y=y, sr=16000, n_mels=64, fmax=8000), ref=np.max
    )
    fig, axes = plt.subplots(nrows=2, figsize=(5, 4))
    mesh = swiftspec.display.specshow(
        S_db, sr=16000, x_axis="time", y_axis="mel", fmax=8000, ax=axes[0]
    )
    fig.colorbar(mesh, ax=axes[0], format="%+2.0f dB")
    D = swiftspec.amplitude_to_db(np.abs(swiftspec.stft(y, n_fft=512)), ref=np.max)
    swiftspec.display.specshow(D, sr=16000, hop_length=128, x_axis="s", y_axis="log", ax=axes[1])
    path = tmp_path / "specshow.png"
    fig.savefig(path, dpi=50)
    plt.close(fig)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000


def test_pyplot_state_kwargs_and_shading(plt, rng):
    plt.figure()
    data = rng.random((10, 12))
    mesh = swiftspec.display.specshow(data, x_axis="time", cmap="viridis", vmin=0, vmax=2)
    assert plt.gci() is mesh and mesh.get_cmap().name == "viridis"
    assert mesh.get_clim() == (0, 2)
    diverging = swiftspec.display.specshow(data - 0.5)
    assert diverging.get_cmap().name == "coolwarm"
    gouraud = swiftspec.display.specshow(data, y_axis="mel", shading="gouraud")
    assert np.asarray(gouraud.get_coordinates()).shape == (10, 12, 2)
    with pytest.warns(UserWarning, match="complex-valued"):
        mesh = swiftspec.display.specshow(data * (1 + 1j))
    np.testing.assert_allclose(
        np.asarray(mesh.get_array()).reshape(10, 12), np.abs(data * (1 + 1j))
    )
    booleans = swiftspec.display.specshow(data > 0.5)
    assert booleans.get_cmap().name == "gray_r"
    plt.close("all")


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(x_axis="cqt_hz"), "Unknown axis type"),
        (dict(y_axis="chroma"), "Unknown axis type"),
        (dict(x_coords=np.arange(6)), "Coordinate shape mismatch"),
        (dict(shading="weird"), "shading"),
        (dict(ax="not axes"), "Axes"),
    ],
)
def test_errors(kwargs, match, plt):
    with pytest.raises(ParameterError, match=match):
        swiftspec.display.specshow(np.zeros((3, 4)), **kwargs)


@pytest.mark.parametrize("shape", [(4,), (2, 3, 4)])
def test_data_must_be_2d(shape, plt):
    with pytest.raises(ParameterError, match="2-dimensional"):
        swiftspec.display.specshow(np.zeros(shape))


def test_clear_import_error_without_matplotlib(monkeypatch):
    """Runs with or without matplotlib: importing the module never needs it."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` fails
    with pytest.raises(ImportError, match="pip install matplotlib"):
        swiftspec.display.specshow(np.zeros((3, 4)))
