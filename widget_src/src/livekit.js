/**
 * The LiveKit transport of the widget's voice call, built into its own file
 * (static/aurion-livekit.js) because livekit-client is large: the voice part
 * (voice.js) loads it only when `POST /voice-widget/token` answers
 * `transport: "livekit"`, so chat-only visitors and embedded-voice calls never
 * download it.
 *
 * A sibling of the embedded transport (voice-socket.js): voice.js has already opened the
 * microphone and made the AudioContext inside the visitor's click for either; this
 * joins the room at `ws_url` with `token`, publishes that microphone, plays the
 * agent's audio through that AudioContext (so autoplay rules allow it), and drives the
 * same controls. The state comes from the worker's data packets (topic `aurion.voice`,
 * the voice socket's JSON events, read by voice-call.js for both transports), or, until
 * one arrives, from who is speaking.
 * The words of both sides reach the chat socket as ordinary messages, because the
 * worker adds its turns to the conversation.
 */
import { LogLevel, Room, RoomEvent, Track, setLogLevel } from "livekit-client";
import { setStrings, t } from "./strings.js";
import { level, showEvent } from "./voice-call.js";

const EVENTS_TOPIC = "aurion.voice";

// livekit-client logs every step at info; the host page's console is not ours to fill.
setLogLevel(LogLevel.warn);

async function start({ access, audio, stream, update, fail, strings }) {
  setStrings(strings); // this file's own copy of the catalogue module
  const room = new Room({ webAudioMix: { audioContext: audio } });
  const microphone = stream.getAudioTracks()[0];
  const players = [];
  let muted = false;
  let ended = false;
  let toldState = false; // the worker's data packets say the state; then speakers are not needed

  // The microphone's level, for the meter.
  const analyser = audio.createAnalyser();
  analyser.fftSize = 512;
  const source = audio.createMediaStreamSource(stream);
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  const meter = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    update({ level: muted ? 0 : level(samples) });
  }, 100);

  function end(words) {
    if (ended) return;
    ended = true;
    clearInterval(meter);
    source.disconnect();
    players.forEach(({ track, element }) => track.detach(element));
    stream.getTracks().forEach((track) => track.stop());
    room.disconnect();
    fail(words);
  }

  room.on(RoomEvent.TrackSubscribed, (track) => {
    if (track.kind === Track.Kind.Audio) players.push({ track, element: track.attach() });
  });
  room.on(RoomEvent.ActiveSpeakersChanged, (speakers) => {
    if (toldState || muted) return;
    update({ state: speakers.some((p) => p !== room.localParticipant) ? "speaking" : "listening" });
  });
  room.on(RoomEvent.DataReceived, (payload, participant, kind, topic) => {
    if (topic !== EVENTS_TOPIC) return;
    // barge_in: the worker clears the agent's queued audio itself.
    showEvent(new TextDecoder().decode(payload), update, {
      state(state) {
        toldState = true;
        if (!muted) update({ state });
      },
    });
  });
  room.on(RoomEvent.Disconnected, () => end(t("disconnected")));

  try {
    await room.connect(access.ws_url, access.token, { autoSubscribe: true });
  } catch {
    ended = true;
    clearInterval(meter);
    source.disconnect();
    room.disconnect();
    throw new Error(t("voice_unreachable"));
  }
  try {
    await room.localParticipant.publishTrack(microphone, { source: Track.Source.Microphone, name: "microphone" });
  } catch {
    end(t("mic_not_sent"));
    return { mute() {}, hangUp() {} };
  }
  update({ state: "listening" });

  return {
    mute(on) {
      muted = on;
      microphone.enabled = !on;
      room.localParticipant.getTrackPublication(Track.Source.Microphone)?.track?.[on ? "mute" : "unmute"]();
      update({ muted, level: 0 });
      if (!on) update({ state: "listening" });
    },
    hangUp() {
      end("");
    },
  };
}

window.AurionLiveKit = { start };
