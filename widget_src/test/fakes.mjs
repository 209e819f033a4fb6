/**
 * What the widget's model meets in a browser, faked small enough to read: the host
 * page's localStorage, window events and `navigator.onLine`, and an Aurion server that
 * answers the widget's HTTP calls (through `fetch`) and its chat socket (`WebSocket`).
 */

import { setStrings } from "../src/strings.js";

// The catalogue strings these tests read; the server sends the whole catalogue in the
// public config (aurion/services/widget_strings.py).
setStrings({
  unreachable: "We can't reach the support server. Check your connection.",
  support_team: "Support team",
  assistant: "Assistant",
  typing_agent: "The assistant is typing",
  typing_person: "{name} is typing",
  sign_in: "Please sign in on this site to chat with us.",
  not_understood: "Sorry, I didn't catch that. Please say it again.",
});

export const SERVER = "http://aurion.test";
export const WIDGET_ID = "w_shop";
export const STORAGE_KEY = "aurion:" + WIDGET_ID;

/** An email token for `email` as the site's server mints them: base64url JSON, a dot, a signature. */
export function emailToken(email, signature = "signature") {
  return Buffer.from(JSON.stringify({ email })).toString("base64url") + "." + signature;
}

/** Let every pending promise (fake server answers included) settle. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));

/**
 * The chat socket as the page sees it; the test plays the server: `accept()`,
 * `push(frame)`, `drop(code)`. Every socket the page opens is in `FakeSocket.opened`.
 */
export class FakeSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSED = 3;
  static opened = [];

  constructor(url) {
    this.url = url;
    this.token = new URL(url).searchParams.get("token");
    this.readyState = FakeSocket.CONNECTING;
    this.sent = [];
    FakeSocket.opened.push(this);
  }

  send(text) {
    this.sent.push(JSON.parse(text));
  }

  close() {
    this.readyState = FakeSocket.CLOSED;
  }

  accept() {
    this.readyState = FakeSocket.OPEN;
    this.onopen();
  }

  push(frame) {
    this.onmessage({ data: JSON.stringify(frame) });
  }

  /** The connection is lost (or refused: 4401 for a bad token). */
  drop(code = 1006) {
    this.readyState = FakeSocket.CLOSED;
    this.onclose({ code });
  }
}

/** localStorage of the host page: strings in a Map. */
class FakeStorage {
  items = new Map();
  getItem = (key) => (this.items.has(key) ? this.items.get(key) : null);
  setItem = (key, value) => this.items.set(key, String(value));
  removeItem = (key) => this.items.delete(key);
}

/**
 * The widget's side of the Aurion API, in memory: sessions, conversations and their
 * messages. `refuse(token)` makes it answer 401 to a token; `close(conversation)` is the
 * team closing it; `hold()` keeps the next message POST unanswered until `release()`.
 */
export class FakeServer {
  sessions = new Map(); // token → {conversation, visitor}
  conversations = new Map(); // id → {messages, closed}
  refused = new Set();
  created = []; // the body of every session creation
  posted = []; // the body of every message POST
  nextId = 1;
  held = null;
  history = {}; // more fields of every history answer (status, earlier_conversations)

  conversation(id) {
    return this.conversations.get(id);
  }

  /** Store a message in `conversation` (by `sender`: user, agent or human); the stored message, which is also its socket frame. */
  add(conversation, sender, content, id = "msg_" + this.nextId++) {
    const message = { type: "message", id, sender, content, created_at: new Date().toISOString() };
    this.conversation(conversation).messages.push(message);
    return message;
  }

  refuse(token) {
    this.refused.add(token);
  }

  close(conversation) {
    this.conversation(conversation).closed = true;
  }

  hold() {
    let release;
    this.held = new Promise((resolve) => (release = resolve));
    return release;
  }

  /** The `fetch` the widget calls. */
  fetch = async (address, init = {}) => {
    const url = new URL(address);
    const route = (init.method || "GET") + " " + url.pathname.replace("/api/v1", "");
    const token = init.headers?.Authorization?.replace("Bearer ", "");
    const body = init.body ? JSON.parse(init.body) : null;
    if (route === "POST /widget/session") return this.answer(200, this.createSession(body));
    const session = this.sessions.get(token);
    if (!session || this.refused.has(token)) return this.answer(401, { code: "bad_token", detail: "Sign in again." });
    const conversation = this.conversation(session.conversation);
    if (route === "GET /widget/history") {
      const after = conversation.messages.findIndex((m) => m.id === url.searchParams.get("after"));
      const limit = Number(url.searchParams.get("limit"));
      return this.answer(200, { ...this.history, messages: conversation.messages.slice(after + 1, after + 1 + limit) });
    }
    if (route === "POST /widget/messages") {
      if (conversation.closed) return this.answer(409, { code: "conversation_closed", detail: "Closed." });
      // A resend with a client id the conversation holds is answered with the stored message.
      const sent = (conversation.sent ||= new Map());
      const message = sent.get(body.client_id) || this.add(session.conversation, "user", body.content);
      sent.set(body.client_id, message);
      this.posted.push(body);
      const held = this.held;
      this.held = null;
      await held;
      return this.answer(201, message);
    }
    return this.answer(404, { code: "not_found", detail: "No such route." });
  };

  createSession(body) {
    this.created.push(body);
    const visitor = body.email_token || body.visitor_token || "visitor-" + this.created.length;
    const open = [...this.sessions.values()].find((s) => s.visitor === visitor && !this.conversation(s.conversation).closed);
    const conversation = open?.conversation ?? this.conversations.size + 1;
    if (!open) this.conversations.set(conversation, { messages: [], closed: false });
    const token = "token-" + this.created.length;
    this.sessions.set(token, { conversation, visitor });
    return {
      token,
      expires_at: new Date(Date.now() + 3600000).toISOString(),
      conversation_id: conversation,
      visitor_token: body.email_token ? null : visitor,
    };
  }

  answer(status, body) {
    return { ok: status < 400, status, json: async () => body };
  }
}

/**
 * Install a fresh browser around the model (storage, sockets, window events, network)
 * talking to `server`; returns the page's localStorage.
 */
export function installBrowser(server) {
  const storage = new FakeStorage();
  FakeSocket.opened = [];
  Object.assign(globalThis, {
    localStorage: storage,
    WebSocket: FakeSocket,
    fetch: server.fetch,
    addEventListener() {},
    removeEventListener() {},
    location: { href: "https://shop.example/pricing?plan=pro" },
  });
  Object.defineProperty(globalThis, "navigator", { value: { onLine: true }, configurable: true, writable: true });
  return storage;
}
