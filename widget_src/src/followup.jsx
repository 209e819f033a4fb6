/**
 * What follows a hand-off or the end of a conversation, built into its own file
 * (static/aurion-followup.js, with its own copy of Preact) and loaded only when needed:
 * - a hand-off while nobody is in: an anonymous visitor leaves an email address for the answer;
 * - the conversation ended: the rating (good, okay, bad, with an optional comment; it can be
 *   changed for a day) and, where the server sends email, the transcript by email.
 * It draws into an element the panel gives it, on every change of the conversation.
 */
import { h, render } from "preact";
import { setStrings, t, when } from "./strings.js";

const SCORES = ["good", "okay", "bad"];
const CSS = `.ask{display:grid;gap:6px;font-size:14px}.ask p{margin:0}.ask input{flex:1;padding:8px 10px;border:1px solid #6b7280;border-radius:10px;font:inherit}.ask button{padding:6px 12px;border:1px solid #6b7280;border-radius:999px;background:none}.ask [aria-pressed=true],.ask .go{background:var(--p);color:var(--on-p)}.note{margin:0;padding:6px 16px;font-size:13px}`;

async function leaveContact(chat, email) {
  const left = await chat.api("/widget/contact", { email });
  if (left) chat.set({ contact: left.contact_email, notice: "" });
}

async function rate(chat, score, comment) {
  const rated = await chat.api("/widget/rating", { score, comment }, "PUT");
  if (rated) chat.set({ rating: rated.score, notice: "" });
}

async function emailTranscript(chat) {
  const sent = await chat.api("/widget/transcript");
  if (sent) chat.set({ transcript: sent.sent_to, notice: "" });
}

function AskEmail({ chat, config }) {
  if (chat.state.contact) return <p class="note">{t("email_saved", { email: chat.state.contact })}</p>;
  return (
    <form
      class="ask"
      onSubmit={(e) => {
        e.preventDefault();
        leaveContact(chat, e.currentTarget.elements.email.value.trim());
      }}
    >
      <p>{config.next_in ? t("email_ask", { when: when(config, config.next_in) }) : t("email_ask_later")}</p>
      <div class="row">
        <input name="email" type="email" required autocomplete="email" aria-label={t("email_label")} placeholder={t("email_label")} />
        <button class="go">{t("send")}</button>
      </div>
    </form>
  );
}

function Rate({ chat, config }) {
  const { rating, transcript } = chat.state;
  return (
    <form class="ask" aria-label={t("rate_ask")} onSubmit={(e) => e.preventDefault()}>
      <p>{t("rate_ask")}</p>
      <div class="row">
        {SCORES.map((score) => (
          <button
            type="button"
            aria-pressed={rating === score}
            onClick={(e) => rate(chat, score, e.currentTarget.form.elements.comment.value)}
          >
            {t(score)}
          </button>
        ))}
      </div>
      <textarea name="comment" rows={1} aria-label={t("comment")} placeholder={t("comment")} />
      {rating && <p role="status">{t("rated")}</p>}
      {config.transcripts &&
        (transcript ? (
          <p role="status">{t("transcript_sent", { email: transcript })}</p>
        ) : (
          <button type="button" onClick={() => emailTranscript(chat)}>
            {t("transcript")}
          </button>
        ))}
    </form>
  );
}

let styled = false;

/** Draw what follows into `element` for the conversation's current state. */
function draw(element, chat, config) {
  if (!styled) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    chat.root.adoptedStyleSheets = [...chat.root.adoptedStyleSheets, sheet];
    styled = true;
  }
  setStrings(config.strings);
  render(h(chat.state.handoff === "closed" ? Rate : AskEmail, { chat, config }), element);
}

window.AurionFollowUp = { draw };
