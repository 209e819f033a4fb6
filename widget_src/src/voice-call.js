/**
 * What both transports of a voice call share (the voice socket, voice-socket.js, and
 * LiveKit, livekit.js): the microphone's level for the meter, and the voice events,
 * which the voice socket sends as JSON frames and the LiveKit worker as data packets.
 */

import { t } from "./strings.js";

/** The meter's reading, 0 to 1, for a run of microphone samples (-1 to 1): loudness, scaled so speech fills it. */
export function level(samples) {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.min(1, Math.sqrt(sum / samples.length) * 4);
}

/**
 * Show the voice event in `text` (JSON) on the controls through `update`. The new state
 * (`on.state(state)`) and a barge-in (`on.bargeIn()`) are for the transport to handle.
 * Text that is not an event is ignored.
 */
export function showEvent(text, update, on) {
  let frame;
  try {
    frame = JSON.parse(text);
  } catch {
    return;
  }
  if (frame.event === "state") on.state(frame.state);
  else if (frame.event === "barge_in") on.bargeIn?.();
  else if (frame.event === "not_understood") update({ heard: t("not_understood") });
  else if (frame.type === "error") update({ heard: frame.detail });
}
