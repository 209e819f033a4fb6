"""The dashboard's Calls: the list, a call's page with transcript and player, the link from the
inbox, the recording download and deletion, and the builder's recording settings."""

from pathlib import Path

from aurion.extensions import db
from tests.support.calls import seed_call


def test_the_calls_page_lists_calls_and_a_call_page_shows_its_transcript_and_recording(dashboard, acme, make_tenant):
    _, widget, _ = acme
    call = seed_call(widget)
    seed_call(make_tenant("rival")[1])

    listing = dashboard.get("/dashboard/calls")
    assert listing.status_code == 200
    assert listing.text.count("/dashboard/calls/call_") == 1
    assert f"/dashboard/calls/{call.public_id}" in listing.text
    assert "0:02" in listing.text and "Visitor hung up" in listing.text and widget.name in listing.text

    page = dashboard.get(f"/dashboard/calls/{call.public_id}")
    assert page.status_code == 200
    assert "How do I reset my password?" in page.text and "Forgot password" in page.text
    assert '<audio id="recording" controls' in page.text

    recording = dashboard.get(f"/dashboard/calls/{call.public_id}/recording")
    assert recording.status_code == 200 and recording.mimetype == "audio/ogg"
    assert recording.headers["X-Content-Type-Options"] == "nosniff"
    assert recording.headers["Content-Disposition"].startswith("attachment")
    recording.close()

    conversation = dashboard.get(f"/dashboard/inbox/{call.conversation.public_id}")
    assert f"/dashboard/calls/{call.public_id}" in conversation.text


def test_another_tenants_call_is_not_found(dashboard, make_tenant):
    other = seed_call(make_tenant("rival")[1])
    assert dashboard.get(f"/dashboard/calls/{other.public_id}").status_code == 404
    assert dashboard.get(f"/dashboard/calls/{other.public_id}/recording").status_code == 404


def test_deleting_a_recording_keeps_the_call(dashboard, acme, app):
    call = seed_call(acme[1])
    with app.app_context():
        from aurion.services.uploads import recording_path

        path = recording_path(call)
    assert Path(path).is_file()
    response = dashboard.post(f"/dashboard/calls/{call.public_id}/recording/delete")
    assert response.status_code == 302
    assert not Path(path).exists()
    page = dashboard.get(f"/dashboard/calls/{call.public_id}")
    assert "has no recording" in page.text and "<audio" not in page.text


def test_the_builder_turns_recording_on_with_a_retention(dashboard, acme):
    widget = acme[1]
    form = dashboard.get(f"/dashboard/widgets/{widget.public_id}").text
    assert 'name="record_calls"' in form and 'name="recording_retention_days"' in form
    fields = {
        "name": widget.name,
        "greeting": widget.greeting,
        "primary_color": widget.primary_color,
        "position": widget.position,
        "modes": ["voice", "chat"],
        "allowed_domains": "shop.example.com",
    }
    refused = dashboard.post(f"/dashboard/widgets/{widget.public_id}", {**fields, "record_calls": "on", "recording_retention_days": "0"})
    assert refused.status_code == 422 and 'id="recording_retention_days-error"' in refused.text
    saved = dashboard.post(f"/dashboard/widgets/{widget.public_id}", {**fields, "record_calls": "on", "recording_retention_days": "7"})
    assert saved.status_code == 302
    db.session.refresh(widget)
    assert widget.record_calls is True and widget.recording_retention_days == 7
