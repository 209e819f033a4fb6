"""Fixtures for the voice pipeline: a help desk to ask questions of."""

import pytest

from aurion.extensions import db
from aurion.models import WidgetSession
from tests.support.knowledge import add_help_desk
from tests.support.visitors import start_session


@pytest.fixture
def help_desk(app, client, make_tenant):
    """A widget whose knowledge base answers password, refund and shipping questions, and a visitor's session: (widget, session)."""
    widget = make_tenant("acme")[1]
    add_help_desk(widget)
    session = start_session(client, widget)
    return widget, db.session.execute(db.select(WidgetSession).filter_by(public_id=session["session_id"])).scalar_one()
