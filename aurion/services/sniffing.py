"""What a file is, decided from its bytes alone (never from its name or a client's claim).

Only the types an upload may be are recognised; anything else is `None`. Plain text
is valid UTF-8 with no control bytes (NUL included) that does not open like markup: a file starting with
`<` (HTML, SVG, XML) is refused outright, since a browser may render it as a page.
"""

import codecs

# (content type, the bytes a file of that type starts with)
_SIGNATURES = (
    ("image/png", b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", b"\xff\xd8\xff"),
    ("image/gif", b"GIF87a"),
    ("image/gif", b"GIF89a"),
    ("application/pdf", b"%PDF-"),
)
EXTENSIONS = {
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
    "text/plain": (".txt", ".log", ".csv", ".md"),
}


def _is_webp(head: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


# C0 control bytes other than tab, line feed, form feed and carriage return mark a binary file.
_BINARY_BYTES = bytes(set(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D}) + b"\x7f"


def _is_plain_text(data: bytes) -> bool:
    if data.translate(None, delete=_BINARY_BYTES) != data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    text = text.removeprefix(codecs.BOM_UTF8.decode("utf-8")).lstrip()
    return bool(text) and not text.startswith("<")


def sniff_content_type(data: bytes) -> str | None:
    """The content type of `data` (the whole file), or None when it is none we accept."""
    for content_type, signature in _SIGNATURES:
        if data.startswith(signature):
            return content_type
    if _is_webp(data):
        return "image/webp"
    if _is_plain_text(data):
        return "text/plain"
    return None
