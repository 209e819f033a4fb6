/**
 * The widget's model of the conversation: its messages (what the visitor sends shows
 * at once and is replaced by the stored message; answers stream in as deltas), the live
 * socket with its catch-up after every reconnect, the unread count, the status line,
 * uploads, and everything else the UI shows, in one `state`. The UI is a pure function
 * of `state` (re-rendered on every change) and calls the methods; the JavaScript API
 * (`Aurion(...)`) calls the same methods and listens to the same events. The token that
 * opens the conversation is the `Session`'s business.
 */
import { ApiError, HISTORY_PAGE } from "./http.js";
import { BAD_TOKEN, keepSocket } from "./socket.js";
import { t } from "./strings.js";

/** Never page through more history than this in one catch-up. */
const MAX_HISTORY_PAGES = 40;
/** While the visitor writes, the team hears it at most this often; it stops after `TYPING_IDLE` without input. */
const TYPING_EVERY = 3000;
const TYPING_IDLE = 5000;

export const SENDER_KEY = { user: "you", agent: "assistant", human: "support_team" };

const INITIAL = {
  open: false,
  status: "idle", // idle | connecting | online | reconnecting | offline
  notice: "", // the last problem, in words
  messages: [],
  typing: null, // who is typing, in words ("Sam is typing", "The assistant is typing"), or null
  earlier: 0, // the visitor's other conversations, readable on request (the "past" part)
  past: false, // the visitor asked to see them
  handoff: "agent", // "agent" | "waiting" | "human"
  unread: 0,
  announcement: "", // what the live region reads out
  pending: [], // files for the next message: {key, name, preview, record (once uploaded)}
  sending: false,
  dragging: false, // files are being dragged over the panel
  away: false, // a person was asked for outside business hours
  contact: "", // the email an anonymous visitor left for the answer
  rating: "", // the visitor's rating of the ended conversation
  transcript: "", // where the transcript was sent
};

// Keys for messages shown before the server has them.
let localKeys = 0;
const revoke = (url) => url && URL.revokeObjectURL(url);

export class Conversation {
  constructor(session) {
    this.session = session;
    this.client = session.client;
    this.state = INITIAL;
    this.listeners = new Set();
    this.handlers = {};
    this.previews = {}; // attachment url → object URL of its image (filled by the files part)
    this.parts = {}; // name → the promise of a part of the widget loaded on demand
    this.epoch = 0; // bumped by stop(): answers to requests made before are dropped
  }

  // --- state and events -------------------------------------------------------------

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(patch) {
    this.state = { ...this.state, ...patch };
    this.listeners.forEach((listener) => listener(this.state));
  }

  /** `on("ready" | "open" | "close" | "message" | "unread", fn)`; `ready` fires at once if already past. */
  on(event, handler) {
    (this.handlers[event] ||= []).push(handler);
    if (event === "ready" && this.config) handler();
  }

  emit(event, detail) {
    for (const handler of this.handlers[event] || []) {
      try {
        handler(detail);
      } catch (error) {
        console.error("Aurion: an `on(" + event + ")` handler failed", error);
      }
    }
  }

  // --- what the page and the visitor do ---------------------------------------------

  /** The public config has arrived: the widget is on screen. */
  ready(config) {
    this.config = config;
    this.session.allowAnonymous = config.allow_anonymous;
    this.emit("ready");
    if (this.state.open || this.session.saved.token) this.start();
  }

  setOpen(open) {
    if (open === this.state.open) return;
    const hadUnread = this.state.unread;
    this.set(open ? { open, unread: 0 } : { open });
    this.emit(open ? "open" : "close");
    if (open && hadUnread) this.emit("unread", 0);
    if (open && this.config) this.start();
  }

  /** `identify({email_token, display_name})`: another person means another conversation. */
  identify(identity) {
    if (this.session.identify(identity)) this.reset();
    if (this.config && (this.state.open || this.session.saved.token)) this.start();
  }

  /** Forget the visitor: close the socket, clear what was stored, start over anonymous. */
  shutdown() {
    this.session.identify({});
    this.reset();
    this.setOpen(false);
  }

  /** Send `content` with the uploaded files; true once the server has it. */
  async send(content) {
    const { pending, sending } = this.state;
    if (sending || pending.some((item) => !item.record) || (!content && !pending.length)) return false;
    this.typed(false);
    // Shown at once, so that it stays above the answer however fast that comes.
    const echo = { id: "sending:" + ++localKeys, sender: "user", content, streaming: true };
    this.set({ sending: true, messages: [...this.state.messages, echo] });
    try {
      // The conversation so far loads first: whatever follows the message is then new.
      await this.start();
      const ids = pending.map((item) => item.record.id);
      // One client id for every try: a resend whose first try reached the server is stored once.
      const clientId = "" + Math.random();
      const post = (token) => this.client.send(token, content, ids, clientId);
      const message = await this.retried(post);
      pending.forEach((item) => revoke(item.preview));
      this.set({ pending: [], notice: "" });
      this.upsert(message, true, echo.id);
      return true;
    } catch (error) {
      this.set({ messages: this.state.messages.filter((m) => m !== echo) });
      this.fail(error);
      return false;
    } finally {
      this.set({ sending: false });
    }
  }

  /**
   * `post(token)` until the server has the message: into a new conversation if the team
   * closed this one; after a network failure (the message may or may not have arrived),
   * again once the socket reconnects.
   */
  async retried(post) {
    for (;;) {
      try {
        return await this.session.authed(post);
      } catch (error) {
        if (error.code == "conversation_closed") await this.reopen();
        else if (error.status) throw error;
        else {
          this.fail(error);
          await new Promise((resolve) => (this.resend = resolve));
        }
      }
    }
  }

  /** The team closed the conversation: a new session starts a new one. */
  async reopen() {
    this.stop();
    this.session.drop();
    this.set({ messages: [], handoff: "agent", away: false, contact: "", rating: "", transcript: "", past: false });
    await this.start();
  }

  /** A call to the widget API with the visitor's session; failures show in the status line. */
  async api(path, json, method = "POST") {
    try {
      return await this.session.authed((token) => this.client.call(path, { method, token, json }));
    } catch (error) {
      this.fail(error);
    }
  }

  /** The visitor is done: the conversation closes and the widget asks for a rating. */
  async end() {
    if (await this.api("/widget/end")) this.set({ handoff: "closed" });
  }

  /** A part of the widget built into its own file (`aurion-<name>.js`), loaded once: its `global`. */
  part(name, global) {
    return (this.parts[name] ||= new Promise((resolve, reject) => {
      const script = document.head.appendChild(document.createElement("script"));
      script.onload = () => resolve(window[global]);
      script.onerror = reject;
      script.src = this.client.link(`voice-widget/embed/aurion-${name}.js`);
    }));
  }

  /**
   * A ref that draws part `name` into its element on every render: the part's `draw(element,
   * chat, ...args)` renders with its own copy of Preact.
   */
  drawn(name, global, ...args) {
    return (element) => element && this.part(name, global).then((part) => part.draw(element, this, ...args));
  }

  /** Upload files for the next message (the files part; taken from the list now, which the input then clears). */
  attach(files) {
    files = Array.from(files);
    this.part("files", "AurionFiles").then((part) => part.attach(this, files), (error) => this.fail(error));
  }

  /**
   * The visitor is writing (`active`) or sent their message: the team sees "typing" at most
   * once every few seconds while they write, and its end after a pause or on sending.
   */
  typed(active = true) {
    clearTimeout(this.idle);
    if (active) this.idle = setTimeout(() => this.typed(false), TYPING_IDLE);
    const now = Date.now();
    if (active ? now - this.typedAt < TYPING_EVERY : !this.typedAt) return;
    this.typedAt = active && now;
    this.socket?.send({ type: "typing", active });
  }

  /** Ask for a person to take over. */
  requestHuman() {
    if (!this.socket?.send({ type: "handoff" })) this.set({ notice: t("ask_again") });
  }

  // --- history and socket ----------------------------------------------------------

  /** Start over: a forgotten visitor, or another person. */
  reset() {
    this.stop();
    this.session.forget();
    Object.values(this.previews).forEach(revoke);
    this.state.pending.forEach((item) => revoke(item.preview));
    this.previews = {};
    this.set({ ...INITIAL, open: this.state.open });
  }

  stop() {
    this.epoch++;
    clearTimeout(this.idle);
    this.socket?.close();
    this.socket = this.starting = null;
    removeEventListener("online", this.online);
    removeEventListener("offline", this.offline);
  }

  /** Load the conversation, then keep a socket open; once at a time. */
  start() {
    return (this.starting ||= this.boot());
  }

  async boot() {
    this.set({ status: "connecting", notice: "" });
    try {
      await this.catchUp(false);
    } catch (error) {
      this.starting = null;
      this.set({ status: "idle" });
      return this.fail(error);
    }
    addEventListener("online", this.online);
    addEventListener("offline", this.offline);
    this.socket = keepSocket(() => this.session.token().then(this.client.socketUrl), {
      open: () => {
        // A reconnection clears what the outage said; the first connection keeps what was said
        // while it was made (a voice call that could not start, say).
        this.set(this.state.status == "connecting" ? { status: "online" } : { status: "online", notice: "" });
        this.resend?.();
        this.catchUp(true).catch((error) => this.fail(error));
      },
      frame: (frame) => this.frame(frame),
      down: (code) => {
        this.set({ status: navigator.onLine === false ? "offline" : "reconnecting" });
        // A refused token closes with 4401, or fails the handshake (seen as 1006): a
        // history call tells which, and renews the session if it was the token.
        if (code === BAD_TOKEN) this.session.drop();
        else this.catchUp(true).catch((error) => this.fail(error));
      },
    });
  }

  // Back online: a socket that lived through it is online again at once; another reconnects.
  online = () => this.socket?.reconnect() && this.set({ status: "online" });
  offline = () => this.set({ status: "offline" });

  /**
   * Fetch every message after the last one we have. Once the conversation is loaded
   * (`live`), what arrives this way is new to the visitor: announced, counted, emitted.
   */
  async catchUp(live) {
    const epoch = this.epoch;
    for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
      const after = this.state.messages.filter((m) => !m.streaming).pop()?.id;
      const { messages, status, earlier_conversations: earlier } = await this.session.authed((token) => this.client.history(token, after));
      if (epoch !== this.epoch) return;
      if (status) this.set({ handoff: status, earlier }); // after a reload too: an ended conversation still asks for its rating
      messages.forEach((message) => this.upsert(message, live));
      if (messages.length < HISTORY_PAGE) return;
    }
  }

  frame(frame) {
    if (frame.type === "message") this.upsert(frame, true);
    else if (frame.type === "delta") this.delta(frame);
    else if (frame.type === "typing") this.set({ typing: frame.active ? t(frame.author ? "typing_person" : "typing_" + frame.sender, frame.author) : null });
    else if (frame.type === "handoff") this.set({ handoff: frame.status, away: !!frame.away });
    else if (frame.type === "error") this.set({ notice: frame.detail || t("went_wrong") });
  }

  /** Add or replace a message; it replaces the text streamed under its id, or the `echo` of a send. */
  upsert(message, live, echo) {
    const id = String(message.id);
    let list = this.state.messages;
    if (echo && list.some((m) => m.id === id)) list = list.filter((m) => m.id !== echo); // already delivered
    list = list.slice();
    const isEcho = (m) => m.id === echo || (m.streaming && m.sender === "user" && m.content === message.content);
    let at = list.findIndex((m) => m.id === id);
    if (at < 0 && message.sender === "user") at = list.findIndex(isEcho);
    const isNew = at < 0 || list[at].streaming;
    const stored = { ...message, id, streaming: false };
    if (at < 0) list.push(stored);
    else list[at] = stored;
    const patch = { messages: list };
    const fromSupport = message.sender !== "user";
    if (fromSupport) patch.typing = null;
    if (live && isNew && fromSupport) {
      patch.announcement = (message.author?.name || t(SENDER_KEY[message.sender])) + ": " + message.content;
      if (!this.state.open) patch.unread = this.state.unread + 1;
    }
    this.set(patch);
    if (live && isNew) this.emit("message", stored);
    if (patch.unread) this.emit("unread", patch.unread);
  }

  /** The next chunk of an agent answer being generated, or (`dropped`) its end without an answer. */
  delta(frame) {
    const id = String(frame.id);
    const list = this.state.messages.slice();
    const at = list.findIndex((m) => m.id === id);
    if (at < 0) frame.dropped || list.push({ id, sender: "agent", content: frame.content, streaming: true });
    else if (list[at].streaming) frame.dropped ? list.splice(at, 1) : (list[at] = { ...list[at], content: list[at].content + frame.content });
    else return; // the final message is already here
    this.set({ messages: list, typing: null });
  }

  fail(error) {
    if (!(error instanceof ApiError)) console.error("Aurion:", error);
    this.set({ notice: error instanceof ApiError ? error.message : t("went_wrong") });
  }
}
