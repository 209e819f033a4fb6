"""Business hours: whether a person is in, and when one is next in. Pure functions of the
widget's hours and an instant, so they are tested across DST changes without a clock.

Hours are `{"timezone": IANA name, "weekly": {"monday": [["09:00", "17:00"], ...], ...},
"closed_dates": ["2026-12-25", ...]}` (checked by `aurion.schemas.widgets.BusinessHours`);
no hours at all means a person is always in. Times are wall-clock times in the zone:
"09:00" is nine on the office clock in winter and in summer. A time the clocks skip
(02:30 on the night they spring forward) counts as the instant after the gap; a time they
pass twice (falling back) as its first occurrence.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# How far ahead to look for the next opening: a year of closed dates and a week more.
LOOKAHEAD_DAYS = 366 + 7


@dataclass(frozen=True)
class Availability:
    """`team_in`: a person is in now; `next_in`: when one is next in (UTC), None when in now or never."""

    team_in: bool
    next_in: datetime | None


def _instant(day: date, clock: str, zone: ZoneInfo) -> datetime:
    hours, minutes = (int(part) for part in clock.split(":"))
    # "24:00" is the end of the day: midnight of the next one.
    local = datetime.combine(day, time()) + timedelta(hours=hours, minutes=minutes)
    # Through UTC and back: a skipped wall-clock time lands after the gap.
    return local.replace(tzinfo=zone).astimezone(UTC)


def availability(hours: dict | None, now: datetime) -> Availability:
    """Whether a person is in at `now` (aware), and if not, when one next is."""
    if not hours:
        return Availability(True, None)
    zone = ZoneInfo(hours["timezone"])
    weekly = hours.get("weekly") or {}
    closed = set(hours.get("closed_dates") or ())
    today = now.astimezone(zone).date()
    for offset in range(LOOKAHEAD_DAYS):
        day = today + timedelta(days=offset)
        if day.isoformat() in closed:
            continue
        for start, end in sorted(weekly.get(DAYS[day.weekday()], ())):
            opens, closes = _instant(day, start, zone), _instant(day, end, zone)
            if opens <= now < closes:
                return Availability(True, None)
            if now < opens:
                return Availability(False, opens)
    return Availability(False, None)


def describe_opening(hours: dict, instant: datetime) -> str:
    """`instant` as the team's clock shows it, for email and notices: "Monday 09:00 (Europe/Berlin)"."""
    local = instant.astimezone(ZoneInfo(hours["timezone"]))
    return f"{DAYS[local.weekday()].capitalize()} {local:%H:%M} ({hours['timezone']})"
