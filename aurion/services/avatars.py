"""Teammates' pictures: uploaded in the dashboard, served publicly to the widget.

Decisions (also in docs/dashboard.md):
- Checked like attachments: the type comes from the bytes (`aurion.services.sniffing`),
  and only PNG, JPEG and WebP are taken (no GIF: avatars do not move; never SVG, which
  can carry script). At most AVATAR_MAX_BYTES, refused before anything is written.
- Stored under `avatars/` in the upload directory with a new random name per upload, so
  the public URL can be cached for a year: a new picture is a new URL.
- The old file is deleted only after the new name is committed; a failed commit
  leaves no orphan.
"""

import re
import secrets
from pathlib import Path
from typing import BinaryIO

from aurion.extensions import db
from aurion.models import Admin
from aurion.problems import NotFoundProblem, Problem, ValidationProblem
from aurion.services.sniffing import sniff_content_type
from aurion.services.uploads import upload_dir

AVATAR_TYPES = ("image/png", "image/jpeg", "image/webp")
AVATAR_MAX_BYTES = 1024 * 1024
_STORAGE_NAME = re.compile(r"[0-9a-f]{32}")


def avatar_size_limit() -> str:
    """The size cap in words ("1 MB")."""
    return f"{AVATAR_MAX_BYTES / 1024 / 1024:g} MB"


def _avatar_path(storage_name: str) -> Path:
    return upload_dir() / "avatars" / storage_name


def forget_avatar_file(storage_name: str | None) -> None:
    """Delete a picture that is no longer anyone's (replaced, removed, or its teammate removed)."""
    if storage_name:
        _avatar_path(storage_name).unlink(missing_ok=True)


def store_avatar(admin: Admin, stream: BinaryIO) -> None:
    """Make the uploaded picture `admin`'s avatar; 413, 415 or 422 when refused. Commits."""
    data = stream.read(AVATAR_MAX_BYTES + 1)
    if len(data) > AVATAR_MAX_BYTES:
        raise Problem(413, "file_too_large", f"The picture is larger than the limit of {avatar_size_limit()}.")
    if not data:
        raise ValidationProblem("avatar", "Choose a picture to upload.")
    content_type = sniff_content_type(data)
    if content_type not in AVATAR_TYPES:
        raise Problem(415, "unsupported_file_type", "This file is not a PNG, JPEG or WebP picture (judged by its content, not its name).")
    storage_name = secrets.token_hex(16)
    path = _avatar_path(storage_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    previous = admin.avatar_storage_name
    try:
        admin.avatar_storage_name = storage_name
        admin.avatar_content_type = content_type
        db.session.commit()
    except Exception:
        path.unlink(missing_ok=True)
        raise
    forget_avatar_file(previous)


def remove_avatar(admin: Admin) -> None:
    """Back to initials on a colour. Commits."""
    previous = admin.avatar_storage_name
    admin.avatar_storage_name = None
    admin.avatar_content_type = None
    db.session.commit()
    forget_avatar_file(previous)


def open_avatar(storage_name: str) -> tuple[Path, str]:
    """The file and content type of a current avatar; 404 for any other name."""
    admin = None
    if _STORAGE_NAME.fullmatch(storage_name):
        admin = db.session.execute(db.select(Admin).filter_by(avatar_storage_name=storage_name)).scalar_one_or_none()
    path = _avatar_path(storage_name) if admin else None
    if admin is None or not path.is_file():
        raise NotFoundProblem("There is no such avatar.", "avatar_not_found")
    return path, admin.avatar_content_type
