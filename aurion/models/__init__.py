"""The data model. Schema changes go through Alembic migrations in `migrations/`."""

from aurion.models.tenancy import Admin, ApiKey, Tenant
from aurion.models.widgets import Widget

__all__ = ["Admin", "ApiKey", "Tenant", "Widget"]
