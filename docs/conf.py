"""Sphinx configuration: furo theme, MyST Markdown pages, API reference by autodoc.

Built in CI with warnings as errors: ``sphinx-build -W --keep-going -b html docs docs/_build/html``.
"""

from __future__ import annotations

import docsense

project = "docsense"
author = "docsense developers"
copyright = "docsense developers"
release = docsense.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = f"docsense {release}"

# No network at build time: no intersphinx inventories to fetch.
nitpicky = False

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_preserve_defaults = True
napoleon_google_docstring = True
napoleon_numpy_docstring = False


def setup(app: object) -> None:
    """Highlight ```python-skip blocks (Python the docs tests do not run) as Python."""
    from pygments.lexers import PythonLexer

    app.add_lexer("python-skip", PythonLexer)  # type: ignore[attr-defined]
