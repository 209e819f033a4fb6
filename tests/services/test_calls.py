"""Retention: `flask aurion prune` deletes each recording older than its widget's retention, and only those."""

import json
from datetime import timedelta

from aurion.extensions import db
from aurion.services.uploads import recording_path
from aurion.timestamps import utcnow
from tests.support.calls import seed_call


def _aged(call, days: float):
    call.started_at = utcnow() - timedelta(days=days)
    db.session.commit()
    return call


def test_prune_deletes_recordings_past_their_widgets_retention(app, make_tenant):
    shop = make_tenant("shop")[1]
    archive = make_tenant("archive", recording_retention_days=365)[1]
    old = _aged(seed_call(shop), 31)
    recent = _aged(seed_call(shop), 29)
    kept_longer = _aged(seed_call(archive), 31)
    old_file = recording_path(old)
    assert old_file.is_file()

    result = app.test_cli_runner().invoke(args=["aurion", "prune"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["call_recordings"] == 1
    assert not old_file.exists()
    assert old.recording_name is None and old.ended_at is not None  # the call stays on record
    assert recording_path(recent).is_file() and recording_path(kept_longer).is_file()
    assert json.loads(app.test_cli_runner().invoke(args=["aurion", "prune"]).output)["call_recordings"] == 0
