"""Sphinx configuration of sklearn_gd's documentation (``make docs``)."""

import os
import sys
import warnings

from sklearn.exceptions import ConvergenceWarning

# The gallery's short fits stop early on purpose; their warnings are noise here.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

sys.path.insert(0, os.path.abspath(".."))
os.environ.setdefault("MPLBACKEND", "Agg")

import sklearn_gd  # noqa: E402

project = "sklearn_gd"
author = "the sklearn_gd developers"
copyright = "2026, the sklearn_gd developers"
release = sklearn_gd.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
autodoc_default_options = {
    "members": True,
    "inherited-members": False,
    # scikit-learn's generic methods (documented there) are not repeated here
    "exclude-members": ",".join(
        [
            "set_fit_request",
            "set_partial_fit_request",
            "set_score_request",
            "get_metadata_routing",
            "score",
            "get_params",
            "set_params",
        ]
    ),
}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
templates_path = ["_templates"]
exclude_patterns = ["_build", "generated/*.examples"]

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("sklearn_gd",),
}

html_theme = "pydata_sphinx_theme"
html_title = "sklearn_gd"
html_theme_options = {"navigation_with_keys": False}
