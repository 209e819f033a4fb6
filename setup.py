"""Builds the aurion package; setup.cfg holds its metadata, requirements and extras.

The one thing setup.cfg cannot declare: templates/, static/ and migrations/ stay at
the top of the repository, yet an installed wheel needs them inside the package
(as aurion/templates, aurion/static, aurion/migrations). That takes a package
list of the discovered code packages plus those three folders, and setup.cfg's
`packages = find:` cannot be extended by hand.
"""

from setuptools import find_packages, setup

SHIPPED_FOLDERS = ("templates", "static", "migrations")

setup(
    packages=find_packages(include=["aurion", "aurion.*"]) + [f"aurion.{folder}" for folder in SHIPPED_FOLDERS],
    package_dir={f"aurion.{folder}": folder for folder in SHIPPED_FOLDERS},
    # gunicorn's settings and hooks, beside the package rather than inside it (see the module).
    py_modules=["aurion_gunicorn"],
)
