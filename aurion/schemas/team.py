"""The team behind the inbox: admins' roles and names, invitations, saved replies."""

from typing import Literal

# `owner`: everything; `agent`: the inbox only (aurion.dashboard.base gates the rest).
Role = Literal["owner", "agent"]
ROLES: tuple[str, ...] = ("owner", "agent")
ROLE_MAX_LENGTH = 8
ADMIN_NAME_MAX_LENGTH = 80
# A saved reply is picked by typing `/shortcut` in the reply box.
SHORTCUT_MAX_LENGTH = 32
SHORTCUT_PATTERN = r"[a-z0-9][a-z0-9_-]{0,31}"
# "Typically replies in …" set by hand instead of measured.
REPLY_TIME_TEXT_MAX_LENGTH = 80
TIME_ZONE_MAX_LENGTH = 64
USER_AGENT_MAX_LENGTH = 512
