"""The browser and system a visitor wrote from, in words, from real User-Agent strings."""

import pytest

from aurion.services.user_agents import describe

CHROME_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
EDGE = CHROME_WINDOWS + " Edg/120.0.2210.91"
FIREFOX_LINUX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
SAFARI_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15"
SAFARI_IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
CHROME_IPAD = "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/119.0.6045.169 Mobile/15E148 Safari/604.1"
SAMSUNG = "Mozilla/5.0 (Linux; Android 13; SM-S901B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36"
CHROME_ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.43 Mobile Safari/537.36"
OPERA = CHROME_WINDOWS.replace("Windows NT 10.0", "Windows NT 6.1") + " OPR/105.0.0.0"
CHROMEBOOK = "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
FIREFOX_IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/120.0 Mobile/15E148 Safari/605.1.15"


@pytest.mark.parametrize(
    ("user_agent", "described"),
    [
        (CHROME_WINDOWS, "Chrome 120 on Windows 10 or 11"),
        (EDGE, "Edge 120 on Windows 10 or 11"),
        (FIREFOX_LINUX, "Firefox 121 on Linux"),
        (SAFARI_MAC, "Safari 17 on macOS"),
        (SAFARI_IPHONE, "Safari 17 on iOS 17.1"),
        (CHROME_IPAD, "Chrome 119 on iPadOS 16.6"),
        (FIREFOX_IPHONE, "Firefox 120 on iOS 17.1"),
        (SAMSUNG, "Samsung Internet 23 on Android 13"),
        (CHROME_ANDROID, "Chrome 120 on Android 14"),
        (OPERA, "Opera 105 on Windows 7"),
        (CHROMEBOOK, "Chrome 120 on ChromeOS"),
        ("curl/8.4.0", None),
        ("", None),
        (None, None),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "Windows 10 or 11"),
    ],
)
def test_describe(user_agent, described):
    assert describe(user_agent) == described
