/** What a voice call shows and sends, whichever transport carries it. */
import assert from "node:assert/strict";
import { test } from "node:test";

import "./fakes.mjs"; // the catalogue strings the tests read
import { level, showEvent } from "../src/voice-call.js";
import { fromPcm16, toPcm16 } from "../src/voice-socket.js";

test("the level meter is empty in silence, moves with speech and never overflows", () => {
  assert.equal(level(new Float32Array(512)), 0);
  const speech = level(new Float32Array(512).fill(0.1));
  assert.ok(speech > 0.3 && speech < 0.5, speech);
  assert.equal(level(new Float32Array(512).fill(0.9)), 1);
});

/** What `showEvent` does with `text`: the controls' updates and the transport's calls. */
function shownFor(text) {
  const seen = [];
  showEvent(text, (patch) => seen.push(patch), {
    state: (state) => seen.push(["state", state]),
    bargeIn: () => seen.push(["barge_in"]),
  });
  return seen;
}

test("voice events reach the controls in words, and the transport's own to the transport", () => {
  assert.deepEqual(shownFor('{"event": "state", "state": "thinking"}'), [["state", "thinking"]]);
  assert.deepEqual(shownFor('{"event": "barge_in"}'), [["barge_in"]]);
  assert.deepEqual(shownFor('{"event": "not_understood"}'), [{ heard: "Sorry, I didn't catch that. Please say it again." }]);
  assert.deepEqual(shownFor('{"type": "error", "detail": "Too many calls."}'), [{ heard: "Too many calls." }]);
  assert.deepEqual(shownFor("not json"), []);
  assert.deepEqual(shownFor('{"event": "something new"}'), []);
});

test("LiveKit's barge-in needs nothing from the widget", () => {
  assert.doesNotThrow(() => showEvent('{"event": "barge_in"}', () => {}, { state() {} }));
});

test("microphone samples go out as PCM16 (clipped) and the agent's PCM16 plays back as samples", () => {
  const pcm = toPcm16(new Float32Array([0, 0.5, -0.5, 1, -1, 2, -2]));
  assert.deepEqual(Array.from(pcm), [0, 16383, -16383, 32767, -32767, 32767, -32767]);
  // Little-endian on the wire: the socket carries `pcm.buffer` as it is.
  assert.deepEqual(Array.from(new Uint8Array(pcm.buffer.slice(2, 4))), [0xff, 0x3f]);

  const samples = fromPcm16(new Int16Array([0, 16384, -32768, 32767]).buffer);
  assert.deepEqual(Array.from(samples), [0, 0.5, -1, 32767 / 32768]);
});
