"""The building blocks of every model: checked text, ids, `?limit=`, and `parse`.

Every string a client sends goes through `Text`: trimmed, bounded, and free of NUL
characters (PostgreSQL refuses them in text) and lone surrogates (JSON's "\\ud800"
decodes to one, and it cannot be encoded back). A bad value is a 422 naming its
field, never a 500. Strings that arrive inside something else (the email of an email
token, a sign-in form) are checked by the same rules through `clean_email`; path ids
through `is_public_id`, and `<int:...>` path ids by the app's `RowId` converter.
"""

import re
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from aurion.problems import ValidationProblem

# Public ids (`wgt_...`, `conv_...`, `att_...`) are a prefix and `secrets.token_urlsafe`.
PUBLIC_ID_MAX_LENGTH = 40
PUBLIC_ID_PATTERN = rf"[A-Za-z0-9_-]{{1,{PUBLIC_ID_MAX_LENGTH}}}"
# A link, or a pasted address reduced to its host (allowed domains).
URL_MAX_LENGTH = 2000
# Row ids are `integer` columns: PostgreSQL's int4 ends here.
ROW_ID_MAX = 2**31 - 1
# RFC 5321's limit on an address; the email columns are this wide.
EMAIL_MAX_LENGTH = 254


class Model(BaseModel):
    """A request or response body: fields it does not declare are refused."""

    model_config = ConfigDict(extra="forbid")


class Query(BaseModel):
    """A query string: parameters it does not declare are ignored (cache busters, `widget_id` elsewhere)."""

    model_config = ConfigDict(extra="ignore")


def _drop_defaults(schema: dict) -> None:
    for field in schema.get("properties", {}).values():
        field.pop("default", None)


class PartialUpdate(Model):
    """A partial update: absent fields stay as they are. A field's default None is not a
    value a client may send (null is refused), so the document shows no defaults."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_drop_defaults)


def _encodable(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("nul_character", "must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("lone_surrogate", "must be valid Unicode text") from None
    return value


def Text(max_length: int, min_length: int = 1) -> Any:
    """A string field: trimmed, then `min_length` to `max_length` characters, with no NUL or lone surrogate."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_encodable),
    ]


def _address(value: str) -> str:
    local, at, domain = value.rpartition("@")
    if not (at and local and domain) or any(char.isspace() for char in value):
        raise PydanticCustomError("email", "must be an email address")
    return value.lower()


# An email address as stored: trimmed, lower-case, at most 254 characters, storable.
Email = Annotated[Text(EMAIL_MAX_LENGTH), AfterValidator(_address)]
_EMAIL = TypeAdapter(Email)


def clean_email(value: Any) -> str | None:
    """`value` as `Email` stores it, or None when it cannot be an address we store."""
    try:
        return _EMAIL.validate_python(value)
    except ValidationError:
        return None


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def OptionalText(max_length: int) -> Any:
    """Like `Text`, but absent, null or blank all mean None."""
    return Annotated[Text(max_length) | None, BeforeValidator(_blank_is_none)]


def is_public_id(value: Any) -> bool:
    """Whether `value` could be a public id at all; anything else names nothing (404)."""
    return isinstance(value, str) and re.fullmatch(PUBLIC_ID_PATTERN, value) is not None


def _whole_number(value: Any) -> Any:
    # int() would take " 7" and "٣"; a query parameter is ASCII digits or refused.
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise PydanticCustomError("whole_number", "must be a whole number written with the digits 0-9")
    return value


def Limit(maximum: int) -> Any:
    """`?limit=`: a whole number from 1 to `maximum` (give the default where the field is declared)."""
    return Annotated[int, Field(ge=1, le=maximum), BeforeValidator(_whole_number)]


def _location(location: tuple) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location).lstrip(".")


def _detail(error: dict, model: type[BaseModel]) -> str:
    """Our words for pydantic's most common errors; its own message, prefixed by the field, otherwise."""
    path = _location(error["loc"]) or "body"
    context = error.get("ctx") or {}
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"{path!r} cannot be set here; send only {', '.join(model.model_fields)}."
    if kind == "missing":
        return f"{path} is required."
    if kind == "model_type" and not error["loc"]:
        return "The body must be a JSON object."
    if kind == "string_type":
        return f"{path} must be a string."
    if kind in ("string_unicode", "lone_surrogate"):
        return f"{path} must be valid Unicode text (no lone surrogates such as \\ud800)."
    if kind == "string_too_short" and context.get("min_length") == 1:
        return f"{path} must not be empty."
    if kind == "string_too_long":
        return f"{path} must be at most {context['max_length']} characters."
    message = error["msg"]
    # Our own messages (PydanticCustomError) are predicates: "must ...".
    return f"{path} {message}." if message[:1].islower() else f"{path}: {message}."


def _problems(error: ValidationError, model: type[BaseModel]) -> list[ValidationProblem]:
    # `field` is the top-level field (what a form or client names); the detail has the full path.
    return [
        ValidationProblem(str(item["loc"][0]) if item["loc"] else "body", _detail(item, model)) for item in error.errors()
    ]


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], values: Any) -> M:
    """`values` as a `model` (a model instance passes as it is), or a 422 naming the first bad field."""
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise _problems(error, model)[0] from None


# One @, a local part without spaces or controls, and a domain of dot-separated labels
# with a dot in it. Deliberately no more: the only proof an address works is mail reaching it.
_DELIVERABLE = re.compile(r"[^\s@\x00-\x1f\x7f]{1,64}@(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")


def _deliverable(value: str) -> str:
    if not _DELIVERABLE.fullmatch(value):
        raise PydanticCustomError("email", "must be an email address such as name@example.com")
    return value


# An address a visitor types for us to write to: an `Email` that mail could reach.
ContactEmail = Annotated[Email, AfterValidator(_deliverable)]
