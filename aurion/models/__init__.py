"""The data model. Schema changes go through Alembic migrations in `migrations/`."""

from aurion.models import message_search  # noqa: F401  (the search index and its hooks on Message)
from aurion.models.calls import Call
from aurion.models.conversations import Attachment, Conversation, Message, Rating, Visitor, WidgetSession
from aurion.models.email import OutgoingEmail
from aurion.models.inbox import ConversationNote, ConversationRead, SavedReply
from aurion.models.knowledge import Article, ArticlePassage, UnansweredQuestion
from aurion.models.tenancy import Admin, ApiKey, Invitation, Tenant
from aurion.models.webhooks import Webhook, WebhookDelivery
from aurion.models.widgets import Widget

__all__ = [
    "Admin",
    "ApiKey",
    "Article",
    "ArticlePassage",
    "Attachment",
    "Call",
    "Conversation",
    "ConversationNote",
    "ConversationRead",
    "Invitation",
    "Message",
    "OutgoingEmail",
    "Rating",
    "SavedReply",
    "Tenant",
    "UnansweredQuestion",
    "Visitor",
    "Webhook",
    "WebhookDelivery",
    "Widget",
    "WidgetSession",
]
