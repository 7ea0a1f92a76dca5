# SPDX-License-Identifier: GPL-2.0-or-later
"""``python -m swiftspec``: the ``swiftspec`` command line (see swiftspec.cli)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
