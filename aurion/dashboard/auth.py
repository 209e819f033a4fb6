"""Signing in and out of the dashboard."""

from flask import current_app, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address

from aurion.dashboard.base import bp
from aurion.dashboard.session import sign_in, sign_out
from aurion.extensions import limiter
from aurion.services.tenants import authenticate_admin

HOME = "dashboard.inbox"


def _login_attempt_key() -> str:
    """Sign-in attempts are counted per client IP and email, so guessing one admin's password is slow."""
    return f"login:{get_remote_address()}:{request.form.get('email', '').strip().lower()}"


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a dashboard path only, never another site."""
    if target and target.startswith(bp.url_prefix + "/") and not target.startswith("//"):
        return target
    return url_for(HOME)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["AURION_LIMIT_LOGIN"], key_func=_login_attempt_key, methods=["POST"])
def login():
    """The sign-in form; on success, the page the admin asked for."""
    error = None
    email = request.form.get("email", "")
    if request.method == "POST":
        admin = authenticate_admin(email, request.form.get("password", ""))
        if admin is not None:
            sign_in(admin)
            return redirect(_safe_next(request.args.get("next")))
        error = "That email and password do not match an admin account."
    status = 401 if error else 200
    return render_template("dashboard/login.html", error=error, email=email), status


@bp.post("/logout")
def logout():
    """Sign out and go back to the sign-in form."""
    sign_out()
    return redirect(url_for("dashboard.login"))


@bp.get("/")
def home():
    """The dashboard opens on the inbox, where a support team spends its day."""
    return redirect(url_for(HOME))
