"""The team: who may open what (owners everything, agents the inbox), invitations, teammates'
roles and removal, profiles and avatars, and one tenant never touching another's team."""

import os
import re
from datetime import timedelta
from io import BytesIO

import pytest
from werkzeug.routing import IntegerConverter

from aurion.extensions import db
from aurion.models import Admin, Conversation, Invitation, Message
from aurion.services.conversations import human_reply
from aurion.services.tenants import create_admin
from aurion.services.uploads import upload_dir
from aurion.timestamps import utcnow
from tests.support.attachments import tiny_png
from tests.support.dashboard import PASSWORD, Dashboard, csrf_token_in, make_admin
from tests.support.visitors import bearer, start_session

# Every dashboard endpoint, and whether an `agent` may use it (owners may use all).
# A new endpoint must be added here: test_every_dashboard_endpoint_is_in_the_roles_table fails until it is.
AGENT_MAY_USE = {
    "dashboard.login": True,
    "dashboard.logout": True,
    "dashboard.home": True,
    "dashboard.invitation": True,
    "dashboard.inbox": True,
    "dashboard.conversation": True,
    "dashboard.conversation_events": True,
    "dashboard.reply": True,
    "dashboard.take_over_or_hand_back": True,
    "dashboard.close_conversation": True,
    "dashboard.note": True,
    "dashboard.inbox_events": True,
    "dashboard.assignee": True,
    "dashboard.typing": True,
    "dashboard.read_conversation": True,
    "dashboard.attachment": True,
    "dashboard.calls": True,
    "dashboard.call": True,
    "dashboard.call_recording": True,
    "dashboard.delete_call_recording": True,
    "dashboard.profile": True,
    "dashboard.update_profile": True,
    "dashboard.upload_avatar": True,
    "dashboard.remove_avatar_view": True,
    "dashboard.analytics": False,
    "dashboard.analytics_export": False,
    "dashboard.widget_analytics_page": False,
    "dashboard.widget_analytics_export": False,
    "dashboard.keys": False,
    "dashboard.create_key": False,
    "dashboard.revoke_key": False,
    "dashboard.articles": False,
    "dashboard.add_article": False,
    "dashboard.edit_article": False,
    "dashboard.remove_article": False,
    "dashboard.webhooks": False,
    "dashboard.create_webhook_view": False,
    "dashboard.delete_webhook_view": False,
    "dashboard.resend_delivery_view": False,
    "dashboard.widgets": False,
    "dashboard.create": False,
    "dashboard.builder": False,
    "dashboard.preview": False,
    "dashboard.delete": False,
    "dashboard.identity": False,
    "dashboard.regenerate": False,
    "dashboard.readiness": False,
    "dashboard.team": False,
    "dashboard.invite_teammate": False,
    "dashboard.withdraw_teammate_invitation": False,
    "dashboard.change_teammate_role": False,
    "dashboard.remove_teammate_view": False,
    "dashboard.saved_replies": False,
    "dashboard.create_saved_reply": False,
    "dashboard.saved_reply": False,
    "dashboard.update_saved_reply": False,
    "dashboard.remove_saved_reply": False,
}
LINK = re.compile(r'value="(http://[^"]+/dashboard/invitations/[^"]+)"')


def _dashboard_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("dashboard.")]


def _requests(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, path) of every dashboard route, with made-up arguments (the role is checked first)."""
    found = []
    for rule in _dashboard_rules(app):
        values = {name: 987654 if isinstance(rule._converters.get(name), IntegerConverter) else "x" for name in rule.arguments}
        path = rule.build(values)[1]
        found += [(rule.endpoint, method, path) for method in sorted(rule.methods & {"GET", "POST"})]
    return found


@pytest.fixture
def agent(app, acme):
    """An agent of acme, signed in."""
    create_admin(acme[0], "bo@acme.test", PASSWORD, role="agent", display_name="Bo Agent")
    browser = Dashboard(app.test_client())
    assert browser.sign_in("bo@acme.test").status_code == 302
    return browser


def test_every_dashboard_endpoint_is_in_the_roles_table(app):
    missing = {rule.endpoint for rule in _dashboard_rules(app)} - AGENT_MAY_USE.keys()
    assert not missing, f"add these endpoints to AGENT_MAY_USE with whether an agent may use them: {sorted(missing)}"


@pytest.mark.parametrize("role", ["owner", "agent"])
def test_roles_matrix(app, acme, role, request):
    """An owner passes the gate everywhere; an agent only where AGENT_MAY_USE says, else a clear 403."""
    if role == "owner":
        browser = Dashboard(app.test_client())
        browser.sign_in(acme[2].email)
    else:
        browser = request.getfixturevalue("agent")
    token = csrf_token_in(browser.get("/dashboard/profile").text)
    for endpoint, method, path in _requests(app):
        if endpoint == "dashboard.logout":
            continue  # would end the session the rest of the loop needs
        response = browser.client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
        if role == "owner" or AGENT_MAY_USE[endpoint]:
            assert response.status_code != 403, (method, path)
        else:
            assert response.status_code == 403, (method, path)
            assert "for owners only" in response.text
        assert response.status_code < 500, (method, path, response.text[:300])


def test_an_agent_signs_in_to_the_inbox_and_sees_only_their_links(app, acme, agent):
    page = agent.get("/dashboard/inbox").text
    for shown in ("/dashboard/inbox", "/dashboard/calls", "/dashboard/profile", "Bo Agent", "Sign out"):
        assert shown in page
    for hidden in ("/dashboard/widgets", "/dashboard/keys", "/dashboard/webhooks", "/dashboard/team", "/dashboard/analytics"):
        assert hidden not in page
    owner_page = Dashboard(app.test_client())
    owner_page.sign_in(acme[2].email)
    assert all(link in owner_page.get("/dashboard/inbox").text for link in ("/dashboard/keys", "/dashboard/team", "/dashboard/widgets"))


def test_an_agent_replies_in_the_inbox(app, acme, agent):
    session = start_session(app.test_client(), acme[1], display_name="Jane")
    response = agent.post(f"/dashboard/inbox/{session['conversation_id']}/reply", {"content": "Hello from Bo"})
    assert response.status_code in (200, 302)
    message = db.session.execute(db.select(Message).filter_by(content="Hello from Bo")).scalar_one()
    assert message.admin.email == "bo@acme.test"


def test_an_agent_cannot_create_a_key_or_change_the_team(acme, agent):
    assert agent.post("/dashboard/keys", {"scopes": "voice-widget:read"}).status_code == 403
    assert agent.post("/dashboard/team/invitations", {"email": "eve@evil.test", "role": "owner"}).status_code == 403
    owner = db.session.execute(db.select(Admin).filter_by(email=acme[2].email)).scalar_one()
    assert agent.post(f"/dashboard/team/{owner.id}/role", {"role": "agent"}).status_code == 403
    db.session.refresh(owner)
    assert owner.role == "owner" and db.session.execute(db.select(Invitation)).first() is None


def _invite(dashboard, email: str, role: str = "agent") -> str:
    response = dashboard.post("/dashboard/team/invitations", {"email": email, "role": role})
    assert response.status_code == 201, response.text
    assert "shown only this once" in response.text
    return LINK.search(response.text).group(1)


def _accept(app, link: str, name: str = "Sam Lee", password: str = PASSWORD):
    browser = Dashboard(app.test_client())
    path = link.split("127.0.0.1:5000", 1)[1]
    page = browser.get(path)
    if page.status_code != 200:
        return browser, page
    return browser, browser.client.post(path, data={"display_name": name, "password": password, "csrf_token": csrf_token_in(page.text)})


def test_an_invitation_link_works_once_and_signs_the_teammate_in(app, acme, dashboard):
    link = _invite(dashboard, "Sam@Acme.test")
    assert "sam@acme.test" in dashboard.get("/dashboard/team").text  # pending
    assert link not in dashboard.get("/dashboard/team").text  # shown once only
    stored = db.session.execute(db.select(Invitation)).scalar_one()
    assert link.rsplit("/", 1)[1] not in (stored.token_hash, stored.public_id)

    browser, response = _accept(app, link, name="  ", password="short")
    assert response.status_code == 422 and "Enter the name" in response.text
    browser, response = _accept(app, link, password="short")
    assert response.status_code == 422 and "at least 10 characters" in response.text

    browser, response = _accept(app, link)
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard/"
    inbox = browser.get("/dashboard/inbox")
    assert inbox.status_code == 200 and "Sam Lee" in inbox.text
    sam = db.session.execute(db.select(Admin).filter_by(email="sam@acme.test")).scalar_one()
    assert (sam.tenant_id, sam.role, sam.display_name) == (acme[0].id, "agent", "Sam Lee")
    assert browser.get("/dashboard/keys").status_code == 403

    again = Dashboard(app.test_client()).get(link.split("127.0.0.1:5000", 1)[1])
    assert again.status_code == 410 and "already used" in again.text
    assert "sam@acme.test" not in dashboard.get("/dashboard/team").text.split("Teammates")[0]


def test_expired_withdrawn_and_made_up_links_get_a_clear_page(app, acme, dashboard):
    expired = _invite(dashboard, "old@acme.test")
    invitation = db.session.execute(db.select(Invitation).filter_by(email="old@acme.test")).scalar_one()
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    _, response = _accept(app, expired)
    assert response.status_code == 410 and "has expired" in response.text

    withdrawn = _invite(dashboard, "gone@acme.test")
    public_id = db.session.execute(db.select(Invitation.public_id).filter_by(email="gone@acme.test")).scalar_one()
    assert dashboard.post(f"/dashboard/team/invitations/{public_id}/withdraw").status_code == 302
    _, response = _accept(app, withdrawn)
    assert response.status_code == 410 and "withdrawn" in response.text

    for token in ("not-a-real-token", "%22%00", "x" * 300):
        response = Dashboard(app.test_client()).get(f"/dashboard/invitations/{token}")
        assert response.status_code == 404 and "not valid" in response.text
    assert db.session.execute(db.select(Admin).filter(Admin.email.in_(["old@acme.test", "gone@acme.test"]))).first() is None


def test_inviting_again_replaces_the_earlier_link(app, acme, dashboard):
    first = _invite(dashboard, "sam@acme.test")
    second = _invite(dashboard, "sam@acme.test", role="owner")
    assert _accept(app, first)[1].status_code == 410
    assert _accept(app, second)[1].status_code == 302
    assert db.session.execute(db.select(Admin.role).filter_by(email="sam@acme.test")).scalar_one() == "owner"


@pytest.mark.parametrize(("email", "role", "error"), [("not an email", "agent", "Enter the email"), ("ada@acme.test", "agent", "already on your team"), ("new@acme.test", "boss", "must be one of")])
def test_bad_invitations_are_refused_beside_the_form(dashboard, email, role, error):
    response = dashboard.post("/dashboard/team/invitations", {"email": email, "role": role})
    assert response.status_code == 422 and error in response.text
    assert db.session.execute(db.select(Invitation)).first() is None


def test_inviting_someone_of_another_team_tells_the_owner_nothing_and_the_invitee_why_not(app, acme, dashboard, make_tenant):
    make_admin(make_tenant("globex")[0], "hank@globex.test")
    taken, fresh = _invite(dashboard, "hank@globex.test"), _invite(dashboard, "new@acme.test")
    # The owner sees the same for both: an address of another tenant's team is not revealed.
    team_page = dashboard.get("/dashboard/team").text
    assert "hank@globex.test" in team_page and "new@acme.test" in team_page
    response = _accept(app, taken)[1]
    assert response.status_code == 409 and "belongs to one team" in response.text
    assert db.session.execute(db.select(Admin.tenant_id).filter_by(email="hank@globex.test")).scalar_one() != acme[0].id
    assert _accept(app, fresh)[1].status_code == 302


def test_another_tenants_owner_cannot_see_or_withdraw_our_invitations_or_touch_our_team(app, acme, dashboard, make_tenant):
    _invite(dashboard, "sam@acme.test")
    other_tenant = make_tenant("globex")[0]
    make_admin(other_tenant, "hank@globex.test")
    globex = Dashboard(app.test_client())
    globex.sign_in("hank@globex.test")
    team_page = globex.get("/dashboard/team").text
    assert "sam@acme.test" not in team_page and "ada@acme.test" not in team_page
    invitation = db.session.execute(db.select(Invitation)).scalar_one()
    assert globex.post(f"/dashboard/team/invitations/{invitation.public_id}/withdraw").status_code == 404
    ada = db.session.execute(db.select(Admin).filter_by(email="ada@acme.test")).scalar_one()
    make_admin(acme[0], "second@acme.test")
    assert globex.post(f"/dashboard/team/{ada.id}/role", {"role": "agent"}).status_code == 404
    assert globex.post(f"/dashboard/team/{ada.id}/remove").status_code == 404
    db.session.expire_all()
    assert invitation.used_at is None and ada.role == "owner"


def test_the_last_owner_can_be_neither_demoted_nor_removed(app, acme, dashboard):
    ada = acme[2]
    assert "the only one" in dashboard.get("/dashboard/team").text
    response = dashboard.post(f"/dashboard/team/{ada.id}/role", {"role": "agent"})
    assert response.status_code == 409 and "only owner" in response.text
    assert dashboard.post(f"/dashboard/team/{ada.id}/remove").status_code == 409
    db.session.refresh(ada)
    assert ada.role == "owner"

    # With a second owner, the first may step down.
    second = make_admin(acme[0], "second@acme.test")
    assert dashboard.post(f"/dashboard/team/{second.id}/role", {"role": "agent"}).status_code == 302
    assert dashboard.post(f"/dashboard/team/{second.id}/role", {"role": "owner"}).status_code == 302
    assert dashboard.post(f"/dashboard/team/{ada.id}/role", {"role": "agent"}).status_code == 302
    db.session.refresh(ada)
    assert ada.role == "agent" and dashboard.get("/dashboard/team").status_code == 403


def test_a_removed_teammate_cannot_sign_in_and_their_replies_stay(app, acme, dashboard):
    bo = create_admin(acme[0], "bo@acme.test", PASSWORD, role="agent", display_name="Bo")
    session = start_session(app.test_client(), acme[1])
    conversation = db.session.execute(db.select(Conversation).filter_by(public_id=session["conversation_id"])).scalar_one()
    human_reply(conversation, "Bo was here", bo)
    bo_browser = Dashboard(app.test_client())
    bo_browser.sign_in("bo@acme.test")

    assert dashboard.post(f"/dashboard/team/{bo.id}/remove").status_code == 302
    assert "bo@acme.test" not in dashboard.get("/dashboard/team").text
    assert bo_browser.get("/dashboard/inbox").status_code == 302  # signed out
    assert Dashboard(app.test_client()).sign_in("bo@acme.test").status_code == 401
    message = db.session.execute(db.select(Message).filter_by(content="Bo was here")).scalar_one()
    assert message.admin_id is None


def test_a_profile_sets_the_name_visitors_see(app, acme, agent):
    response = agent.post("/dashboard/profile", {"display_name": "  Bo   Builder "})
    assert response.status_code == 302
    page = agent.get("/dashboard/profile").text
    assert 'value="Bo Builder"' in page and ">BB<" in page
    assert agent.post("/dashboard/profile", {"display_name": " "}).status_code == 422
    too_long = agent.post("/dashboard/profile", {"display_name": "x" * 81})
    assert too_long.status_code == 422 and "at most 80" in too_long.text


def _upload(browser, content: bytes, name: str = "me.png"):
    return browser.post("/dashboard/profile/avatar", {"avatar": (BytesIO(content), name)}, content_type="multipart/form-data")


def test_an_uploaded_avatar_is_served_publicly_and_cached(app, acme, agent, client):
    png = tiny_png()
    assert _upload(agent, png).status_code == 302
    bo = db.session.execute(db.select(Admin).filter_by(email="bo@acme.test")).scalar_one()
    url = f"/api/v1/voice-widget/avatars/{bo.avatar_storage_name}"
    assert f'src="{url}"' in agent.get("/dashboard/inbox").text
    with client.get(url) as response:
        assert response.status_code == 200 and response.data == png
        assert response.headers["Content-Type"] == "image/png"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "immutable" in response.headers["Cache-Control"] and "public" in response.headers["Cache-Control"]

    # A new picture is a new URL; the old one is gone at once.
    assert _upload(agent, png).status_code == 302
    db.session.refresh(bo)
    assert client.get(url).status_code == 404
    new_url = f"/api/v1/voice-widget/avatars/{bo.avatar_storage_name}"
    with client.get(new_url) as response:
        assert response.data == png

    assert agent.post("/dashboard/profile/avatar/remove").status_code == 302
    response = client.get(new_url)
    assert response.status_code == 404 and response.headers["Content-Type"] == "application/problem+json"
    assert ">BA<" in agent.get("/dashboard/profile").text


@pytest.mark.parametrize(
    ("content", "name", "status"),
    [
        (b"<html><script>alert(1)</script></html>", "me.png", 415),  # judged by content, not name
        (b"GIF89a" + b"\x00" * 20, "me.gif", 415),
        (b"%PDF-1.4 nope", "me.jpg", 415),
        (b"", "me.png", 422),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000, "big.png", 413),
    ],
)
def test_an_avatar_that_is_not_a_small_png_jpeg_or_webp_is_refused(acme, agent, content, name, status, monkeypatch):
    # A small cap: the test client spools a body over 500 KB to a file it never closes.
    monkeypatch.setattr("aurion.services.avatars.AVATAR_MAX_BYTES", 1024)
    response = _upload(agent, content, name)
    assert response.status_code == status
    assert 'id="avatar-error"' in response.text
    assert db.session.execute(db.select(Admin.avatar_storage_name).filter_by(email="bo@acme.test")).scalar_one() is None


@pytest.mark.parametrize("name", ["nope", "0" * 32, "../../etc/passwd", "%00", "A" * 500])
def test_unknown_avatar_names_are_404(client, name):
    response = client.get(f"/api/v1/voice-widget/avatars/{name}")
    assert response.status_code == 404


def test_a_persons_reply_carries_their_avatar(app, acme, agent):
    assert _upload(agent, tiny_png()).status_code == 302
    session = start_session(app.test_client(), acme[1])
    agent.post(f"/dashboard/inbox/{session['conversation_id']}/reply", {"content": "Hi, Bo here"})
    bo = db.session.execute(db.select(Admin).filter_by(email="bo@acme.test")).scalar_one()
    history = app.test_client().get("/api/v1/widget/history", headers=bearer(session)).json
    reply = next(message for message in history["messages"] if message["content"] == "Hi, Bo here")
    assert reply["author"] == {"name": "Bo Agent", "initials": "BA", "color": reply["author"]["color"], "avatar_url": f"/api/v1/voice-widget/avatars/{bo.avatar_storage_name}"}


def test_prune_leaves_avatars_alone(app, acme, agent, runner):
    assert _upload(agent, tiny_png()).status_code == 302
    storage_name = db.session.execute(db.select(Admin.avatar_storage_name).filter_by(email="bo@acme.test")).scalar_one()
    path = upload_dir() / "avatars" / storage_name
    long_ago = (utcnow() - timedelta(days=30)).timestamp()
    os.utime(path, (long_ago, long_ago))
    assert runner.invoke(args=["aurion", "prune"]).exit_code == 0
    assert path.read_bytes() == tiny_png()


@pytest.mark.parametrize("who", ["owner", "agent"])
def test_an_unknown_page_is_a_404_for_either_role(app, acme, who, request):
    browser = request.getfixturevalue("agent") if who == "agent" else request.getfixturevalue("dashboard")
    assert browser.get("/dashboard/no-such-page").status_code == 404
