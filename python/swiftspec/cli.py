# SPDX-License-Identifier: GPL-2.0-or-later
"""The ``swiftspec`` command line: ``swiftspec images IN OUT`` (see `swiftspec.images`) and
``swiftspec info`` (the configuration report of `swiftspec.show_config`).

Each command adds its parser to the subcommands and names the function that runs it.
"""

from __future__ import annotations

import argparse
from typing import Optional, Sequence

from .images import add_images_command, images_command


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="swiftspec", description="swiftspec: librosa's spectrograms, fast."
    )
    parser.add_argument("--version", action="version", version=f"swiftspec {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_images_command(commands).set_defaults(run_command=images_command)
    commands.add_parser(
        "info",
        help="print the configuration for a bug report",
        description="Print swiftspec's version, native library, FFTW build, SIMD level, "
        "threads and optional dependencies.",
    ).set_defaults(run_command=info_command)
    return parser


def info_command(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ._info import show_config

    show_config()
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``swiftspec`` console script and ``python -m swiftspec``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    status: int = args.run_command(args, parser)
    return status
