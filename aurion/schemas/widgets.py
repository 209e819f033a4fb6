"""A widget's configuration: what its admins change (config API, dashboard builder) and what pages see."""

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StrictBool, StrictInt
from pydantic_core import PydanticCustomError

from aurion.schemas.calls import RETENTION_MAX_DAYS
from aurion.schemas.fields import PUBLIC_ID_MAX_LENGTH, URL_MAX_LENGTH, Model, PartialUpdate, Query, Text

WIDGET_NAME_MAX_LENGTH = 120
GREETING_MAX_LENGTH = 500
ALLOWED_DOMAINS_MAX = 100
COLOR_LENGTH = len("#6366F1")
COLOR_PATTERN = r"^#[0-9a-fA-F]{6}$"
MODES = ("voice", "chat")
POSITIONS = ("bottom-right", "bottom-left")

Mode = Literal["voice", "chat"]
Position = Literal["bottom-right", "bottom-left"]


def _color(value: str) -> str:
    if not re.fullmatch(COLOR_PATTERN, value):
        raise PydanticCustomError("color", "must be a hex colour like #6366F1")
    return value.upper()


def _modes(value: list[str]) -> list[str]:
    if not value:
        raise PydanticCustomError("modes_empty", "must name at least one of voice, chat")
    return [mode for mode in MODES if mode in value]


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

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, cleaned."""
        return self.model_dump(exclude_unset=True)


class WidgetQuery(Query):
    # Not `Text`: an id that cannot exist is answered like an unknown one, 404.
    widget_id: str | None = Field(None, description="Act on this widget of the tenant instead of its default widget.")


class EmbedConfig(Model):
    """What any page of an allowed domain may know: how the widget looks and what it offers."""

    widget_id: str = Field(max_length=PUBLIC_ID_MAX_LENGTH)
    name: str
    greeting: str
    primary_color: str = Field(pattern=COLOR_PATTERN)
    position: Position
    modes: list[Mode]
    allow_anonymous: bool


class WidgetConfig(EmbedConfig):
    """The configuration as the config API shows it: the public part and what only admins see."""

    allowed_domains: list[str]
    record_calls: bool = Field(description="Voice calls are recorded, and the widget tells the visitor before each call.")
    recording_retention_days: int
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
