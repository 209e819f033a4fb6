"""Analytics: the numbers of one widget, or of all the tenant's widgets, as charts, tables and CSV."""

from flask import Response, render_template, request

from aurion.dashboard.base import bp, tenant_id
from aurion.services.analytics import WINDOW_DAYS, Analytics, analytics_csv, tenant_analytics, widget_analytics
from aurion.services.widgets import find_tenant_widget

# The windows the page offers, in UTC days; any other `?days=` shows the default.
WINDOWS = (7, WINDOW_DAYS, 90)


def _days() -> int:
    days = request.args.get("days", type=int)
    return days if days in WINDOWS else WINDOW_DAYS


def duration(seconds: float) -> str:
    """A wait as a support lead reads it: "45 s", "5 min 0 s", "1 h 5 min"."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def _page(widget, analytics: Analytics) -> str:
    """The page, its charts' bars as (label, value, words) rows."""
    day_rows = [
        (day.day.strftime("%-d %b"), day.conversations, f"{day.conversations} conversations, {day.resolved_by_agent} resolved by the agent alone")
        for day in analytics.days
    ]
    hour_rows = [(f"{hour:02d}:00", count, f"{count} visitor messages") for hour, count in enumerate(analytics.visitor_messages_by_hour)]
    return render_template(
        "dashboard/analytics.html",
        widget=widget,
        analytics=analytics,
        windows=WINDOWS,
        day_rows=day_rows,
        hour_rows=hour_rows,
        duration=duration,
    )


def _csv(analytics: Analytics, name: str) -> Response:
    filename = f"aurion-analytics-{name}-{analytics.first_day}-to-{analytics.last_day}.csv"
    return Response(
        analytics_csv(analytics),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/analytics")
def analytics():
    """The tenant's numbers over the last `?days=` UTC days (7, 30 or 90; 30 by default), all widgets together."""
    return _page(None, tenant_analytics(tenant_id(), _days()))


@bp.get("/analytics.csv")
def analytics_export():
    """The tenant's numbers as CSV, a section per metric."""
    return _csv(tenant_analytics(tenant_id(), _days()), "all-widgets")


@bp.get("/widgets/<widget_id>/analytics")
def widget_analytics_page(widget_id: str):
    """One widget's numbers over the last `?days=` UTC days."""
    widget = find_tenant_widget(tenant_id(), widget_id)
    return _page(widget, widget_analytics(widget, _days()))


@bp.get("/widgets/<widget_id>/analytics.csv")
def widget_analytics_export(widget_id: str):
    """One widget's numbers as CSV."""
    widget = find_tenant_widget(tenant_id(), widget_id)
    return _csv(widget_analytics(widget, _days()), widget.public_id)
