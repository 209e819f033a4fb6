/**
 * The widget's voice call, built into its own file (static/aurion-voice.js) and loaded
 * only by widgets that offer voice: the chat bundle stays small and chat-only widgets
 * never download it. This file is the call's controls: the mic button in the composer,
 * and during a call the state in words, the microphone's level, mute and hang up. It
 * opens the microphone, then hands the call to its transport:
 *
 * - embedded (the server's voice socket): voice-socket.js, built into this file, which
 *   captures through an AudioWorklet whose module (static/aurion-capture-worklet.js,
 *   built from capture-worklet.js) is loaded from the Aurion host;
 * - LiveKit (a token with `transport: "livekit"`): the LiveKit client is a file of its
 *   own (static/aurion-livekit.js, built from livekit.js), loaded only then.
 *
 * Both answer `start({access, audio, stream, update, fail})` with `{mute(on), hangUp()}`.
 */
import { setStrings, t } from "./strings.js";
import * as voiceSocket from "./voice-socket.js";

/** Why the microphone could not be used, in words; chat still works. */
function micProblem(error) {
  if (error?.name === "NotAllowedError" || error?.name === "SecurityError") return t("mic_denied");
  if (error?.name === "NotFoundError" || error?.name === "OverconstrainedError") return t("mic_missing");
  return t("mic_failed");
}
const CSS = `.voice{display:flex;flex-wrap:wrap;align-items:center;gap:8px;padding:8px 16px;border-top:1px solid #e5e7eb;background:#eef2ff}
.voice p{margin:0}.voice .state{flex:1;font-weight:600}.voice meter{width:80px}
.voice button{padding:4px 10px;border:1px solid #374151;border-radius:999px;background:#fff;font:inherit;cursor:pointer}
.voice .hang-up{border-color:#b91c1c;background:#b91c1c;color:#fff}.voice .heard,.voice .recorded{flex-basis:100%;font-size:13px;color:#374151}`;

/**
 * The call's controls, drawn by this file (not the chat bundle) above the composer:
 * the state in words, the microphone's level, mute and hang up. Re-attached when the
 * panel is closed and opened again mid-call.
 */
function controls(root) {
  const bar = element("div", { class: "voice", role: "group", "aria-label": t("voice_call") });
  bar.append(
    element("p", { class: "state", role: "status" }),
    element("meter", { min: "0", max: "1", value: "0", "aria-label": t("mic_level") }),
    element("button", { type: "button", class: "mute", "aria-pressed": "false" }, t("mute")),
    element("button", { type: "button", class: "hang-up" }, t("hang_up")),
    element("p", { class: "heard", "aria-live": "polite" }),
    element("p", { class: "recorded", "aria-live": "polite" }),
  );
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  const part = (selector) => bar.querySelector(selector);
  let removed = false;
  return {
    bar,
    show({ state, level, muted, heard, recorded }) {
      // A microphone event already queued when the call ended must not bring the controls back.
      if (removed) return;
      if (!bar.isConnected) root.querySelector(".panel > form")?.before(bar);
      if (state !== undefined) part(".state").textContent = state ? t(state) : "";
      if (level !== undefined) part("meter").value = level;
      if (muted !== undefined) {
        part(".mute").textContent = t(muted ? "unmute" : "mute");
        part(".mute").setAttribute("aria-pressed", String(muted));
        if (muted) part(".state").textContent = t("muted");
      }
      if (heard !== undefined) part(".heard").textContent = heard;
      if (recorded) part(".recorded").textContent = t("call_recorded");
    },
    remove() {
      removed = true;
      bar.remove();
      root.adoptedStyleSheets = root.adoptedStyleSheets.filter((s) => s !== sheet);
    },
  };
}

const SVG = "http://www.w3.org/2000/svg";
const MIC = "M12 15a3 3 0 0 0 3-3V6a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.9V21h2v-2.1a7 7 0 0 0 6-6.9z";

/** A DOM element with attributes and text: the widget never writes HTML. */
function element(tag, attributes, text = "", namespace) {
  const node = namespace ? document.createElementNS(namespace, tag) : document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.textContent = text;
  return node;
}

/**
 * Add the mic button to `chat`'s composer (again after every render that drops it).
 * A click starts a call on an AudioContext made inside that click, so that the
 * browser lets it play the agent's voice.
 */
function attach(chat) {
  setStrings(chat.config.strings);
  const mic = element("button", { type: "button", class: "icon mic", "aria-label": t("start_call") });
  const icon = element("svg", { viewBox: "0 0 24 24", "aria-hidden": "true", focusable: "false" }, "", SVG);
  icon.append(element("path", { d: MIC }, "", SVG));
  mic.append(icon);
  mic.onclick = () => {
    if (chat.session.preview) return chat.set({ notice: t("voice_preview") });
    mic.hidden = true;
    call(chat, new AudioContext({ sampleRate: voiceSocket.RATE }), () => (mic.hidden = false));
  };
  const place = () => {
    const send = chat.root.querySelector(".panel .send");
    if (send && send.previousSibling !== mic) send.before(mic);
  };
  chat.subscribe(place);
  place();
}

/**
 * Run a call for `chat`. With `data-voice-processing="off"` on the snippet the
 * microphone comes without echo cancellation, noise suppression and gain control
 * (tests that need the audio unchanged).
 */
async function call(chat, audio, ended) {
  const ui = controls(chat.root);
  ui.show({ state: "connecting" });
  const fail = (words) => {
    ui.remove();
    audio.close();
    ended();
    if (words) chat.set({ notice: words });
  };
  try {
    await chat.start();
    const { session } = chat;
    const access = await session.authed((token) =>
      chat.client.call("/voice-widget/token", { method: "POST", token, json: { widget_id: session.widgetId } }),
    );
    // Said before the microphone opens: the visitor can still hang up.
    if (access.recorded) ui.show({ recorded: true });
    const current = await startCall({
      chat,
      access,
      audio,
      update: ui.show,
      fail,
      processing: chat.root.host.dataset.voiceProcessing !== "off",
    });
    const mute = ui.bar.querySelector(".mute");
    mute.onclick = () => current.mute(mute.getAttribute("aria-pressed") !== "true");
    ui.bar.querySelector(".hang-up").onclick = () => current.hangUp();
  } catch (error) {
    fail(error.message || t("call_failed"));
  }
}

/** Open the microphone and start the call on the transport `access` names. */
async function startCall({ chat, access, audio, update, fail, processing }) {
  if (access.transport !== "embedded" && access.transport !== "livekit") {
    throw new Error(t("call_failed"));
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: processing, noiseSuppression: processing, autoGainControl: processing },
    });
  } catch (error) {
    throw new Error(micProblem(error));
  }
  if (access.transport === "livekit") {
    try {
      const livekit = await chat.part("livekit", "AurionLiveKit").catch(() => {
        throw new Error(t("voice_load_failed"));
      });
      return await livekit.start({ access, audio, stream, update, fail, strings: chat.config.strings });
    } catch (error) {
      stream.getTracks().forEach((track) => track.stop());
      throw error;
    }
  }
  try {
    // From the Aurion host, as this file: a page's CSP that lets the widget in lets this in.
    await audio.audioWorklet.addModule(chat.client.link("voice-widget/embed/aurion-capture-worklet.js"));
  } catch {
    stream.getTracks().forEach((track) => track.stop());
    throw new Error(t("voice_load_failed"));
  }
  return voiceSocket.start({ access, audio, stream, update, fail });
}

window.AurionVoice = { attach };
