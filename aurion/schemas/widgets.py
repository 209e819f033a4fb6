"""A widget's configuration: what its admins change (config API, dashboard builder) and what pages see."""

import re
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, Field, StrictBool, StrictInt
from pydantic_core import PydanticCustomError

from aurion.schemas.calls import RETENTION_MAX_DAYS
from aurion.schemas.fields import PUBLIC_ID_MAX_LENGTH, URL_MAX_LENGTH, Model, PartialUpdate, Query, Text
from aurion.schemas.messages import Person
from aurion.schemas.team import REPLY_TIME_TEXT_MAX_LENGTH

WIDGET_NAME_MAX_LENGTH = 120
GREETING_MAX_LENGTH = 500
ALLOWED_DOMAINS_MAX = 100
COLOR_LENGTH = len("#6366F1")
COLOR_PATTERN = r"^#[0-9a-fA-F]{6}$"
MODES = ("voice", "chat")
POSITIONS = ("bottom-right", "bottom-left")

Mode = Literal["voice", "chat"]
Position = Literal["bottom-right", "bottom-left"]
# The widget's languages (aurion.services.widget_strings has a catalogue for each).
LOCALES = ("en", "de", "fr", "es", "nl", "pt")
Locale = Literal[LOCALES]
WidgetLocale = Literal[("auto", *LOCALES)]
Day = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
CLOCK_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"
CLOSED_DATES_MAX = 366
INTERVALS_PER_DAY_MAX = 6


def _color(value: str) -> str:
    if not re.fullmatch(COLOR_PATTERN, value):
        raise PydanticCustomError("color", "must be a hex colour like #6366F1")
    return value.upper()


def _modes(value: list[str]) -> list[str]:
    if not value:
        raise PydanticCustomError("modes_empty", "must name at least one of voice, chat")
    return [mode for mode in MODES if mode in value]


@cache
def _zone_names() -> frozenset[str]:
    """The time-zone database's names, read once (listing them walks the zone files)."""
    return frozenset(available_timezones())


def is_time_zone(value: str) -> bool:
    """Whether `value` names a zone of the IANA database ("Europe/Berlin")."""
    # ZoneInfo also opens file paths ("../../etc/..."); only the names the database lists count.
    if value not in _zone_names():
        return False
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _timezone(value: str) -> str:
    if not is_time_zone(value):
        raise PydanticCustomError("timezone", "must be an IANA time zone name such as Europe/Berlin")
    return value


def _clock(value: str) -> str:
    if not re.fullmatch(CLOCK_PATTERN, value):
        raise PydanticCustomError("clock", "must be a time of day written HH:MM (00:00 to 24:00)")
    return value


def _interval(value: tuple[str, str]) -> tuple[str, str]:
    if value[0] >= value[1]:
        raise PydanticCustomError("interval", "must start before it ends")
    return value


def _intervals(value: list[tuple[str, str]]) -> list[tuple[str, str]]:
    ordered = sorted(value)
    for before, after in zip(ordered, ordered[1:]):
        if after[0] < before[1]:
            raise PydanticCustomError("overlap", "must not overlap")
    return ordered


Clock = Annotated[str, AfterValidator(_clock), Field(json_schema_extra={"pattern": CLOCK_PATTERN})]
Interval = Annotated[tuple[Clock, Clock], AfterValidator(_interval)]
Intervals = Annotated[list[Interval], Field(max_length=INTERVALS_PER_DAY_MAX), AfterValidator(_intervals)]


class BusinessHours(Model):
    """When a person is in: wall-clock intervals per weekday in `timezone`, except on `closed_dates`."""

    timezone: Annotated[str, AfterValidator(_timezone)] = Field(description="An IANA name, such as Europe/Berlin.")
    weekly: dict[Day, Intervals] = Field(
        description='Per weekday, intervals ["09:00", "12:30"]; "24:00" ends a day. A day not listed is closed.'
    )
    closed_dates: list[date] = Field([], max_length=CLOSED_DATES_MAX, description="Whole days closed (holidays).")


Color = Annotated[str, AfterValidator(_color), Field(json_schema_extra={"pattern": COLOR_PATTERN})]
Modes = Annotated[list[Mode], AfterValidator(_modes), Field(json_schema_extra={"minItems": 1})]
AllowedDomains = Annotated[
    list[Text(URL_MAX_LENGTH)],
    Field(
        max_length=ALLOWED_DOMAINS_MAX,
        description="Hosts the widget may load on: `example.com`, `*.example.com`. A pasted URL is reduced to its host.",
    ),
]


RetentionDays = Annotated[
    StrictInt,
    Field(ge=1, le=RETENTION_MAX_DAYS, description="Days a call's recording is kept; `flask aurion prune` deletes older ones."),
]


class WidgetConfigUpdate(PartialUpdate):
    """The settings an admin may change; `widget_id`, `created_at` and `updated_at` are read-only."""

    name: Text(WIDGET_NAME_MAX_LENGTH) = None
    greeting: Text(GREETING_MAX_LENGTH) = None
    primary_color: Color = None
    position: Position = None
    allowed_domains: AllowedDomains = None
    modes: Modes = None
    allow_anonymous: StrictBool = None
    record_calls: StrictBool = None
    recording_retention_days: RetentionDays = None
    business_hours: BusinessHours | None = Field(None, description="null: a person is always in.")
    locale: WidgetLocale = Field(None, description="The widget's language; `auto` follows the visitor's browser.")
    greetings: dict[Locale, Text(GREETING_MAX_LENGTH)] = Field(None, description="The greeting per language.")
    transcript_auto: StrictBool = Field(None, description="Email the visitor the transcript once closed.")
    reply_time_text: Text(REPLY_TIME_TEXT_MAX_LENGTH, min_length=0) = Field(
        None, description='How soon the team replies, filling "Typically replies in …"; empty: measured.'
    )

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, cleaned."""
        return self.model_dump(mode="json", exclude_unset=True)


class WidgetQuery(Query):
    # Not `Text`: an id that cannot exist is answered like an unknown one, 404.
    widget_id: str | None = Field(None, description="Act on this widget of the tenant instead of its default widget.")


class WidgetLook(Model):
    """What both the public config and the config API show of a widget."""

    widget_id: str = Field(max_length=PUBLIC_ID_MAX_LENGTH)
    name: str
    greeting: str
    primary_color: str = Field(pattern=COLOR_PATTERN)
    position: Position
    modes: list[Mode]
    allow_anonymous: bool
    transcript_auto: bool


class EmbedConfig(WidgetLook):
    """What any page of an allowed domain may know: how the widget looks, what it offers,
    whether a person is in, and its words in the visitor's language."""

    colors: dict[str, str] = Field(description="primary, on_primary (text on it) and accent (links and focus on white).")
    transcripts: bool = Field(description="This server sends email: the widget offers the transcript by email.")
    team_in: bool = Field(description="Whether a person is in now (business hours).")
    next_in: datetime | None = Field(description="When a person is next in, when not now.")
    locale: Locale = Field(description="The language of `greeting` and `strings`.")
    strings: dict[str, str] = Field(description="Every text the widget shows, in `locale`.")
    team: list[Person] = Field(description="Up to three teammates the header shows, the latest to reply first.")
    reply_time: str | None = Field(
        description='Fills "Typically replies in …" (`reply_time_text`, or measured over 30 days); none: not known.'
    )


class WidgetConfig(WidgetLook):
    """The configuration as the config API shows it: every setting, including what only admins see."""

    business_hours: BusinessHours | None
    locale: WidgetLocale
    greetings: dict[Locale, str]
    allowed_domains: list[str]
    record_calls: bool = Field(description="Voice calls are recorded, and the widget tells the visitor before each call.")
    recording_retention_days: int
    reply_time_text: str
    created_at: datetime
    updated_at: datetime


class RegeneratedKey(Model):
    widget_id: str
    message: str


class ReadinessCheck(Model):
    name: str
    ok: bool
    detail: str


class GaReadiness(Model):
    """What still stands between the widget and going live."""

    widget_id: str
    ready: bool
    checks: list[ReadinessCheck]
