"""The operators' command line: results on the last line, clear failures."""

import json

import pytest

from aurion.extensions import db
from aurion.models import Admin, ApiKey
from aurion.services.api_keys import authenticate_api_key
from aurion.services.demo import DEMO_ARTICLES
from aurion.services.knowledge import list_articles, search_knowledge
from aurion.services.tenants import find_tenant_by_name


def last_line(result) -> str:
    return result.output.strip().splitlines()[-1]


def test_create_tenant_prints_id_and_makes_default_widget(runner):
    result = runner.invoke(args=["aurion", "create-tenant", "acme"])
    assert result.exit_code == 0
    info = runner.invoke(args=["aurion", "widget-info", "--tenant", "acme"])
    widget = json.loads(last_line(info))
    assert last_line(result).isdigit()
    assert widget["widget_id"].startswith("wgt_")
    assert widget["identity_secret"]
    assert widget["modes"] == ["voice", "chat"]


def test_duplicate_tenant_fails_clearly(runner):
    runner.invoke(args=["aurion", "create-tenant", "acme"])
    result = runner.invoke(args=["aurion", "create-tenant", "acme"])
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_create_api_key_prints_key_and_stores_only_a_hash(runner):
    runner.invoke(args=["aurion", "create-tenant", "acme"])
    result = runner.invoke(args=["aurion", "create-api-key", "--tenant", "acme", "--scope", "voice-widget:read", "--scope", "conversations:write"])
    key = last_line(result)
    assert key.startswith("ak_live_")
    stored = db.session.execute(db.select(ApiKey)).scalar_one()
    assert key not in (stored.key_hash, stored.prefix)
    assert authenticate_api_key(key).scopes == ["voice-widget:read", "conversations:write"]


@pytest.mark.parametrize(
    "args",
    [
        ["create-api-key", "--tenant", "nobody", "--scope", "voice-widget:read"],
        ["create-api-key", "--tenant", "acme", "--scope", "admin:everything"],
        ["create-admin", "--tenant", "acme", "--email", "not-an-email", "--password", "long-enough-password"],
        ["create-admin", "--tenant", "acme", "--email", "a@acme.test", "--password", "short"],
        ["widget-info", "--tenant", "nobody"],
    ],
)
def test_bad_input_exits_non_zero_with_a_message(runner, args):
    runner.invoke(args=["aurion", "create-tenant", "acme"])
    result = runner.invoke(args=["aurion", *args])
    assert result.exit_code != 0
    assert "Error" in result.output
    assert "Traceback" not in result.output


def test_create_admin_hashes_the_password(runner):
    runner.invoke(args=["aurion", "create-tenant", "acme"])
    result = runner.invoke(args=["aurion", "create-admin", "--tenant", "acme", "--email", "Ops@Acme.test", "--password", "correct horse battery"])
    assert result.exit_code == 0
    admin = db.session.get(Admin, int(last_line(result)))
    assert admin.email == "ops@acme.test"
    assert admin.password_hash.startswith("scrypt:")


def test_create_admin_prompts_for_the_password(runner):
    runner.invoke(args=["aurion", "create-tenant", "acme"])
    result = runner.invoke(
        args=["aurion", "create-admin", "--tenant", "acme", "--email", "ops@acme.test"],
        input="correct horse battery\ncorrect horse battery\n",
    )
    assert result.exit_code == 0, result.output
    assert last_line(result).isdigit()


def test_setup_demo_is_repeatable(runner):
    first = runner.invoke(args=["aurion", "setup-demo"])
    second = runner.invoke(args=["aurion", "setup-demo"])
    assert first.exit_code == second.exit_code == 0
    info = json.loads(last_line(runner.invoke(args=["aurion", "widget-info", "--tenant", "demo"])))
    assert {"127.0.0.1", "localhost"} <= set(info["allowed_domains"])
    widget = find_tenant_by_name("demo").widgets[0]
    assert len(list_articles(widget)) == len(DEMO_ARTICLES)
    assert search_knowledge(widget, "how do I put the chat on my site?")[0].title == "Adding the widget to your website"


def test_setup_demo_prints_where_to_sign_in_to_the_dashboard(app, runner):
    from tests.support.dashboard import Dashboard

    output = runner.invoke(args=["aurion", "setup-demo", "--base-url", "http://127.0.0.1:8000"]).output
    line = next(line for line in output.splitlines() if line.startswith("Dashboard:"))
    assert "http://127.0.0.1:8000/dashboard/ (sign in as admin@demo.test / " in line
    password = line.rsplit(" / ", 1)[1].rstrip(")")
    assert Dashboard(app.test_client()).sign_in("admin@demo.test", password).headers["Location"] == "/dashboard/inbox"


def test_invite_prints_a_one_time_link_that_makes_a_teammate(app, runner):
    from tests.support.dashboard import PASSWORD, Dashboard, csrf_token_in

    runner.invoke(args=["aurion", "create-tenant", "acme"])
    result = runner.invoke(args=["aurion", "invite", "--tenant", "acme", "--email", "Sam@Acme.test", "--role", "owner"])
    assert result.exit_code == 0, result.output
    link = last_line(result)
    assert link.startswith("http://127.0.0.1:5000/dashboard/invitations/")
    browser = Dashboard(app.test_client())
    path = link.removeprefix("http://127.0.0.1:5000")
    token = csrf_token_in(browser.get(path).text)
    response = browser.client.post(path, data={"display_name": "Sam", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    sam = db.session.execute(db.select(Admin).filter_by(email="sam@acme.test")).scalar_one()
    assert (sam.role, sam.display_name, sam.tenant.name) == ("owner", "Sam", "acme")
    assert browser.get(path).status_code == 410


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--tenant", "nobody", "--email", "sam@acme.test"], "No tenant named 'nobody'"),
        (["--tenant", "acme", "--email", "not-an-email"], "Enter the email address"),
        (["--tenant", "acme", "--email", "sam@acme.test", "--role", "boss"], "Invalid value for '--role'"),
    ],
)
def test_invite_fails_clearly(runner, args, error):
    runner.invoke(args=["aurion", "create-tenant", "acme"])
    result = runner.invoke(args=["aurion", "invite", *args])
    assert result.exit_code != 0
    assert error in result.output


def test_setup_demo_names_the_admin_for_visitors(runner):
    runner.invoke(args=["aurion", "setup-demo"])
    runner.invoke(args=["aurion", "setup-demo"])
    assert db.session.execute(db.select(Admin.display_name).filter_by(email="admin@demo.test")).scalar_one() == "Sam"
