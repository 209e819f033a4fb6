/**
 * The embed script. It finds its own <script> tag, reads the snippet's data-* attributes
 * (`data-widget-id`, `data-email-token`, `data-display-name`), learns the Aurion server
 * from its own `src`, and adds an <aurion-widget> element whose shadow root holds the UI.
 */
import { h, render } from "preact";
import { App } from "./App.jsx";
import { Conversation } from "./conversation.js";
import { installCommands } from "./commands.js";
import { createClient } from "./http.js";
import { Session } from "./session.js";
import { setStrings } from "./strings.js";
import { styleSheets } from "./theme.js";

const TAG = "aurion-widget";
const EMBED_PATH = /\/api\/v1\/voice-widget\/embed\/[^/]*$/;

/** Why the widget is not shown, for the site's developer. */
function refusal(error, widgetId) {
  const why = error.status
    ? error.message // the server's own words (problem detail)
    : `refused or unreachable. On a CORS error, "${location.hostname}" is not an allowed domain of the widget.`;
  return `Aurion: widget ${widgetId} is not shown: ${why}`;
}

/** The widget as a custom element, configured by its data-* attributes. */
class AurionWidget extends HTMLElement {
  connectedCallback() {
    const data = this.dataset;
    const { widgetId, server } = data;
    const client = createClient(server, widgetId);
    // The dashboard's live preview: the settings come from data-*, and nothing is sent.
    const preview = data.preview === "true";
    const identity = { email_token: data.emailToken, display_name: data.displayName };
    const chat = (this.chat = new Conversation(new Session(client, widgetId, identity, preview)));
    installCommands(chat);
    if (data.open === "true") chat.setOpen(true);
    const root = (chat.root = this.shadowRoot || this.attachShadow({ mode: "open" }));
    const settings = preview
      ? Promise.resolve({ ...data, modes: data.modes?.split(" "), team_in: true, colors: JSON.parse(data.colors), strings: JSON.parse(data.strings) })
      : client.config();
    settings.then(
      (config) => {
        if (this.chat !== chat) return; // removed from the page meanwhile
        setStrings(config.strings);
        root.adoptedStyleSheets = styleSheets(config);
        const draw = () => {
          render(h(App, { chat, config }), root);
          const log = root.querySelector(".log");
          if (log) log.scrollTop = log.scrollHeight;
        };
        chat.subscribe(draw);
        draw();
        chat.ready(config);
        // Voice is a file of its own, loaded only where the widget offers it; it adds the mic
        // (in the dashboard's preview too, where a click only says it is a preview).
        if (config.modes?.includes("voice")) chat.part("voice", "AurionVoice").then((voice) => voice.attach(chat));
      },
      (error) => {
        console.error(refusal(error, widgetId));
        this.remove();
      },
    );
  }

  disconnectedCallback() {
    this.chat?.stop();
    this.chat = null;
    render(null, this.shadowRoot);
  }
}

function embed(script) {
  if (!script?.dataset.widgetId) return console.error("Aurion: the embed <script> needs a data-widget-id attribute.");
  if (!customElements.get(TAG)) customElements.define(TAG, AurionWidget);
  if (document.querySelector(TAG)) return; // the snippet is on the page twice
  const widget = document.createElement(TAG);
  const src = script.src;
  Object.assign(widget.dataset, script.dataset, {
    server: EMBED_PATH.test(src) ? src.replace(EMBED_PATH, "") : new URL(src).origin,
  });
  document.body.appendChild(widget);
}

const script = document.currentScript || document.querySelector("script[data-widget-id]");
if (document.body) embed(script);
else addEventListener("DOMContentLoaded", () => embed(script));
