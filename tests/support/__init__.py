"""Plain helpers and shared test data; fixtures stay in the conftest.py files."""

from pathlib import Path

# The checkout: where gunicorn runs from, and where the README, widget_src and static live.
ROOT = Path(__file__).resolve().parents[2]
