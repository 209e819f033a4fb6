"""The widget's catalogue: every language has every string, and `auto` follows the browser."""

import re

import pytest

from aurion.schemas.widgets import LOCALES
from aurion.services.widget_strings import ENGLISH, TRANSLATIONS, choose_locale, widget_strings


@pytest.mark.parametrize("locale", sorted(TRANSLATIONS))
def test_every_language_has_every_string_with_the_same_placeholders(locale):
    words = TRANSLATIONS[locale]
    assert set(words) == set(ENGLISH)
    for key, english in ENGLISH.items():
        assert set(re.findall(r"\{\w+\}", words[key])) == set(re.findall(r"\{\w+\}", english)), key


def test_the_settings_offer_exactly_the_catalogue():
    assert set(LOCALES) == {"en", *TRANSLATIONS}


@pytest.mark.parametrize(
    ("setting", "accept_language", "chosen"),
    [
        ("auto", [("de-DE", 1.0), ("en", 0.8)], "de"),
        ("auto", [("ja", 1.0), ("fr-CA", 0.7), ("nl", 0.9)], "nl"),  # the best the catalogue has
        ("auto", [("ja", 1.0)], "en"),
        ("auto", [], "en"),
        ("fr", [("de-DE", 1.0)], "fr"),  # a fixed language wins over the browser
        ("auto", [("pt_BR", 1.0)], "pt"),
    ],
)
def test_choosing_the_language(setting, accept_language, chosen):
    assert choose_locale(setting, accept_language) == chosen


def test_the_public_config_carries_the_chosen_language(client, make_tenant):
    _, widget, _ = make_tenant("acme", greetings={"es": "¡Hola!"})
    response = client.get(f"/api/v1/voice-widget/embed/config/{widget.public_id}", headers={"Accept-Language": "es-MX,es;q=0.9"})
    config = response.get_json()
    assert (config["locale"], config["greeting"], config["strings"]) == ("es", "¡Hola!", widget_strings("es"))
    assert "Accept-Language" in response.headers["Vary"]
