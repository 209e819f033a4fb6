/** The conversation as the visitor sees it: messages, streaming, catch-up, unread count, status line. */
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";

import { Conversation } from "../src/conversation.js";
import { createClient } from "../src/http.js";
import { Session } from "../src/session.js";
import {
  emailToken,
  FakeServer,
  FakeSocket,
  installBrowser,
  SERVER,
  settle,
  STORAGE_KEY,
  WIDGET_ID,
} from "./fakes.mjs";

let server;
let storage;
let chat;

beforeEach(() => {
  server = new FakeServer();
  storage = installBrowser(server);
});

afterEach(() => chat?.stop());

/** The widget on the page, its config arrived (as index.js makes it). */
function widget(identity = {}) {
  const client = createClient(SERVER, WIDGET_ID);
  chat = new Conversation(new Session(client, WIDGET_ID, identity, false));
  chat.ready({ allow_anonymous: true });
  return chat;
}

/** Open the panel and let the chat socket connect; the socket. */
async function openConnected() {
  chat.setOpen(true);
  await settle();
  const socket = FakeSocket.opened.at(-1);
  socket.accept();
  await settle();
  return socket;
}

/** The message list as the visitor reads it: [sender, text, still being written]. */
const shown = () => chat.state.messages.map((m) => [m.sender, m.content, m.streaming]);

/** Every `event` the page's `Aurion("on", event, fn)` hears. */
function heard(event) {
  const details = [];
  chat.on(event, (detail) => details.push(detail));
  return details;
}

test("the visitor's message shows at once, is replaced by the stored one, and stays above the answer", async () => {
  widget();
  const socket = await openConnected();
  const release = server.hold();

  const sent = chat.send("Where is my order?");
  assert.deepEqual(shown(), [["user", "Where is my order?", true]]);
  await settle();

  // The answer starts streaming before the POST answers.
  socket.push({ type: "delta", id: "msg_2", content: "It left " });
  release();
  assert.equal(await sent, true);
  const [stored] = server.conversation(1).messages;
  socket.push(stored); // the socket's copy of the visitor's message: no second one
  socket.push(server.add(1, "agent", "It left the warehouse today.", "msg_2"));

  assert.deepEqual(shown(), [
    ["user", "Where is my order?", false],
    ["agent", "It left the warehouse today.", false],
  ]);
  assert.equal(chat.state.messages[0].id, stored.id);
  assert.equal(chat.state.sending, false);
});

test("the socket's copy of the visitor's message replaces it when it comes before the POST's answer", async () => {
  widget();
  const socket = await openConnected();
  const release = server.hold();

  const sent = chat.send("Hello");
  await settle();
  socket.push(server.conversation(1).messages[0]);
  socket.push(server.add(1, "agent", "Hi! How can I help?"));
  release();
  await sent;

  assert.deepEqual(shown(), [
    ["user", "Hello", false],
    ["agent", "Hi! How can I help?", false],
  ]);
});

test("the POST's answer replaces the visitor's message when it comes before the socket's frame", async () => {
  widget();
  const socket = await openConnected();

  assert.equal(await chat.send("Hello"), true);
  socket.push(server.conversation(1).messages[0]);

  assert.deepEqual(shown(), [["user", "Hello", false]]);
});

test("a send the server refuses takes the visitor's message away and says why", async () => {
  widget();
  await openConnected();
  const fetch = globalThis.fetch;
  globalThis.fetch = async (address, init) =>
    init?.method === "POST" ? server.answer(429, { code: "rate_limited", detail: "Slow down." }) : fetch(address, init);

  assert.equal(await chat.send("Anyone there?"), false);

  assert.deepEqual(shown(), []);
  assert.equal(chat.state.notice, "Slow down.");
});

test("a send whose answer was lost stays, and is sent again with the same client id once reconnected, stored once", async () => {
  widget();
  const socket = await openConnected();
  const fetch = globalThis.fetch;
  // The server stores the message, but the answer never reaches the page.
  globalThis.fetch = async (address, init) => {
    const response = await fetch(address, init);
    if (init?.method !== "POST") return response;
    globalThis.fetch = fetch;
    throw new TypeError("Failed to fetch");
  };

  const sending = chat.send("Anyone there?");
  await settle();
  assert.deepEqual(shown(), [["user", "Anyone there?", true]]);
  assert.equal(chat.state.notice, "We can't reach the support server. Check your connection.");

  socket.drop();
  await new Promise((resolve) => setTimeout(resolve, 1100)); // the first reconnection's backoff
  FakeSocket.opened.at(-1).accept();
  assert.equal(await sending, true);

  assert.deepEqual(shown(), [["user", "Anyone there?", false]]);
  assert.equal(server.conversation(1).messages.length, 1);
  const [first, second] = server.posted;
  assert.ok(first.client_id);
  assert.equal(second.client_id, first.client_id);
});

test("deltas stream into one message, which the `message` frame replaces", async () => {
  widget();
  const socket = await openConnected();
  socket.push({ type: "typing", sender: "agent", active: true });
  assert.equal(chat.state.typing, "The assistant is typing");

  socket.push({ type: "delta", id: "msg_9", content: "You can reset " });
  socket.push({ type: "delta", id: "msg_9", content: "it in Settings." });
  assert.deepEqual(shown(), [["agent", "You can reset it in Settings.", true]]);
  assert.equal(chat.state.typing, null);

  socket.push(server.add(1, "agent", "You can reset it in Settings (Account → Password).", "msg_9"));
  socket.push({ type: "delta", id: "msg_9", content: " late" }); // after the final message: ignored
  assert.deepEqual(shown(), [["agent", "You can reset it in Settings (Account → Password).", false]]);
});

test("an answer dropped while it streamed (a person took over) is removed; a stored one stays", async () => {
  widget();
  const socket = await openConnected();
  socket.push({ type: "delta", id: "msg_9", content: "You can reset " });
  socket.push({ type: "delta", id: "msg_9", content: "", dropped: true });
  assert.deepEqual(shown(), []);

  socket.push(server.add(1, "agent", "Refunds take 5 days.", "msg_10"));
  socket.push({ type: "delta", id: "msg_10", content: "", dropped: true }); // too late: it landed
  assert.deepEqual(shown(), [["agent", "Refunds take 5 days.", false]]);
});

test("messages caught up after a reconnect are announced and counted as unread while the panel is closed", async () => {
  server.createSession({ widget_id: WIDGET_ID }); // an earlier visit: conversation 1 has history
  server.add(1, "user", "Hi");
  server.add(1, "agent", "Hello! How can I help?");
  storage.setItem(STORAGE_KEY, JSON.stringify({ token: "token-1", expires_at: "2999-01-01T00:00:00Z", who: "" }));
  widget();
  const unread = heard("unread");
  const socket = await openConnected();
  assert.equal(chat.state.messages.length, 2);
  assert.equal(chat.state.unread, 0, "the history loaded on open is not new");
  chat.setOpen(false);

  socket.drop();
  assert.equal(chat.state.status, "reconnecting");
  server.add(1, "human", "Your refund is on its way.");
  server.add(1, "human", "Anything else?");
  chat.online(); // the browser is back: reconnect at once
  await settle();
  FakeSocket.opened.at(-1).accept();
  await settle();

  assert.equal(chat.state.status, "online");
  assert.equal(chat.state.unread, 2);
  assert.deepEqual(unread, [1, 2]);
  assert.equal(chat.state.announcement, "Support team: Anything else?");
  assert.deepEqual(shown().slice(2), [
    ["human", "Your refund is on its way.", false],
    ["human", "Anything else?", false],
  ]);

  chat.setOpen(true);
  assert.equal(chat.state.unread, 0);
  assert.deepEqual(unread, [1, 2, 0]);
});

test("the status line says connecting, reconnecting and offline", async () => {
  widget();
  chat.setOpen(true);
  assert.equal(chat.state.status, "connecting");
  await settle();
  const socket = FakeSocket.opened.at(-1);
  socket.accept();
  assert.equal(chat.state.status, "online");

  navigator.onLine = false;
  socket.drop();
  assert.equal(chat.state.status, "offline");
  socket.push({ type: "error", detail: "Slow down a little." });
  assert.equal(chat.state.notice, "Slow down a little.");
});

test("a conversation the team closed: the message goes into a new one", async () => {
  widget();
  await openConnected();
  await chat.send("First question");
  server.close(1);

  assert.equal(await chat.send("A new question"), true);
  await settle();

  assert.deepEqual(shown(), [["user", "A new question", false]]);
  assert.deepEqual(server.conversation(2).messages.map((m) => m.content), ["A new question"]);
  assert.equal(JSON.parse(storage.getItem(STORAGE_KEY)).conversation_id, 2);
});

test("shutdown forgets the visitor: nothing stored, no messages, the next visitor starts anew", async () => {
  widget();
  await openConnected();
  await chat.send("My address is 1 Main Street");
  assert.ok(storage.getItem(STORAGE_KEY));

  chat.shutdown();

  assert.equal(storage.getItem(STORAGE_KEY), null);
  assert.deepEqual(shown(), []);
  assert.equal(chat.state.open, false);
  await openConnected();
  assert.equal(server.created.length, 2);
  assert.equal(server.created[1].visitor_token, undefined, "the new visitor is not the old one");
  assert.deepEqual(shown(), []);
});

test("identify as another person starts another conversation; the same person keeps theirs", async () => {
  widget({ email_token: emailToken("ann@example.com") });
  await openConnected();
  await chat.send("Hi, it's Ann");

  chat.identify({ email_token: emailToken("ann@example.com", "a-fresh-signature") });
  await settle();
  assert.deepEqual(shown(), [["user", "Hi, it's Ann", false]]);
  assert.equal(server.created.length, 1);

  chat.identify({ email_token: emailToken("bob@example.com") });
  assert.deepEqual(shown(), []);
  await settle();
  assert.equal(server.created.length, 2);
  assert.equal(server.created[1].email_token, emailToken("bob@example.com"));
});

test("a socket closed for a bad token renews the session before reconnecting", async () => {
  widget();
  const socket = await openConnected();

  socket.drop(4401);
  chat.online();
  await settle();

  assert.equal(server.created.length, 2);
  assert.equal(FakeSocket.opened.at(-1).token, "token-2");
});

test("a person's typing frame names them; the agent's does not", async () => {
  widget();
  const socket = await openConnected();
  socket.push({ type: "typing", sender: "human", active: true, author: { name: "Sam Lee", initials: "SL", color: "#1d4ed8" } });
  assert.equal(chat.state.typing, "Sam Lee is typing");
  socket.push({ type: "typing", sender: "agent", active: true });
  assert.equal(chat.state.typing, "The assistant is typing");
  socket.push({ type: "typing", sender: "agent", active: false });
  assert.equal(chat.state.typing, null);
});

test("the visitor's typing reaches the team at most every 3 s, and stops after 5 s idle or on sending", async (t) => {
  widget();
  const socket = await openConnected();
  t.mock.timers.enable({ apis: ["setTimeout", "Date"] });
  const typing = () => socket.sent.filter((frame) => frame.type === "typing").map((frame) => frame.active);
  chat.typed();
  t.mock.timers.tick(1000);
  chat.typed();
  assert.deepEqual(typing(), [true], "one frame for a burst of keys");
  t.mock.timers.tick(2500);
  chat.typed();
  assert.deepEqual(typing(), [true, true], "again after 3 s of writing");
  t.mock.timers.tick(5000);
  assert.deepEqual(typing(), [true, true, false], "a pause of 5 s ends it");
  t.mock.timers.tick(10000);
  assert.deepEqual(typing(), [true, true, false], "said once");

  chat.typed();
  t.mock.timers.reset();
  await chat.send("Hello");
  assert.deepEqual(typing(), [true, true, false, true, false], "sending ends it at once");
});

test("back online, a socket that lived through the outage clears the offline line at once", async () => {
  widget();
  const socket = await openConnected();
  chat.offline();
  assert.equal(chat.state.status, "offline");
  chat.online();
  assert.equal(chat.state.status, "online");
  assert.equal(FakeSocket.opened.at(-1), socket, "no new socket was needed");
});

test("the history tells how many earlier conversations the visitor had", async () => {
  server.history = { status: "agent", earlier_conversations: 2 };
  widget();
  await openConnected();
  assert.equal(chat.state.earlier, 2);
});

test("a person's reply is read out with their name", async () => {
  widget();
  const socket = await openConnected();
  socket.push({ type: "message", id: "msg_50", sender: "human", content: "Hi, Sam here.", author: { name: "Sam Lee" } });
  assert.equal(chat.state.announcement, "Sam Lee: Hi, Sam here.");
});

test("the first connection keeps a notice said while it was made; a reconnection clears the outage's", async () => {
  widget();
  chat.setOpen(true);
  await settle();
  chat.set({ notice: "No microphone was found." }); // a voice call failed while the socket connected
  const socket = FakeSocket.opened.at(-1);
  socket.accept();
  assert.equal(chat.state.notice, "No microphone was found.");

  socket.drop();
  chat.set({ notice: "We can't reach the support server. Check your connection." });
  chat.online();
  await settle();
  FakeSocket.opened.at(-1).accept();
  assert.equal(chat.state.notice, "");
});
