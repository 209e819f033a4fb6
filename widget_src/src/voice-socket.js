/**
 * The embedded transport of the widget's voice call: the server's own voice socket (see
 * docs/voice.md, "The voice socket's framing"), a sibling of the LiveKit transport (livekit.js), built
 * into the voice part (static/aurion-voice.js).
 *
 * The microphone, captured at 16 kHz through the AudioContext the visitor's click made by
 * an AudioWorklet (capture-worklet.js, whose module voice.js has added to that context),
 * goes out as PCM16 little-endian frames; the agent's voice comes back in the same
 * format and is scheduled gap-free on the same AudioContext (so autoplay rules allow
 * it). `barge_in` drops what is queued. The words of both sides arrive on the chat
 * socket as ordinary messages.
 */
import { t } from "./strings.js";
import { level, showEvent } from "./voice-call.js";

/** The sample rate of the voice socket's audio, both ways. */
export const RATE = 16000;
/** The capture processor's name, as capture-worklet.js registers it. */
export const CAPTURE = "aurion-capture";

/** Microphone samples (-1 to 1) as one PCM16 frame for the socket (little-endian, as every browser's Int16Array is). */
export function toPcm16(samples) {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = Math.max(-1, Math.min(1, samples[i])) * 0x7fff;
  return out;
}

/** A PCM16 frame from the socket as samples (-1 to 1) to play. */
export function fromPcm16(buffer) {
  const pcm = new Int16Array(buffer);
  const samples = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) samples[i] = pcm[i] / 0x8000;
  return samples;
}

/**
 * Join the call that `access` (`POST /voice-widget/token`'s answer) opens, with the
 * microphone `stream`, playing on `audio`; `update` drives the controls, `fail(words)`
 * ends the call in words. Returns `{mute(on), hangUp()}`, as livekit.js does.
 */
export function start({ access, audio, stream, update, fail }) {
  const socket = new WebSocket(access.ws_url + "?token=" + encodeURIComponent(access.token));
  socket.binaryType = "arraybuffer";
  let muted = false;
  update({ state: "connecting" });
  let ended = false;
  let playing = [];
  let playAt = 0;

  const source = audio.createMediaStreamSource(stream);
  const capture = new AudioWorkletNode(audio, CAPTURE, { channelCount: 1 });
  capture.port.onmessage = ({ data: samples }) => {
    update({ level: muted ? 0 : level(samples) });
    if (!muted && socket.readyState === WebSocket.OPEN) socket.send(toPcm16(samples).buffer);
  };
  // Connected to the output so that the browser runs it; what it outputs is silence.
  source.connect(capture);
  capture.connect(audio.destination);

  function play(buffer) {
    const samples = fromPcm16(buffer);
    const clip = audio.createBuffer(1, samples.length, RATE);
    clip.copyToChannel(samples, 0);
    const node = audio.createBufferSource();
    node.buffer = clip;
    node.connect(audio.destination);
    playAt = Math.max(playAt, audio.currentTime + 0.05);
    node.start(playAt);
    playAt += clip.duration;
    playing.push(node);
    node.onended = () => (playing = playing.filter((n) => n !== node));
  }

  function silence() {
    playing.forEach((node) => node.stop());
    playing = [];
    playAt = 0;
  }

  function end(words) {
    if (ended) return;
    ended = true;
    silence();
    capture.port.onmessage = null;
    capture.disconnect();
    source.disconnect();
    stream.getTracks().forEach((track) => track.stop());
    if (socket.readyState <= WebSocket.OPEN) socket.close();
    if (words) fail(words);
  }

  socket.onopen = () => update({ state: "listening" });
  socket.onclose = () => end(ended ? "" : t("disconnected"));
  socket.onmessage = (event) => {
    if (typeof event.data !== "string") return play(event.data);
    showEvent(event.data, update, { state: (state) => update({ state }), bargeIn: silence });
  };

  return {
    mute(on) {
      muted = on;
      update({ muted, level: 0 });
    },
    hangUp() {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "hangup" }));
      end("");
      fail("");
    },
  };
}
