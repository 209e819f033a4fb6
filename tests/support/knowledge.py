"""The help desk's articles, written once: every test that needs a knowledge base uses these.

Their words are chosen for every surface at once: the search ranks them apart, the
agent quotes "5 to 10 business days" and "reset link", and the voice tests' questions
("How long does a refund take?", "When does my order arrive?") use words the widget's
recognition model learns from them.
"""

from aurion.services.knowledge import create_article

PASSWORD = {
    "title": "Resetting your password",
    "body": "Click 'Forgot password' on the sign-in page and we email you a reset link. The link expires after one hour.",
}
REFUND = {
    "title": "Refund policy",
    "body": "You can request a refund within 30 days of purchase from the Billing page. "
    "Refunds are paid back to the original card and take 5 to 10 business days to arrive.",
    "url": "https://help.example.com/refunds",
}
SHIPPING = {"title": "Shipping times", "body": "Orders ship within two business days. Express delivery arrives the next day."}
HELP_DESK = [PASSWORD, REFUND, SHIPPING]


def add_help_desk(widget) -> None:
    """Give `widget` the help desk's password, refund and shipping articles."""
    for article in HELP_DESK:
        create_article(widget, article)
