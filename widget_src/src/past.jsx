/**
 * The visitor's earlier conversations, read-only, newest first: built into its own file
 * (static/aurion-past.js, with its own copy of Preact) and loaded only when the visitor asks
 * to see them. It draws into an element the panel gives it, fetching once per element.
 */
import { h, render } from "preact";
import { Message } from "./Message.jsx";
import { setStrings, t, when } from "./strings.js";

const CSS = `.past h3{margin:4px 0;font-size:13px}.past ol{display:flex;flex-direction:column;gap:10px;margin:0 0 12px;padding:0 0 12px;border-bottom:1px solid #e5e7eb;list-style:none}`;

function Earlier({ chat, conversations }) {
  return (
    <section aria-label={t("earlier")}>
      {conversations.map((conversation) => (
        <>
          <h3>{t("earlier_from", { when: when(chat.config, conversation.created_at) })}</h3>
          <ol>
            {conversation.messages.map((message) => (
              <Message key={message.id} message={message} chat={chat} />
            ))}
          </ol>
        </>
      ))}
    </section>
  );
}

let styled = false;

/** Draw the visitor's earlier conversations into `element` (fetched the first time). */
function draw(element, chat) {
  if (!styled) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    chat.root.adoptedStyleSheets = [...chat.root.adoptedStyleSheets, sheet];
    styled = true;
  }
  setStrings(chat.config.strings);
  element.earlier ||= chat.api("/widget/conversations", undefined, "GET").then((page) => {
    if (page) element.scrollIntoView({ block: "start" });
    return page;
  });
  element.earlier.then((page) => page && render(h(Earlier, { chat, conversations: page.conversations }), element));
}

window.AurionPast = { draw };
