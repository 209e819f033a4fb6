"""API keys as the dashboard creates them."""

from aurion.schemas.fields import Model, Text

API_KEY_NAME_MAX_LENGTH = 120


class NewApiKey(Model):
    """What an admin names a new key (optional); its scopes are checked by the service."""

    name: Text(API_KEY_NAME_MAX_LENGTH, min_length=0) = ""
