# SPDX-License-Identifier: GPL-2.0-or-later
"""Sphinx configuration: the guides (Markdown, through MyST) and the API reference
(autodoc over the numpydoc docstrings of python/swiftspec). Built by `make docs`."""

import sys
from pathlib import Path

# The package from this checkout (with the library `make build` copied into it).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "python"))

import swiftspec  # noqa: E402

project = "swiftspec"
copyright = "swiftspec contributors, GPL-2.0-or-later"
release = version = swiftspec.__version__

extensions = [
    "myst_parser",              # the Markdown pages
    "numpydoc",                 # numpydoc sections, as librosa renders them
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",   # the summary tables of the API pages
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

# Anchors for `page.md#a-heading` links between the Markdown pages.
myst_heading_anchors = 3

# Types live in the docstrings (`np.ndarray [shape=(..., n_mels, t)]`), as in librosa; the
# annotations would repeat them, with the overloads' long unions.
autodoc_typehints = "none"
autodoc_member_order = "bysource"
autosummary_generate = False
# The API pages list class members themselves (autodoc's :members:); numpydoc's own member
# tables would ask for a generated page per method.
numpydoc_show_class_members = False
numpydoc_xref_param_type = False

html_theme = "alabaster"
html_title = f"swiftspec {release}"
html_static_path: list = []
