# SPDX-License-Identifier: GPL-2.0-or-later
"""ABI drift checks between swiftspec.h and the ctypes bindings, and the C error contract.

swiftspec.h is the source of truth. These tests parse it (prototypes, status codes, enums,
SWIFTSPEC_ABI_VERSION) and check that python/swiftspec/_ffi.py declares the same thing,
then call the C functions directly through ctypes with bad arguments (NULL pointers,
short capacities, negative counts, unknown enum codes, sizes whose products overflow,
non-finite audio) and check each returns the status code the header documents. These calls
run in-process: any of them crashing the interpreter is a bug in the Swift shims.
"""

import ctypes
import os
import re
from ctypes import POINTER, c_char_p, c_double, c_float, c_int32, c_int64, c_void_p
from pathlib import Path

import numpy as np
import pytest

import swiftspec
from swiftspec import _ffi

HEADER = Path(__file__).resolve().parents[2] / "Sources" / "CSwiftSpec" / "include" / "swiftspec.h"

pytestmark = pytest.mark.skipif(not HEADER.is_file(), reason="needs the source tree's header")


# ---- header parsing ---------------------------------------------------------------------


def _header_text():
    text = HEADER.read_text()
    return re.sub(r"/\*.*?\*/", " ", text, flags=re.S)  # drop comments


def _prototypes():
    """{name: (return type, [(param type, param name), ...])} from the header."""
    found = {}
    pattern = re.compile(r"\b(int32_t|const\s+char\s*\*)\s*(swiftspec_\w+)\s*\(([^)]*)\)\s*;", re.S)
    for restype, name, params in pattern.findall(_header_text()):
        params = " ".join(params.split())
        parsed = []
        if params != "void":
            for param in params.split(","):
                match = re.fullmatch(r"\s*(?:const\s+)?(\w+)\s*(\*?)\s*(\w+)\s*", param)
                assert match, f"{name}: cannot parse parameter {param!r}"
                base, star, pname = match.groups()
                parsed.append((base + (" *" if star else ""), pname))
        found[name] = (" ".join(restype.replace("*", " *").split()), parsed)
    return found


def _constants():
    """Every SWIFTSPEC_* enumerator in the header, with its value."""
    constants = {}
    for body in re.findall(r"enum\s*\{(.*?)\}\s*;", _header_text(), flags=re.S):
        for name, value in re.findall(r"(SWIFTSPEC_\w+)\s*=\s*(-?\d+)", body):
            assert name not in constants, f"{name} defined twice"
            constants[name] = int(value)
    return constants


PROTOTYPES = _prototypes()
H = _constants()
STATUS = {
    name: value
    for name, value in H.items()
    if name == "SWIFTSPEC_OK" or name.startswith("SWIFTSPEC_ERR_")
}

_SCALARS = {"int32_t": c_int32, "int64_t": c_int64, "double": c_double}
_POINTERS = {
    "void *": c_void_p,
    "double *": POINTER(c_double),
    "int64_t *": POINTER(c_int64),
    "int32_t *": POINTER(c_int32),
    "float *": POINTER(c_float),
    "char *": c_char_p,
}
_RETURNS = {"int32_t": c_int32, "const char *": c_char_p}


def test_header_parses_to_every_function():
    # A sanity check of the prototype regex: every "swiftspec_xxx(" in the header (outside
    # comments) was parsed, and there are the 19 functions of ABI version 2.
    mentioned = set(re.findall(r"\b(swiftspec_\w+)\s*\(", _header_text()))
    assert set(PROTOTYPES) == mentioned
    assert len(PROTOTYPES) == 20, sorted(PROTOTYPES)
    assert {"swiftspec_stft", "swiftspec_mfcc", "swiftspec_strerror"} <= set(PROTOTYPES)


@pytest.mark.parametrize("name", sorted(PROTOTYPES))
def test_prototype_matches_ctypes_declaration(name):
    restype, params = PROTOTYPES[name]
    assert name in _ffi._PROTOTYPES, f"{name} is in swiftspec.h but not declared in _ffi.py"
    declared_restype, declared_args = _ffi._PROTOTYPES[name]
    assert declared_restype is _RETURNS[restype], (name, restype, declared_restype)
    assert len(declared_args) == len(params), (
        f"{name}: header has {len(params)} parameters, _ffi.py declares {len(declared_args)}"
    )
    for i, ((ctype, pname), declared) in enumerate(zip(params, declared_args)):
        expected = _SCALARS.get(ctype) or _POINTERS.get(ctype)
        assert expected is not None, f"{name}: unknown C type {ctype!r} of {pname}"
        where = f"{name} parameter {i} ({ctype} {pname}): declared {declared.__name__}"
        if ctype.endswith("*"):
            # A typed pointer may be bound as POINTER(T) or as c_void_p (an untyped
            # address, which the wrappers pass as an int); never a scalar or another T.
            assert declared is expected or declared is c_void_p, where
        else:
            assert declared is expected, where
    # The loaded function really carries the declaration.
    function = getattr(_ffi.lib, name)
    assert function.restype is declared_restype
    assert list(function.argtypes) == list(declared_args)


def test_no_ctypes_declaration_without_a_prototype():
    assert set(_ffi._PROTOTYPES) == set(PROTOTYPES)


def test_status_codes_match():
    expected = {name[len("SWIFTSPEC_") :]: value for name, value in STATUS.items()}
    ours = {
        name: getattr(_ffi, name) for name in dir(_ffi) if name == "OK" or name.startswith("ERR_")
    }
    assert ours == expected
    assert len(set(STATUS.values())) == len(STATUS), "status codes must be distinct"


def _enum(prefix):
    return {
        name[len(prefix) :].lower(): value for name, value in H.items() if name.startswith(prefix)
    }


@pytest.mark.parametrize(
    "prefix,table",
    [
        ("SWIFTSPEC_PAD_", "PAD_MODES"),
        ("SWIFTSPEC_PRECISION_", "PRECISIONS"),
        ("SWIFTSPEC_WINDOW_", "WINDOWS"),
        ("SWIFTSPEC_SAVGOL_", "SAVGOL_MODES"),
    ],
)
def test_enums_match(prefix, table):
    assert getattr(_ffi, table) == _enum(prefix)


def test_scalar_enums_match():
    assert (_ffi.FLOAT32, _ffi.FLOAT64) == (H["SWIFTSPEC_FLOAT32"], H["SWIFTSPEC_FLOAT64"])
    assert (_ffi.REF_SCALAR, _ffi.REF_MAX) == (H["SWIFTSPEC_REF_SCALAR"], H["SWIFTSPEC_REF_MAX"])
    known = {
        "SWIFTSPEC_FLOAT32",
        "SWIFTSPEC_FLOAT64",
        "SWIFTSPEC_REF_SCALAR",
        "SWIFTSPEC_REF_MAX",
    } | set(STATUS)
    prefixes = ("SWIFTSPEC_PAD_", "SWIFTSPEC_PRECISION_", "SWIFTSPEC_WINDOW_", "SWIFTSPEC_SAVGOL_")
    unchecked = [n for n in H if n not in known and not n.startswith(prefixes)]
    assert not unchecked, f"header enumerators without a check here: {unchecked}"


def test_abi_version():
    match = re.search(r"#define\s+SWIFTSPEC_ABI_VERSION\s+(\d+)", HEADER.read_text())
    assert match
    version = int(match.group(1))
    assert _ffi.ABI_VERSION == version
    assert _ffi.lib.swiftspec_abi_version() == version
    assert swiftspec.__abi_version__ == version


def test_strerror_distinct_messages():
    messages = {}
    for name, code in STATUS.items():
        text = _ffi.lib.swiftspec_strerror(code)
        assert isinstance(text, bytes) and text.strip(), name
        messages[name] = text.decode()
    assert len(set(messages.values())) == len(messages), messages


@pytest.mark.parametrize("code", [-1, 9, 42, 98, 100, 2**31 - 1, -(2**31)])
def test_strerror_unknown_codes(code):
    generic = _ffi.lib.swiftspec_strerror(code)
    assert generic and generic.strip()
    known = {_ffi.lib.swiftspec_strerror(c) for c in STATUS.values()}
    assert generic not in known
    assert generic == _ffi.lib.swiftspec_strerror(12345)


def test_fftw_version():
    assert _ffi.lib.swiftspec_fftw_version().decode().startswith("fftw-")


# What fftw_version says for the two FFTW builds a library from this repository links: the
# one from tools/build_fftw.sh (its SIMD codelet sets are appended) and Debian's libfftw3-dev.
SIMD_FFTW = "fftw-3.3.10-sse2-avx-avx2-avx2_128-avx512"
DEBIAN_FFTW = "fftw-3.3.10-sse2-avx"


def test_fftw_is_one_of_the_two_known_builds():
    assert swiftspec.__fftw_version__ in (SIMD_FFTW, DEBIAN_FFTW)


def test_a_library_built_here_after_the_simd_fftw_links_it():
    # `make build` and setup.py link the SIMD FFTW whenever its build is complete (same
    # directory rule as tools/build_fftw.sh); this catches a link that silently picked up
    # Debian's libfftw3.a instead. A library from elsewhere, or built before the SIMD FFTW
    # existed, may legitimately link Debian's.
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    stamp = (
        Path(
            os.environ.get("SWIFTSPEC_FFTW_DIR")
            or os.path.join(cache, "swiftspec", "fftw-3.3.10-simd")
        )
        / ".complete"
    )
    library = Path(swiftspec.__library_path__).resolve()
    if not stamp.is_file():
        pytest.skip(f"no SIMD FFTW build ({stamp} does not exist)")
    if HEADER.parents[3] not in library.parents:
        pytest.skip(f"{library} was not built in this source tree")
    if library.stat().st_mtime < stamp.stat().st_mtime:
        pytest.skip(f"{library} is older than the SIMD FFTW build")
    assert swiftspec.__fftw_version__ == SIMD_FFTW, (
        f"{library} was built after the SIMD FFTW in {stamp.parent} but links "
        f"{swiftspec.__fftw_version__}"
    )


def test_the_notices_name_the_embedded_fftw():
    # The installed package carries the copyright notices of what the library embeds,
    # for the FFTW version it actually embeds.
    notices = (Path(swiftspec.__file__).parent / "THIRD_PARTY_NOTICES.md").read_text()
    version = re.match(r"fftw-(\d+\.\d+\.\d+)", swiftspec.__fftw_version__).group(1)
    assert f"## FFTW {version}" in notices
    assert "Massachusetts Institute of Technology" in notices and "Matteo Frigo" in notices


# ---- direct C calls ----------------------------------------------------------------------

lib = _ffi.lib
F32, F64 = H["SWIFTSPEC_FLOAT32"], H["SWIFTSPEC_FLOAT64"]
OK = H["SWIFTSPEC_OK"]


def dp(array):
    return None if array is None else array.ctypes.data_as(POINTER(c_double))


def vp(array):
    return None if array is None else array.ctypes.data


NFFT, HOP, L = 64, 16, 1024
BINS = NFFT // 2 + 1
FRAMES = 1 + L // HOP  # centred, even n_fft
WIN = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(NFFT) / NFFT)
Y64 = np.sin(2 * np.pi * 0.05 * np.arange(L))
N_MELS, N_MFCC = 8, 5
BASIS = np.abs(np.random.default_rng(0).standard_normal((N_MELS, BINS)))
DCT = np.cos(np.pi * np.outer(np.arange(N_MFCC), np.arange(N_MELS) + 0.5) / N_MELS)


# Defaults of the mel and decibel arguments of the framed calls.
MEL_ARGS = dict(power=2.0, basis=BASIS, n_mels=N_MELS)
DB_ARGS = dict(amin=1e-10, has_top_db=1, top_db=80.0)


def _frame_args(kw, out_size, fill=7.0, **defaults):
    """Arguments of a framed call: valid defaults (float64 in and out), then ``kw``."""
    a = dict(
        inp=Y64,
        in_dtype=F64,
        rows=1,
        n=L,
        n_fft=NFFT,
        hop=HOP,
        window=WIN,
        center=1,
        pad=H["SWIFTSPEC_PAD_CONSTANT"],
        precision=H["SWIFTSPEC_PRECISION_EXACT"],
        out_dtype=F64,
        threads=1,
        **defaults,
    )
    a.update(kw)
    if "out" not in a:
        a["out"] = np.full(out_size, fill)
    if "cap" not in a:
        a["cap"] = out_size
    return a


def _framing(a):
    """The C arguments ``in`` to ``precision`` that every framed call begins with."""
    return (
        vp(a["inp"]),
        a["in_dtype"],
        a["rows"],
        a["n"],
        a["n_fft"],
        a["hop"],
        dp(a["window"]),
        a["center"],
        a["pad"],
        a["precision"],
    )


def _mel(a):
    return a["power"], vp(a["basis"]), a["n_mels"]


def _typed_out(a):
    """The C arguments ``out`` to ``n_threads`` that every framed call ends with."""
    return vp(a["out"]), a["out_dtype"], a["cap"], a["threads"]


def stft(**kw):
    a = _frame_args(kw, FRAMES * BINS, fill=7.0 + 7.0j)
    return lib.swiftspec_stft(*_framing(a), *_typed_out(a))


def melspec(**kw):
    a = _frame_args(kw, N_MELS * FRAMES, **MEL_ARGS)
    return lib.swiftspec_melspectrogram(*_framing(a), *_mel(a), *_typed_out(a))


def logmel(**kw):
    a = _frame_args(
        kw, N_MELS * FRAMES, **MEL_ARGS, ref_mode=H["SWIFTSPEC_REF_MAX"], ref_db=0.0, **DB_ARGS
    )
    decibels = (a["ref_mode"], a["ref_db"], a["amin"], a["has_top_db"], a["top_db"])
    return lib.swiftspec_log_melspectrogram(*_framing(a), *_mel(a), *decibels, *_typed_out(a))


def mfcc(**kw):
    a = _frame_args(kw, N_MFCC * FRAMES, **MEL_ARGS, **DB_ARGS, dct=DCT, n_mfcc=N_MFCC)
    cepstra = (a["amin"], a["has_top_db"], a["top_db"], dp(a["dct"]), a["n_mfcc"])
    return lib.swiftspec_mfcc(*_framing(a), *_mel(a), *cepstra, *_typed_out(a))


ISTFT_IN = np.zeros((FRAMES, BINS), dtype=np.complex128)
ISTFT_LEN = NFFT + HOP * (FRAMES - 1) - 2 * (NFFT // 2)


def istft(**kw):
    a = dict(
        inp=ISTFT_IN,
        dtype=F64,
        rows=1,
        frames=FRAMES,
        bins=BINS,
        n_fft=NFFT,
        hop=HOP,
        window=WIN,
        center=1,
        length=-1,
        out=np.full(ISTFT_LEN, 7.0),
        cap=ISTFT_LEN,
        threads=1,
    )
    a.update(kw)
    return lib.swiftspec_istft(
        vp(a["inp"]),
        a["dtype"],
        a["rows"],
        a["frames"],
        a["bins"],
        a["n_fft"],
        a["hop"],
        dp(a["window"]),
        a["center"],
        a["length"],
        vp(a["out"]),
        a["cap"],
        a["threads"],
    )


def istft_length(n_frames=FRAMES, n_fft=NFFT, hop=HOP, center=1, length=-1, out=True):
    n_out = c_int64(-7)
    return lib.swiftspec_istft_length(
        n_frames, n_fft, hop, center, length, ctypes.byref(n_out) if out else None
    )


def n_frames(n_samples=L, n_fft=NFFT, hop=HOP, center=1, out=True):
    result = c_int64(-7)
    return lib.swiftspec_stft_n_frames(
        n_samples, n_fft, hop, center, ctypes.byref(result) if out else None
    )


def power_to_db(
    inp=None,
    dtype=F64,
    n_groups=2,
    group_len=8,
    ref_mode=0,
    ref_db=0.0,
    amin=1e-10,
    has_top_db=1,
    top_db=80.0,
    out=None,
    cap=None,
    null_in=False,
    null_out=False,
    n_threads=1,
):
    inp = np.ones(16) if inp is None else inp
    out = np.full(16, 7.0) if out is None else out
    cap = out.size if cap is None else cap
    return lib.swiftspec_power_to_db(
        None if null_in else vp(inp),
        dtype,
        n_groups,
        group_len,
        ref_mode,
        ref_db,
        amin,
        has_top_db,
        top_db,
        None if null_out else vp(out),
        cap,
        n_threads,
    )


def get_window(window=0, n=16, periodic=1, out=True, cap=16):
    buffer = np.full(16, 7.0)
    return lib.swiftspec_get_window(window, n, periodic, dp(buffer) if out else None, cap)


def fft_frequencies(sr=16000.0, n_fft=NFFT, out=True, cap=BINS):
    buffer = np.full(BINS, 7.0)
    return lib.swiftspec_fft_frequencies(sr, n_fft, dp(buffer) if out else None, cap)


def convert_mel(
    values=(0.0, 500.0, 1000.0, 4000.0), n=None, to_mel=1, htk=0, out=True, cap=None, null_in=False
):
    source = np.asarray(values, dtype=np.float64)
    buffer = np.full(max(1, source.size), 7.0)
    n = source.size if n is None else n
    cap = source.size if cap is None else cap
    return lib.swiftspec_convert_mel(
        None if null_in else dp(source), n, to_mel, htk, dp(buffer) if out else None, cap
    )


def mel_frequencies(n_mels=10, fmin=0.0, fmax=8000.0, htk=0, out=True, cap=10):
    buffer = np.full(10, 7.0)
    return lib.swiftspec_mel_frequencies(n_mels, fmin, fmax, htk, dp(buffer) if out else None, cap)


def mel_filter_bank(
    sr=16000.0,
    n_fft=NFFT,
    n_mels=N_MELS,
    fmin=0.0,
    fmax=8000.0,
    htk=0,
    slaney=1,
    dtype=F64,
    out=True,
    cap=N_MELS * BINS,
    n_empty=True,
):
    buffer = np.full(N_MELS * BINS, 7.0)
    count = c_int64(-7)
    return lib.swiftspec_mel_filter_bank(
        sr,
        n_fft,
        n_mels,
        fmin,
        fmax,
        htk,
        slaney,
        dtype,
        vp(buffer) if out else None,
        cap,
        ctypes.byref(count) if n_empty else None,
    )


def dct_matrix(dct_type=2, norm=1, n=N_MELS, n_out=N_MFCC, out=True, cap=N_MELS * N_MFCC):
    buffer = np.full(N_MELS * N_MFCC, 7.0)
    return lib.swiftspec_dct_matrix(dct_type, norm, n, n_out, dp(buffer) if out else None, cap)


# A 3-point first-derivative fit (polyorder 1): row 0 averages, row 1 is the slope.
SG_FIT = np.array([[1 / 3, 1 / 3, 1 / 3], [-0.5, 0.0, 0.5]])
SG_OUTER, SG_AXIS, SG_INNER = 2, 8, 3
SG_COUNT = SG_OUTER * SG_AXIS * SG_INNER
SG_IN = np.arange(SG_COUNT, dtype=np.float64)


def savgol(**kw):
    a = dict(
        inp=SG_IN,
        dtype=F64,
        outer=SG_OUTER,
        axis=SG_AXIS,
        inner=SG_INNER,
        width=3,
        fit=SG_FIT,
        polyorder=1,
        deriv=1,
        delta=1.0,
        mode=H["SWIFTSPEC_SAVGOL_INTERP"],
        cval=0.0,
        out=None,
        null_out=False,
        cap=SG_COUNT,
        threads=1,
    )
    a.update(kw)
    if a["out"] is None:
        a["out"] = np.full(SG_COUNT, 7.0, dtype=np.float32 if a["dtype"] == F32 else None)
    return lib.swiftspec_savgol_filter(
        vp(a["inp"]),
        a["dtype"],
        a["outer"],
        a["axis"],
        a["inner"],
        a["width"],
        dp(a["fit"]),
        a["polyorder"],
        a["deriv"],
        a["delta"],
        a["mode"],
        a["cval"],
        None if a["null_out"] else vp(a["out"]),
        a["cap"],
        a["threads"],
    )


NAN_AUDIO = Y64.copy()
NAN_AUDIO[500] = np.nan
INF_AUDIO32 = Y64.astype(np.float32)
INF_AUDIO32[3] = np.inf
NEG_INF_AUDIO = Y64.copy()
NEG_INF_AUDIO[-1] = -np.inf
NAN_WINDOW = WIN.copy()
NAN_WINDOW[5] = np.nan
NAN_BASIS = BASIS.copy()
NAN_BASIS[2, 3] = np.nan
NAN_DCT = DCT.copy()
NAN_DCT[1, 1] = np.nan
BIG = 2**62
I64_MAX = 2**63 - 1

CASES = [
    # ---- success baselines (so that the failures below fail for the stated reason)
    ("get_window ok", lambda: get_window(), "OK"),
    ("get_window n=0", lambda: get_window(n=0), "OK"),
    ("fft_frequencies ok", lambda: fft_frequencies(), "OK"),
    ("convert_mel ok", lambda: convert_mel(), "OK"),
    ("convert_mel nan passes", lambda: convert_mel(values=(np.nan,)), "OK"),
    ("convert_mel empty, null input", lambda: convert_mel(values=(), null_in=True), "OK"),
    ("mel_frequencies ok", lambda: mel_frequencies(), "OK"),
    ("mel_filter_bank ok", lambda: mel_filter_bank(), "OK"),
    ("dct_matrix ok", lambda: dct_matrix(), "OK"),
    ("stft_n_frames ok", lambda: n_frames(), "OK"),
    ("stft ok", lambda: stft(), "OK"),
    (
        "stft float32",
        lambda: stft(
            inp=Y64.astype(np.float32),
            in_dtype=F32,
            out=np.zeros(FRAMES * BINS, np.complex64),
            out_dtype=F32,
            precision=H["SWIFTSPEC_PRECISION_FAST"],
        ),
        "OK",
    ),
    ("stft no rows, null input", lambda: stft(inp=None, rows=0, cap=0), "OK"),
    ("istft_length ok", lambda: istft_length(), "OK"),
    ("istft ok", lambda: istft(), "OK"),
    ("melspectrogram ok", lambda: melspec(), "OK"),
    ("log_melspectrogram ok", lambda: logmel(), "OK"),
    ("mfcc ok", lambda: mfcc(), "OK"),
    ("power_to_db ok", lambda: power_to_db(), "OK"),
    ("power_to_db no groups, null input", lambda: power_to_db(n_groups=0, null_in=True), "OK"),
    ("savgol_filter ok", lambda: savgol(), "OK"),
    ("savgol_filter float32", lambda: savgol(inp=SG_IN.astype(np.float32), dtype=F32), "OK"),
    ("savgol_filter every mode", lambda: max(savgol(mode=m) for m in range(5)), "OK"),
    ("savgol_filter nan propagates", lambda: savgol(inp=np.full(SG_COUNT, np.nan)), "OK"),
    ("savgol_filter no lines, null input", lambda: savgol(inp=None, outer=0, cap=0), "OK"),
    ("savgol_filter no lines, huge axis", lambda: savgol(inp=None, outer=0, axis=BIG, cap=0), "OK"),
    (
        "savgol_filter width beyond the axis, wrap",
        lambda: savgol(width=33, fit=np.full((2, 33), 0.1), mode=H["SWIFTSPEC_SAVGOL_WRAP"]),
        "OK",
    ),
    ("savgol_filter deriv above polyorder", lambda: savgol(deriv=5), "OK"),
    ("savgol_filter null in", lambda: savgol(inp=None), "ERR_NULL_POINTER"),
    ("savgol_filter null fit", lambda: savgol(fit=None), "ERR_NULL_POINTER"),
    ("savgol_filter null out", lambda: savgol(null_out=True), "ERR_NULL_POINTER"),
    ("savgol_filter capacity short", lambda: savgol(cap=SG_COUNT - 1), "ERR_BUFFER_TOO_SMALL"),
    ("savgol_filter dtype 0", lambda: savgol(dtype=0), "ERR_INVALID_ARGUMENT"),
    ("savgol_filter mode 5", lambda: savgol(mode=5), "ERR_INVALID_ARGUMENT"),
    (
        "savgol_filter even width",
        lambda: savgol(width=4, fit=np.ones((2, 4))),
        "ERR_INVALID_ARGUMENT",
    ),
    ("savgol_filter width 0", lambda: savgol(width=0), "ERR_INVALID_ARGUMENT"),
    (
        "savgol_filter polyorder = width",
        lambda: savgol(polyorder=3, fit=np.ones((4, 3))),
        "ERR_INVALID_ARGUMENT",
    ),
    ("savgol_filter polyorder -1", lambda: savgol(polyorder=-1), "ERR_INVALID_ARGUMENT"),
    ("savgol_filter deriv -1", lambda: savgol(deriv=-1), "ERR_INVALID_ARGUMENT"),
    ("savgol_filter delta 0", lambda: savgol(delta=0.0), "ERR_INVALID_ARGUMENT"),
    ("savgol_filter delta inf", lambda: savgol(delta=np.inf), "ERR_INVALID_ARGUMENT"),
    (
        "savgol_filter nan fit",
        lambda: savgol(fit=np.array([[0.0, np.nan, 0.0], [0, 0, 0]])),
        "ERR_INVALID_ARGUMENT",
    ),
    (
        "savgol_filter interp, axis shorter than width",
        lambda: savgol(axis=2, cap=SG_OUTER * 2 * SG_INNER),
        "ERR_INVALID_ARGUMENT",
    ),
    ("savgol_filter negative n_inner", lambda: savgol(inner=-1), "ERR_INVALID_ARGUMENT"),
    ("savgol_filter n_threads -1", lambda: savgol(threads=-1), "ERR_INVALID_ARGUMENT"),
    ("savgol_filter count overflow", lambda: savgol(outer=2**40, axis=2**40), "ERR_SIZE_OVERFLOW"),
    (
        "savgol_filter bytes overflow",
        lambda: savgol(outer=1, axis=2**61, inner=1),
        "ERR_SIZE_OVERFLOW",
    ),
    (
        "savgol_filter fit size overflow",
        lambda: savgol(width=BIG + 1, polyorder=2**40),
        "ERR_SIZE_OVERFLOW",
    ),
    # ---- NULL pointers
    ("get_window null out", lambda: get_window(out=False), "ERR_NULL_POINTER"),
    ("fft_frequencies null out", lambda: fft_frequencies(out=False), "ERR_NULL_POINTER"),
    ("convert_mel null in", lambda: convert_mel(null_in=True), "ERR_NULL_POINTER"),
    ("convert_mel null out", lambda: convert_mel(out=False), "ERR_NULL_POINTER"),
    ("mel_frequencies null out", lambda: mel_frequencies(out=False), "ERR_NULL_POINTER"),
    ("mel_filter_bank null out", lambda: mel_filter_bank(out=False), "ERR_NULL_POINTER"),
    ("mel_filter_bank null n_empty", lambda: mel_filter_bank(n_empty=False), "ERR_NULL_POINTER"),
    ("dct_matrix null out", lambda: dct_matrix(out=False), "ERR_NULL_POINTER"),
    ("stft_n_frames null out", lambda: n_frames(out=False), "ERR_NULL_POINTER"),
    ("stft null input", lambda: stft(inp=None), "ERR_NULL_POINTER"),
    ("stft null window", lambda: stft(window=None), "ERR_NULL_POINTER"),
    ("stft null out", lambda: stft(out=None), "ERR_NULL_POINTER"),
    ("istft_length null out", lambda: istft_length(out=False), "ERR_NULL_POINTER"),
    ("istft null input", lambda: istft(inp=None), "ERR_NULL_POINTER"),
    ("istft null window", lambda: istft(window=None), "ERR_NULL_POINTER"),
    ("istft null out", lambda: istft(out=None), "ERR_NULL_POINTER"),
    ("melspectrogram null basis", lambda: melspec(basis=None), "ERR_NULL_POINTER"),
    ("melspectrogram null out", lambda: melspec(out=None), "ERR_NULL_POINTER"),
    ("log_melspectrogram null basis", lambda: logmel(basis=None), "ERR_NULL_POINTER"),
    ("mfcc null dct", lambda: mfcc(dct=None), "ERR_NULL_POINTER"),
    ("mfcc null input", lambda: mfcc(inp=None), "ERR_NULL_POINTER"),
    ("power_to_db null in", lambda: power_to_db(null_in=True), "ERR_NULL_POINTER"),
    ("power_to_db null out", lambda: power_to_db(null_out=True), "ERR_NULL_POINTER"),
    # ---- capacities
    ("get_window short", lambda: get_window(cap=15), "ERR_BUFFER_TOO_SMALL"),
    ("get_window negative cap", lambda: get_window(cap=-1), "ERR_BUFFER_TOO_SMALL"),
    ("get_window huge n", lambda: get_window(n=BIG), "ERR_BUFFER_TOO_SMALL"),
    ("fft_frequencies short", lambda: fft_frequencies(cap=BINS - 1), "ERR_BUFFER_TOO_SMALL"),
    ("fft_frequencies huge n_fft", lambda: fft_frequencies(n_fft=BIG), "ERR_BUFFER_TOO_SMALL"),
    ("convert_mel short", lambda: convert_mel(cap=3), "ERR_BUFFER_TOO_SMALL"),
    ("mel_frequencies short", lambda: mel_frequencies(cap=9), "ERR_BUFFER_TOO_SMALL"),
    (
        "mel_filter_bank short",
        lambda: mel_filter_bank(cap=N_MELS * BINS - 1),
        "ERR_BUFFER_TOO_SMALL",
    ),
    (
        "mel_filter_bank huge n_fft",
        lambda: mel_filter_bank(n_fft=2**40, n_mels=1),
        "ERR_BUFFER_TOO_SMALL",
    ),
    (
        "mel_filter_bank huge n_mels",
        lambda: mel_filter_bank(n_fft=1, n_mels=I64_MAX),
        "ERR_BUFFER_TOO_SMALL",
    ),
    ("dct_matrix short", lambda: dct_matrix(cap=N_MELS * N_MFCC - 1), "ERR_BUFFER_TOO_SMALL"),
    ("stft short", lambda: stft(cap=FRAMES * BINS - 1), "ERR_BUFFER_TOO_SMALL"),
    ("stft negative cap", lambda: stft(cap=-5), "ERR_BUFFER_TOO_SMALL"),
    ("istft short", lambda: istft(cap=ISTFT_LEN - 1), "ERR_BUFFER_TOO_SMALL"),
    ("melspectrogram short", lambda: melspec(cap=N_MELS * FRAMES - 1), "ERR_BUFFER_TOO_SMALL"),
    ("log_melspectrogram short", lambda: logmel(cap=1), "ERR_BUFFER_TOO_SMALL"),
    ("mfcc short", lambda: mfcc(cap=N_MFCC * FRAMES - 1), "ERR_BUFFER_TOO_SMALL"),
    ("power_to_db short", lambda: power_to_db(cap=15), "ERR_BUFFER_TOO_SMALL"),
    # ---- negative counts and out-of-range values
    ("get_window negative n", lambda: get_window(n=-1), "ERR_INVALID_ARGUMENT"),
    ("fft_frequencies n_fft=0", lambda: fft_frequencies(n_fft=0), "ERR_INVALID_ARGUMENT"),
    ("fft_frequencies sr=0", lambda: fft_frequencies(sr=0.0), "ERR_INVALID_ARGUMENT"),
    ("fft_frequencies sr<0", lambda: fft_frequencies(sr=-1.0), "ERR_INVALID_ARGUMENT"),
    ("fft_frequencies sr=nan", lambda: fft_frequencies(sr=np.nan), "ERR_INVALID_ARGUMENT"),
    ("fft_frequencies sr=inf", lambda: fft_frequencies(sr=np.inf), "ERR_INVALID_ARGUMENT"),
    ("convert_mel negative n", lambda: convert_mel(n=-1), "ERR_INVALID_ARGUMENT"),
    ("mel_frequencies negative n", lambda: mel_frequencies(n_mels=-1), "ERR_INVALID_ARGUMENT"),
    ("mel_filter_bank sr=0", lambda: mel_filter_bank(sr=0.0), "ERR_INVALID_ARGUMENT"),
    ("mel_filter_bank sr=nan", lambda: mel_filter_bank(sr=np.nan), "ERR_INVALID_ARGUMENT"),
    ("mel_filter_bank n_fft=0", lambda: mel_filter_bank(n_fft=0), "ERR_INVALID_ARGUMENT"),
    ("mel_filter_bank n_mels<0", lambda: mel_filter_bank(n_mels=-1), "ERR_INVALID_ARGUMENT"),
    ("mel_filter_bank fmin=nan", lambda: mel_filter_bank(fmin=np.nan), "ERR_INVALID_ARGUMENT"),
    ("mel_filter_bank fmax=inf", lambda: mel_filter_bank(fmax=np.inf), "ERR_INVALID_ARGUMENT"),
    ("dct_matrix n=0", lambda: dct_matrix(n=0), "ERR_INVALID_ARGUMENT"),
    ("dct_matrix n_out<0", lambda: dct_matrix(n_out=-1), "ERR_INVALID_ARGUMENT"),
    ("dct_matrix n_out>n", lambda: dct_matrix(n=4, n_out=5, cap=40), "ERR_INVALID_ARGUMENT"),
    ("dct_matrix type 1 n=1", lambda: dct_matrix(dct_type=1, n=1, n_out=1), "ERR_INVALID_ARGUMENT"),
    ("stft_n_frames n_samples<0", lambda: n_frames(n_samples=-1), "ERR_INVALID_ARGUMENT"),
    ("stft_n_frames n_fft=0", lambda: n_frames(n_fft=0), "ERR_INVALID_ARGUMENT"),
    ("stft_n_frames hop=0", lambda: n_frames(hop=0), "ERR_INVALID_ARGUMENT"),
    ("stft_n_frames hop<0", lambda: n_frames(hop=-16), "ERR_INVALID_ARGUMENT"),
    ("stft n_rows<0", lambda: stft(rows=-1), "ERR_INVALID_ARGUMENT"),
    ("stft n_samples<0", lambda: stft(n=-1), "ERR_INVALID_ARGUMENT"),
    ("stft n_fft=0", lambda: stft(n_fft=0), "ERR_INVALID_ARGUMENT"),
    ("stft n_fft<0", lambda: stft(n_fft=-64), "ERR_INVALID_ARGUMENT"),
    ("stft hop=0", lambda: stft(hop=0), "ERR_INVALID_ARGUMENT"),
    ("stft n_threads<0", lambda: stft(threads=-1), "ERR_INVALID_ARGUMENT"),
    ("stft nan window", lambda: stft(window=NAN_WINDOW), "ERR_INVALID_ARGUMENT"),
    (
        "stft empty signal, reflect",
        lambda: stft(n=0, pad=H["SWIFTSPEC_PAD_REFLECT"]),
        "ERR_INVALID_ARGUMENT",
    ),
    (
        "stft fast on float64",
        lambda: stft(precision=H["SWIFTSPEC_PRECISION_FAST"]),
        "ERR_INVALID_ARGUMENT",
    ),
    (
        "stft fast to float64",
        lambda: stft(
            inp=Y64.astype(np.float32), in_dtype=F32, precision=H["SWIFTSPEC_PRECISION_FAST"]
        ),
        "ERR_INVALID_ARGUMENT",
    ),
    ("istft_length n_frames<0", lambda: istft_length(n_frames=-1), "ERR_INVALID_ARGUMENT"),
    ("istft_length n_fft=0", lambda: istft_length(n_fft=0), "ERR_INVALID_ARGUMENT"),
    ("istft_length hop=0", lambda: istft_length(hop=0), "ERR_INVALID_ARGUMENT"),
    ("istft_length length=0", lambda: istft_length(length=0), "ERR_INVALID_ARGUMENT"),
    ("istft_length no frames", lambda: istft_length(n_frames=0), "ERR_INVALID_ARGUMENT"),
    ("istft rows<0", lambda: istft(rows=-1), "ERR_INVALID_ARGUMENT"),
    ("istft bins<0", lambda: istft(bins=-1), "ERR_INVALID_ARGUMENT"),
    ("istft hop<0", lambda: istft(hop=-1), "ERR_INVALID_ARGUMENT"),
    ("istft n_threads<0", lambda: istft(threads=-2), "ERR_INVALID_ARGUMENT"),
    ("istft nan window", lambda: istft(window=NAN_WINDOW), "ERR_INVALID_ARGUMENT"),
    ("melspectrogram power=0", lambda: melspec(power=0.0), "ERR_INVALID_ARGUMENT"),
    ("melspectrogram power<0", lambda: melspec(power=-2.0), "ERR_INVALID_ARGUMENT"),
    ("melspectrogram power=nan", lambda: melspec(power=np.nan), "ERR_INVALID_ARGUMENT"),
    ("melspectrogram power=inf", lambda: melspec(power=np.inf), "ERR_INVALID_ARGUMENT"),
    ("melspectrogram n_mels<0", lambda: melspec(n_mels=-1), "ERR_INVALID_ARGUMENT"),
    ("melspectrogram nan basis", lambda: melspec(basis=NAN_BASIS), "ERR_INVALID_ARGUMENT"),
    ("log_melspectrogram amin=0", lambda: logmel(amin=0.0), "ERR_INVALID_ARGUMENT"),
    ("log_melspectrogram amin<0", lambda: logmel(amin=-1e-10), "ERR_INVALID_ARGUMENT"),
    ("log_melspectrogram amin=nan", lambda: logmel(amin=np.nan), "ERR_INVALID_ARGUMENT"),
    ("log_melspectrogram top_db<0", lambda: logmel(top_db=-1.0), "ERR_INVALID_ARGUMENT"),
    ("log_melspectrogram top_db=nan", lambda: logmel(top_db=np.nan), "ERR_INVALID_ARGUMENT"),
    (
        "log_melspectrogram ref_db=nan",
        lambda: logmel(ref_mode=0, ref_db=np.nan),
        "ERR_INVALID_ARGUMENT",
    ),
    ("mfcc n_mfcc<0", lambda: mfcc(n_mfcc=-1), "ERR_INVALID_ARGUMENT"),
    ("mfcc nan dct", lambda: mfcc(dct=NAN_DCT), "ERR_INVALID_ARGUMENT"),
    ("mfcc amin=0", lambda: mfcc(amin=0.0), "ERR_INVALID_ARGUMENT"),
    ("mfcc top_db<0", lambda: mfcc(top_db=-80.0), "ERR_INVALID_ARGUMENT"),
    ("power_to_db n_groups<0", lambda: power_to_db(n_groups=-1), "ERR_INVALID_ARGUMENT"),
    ("power_to_db group_len<0", lambda: power_to_db(group_len=-8), "ERR_INVALID_ARGUMENT"),
    ("power_to_db amin=0", lambda: power_to_db(amin=0.0), "ERR_INVALID_ARGUMENT"),
    ("power_to_db amin=inf", lambda: power_to_db(amin=np.inf), "ERR_INVALID_ARGUMENT"),
    ("power_to_db top_db<0", lambda: power_to_db(top_db=-1.0), "ERR_INVALID_ARGUMENT"),
    ("power_to_db ref_db=inf", lambda: power_to_db(ref_db=np.inf), "ERR_INVALID_ARGUMENT"),
    # ---- unknown enum codes and flags other than 0/1
    ("get_window code 99", lambda: get_window(window=99), "ERR_INVALID_ARGUMENT"),
    ("get_window code -1", lambda: get_window(window=-1), "ERR_INVALID_ARGUMENT"),
    ("get_window periodic=2", lambda: get_window(periodic=2), "ERR_INVALID_ARGUMENT"),
    ("convert_mel to_mel=2", lambda: convert_mel(to_mel=2), "ERR_INVALID_ARGUMENT"),
    ("convert_mel htk=-1", lambda: convert_mel(htk=-1), "ERR_INVALID_ARGUMENT"),
    ("mel_frequencies htk=3", lambda: mel_frequencies(htk=3), "ERR_INVALID_ARGUMENT"),
    ("mel_filter_bank htk=2", lambda: mel_filter_bank(htk=2), "ERR_INVALID_ARGUMENT"),
    ("mel_filter_bank slaney=2", lambda: mel_filter_bank(slaney=2), "ERR_INVALID_ARGUMENT"),
    ("mel_filter_bank dtype 0", lambda: mel_filter_bank(dtype=0), "ERR_INVALID_ARGUMENT"),
    ("mel_filter_bank dtype 3", lambda: mel_filter_bank(dtype=3), "ERR_INVALID_ARGUMENT"),
    ("dct_matrix type 0", lambda: dct_matrix(dct_type=0), "ERR_INVALID_ARGUMENT"),
    ("dct_matrix type 4", lambda: dct_matrix(dct_type=4), "ERR_INVALID_ARGUMENT"),
    ("dct_matrix norm 3", lambda: dct_matrix(norm=3), "ERR_INVALID_ARGUMENT"),
    ("dct_matrix norm -1", lambda: dct_matrix(norm=-1), "ERR_INVALID_ARGUMENT"),
    ("stft_n_frames center=2", lambda: n_frames(center=2), "ERR_INVALID_ARGUMENT"),
    ("stft in_dtype 0", lambda: stft(in_dtype=0), "ERR_INVALID_ARGUMENT"),
    ("stft in_dtype 3", lambda: stft(in_dtype=3), "ERR_INVALID_ARGUMENT"),
    ("stft out_dtype 7", lambda: stft(out_dtype=7), "ERR_INVALID_ARGUMENT"),
    ("stft center=2", lambda: stft(center=2), "ERR_INVALID_ARGUMENT"),
    ("stft center=-1", lambda: stft(center=-1), "ERR_INVALID_ARGUMENT"),
    ("stft pad mode 6", lambda: stft(pad=6), "ERR_INVALID_ARGUMENT"),
    ("stft pad mode -1", lambda: stft(pad=-1), "ERR_INVALID_ARGUMENT"),
    ("stft precision 2", lambda: stft(precision=2), "ERR_INVALID_ARGUMENT"),
    ("istft_length center=2", lambda: istft_length(center=2), "ERR_INVALID_ARGUMENT"),
    ("istft dtype 0", lambda: istft(dtype=0), "ERR_INVALID_ARGUMENT"),
    ("istft center=5", lambda: istft(center=5), "ERR_INVALID_ARGUMENT"),
    ("melspectrogram pad mode 9", lambda: melspec(pad=9), "ERR_INVALID_ARGUMENT"),
    ("log_melspectrogram ref mode 2", lambda: logmel(ref_mode=2), "ERR_INVALID_ARGUMENT"),
    ("log_melspectrogram has_top_db=2", lambda: logmel(has_top_db=2), "ERR_INVALID_ARGUMENT"),
    ("mfcc has_top_db=-1", lambda: mfcc(has_top_db=-1), "ERR_INVALID_ARGUMENT"),
    ("power_to_db dtype 0", lambda: power_to_db(dtype=0), "ERR_INVALID_ARGUMENT"),
    ("power_to_db ref mode 2", lambda: power_to_db(ref_mode=2), "ERR_INVALID_ARGUMENT"),
    ("power_to_db has_top_db=2", lambda: power_to_db(has_top_db=2), "ERR_INVALID_ARGUMENT"),
    # ---- signals too short for one frame
    (
        "stft_n_frames uncentred short",
        lambda: n_frames(n_samples=10, center=0),
        "ERR_INPUT_TOO_SHORT",
    ),
    (
        "stft_n_frames odd n_fft, empty",
        lambda: n_frames(n_samples=0, n_fft=63),
        "ERR_INPUT_TOO_SHORT",
    ),
    ("stft uncentred short", lambda: stft(n=NFFT - 1, center=0), "ERR_INPUT_TOO_SHORT"),
    ("stft uncentred empty", lambda: stft(n=0, inp=None, center=0), "ERR_INPUT_TOO_SHORT"),
    ("stft odd n_fft, empty", lambda: stft(n=0, n_fft=63, window=WIN[:63]), "ERR_INPUT_TOO_SHORT"),
    ("melspectrogram uncentred short", lambda: melspec(n=10, center=0), "ERR_INPUT_TOO_SHORT"),
    ("mfcc uncentred short", lambda: mfcc(n=10, center=0), "ERR_INPUT_TOO_SHORT"),
    # ---- non-finite audio
    ("stft nan audio", lambda: stft(inp=NAN_AUDIO), "ERR_NON_FINITE_INPUT"),
    ("stft inf audio float32", lambda: stft(inp=INF_AUDIO32, in_dtype=F32), "ERR_NON_FINITE_INPUT"),
    ("stft -inf audio", lambda: stft(inp=NEG_INF_AUDIO), "ERR_NON_FINITE_INPUT"),
    (
        "stft nan audio, second row",
        lambda: stft(
            inp=np.stack([Y64, NAN_AUDIO]),
            rows=2,
            out=np.zeros(2 * FRAMES * BINS, complex),
            cap=2 * FRAMES * BINS,
        ),
        "ERR_NON_FINITE_INPUT",
    ),
    ("melspectrogram nan audio", lambda: melspec(inp=NAN_AUDIO), "ERR_NON_FINITE_INPUT"),
    ("log_melspectrogram inf audio", lambda: logmel(inp=NEG_INF_AUDIO), "ERR_NON_FINITE_INPUT"),
    ("mfcc nan audio", lambda: mfcc(inp=NAN_AUDIO), "ERR_NON_FINITE_INPUT"),
    # ---- size products that overflow int64, and huge sizes
    ("stft n_rows*n_samples overflow", lambda: stft(rows=2**40, n=2**40), "ERR_SIZE_OVERFLOW"),
    ("stft bytes overflow", lambda: stft(rows=2**30, n=2**31), "ERR_SIZE_OVERFLOW"),
    ("stft n_fft=2**62", lambda: stft(n_fft=BIG), "ERR_SIZE_OVERFLOW"),
    (
        "stft n_fft=2**62, no rows",
        lambda: stft(n_fft=BIG, rows=0, inp=None, cap=0),
        "ERR_SIZE_OVERFLOW",
    ),
    ("stft n_fft=int64 max", lambda: stft(n_fft=I64_MAX), "ERR_SIZE_OVERFLOW"),
    (
        "stft_n_frames padding overflow",
        lambda: n_frames(n_samples=10, n_fft=I64_MAX),
        "ERR_SIZE_OVERFLOW",
    ),
    ("istft n_fft=2**62", lambda: istft(n_fft=BIG), "ERR_SIZE_OVERFLOW"),
    ("istft input count overflow", lambda: istft(frames=2**60, length=4), "ERR_SIZE_OVERFLOW"),
    (
        "istft_length hop*frames overflow",
        lambda: istft_length(n_frames=2**40, hop=2**40),
        "ERR_SIZE_OVERFLOW",
    ),
    ("istft_length length overflow", lambda: istft_length(length=I64_MAX), "ERR_SIZE_OVERFLOW"),
    ("melspectrogram n_fft=2**62", lambda: melspec(n_fft=BIG), "ERR_SIZE_OVERFLOW"),
    ("melspectrogram basis overflow", lambda: melspec(n_mels=BIG), "ERR_SIZE_OVERFLOW"),
    ("mfcc dct overflow", lambda: mfcc(n_mfcc=BIG), "ERR_SIZE_OVERFLOW"),
    (
        "mel_filter_bank n_mels*bins overflow",
        lambda: mel_filter_bank(n_mels=BIG),
        "ERR_SIZE_OVERFLOW",
    ),
    ("dct_matrix n*n_out overflow", lambda: dct_matrix(n=BIG, n_out=BIG), "ERR_SIZE_OVERFLOW"),
    (
        "power_to_db groups*len overflow",
        lambda: power_to_db(n_groups=2**40, group_len=2**40),
        "ERR_SIZE_OVERFLOW",
    ),
    (
        "power_to_db bytes overflow",
        lambda: power_to_db(n_groups=1, group_len=2**61),
        "ERR_SIZE_OVERFLOW",
    ),
    # ---- FFT sizes FFTW cannot plan (rejected before the window is read)
    ("stft n_fft=2**31", lambda: stft(n_fft=2**31), "ERR_FFT_PLAN_FAILED"),
    ("istft n_fft=2**31", lambda: istft(n_fft=2**31), "ERR_FFT_PLAN_FAILED"),
    ("melspectrogram n_fft=2**40", lambda: melspec(n_fft=2**40), "ERR_FFT_PLAN_FAILED"),
    # ---- huge but consistent values that used to trap or allocate without bound
    ("stft_n_frames hop=int64 max", lambda: n_frames(hop=I64_MAX), "OK"),
    (
        "stft_n_frames huge signal and hop",
        lambda: n_frames(n_samples=BIG + 10, n_fft=4, hop=BIG),
        "OK",
    ),
    ("stft hop=int64 max", lambda: stft(hop=I64_MAX, cap=BINS), "OK"),
    (
        "stft hop=int64 max, reflect",
        lambda: stft(hop=I64_MAX, cap=BINS, pad=H["SWIFTSPEC_PAD_REFLECT"]),
        "OK",
    ),
    (
        "istft no rows, huge hop",
        lambda: istft(inp=None, rows=0, frames=2, hop=2**40, center=0, cap=0),
        "OK",
    ),
    (
        "istft no rows, huge length",
        lambda: istft(inp=None, rows=0, frames=2**40, hop=1, length=BIG, cap=0),
        "OK",
    ),
    ("mel_filter_bank no mels, huge n_fft", lambda: mel_filter_bank(n_fft=BIG, n_mels=0), "OK"),
]


@pytest.mark.parametrize("call,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_c_call_status(call, expected):
    status = call()
    assert status == H["SWIFTSPEC_" + expected], (
        f"got {status} ({_ffi.strerror(status)}), expected SWIFTSPEC_{expected}"
    )


def test_every_status_code_except_internal_is_reachable():
    """The cases above return every documented status; INTERNAL (99) is reserved for
    failures that cannot happen by construction and has no trigger."""
    covered = {expected for _, _, expected in CASES}
    assert (
        covered | {"ERR_INTERNAL", "ERR_OUT_OF_MEMORY"}
        == {  # OOM: test_out_of_memory
            name[len("SWIFTSPEC_") :] for name in STATUS
        }
    )


_OUT_OF_MEMORY_SCRIPT = r"""
import ctypes, resource, sys
import numpy as np
from swiftspec import _ffi
n_mels = 1 << 24                       # n_fft = 1: one bin per mel band
basis = np.zeros(n_mels, np.float32)   # 64 MB
y = np.zeros(1, np.float32)
window = np.ones(1)
out = np.full(1, 7.0, np.float32)
# Cap the address space 528 MB above its current size: enough for the 400 MB of the
# packed basis, not for the 256 MB block of mel columns the engine then allocates (2**24
# bands x 4 frames of a block x 4 bytes).
size = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
resource.setrlimit(resource.RLIMIT_AS, (size + (528 << 20), resource.RLIM_INFINITY))
status = _ffi.lib.swiftspec_mfcc(
    y.ctypes.data, _ffi.FLOAT32, 1, 1, 1, 1, window.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
    0, 0, 0, 2.0, basis.ctypes.data, n_mels, 1e-10, 1, 80.0, None, 0, out.ctypes.data,
    _ffi.FLOAT32, 1, 1)
print(status, out[0])
"""


def test_out_of_memory():
    """A failed scratch allocation is SWIFTSPEC_ERR_OUT_OF_MEMORY, not a crash. No input
    of bounded size makes the engine allocate without bound, so this caps the address
    space (RLIMIT_AS) of a child process, which then computes 2**24 mel bands."""
    import os
    import subprocess
    import sys

    if not Path("/proc/self/statm").is_file():
        pytest.skip("needs /proc/self/statm")
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(
            [str(Path(swiftspec.__file__).resolve().parents[1])]
            + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        ),
    )
    result = subprocess.run(
        [sys.executable, "-c", _OUT_OF_MEMORY_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    status, first = result.stdout.split()
    assert int(status) == H["SWIFTSPEC_ERR_OUT_OF_MEMORY"], result.stdout
    assert float(first) == 7.0  # nothing written


def test_errors_write_nothing():
    """A short capacity or a late-detected problem leaves the output untouched."""
    out = np.full(FRAMES * BINS, 7.0 + 7.0j)
    assert stft(out=out, cap=FRAMES * BINS - 1) == H["SWIFTSPEC_ERR_BUFFER_TOO_SMALL"]
    assert stft(out=out, inp=NAN_AUDIO) == H["SWIFTSPEC_ERR_NON_FINITE_INPUT"]
    assert np.all(out == 7.0 + 7.0j)
    mel = np.full(N_MELS * FRAMES, 7.0)
    assert melspec(out=mel, basis=NAN_BASIS) == H["SWIFTSPEC_ERR_INVALID_ARGUMENT"]
    assert np.all(mel == 7.0)
    buffer = np.full(16, 7.0)
    assert power_to_db(out=buffer, top_db=-1.0) == H["SWIFTSPEC_ERR_INVALID_ARGUMENT"]
    assert np.all(buffer == 7.0)
    filtered = np.full(SG_COUNT, 7.0)
    assert savgol(out=filtered, axis=2) == H["SWIFTSPEC_ERR_INVALID_ARGUMENT"]
    assert savgol(out=filtered, cap=SG_COUNT - 1) == H["SWIFTSPEC_ERR_BUFFER_TOO_SMALL"]
    assert np.all(filtered == 7.0)


def test_savgol_filter_slope_of_a_ramp():
    # SG_IN counts up along the inner axis, so each step along the middle axis is
    # SG_INNER: the derivative everywhere, edges included, in every mode that extends a
    # ramp as a ramp (interp fits it exactly; others differ only at the ends).
    out = np.full(SG_COUNT, 7.0)
    assert savgol(out=out) == OK
    assert np.allclose(out, SG_INNER, rtol=0, atol=1e-12)
    assert savgol(out=out, mode=H["SWIFTSPEC_SAVGOL_NEAREST"]) == OK
    slopes = out.reshape(SG_OUTER, SG_AXIS, SG_INNER)
    assert np.allclose(slopes[:, 1:-1], SG_INNER, rtol=0, atol=1e-12)
    assert np.allclose(slopes[:, [0, -1]], SG_INNER / 2, rtol=0, atol=1e-12)


def test_outputs_of_successful_calls():
    """Spot checks that the baseline calls above compute the documented values."""
    count = c_int64(-1)
    assert lib.swiftspec_stft_n_frames(L, NFFT, HOP, 1, ctypes.byref(count)) == OK
    assert count.value == 1 + L // HOP
    assert lib.swiftspec_stft_n_frames(L, 63, HOP, 1, ctypes.byref(count)) == OK
    assert count.value == 1 + (L - 1) // HOP
    assert lib.swiftspec_stft_n_frames(L, NFFT, HOP, 0, ctypes.byref(count)) == OK
    assert count.value == 1 + (L - NFFT) // HOP
    n_out = c_int64(-1)
    assert lib.swiftspec_istft_length(FRAMES, NFFT, HOP, 1, -1, ctypes.byref(n_out)) == OK
    assert n_out.value == ISTFT_LEN
    # The DC bin of a constant signal is the window's sum (an interior frame).
    ones = np.ones(L)
    out = np.zeros(FRAMES * BINS, dtype=np.complex128)
    assert stft(inp=ones, out=out) == OK
    spectrum = out.reshape(FRAMES, BINS)
    assert abs(spectrum[FRAMES // 2, 0] - WIN.sum()) < 1e-12
    # Windows: the periodic Hann window is 0.5 - 0.5 cos(2 pi n / N).
    window = np.zeros(NFFT)
    assert lib.swiftspec_get_window(0, NFFT, 1, dp(window), NFFT) == OK
    np.testing.assert_allclose(window, WIN, atol=1e-15)
    # Mel conversion: the Slaney break point (librosa: 14.999999999999998).
    mels = np.zeros(1)
    assert lib.swiftspec_convert_mel(dp(np.array([1000.0])), 1, 1, 0, dp(mels), 1) == OK
    assert mels[0] == 1000.0 / (200.0 / 3)
    # n_empty is reported.
    n_empty = c_int64(-1)
    bank = np.zeros((256, 257))
    assert (
        lib.swiftspec_mel_filter_bank(
            16000.0, 512, 256, 0.0, 8000.0, 0, 1, F64, vp(bank), bank.size, ctypes.byref(n_empty)
        )
        == OK
    )
    # librosa.filters.mel(sr=16000, n_fft=512, n_mels=256) has 24 all-zero rows; the first
    # starts at 0 Hz, so 23 count as empty (librosa's warning condition, and the header's
    # definition).
    assert int(np.sum(bank.max(axis=1) == 0)) == 24
    assert bank[0].max() == 0
    assert n_empty.value == 23
