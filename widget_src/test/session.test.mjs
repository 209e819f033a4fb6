/** The visitor's session: created when needed, kept across page loads, renewed, forgotten. */
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

import { createClient } from "../src/http.js";
import { Session } from "../src/session.js";
import { emailToken, FakeServer, installBrowser, SERVER, STORAGE_KEY, WIDGET_ID } from "./fakes.mjs";

let server;
let storage;

beforeEach(() => {
  server = new FakeServer();
  storage = installBrowser(server);
});

/** The session of a page load (a new one reads what the last stored). */
function pageLoad(identity = {}) {
  const session = new Session(createClient(SERVER, WIDGET_ID), WIDGET_ID, identity, false);
  session.allowAnonymous = true;
  return session;
}

const stored = () => JSON.parse(storage.getItem(STORAGE_KEY));

/** A history call, as the conversation makes them. */
const history = (session) => session.authed((token) => session.client.history(token));

test("a session is created once, stored under aurion:<widget id>, and kept by the next page load", async () => {
  const session = pageLoad();
  const [first, second] = await Promise.all([session.token(), session.token()]);
  assert.equal(first, "token-1");
  assert.equal(second, "token-1", "two calls at once share one new session");
  assert.equal(stored().token, "token-1");
  assert.equal(stored().visitor_token, "visitor-1");

  assert.equal(await pageLoad().token(), "token-1");
  assert.equal(server.created.length, 1);
});

test("a new session tells the team the page and the visitor's time zone", async () => {
  globalThis.location.href = "https://shop.example/" + "a".repeat(3000);
  await pageLoad().token();
  const [body] = server.created;
  assert.equal(body.page_url.length, 2000, "cut to what the server keeps");
  assert.ok(body.page_url.startsWith("https://shop.example/aaa"));
  assert.equal(body.time_zone, Intl.DateTimeFormat().resolvedOptions().timeZone);
});

test("a session about to expire is renewed for the same visitor", async () => {
  await pageLoad().token();
  storage.setItem(STORAGE_KEY, JSON.stringify({ ...stored(), expires_at: new Date(Date.now() + 30000).toISOString() }));

  assert.equal(await pageLoad().token(), "token-2");
  assert.equal(server.created[1].visitor_token, "visitor-1", "the anonymous visitor stays the same person");
  assert.equal(stored().token, "token-2");
});

test("a refused session is renewed once, and the call made again", async () => {
  const session = pageLoad();
  await session.token();
  server.refuse("token-1");

  const { messages } = await history(session);

  assert.deepEqual(messages, []);
  assert.equal(server.created.length, 2);
  assert.equal(stored().token, "token-2");
});

test("a session refused again is not renewed in a loop: the visitor is told", async () => {
  const session = pageLoad();
  await session.token();
  server.refuse("token-1");
  server.refuse("token-2");

  await assert.rejects(history(session), { status: 401, message: "Sign in again." });
  assert.equal(server.created.length, 2);
});

test("another person's stored session is not used", async () => {
  await pageLoad({ email_token: emailToken("ann@example.com") }).token();

  const bob = pageLoad({ email_token: emailToken("bob@example.com") });
  assert.equal(await bob.token(), "token-2");
  assert.equal(stored().who, "bob@example.com");
});

test("without anonymous chat, a visitor who is not signed in is asked to sign in", async () => {
  const session = pageLoad();
  session.allowAnonymous = false;

  await assert.rejects(session.token(), { code: "sign_in", message: "Please sign in on this site to chat with us." });
  assert.equal(server.created.length, 0);
});

test("forgetting the visitor clears the storage, even of a session still being created", async () => {
  const session = pageLoad();
  const creating = session.token();

  session.forget();
  await creating;

  assert.equal(storage.getItem(STORAGE_KEY), null);
  assert.deepEqual(session.saved, {});
});

test("a preview never reaches the server", async () => {
  const session = new Session(createClient(SERVER, WIDGET_ID), WIDGET_ID, {}, true);

  await assert.rejects(session.token(), { code: "preview" });
  assert.equal(server.created.length, 0);
});
