/**
 * The visitor's session: the token that opens their conversation, kept in the host
 * page's localStorage under `aurion:<widget id>` so reloads and navigation keep it.
 * A session is created when first needed, renewed shortly before it expires or when the
 * server refuses it, and forgotten by `shutdown` or when the visitor becomes another person.
 */
import { ApiError } from "./http.js";
import { forget, load, save } from "./storage.js";
import { t } from "./strings.js";

/** Renew a session token this long before it expires. */
const RENEW_MARGIN = 60000;

/** The email an email token speaks for: a fresh token for the same person keeps the session. */
function tokenEmail(token) {
  try {
    return JSON.parse(atob(token.split(".")[0].replace(/-/g, "+").replace(/_/g, "/"))).email;
  } catch {
    return token;
  }
}

export class Session {
  /** `identity` is `{email_token, display_name}` (both optional); `preview` sessions never reach the server. */
  constructor(client, widgetId, identity, preview) {
    this.client = client;
    this.widgetId = widgetId;
    this.key = "aurion:" + widgetId;
    this.identity = identity;
    this.preview = preview;
    this.allowAnonymous = false; // the widget's setting, once its config has arrived
    this.saved = load(this.key);
    this.epoch = 0; // bumped by forget(): sessions created for a forgotten visitor are not stored
  }

  /** Who the session is for: the identified email, or "" for an anonymous visitor. */
  who() {
    return this.identity.email_token ? tokenEmail(this.identity.email_token) : "";
  }

  /** Another visitor from now on; true if the stored session was someone else's (it must go). */
  identify(identity) {
    this.identity = { ...identity };
    return !!this.saved.token && this.saved.who !== this.who();
  }

  store(patch) {
    this.saved = { ...this.saved, ...patch };
    save(this.key, this.saved);
  }

  /** Drop the token: the next call creates a new session (and with it, a new conversation if the old one closed). */
  drop() {
    this.store({ token: null });
  }

  /** Forget the visitor: nothing stays stored, not even the anonymous visitor's token. */
  forget() {
    this.epoch++;
    forget(this.key);
    this.saved = {};
  }

  /** A valid session token: the stored one, or a new session. */
  token() {
    if (this.preview) return Promise.reject(new ApiError(0, "preview", t("preview")));
    const saved = this.saved;
    if (saved.token && saved.who === this.who() && Date.parse(saved.expires_at) - RENEW_MARGIN > Date.now()) {
      return Promise.resolve(saved.token);
    }
    return (this.creating ||= this.create().finally(() => (this.creating = null)));
  }

  async create() {
    const { email_token, display_name } = this.identity;
    const who = this.who();
    const epoch = this.epoch;
    if (!email_token && !this.allowAnonymous) {
      throw new ApiError(401, "sign_in", t("sign_in"));
    }
    // Where and when the visitor is, for the team (the server adds the browser from its User-Agent).
    const where = { page_url: location.href.slice(0, 2000), time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone };
    const body = email_token
      ? { email_token, display_name, ...where }
      : { widget_id: this.widgetId, display_name, visitor_token: this.saved.visitor_token, ...where };
    const session = await this.client.session(body);
    if (epoch !== this.epoch) return session.token; // the visitor was forgotten meanwhile
    this.store({
      token: session.token,
      expires_at: session.expires_at,
      conversation_id: session.conversation_id,
      visitor_token: session.visitor_token || this.saved.visitor_token,
      who,
    });
    return session.token;
  }

  /** `call(token)`, once more with a new session if the stored one was refused. */
  async authed(call) {
    const token = await this.token();
    try {
      return await call(token);
    } catch (error) {
      if (error.status !== 401) throw error;
      this.drop();
      return call(await this.token());
    }
  }
}
