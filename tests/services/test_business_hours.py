"""Business hours as pure functions: in or away, and the next opening, across DST changes and closed dates."""

from datetime import UTC, datetime

import pytest

from aurion.problems import ValidationProblem
from aurion.schemas.fields import parse
from aurion.schemas.widgets import BusinessHours
from aurion.services.business_hours import availability, describe_opening

WEEKDAYS = {day: [["09:00", "12:00"], ["13:00", "17:00"]] for day in ("monday", "tuesday", "wednesday", "thursday", "friday")}
BERLIN = {"timezone": "Europe/Berlin", "weekly": WEEKDAYS, "closed_dates": []}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_no_hours_means_always_in():
    assert availability(None, at("2026-11-29T03:00:00+00:00")).team_in


@pytest.mark.parametrize(
    ("now", "team_in", "next_in"),
    [
        ("2026-11-30T09:00:00+01:00", True, None),  # Monday, opening minute
        ("2026-11-30T12:30:00+01:00", False, "2026-11-30T13:00:00+01:00"),  # the lunch gap between intervals
        ("2026-11-30T17:00:00+01:00", False, "2026-12-01T09:00:00+01:00"),  # closing is exclusive
        ("2026-12-04T18:00:00+01:00", False, "2026-12-07T09:00:00+01:00"),  # Friday evening: back Monday
    ],
)
def test_intervals_of_a_day(now, team_in, next_in):
    result = availability(BERLIN, at(now))
    assert result.team_in is team_in
    assert result.next_in == (at(next_in) if next_in else None)


def test_opening_after_clocks_spring_forward_is_nine_on_the_new_clock():
    # Europe/Berlin moves from +01:00 to +02:00 on Sunday 2026-03-29.
    friday_evening = at("2026-03-27T18:00:00+01:00")
    result = availability(BERLIN, friday_evening)
    assert result.next_in == at("2026-03-30T09:00:00+02:00") == datetime(2026, 3, 30, 7, tzinfo=UTC)
    assert describe_opening(BERLIN, result.next_in) == "Monday 09:00 (Europe/Berlin)"
    assert availability(BERLIN, at("2026-03-30T08:30:00+01:00")).team_in  # 09:30 summer time


def test_opening_after_clocks_fall_back_is_nine_on_the_new_clock():
    # America/New_York moves from -04:00 to -05:00 on Sunday 2026-11-01.
    new_york = {**BERLIN, "timezone": "America/New_York"}
    result = availability(new_york, at("2026-10-30T18:00:00-04:00"))
    assert result.next_in == at("2026-11-02T09:00:00-05:00") == datetime(2026, 11, 2, 14, tzinfo=UTC)
    assert not availability(new_york, at("2026-11-02T13:30:00+00:00")).team_in  # 08:30 on the new clock


def test_an_interval_through_a_skipped_hour_opens_after_the_gap():
    night = {"timezone": "Europe/Berlin", "weekly": {"sunday": [["02:30", "04:00"]]}, "closed_dates": []}
    result = availability(night, at("2026-03-29T00:30:00+01:00"))
    assert result.next_in == at("2026-03-29T03:30:00+02:00")  # 02:30 does not exist that night


def test_closed_dates_are_skipped():
    holidays = {**BERLIN, "closed_dates": ["2026-12-24", "2026-12-25"]}
    assert not availability(holidays, at("2026-12-24T10:00:00+01:00")).team_in
    assert availability(holidays, at("2026-12-24T10:00:00+01:00")).next_in == at("2026-12-28T09:00:00+01:00")
    assert availability(holidays, at("2026-12-23T10:00:00+01:00")).team_in


def test_a_schedule_with_no_open_day_is_never_in():
    result = availability({"timezone": "UTC", "weekly": {}, "closed_dates": []}, at("2026-11-30T10:00:00+00:00"))
    assert (result.team_in, result.next_in) == (False, None)


def test_a_day_can_end_at_midnight():
    late = {"timezone": "UTC", "weekly": {"monday": [["20:00", "24:00"]]}, "closed_dates": []}
    assert availability(late, at("2026-11-30T23:59:00+00:00")).team_in
    assert not availability(late, at("2026-12-01T00:00:00+00:00")).team_in


@pytest.mark.parametrize(
    ("hours", "field"),
    [
        ({"timezone": "Mars/Olympus", "weekly": {}}, "timezone"),
        ({"timezone": "../../etc/passwd", "weekly": {}}, "timezone"),
        ({"timezone": "UTC", "weekly": {"monday": [["17:00", "09:00"]]}}, "weekly"),
        ({"timezone": "UTC", "weekly": {"monday": [["09:00", "12:00"], ["11:00", "13:00"]]}}, "weekly"),
        ({"timezone": "UTC", "weekly": {"monday": [["9", "12:00"]]}}, "weekly"),
        ({"timezone": "UTC", "weekly": {"someday": [["09:00", "12:00"]]}}, "weekly"),
        ({"timezone": "UTC", "weekly": {}, "closed_dates": ["2026-02-30"]}, "closed_dates"),
    ],
)
def test_bad_hours_are_refused_naming_the_field(hours, field):
    with pytest.raises(ValidationProblem) as refused:
        parse(BusinessHours, hours)
    assert refused.value.extra["field"] == field
