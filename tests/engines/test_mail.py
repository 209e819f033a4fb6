"""The SMTP URL: which connection each form asks for, and the refusals that stop the server at start."""

import pytest

from aurion.engines.mail import BadSmtpUrl, SmtpServer, parse_smtp_url


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("smtp://mail.example.com", SmtpServer(False, "mail.example.com", 587, None, None)),
        ("smtp://me%40example.com:p%3Ass@mail.example.com:25", SmtpServer(False, "mail.example.com", 25, "me@example.com", "p:ss")),
        ("smtps://user:secret@mail.example.com", SmtpServer(True, "mail.example.com", 465, "user", "secret")),
    ],
)
def test_smtp_urls(url, server):
    assert parse_smtp_url(url) == server


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://", "smtp://mail.example.com:99999", "mail.example.com"])
def test_bad_smtp_urls_are_refused(url):
    with pytest.raises(BadSmtpUrl):
        parse_smtp_url(url)


def test_only_loopback_may_hear_a_password_without_tls():
    assert parse_smtp_url("smtp://u:p@127.0.0.1:2525").loopback()
    assert parse_smtp_url("smtp://u:p@localhost:2525").loopback()
    assert not parse_smtp_url("smtp://u:p@mail.example.com").loopback()
