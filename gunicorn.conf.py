"""gunicorn's settings for a checkout (`gunicorn -c gunicorn.conf.py wsgi:app`): those of
aurion_gunicorn.py, which the wheel ships as a module of its own."""

from aurion_gunicorn import *  # noqa: F403
