# SPDX-License-Identifier: GPL-2.0-or-later
"""``swiftspec images``: a folder of recordings to spectrogram images or arrays.

::

    swiftspec images IN OUT [--sr 32000] [--clip 5] [--n-mels 128] [--size 512x512]
                            [--format png|npy|shards] [--workers N] [--engine local|dask]
                            [--spectrogram mel|linear] [--normalize none|peak|rms]
                            [--select all|center|random] [--channels 1|3] ...
    swiftspec images        # the bundled bird recording -> ./swiftspec-images

Every audio file under IN is loaded at ``--sr`` in mono, cut into ``--clip``-second clips
(`swiftspec.clips.split`), turned into a log-mel spectrogram in dB relative to the clip's
maximum (`swiftspec.clips.log_mel`), and saved as an 8-bit PNG (min-max per clip, low
frequencies at the bottom) or a float32 ``.npy`` array, mirroring IN's folders (other
spectrograms, waveform normalisation, one clip per recording and 3 channels: see
`Settings`):
``IN/a/b.ogg`` gives ``OUT/a/b_0000.png``, ``OUT/a/b_0001.png``, ... (two sources that
differ only by extension keep it: ``b.ogg_0000.png``, ``b.wav_0000.png``). Files with the
extensions in AUDIO_EXTENSIONS are converted; hidden files and folders are skipped.
``--format shards`` packs the clips as rows of a few large ``.npy`` arrays instead
(`swiftspec.images.shards`).

Guarantees:

- **Atomic outputs**: every file (image, array, manifest, settings) is written to a
  temporary name in its folder and renamed into place, so a killed run leaves no
  half-written file; temporaries left by a kill are removed by the next run. (Renames
  protect against a killed process, not a power cut: nothing is fsync'ed.)
- **Resumable**: ``OUT/.swiftspec/journal.jsonl`` records each finished source file
  (size, modification time, outputs), one appended line per file (a line cut short by a
  kill is ignored). A re-run skips the files it lists whose outputs all exist, rewrites
  the missing outputs of the others, redoes files it does not list (or that changed), and
  writes nothing when everything is done.
  ``OUT/.swiftspec/settings.json`` holds the settings; a re-run with other settings is
  refused unless ``--overwrite`` is given.
- **Nothing stops the run**: an unreadable, corrupt or empty file (or folder, FIFO,
  broken link...) is reported in the manifest and the summary, and the run goes on
  (exit status 1 if any file failed).
- **But a full disk**: when an output cannot be written because OUT's file system is
  full or read-only, the run stops (files in flight are finished or reported), lists the
  files it did not convert, and exits with status 1; every output already written is
  whole, and the same command resumes once there is room.
- **Manifest**: ``OUT/manifest.csv``, one row per clip (source, clip, start_s, audio_s,
  output, shape, status, error, row) and one row per empty, failed or unconverted file.

Work is spread over local processes (``--workers``) or a dask.distributed cluster
(``--engine dask --scheduler ADDRESS``; OUT must then be on a file system that the
workers share). Both give the same outputs and manifest.

The package, one job per module: `settings` (the options), `sources` (finding the
recordings), `convert` (one file), `writers` (output formats, atomic writes),
`executors` (local processes, dask), `journal` (the lock, settings and journal in
OUT/.swiftspec), `plan` (what is left to do), `shards` (packing clips into shards),
`manifest`, `summary` (the report), `progress`, `job` (`run`, the outline of a job)
and `arguments` (the command line).
"""

from .arguments import DEMO_OUTPUT, add_images_command, images_command, sample_path
from .convert import FileResult, Task, convert_file
from .job import run
from .journal import STATE_DIR
from .manifest import MANIFEST
from .settings import Settings, check_settings
from .sources import AUDIO_EXTENSIONS, find_sources, output_stems
from .summary import Summary
from .writers import FORMATS, TMP_SUFFIX, atomic_write

__all__ = [
    "run",
    "Settings",
    "Summary",
    "convert_file",
    "check_settings",
    "find_sources",
    "output_stems",
    "atomic_write",
    "sample_path",
    "Task",
    "FileResult",
    "AUDIO_EXTENSIONS",
    "FORMATS",
    "DEMO_OUTPUT",
    "MANIFEST",
    "STATE_DIR",
    "TMP_SUFFIX",
    "add_images_command",
    "images_command",
]
