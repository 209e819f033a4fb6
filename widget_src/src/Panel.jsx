/** The open conversation: header, status in words, messages, typing indicator, composer. */
import { Composer } from "./Composer.jsx";
import { CLOSE, Icon } from "./icons.jsx";
import { Message } from "./Message.jsx";

const STATUS = {
  connecting: "Connecting…",
  reconnecting: "Connection lost. Reconnecting…",
  offline: "You are offline.",
};
const HANDOFF = {
  waiting: "Waiting for a person from the team to join…",
  human: "You are chatting with a person from the team.",
  closed: "This conversation has ended. Write again to start a new one.",
};
const TYPING = { agent: "The assistant is typing", human: "A person from the team is typing" };

export function Panel({ chat, config }) {
  const state = chat.state;
  /** Close, and give focus back to the launcher. */
  const close = (event) => {
    const launcher = event.currentTarget.getRootNode().querySelector(".launcher");
    chat.setOpen(false);
    launcher.focus();
  };
  const drag = (dragging) => (event) => {
    event.preventDefault();
    chat.set({ dragging });
  };

  return (
    <section
      class={state.dragging ? "panel drop" : "panel"}
      role="dialog"
      aria-label={"Chat with " + config.name}
      onKeyDown={(e) => e.key === "Escape" && close(e)}
      onDragOver={drag(true)}
      onDragLeave={(e) => !e.currentTarget.contains(e.relatedTarget) && drag(false)(e)}
      onDrop={(e) => {
        drag(false)(e);
        chat.attach(e.dataTransfer.files);
      }}
    >
      <header>
        <h2>{config.name}</h2>
        {state.handoff === "agent" && (
          <button type="button" onClick={() => chat.requestHuman()}>
            Talk to a person
          </button>
        )}
        <button type="button" class="close" aria-label="Close chat" onClick={close}>
          <Icon d={CLOSE} />
        </button>
      </header>
      <p class="status" role="status">
        {state.notice || STATUS[state.status] || HANDOFF[state.handoff] || ""}
      </p>
      <ol class="log" aria-label="Conversation" tabIndex={0}>
        <Message message={{ sender: "agent", content: config.greeting }} chat={chat} />
        {state.messages.map((m) => (
          <Message key={m.id} message={m} chat={chat} />
        ))}
      </ol>
      {state.typing && <p class="typing">{TYPING[state.typing]}</p>}
      <Composer chat={chat} />
    </section>
  );
}
