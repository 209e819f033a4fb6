"""Analytics: every number of a hand-built month, for a widget and for its tenant.

`make test` runs this on SQLite and on PostgreSQL (AURION_TEST_DATABASE_URL).
"""

from datetime import timedelta

import pytest

from aurion.services.analytics import analytics_csv, tenant_analytics, widget_analytics
from aurion.services.public_ids import new_public_id
from aurion.services.widgets import create_widget
from aurion.timestamps import utcnow
from tests.support.analytics import SHOP, TENANT, seed_month
from tests.support.visitors import bearer, start_session


@pytest.fixture
def month(make_tenant):
    """(shop widget, its tenant, today) with the hand-built month stored."""
    tenant, shop, _ = make_tenant("acme")
    docs = create_widget(tenant, name="Docs")
    other = make_tenant("other")[1]
    today = utcnow().date()
    seed_month(shop, docs, other, today)
    return shop, tenant, today


@pytest.mark.parametrize("scope, expected", [("widget", SHOP), ("tenant", TENANT)])
def test_every_number_of_the_month(month, scope, expected):
    shop, tenant, today = month
    analytics = widget_analytics(shop, today=today) if scope == "widget" else tenant_analytics(tenant.id, today=today)

    assert (analytics.first_day, analytics.last_day) == (today - timedelta(days=29), today)
    assert [day.day for day in analytics.days] == [today - timedelta(days=n) for n in range(29, -1, -1)]
    by_day = {(today - day.day).days: (day.conversations, day.resolved_by_agent) for day in analytics.days if day.conversations}
    assert by_day == expected["days"]
    assert analytics.conversations == expected["conversations"]
    assert analytics.resolved_by_agent == expected["resolved_by_agent"]
    assert analytics.resolved_share == expected["resolved_by_agent"] / expected["conversations"]
    assert analytics.first_response_seconds == expected["first_response_seconds"]
    assert analytics.median_first_response_seconds == expected["median_first_response_seconds"]
    hours = expected["visitor_messages_by_hour"]
    assert analytics.visitor_messages_by_hour == [hours.get(hour, 0) for hour in range(24)]
    assert analytics.busiest_hour == 9
    assert [(gap.group.question, gap.group.count) for gap in analytics.unanswered] == expected["unanswered"]
    assert analytics.ratings.total == 0 and analytics.ratings.good_share is None


def test_a_shorter_window_leaves_out_older_days(month):
    shop, _, today = month
    week = widget_analytics(shop, days=3, today=today)
    assert len(week.days) == 3
    assert (week.conversations, week.resolved_by_agent) == (5, 2)
    assert week.first_response_seconds == [120.0]
    assert week.visitor_messages_by_hour[9] == 2


def test_a_widget_without_conversations_has_no_share_and_no_median(make_tenant):
    analytics = widget_analytics(make_tenant("quiet")[1])
    assert analytics.conversations == 0
    assert analytics.resolved_share is None
    assert analytics.median_first_response_seconds is None
    assert analytics.busiest_hour is None
    assert analytics.unanswered == []


def test_csv_has_a_section_per_metric(month):
    shop, _, today = month
    lines = analytics_csv(widget_analytics(shop, today=today)).splitlines()
    summary = lines[: lines.index("")]
    assert summary == [
        "metric,value",
        f"first_day,{today - timedelta(days=29)}",
        f"last_day,{today}",
        "conversations,8",
        "resolved_by_agent,2",
        "resolved_by_agent_share,0.2500",
        "median_first_human_response_seconds,300",
        "human_responses,3",
        "ratings_good,0",
        "ratings_okay,0",
        "ratings_bad,0",
    ]
    assert "day,conversations,resolved_by_agent" in lines
    assert f"{today - timedelta(days=1)},2,1" in lines
    assert "hour_utc,visitor_messages" in lines
    assert "9,4" in lines
    assert lines[-2:] == ["unanswered_question,times_asked,widget", "Can you deliver to Canada?,2,Website widget"]


def test_ratings_are_counted_per_score_for_the_window(month, client):
    shop, tenant, today = month
    for score in ("good", "good", "okay", "bad"):
        session = start_session(client, shop, f"{score}-{new_public_id('v')}@example.com")
        client.post("/api/v1/widget/end", headers=bearer(session))
        client.put("/api/v1/widget/rating", json={"score": score}, headers=bearer(session))
    ratings = widget_analytics(shop, today=today).ratings
    assert (ratings.good, ratings.okay, ratings.bad, ratings.good_share) == (2, 1, 1, 0.5)
    assert tenant_analytics(tenant.id, today=today).ratings.total == 4
    assert "ratings_good,2" in analytics_csv(widget_analytics(shop, today=today)).splitlines()
