"""The browser and operating system a visitor wrote from, in words, from their User-Agent header.

Deliberately small: the families a support team meets, major versions only. Anything
else reads as unknown rather than guessed.
"""

import re

# Checked in order: Edge, Opera and Samsung Internet say "Chrome" too, and Chrome says "Safari".
_BROWSERS = (
    ("Edge", r"Edg(?:e|A|iOS)?/(\d+)"),
    ("Opera", r"(?:OPR|Opera)/(\d+)"),
    ("Samsung Internet", r"SamsungBrowser/(\d+)"),
    ("Firefox", r"(?:Firefox|FxiOS)/(\d+)"),
    ("Chrome", r"(?:CriOS|Chrome)/(\d+)"),
    ("Safari", r"Version/(\d+)(?:\.\d+)*.*Safari/"),
)
_WINDOWS = {"10.0": "10 or 11", "6.3": "8.1", "6.2": "8", "6.1": "7"}


def browser(user_agent: str) -> str | None:
    """"Firefox 121", "Chrome 120", "Safari 17" …; None when not recognised."""
    for name, pattern in _BROWSERS:
        match = re.search(pattern, user_agent)
        if match:
            return f"{name} {match.group(1)}"
    return None


def operating_system(user_agent: str) -> str | None:
    """"Windows 10 or 11", "macOS", "iOS 17.1", "Android 14" …; None when not recognised."""
    if match := re.search(r"Windows NT (\d+\.\d+)", user_agent):
        return "Windows " + _WINDOWS.get(match.group(1), match.group(1))
    # iPads and iPhones before "Mac OS X": they say "like Mac OS X".
    if match := re.search(r"(iPhone|iPad|iPod).*? OS (\d+)(?:_(\d+))?", user_agent):
        system = "iPadOS" if match.group(1) == "iPad" else "iOS"
        return f"{system} {match.group(2)}" + (f".{match.group(3)}" if match.group(3) else "")
    if match := re.search(r"Android (\d+(?:\.\d+)?)", user_agent):
        return f"Android {match.group(1)}"
    if "CrOS" in user_agent:
        return "ChromeOS"
    if "Mac OS X" in user_agent or "Macintosh" in user_agent:
        # Browsers freeze the version they report (10_15_7), so it says nothing.
        return "macOS"
    if "Linux" in user_agent:
        return "Linux"
    return None


def describe(user_agent: str | None) -> str | None:
    """"Firefox 121 on Windows 10 or 11"; what is known of it, or None when nothing is."""
    if not user_agent:
        return None
    found_browser, found_system = browser(user_agent), operating_system(user_agent)
    if found_browser and found_system:
        return f"{found_browser} on {found_system}"
    return found_browser or found_system
