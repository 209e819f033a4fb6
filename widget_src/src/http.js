/** The HTTP side of the Aurion API, as the widget uses it. */
import { t } from "./strings.js";

/** An API failure in words a visitor can read (`detail`) and a word code can branch on. */
export class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

/** A client for one widget; `base` is the Aurion server the embed script came from. */
export function createClient(base, widgetId) {
  const root = base + "/api/v1";
  const wid = encodeURIComponent(widgetId);

  /** An absolute URL for a path the server handed out. */
  const link = (url) => new URL(url, root + "/").href;

  /** Browser calls name the widget, so that the server can check their preflight. */
  const named = (url) => url + (url.includes("?") ? "&" : "?") + "widget_id=" + wid;

  async function call(path, { method = "GET", token, json, form } = {}) {
    const headers = {};
    if (token) headers.Authorization = "Bearer " + token;
    if (json) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(named(root + path), {
        method,
        headers,
        body: json ? JSON.stringify(json) : form,
      });
    } catch {
      throw new ApiError(0, "network", t("unreachable"));
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(response.status, data.code, data.detail || t("went_wrong"));
    return data;
  }

  return {
    config: () => call("/voice-widget/embed/config/" + wid),
    session: (body) => call("/widget/session", { method: "POST", json: body }),
    send: (token, content, attachment_ids, client_id) =>
      call("/widget/messages", { method: "POST", token, json: { content, attachment_ids, client_id } }),
    history: (token, after) =>
      call("/widget/history?limit=" + HISTORY_PAGE + (after ? "&after=" + encodeURIComponent(after) : ""), { token }),
    link,
    named,
    /** Any API call (the voice part makes its own). */
    call,
    socketUrl: (token) => named(root.replace(/^http/, "ws") + "/widget/ws?token=" + encodeURIComponent(token)),
  };
}

export const HISTORY_PAGE = 50;
