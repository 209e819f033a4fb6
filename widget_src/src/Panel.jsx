/** The open conversation: header, status in words, messages, typing indicator, composer.
 * Outside business hours the header says when a person is back. What follows a hand-off
 * while away (an anonymous visitor's email) and the end (the rating) is a part of the
 * widget loaded only then (followup.jsx). */
import { Composer } from "./Composer.jsx";
import { CLOSE, Icon } from "./icons.jsx";
import { Avatar, Message } from "./Message.jsx";
import { t, when } from "./strings.js";

// Connection states the status line names; otherwise it names who answers.
const LINK = ["connecting", "reconnecting", "offline"];


export function Panel({ chat, config }) {
  const state = chat.state;
  const { handoff } = state;
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
      aria-label={t("chat_with", config)}
      onKeyDown={(e) => e.key === "Escape" && close(e)}
      onDragOver={drag(true)}
      onDragLeave={(e) => !e.currentTarget.contains(e.relatedTarget) && drag(false)(e)}
      onDrop={(e) => {
        drag(false)(e);
        chat.attach(e.dataTransfer.files);
      }}
    >
      <header>
        {config.team?.map((person) => (
          <Avatar person={person} chat={chat} />
        ))}
        <h2>
          {config.name}
          {!config.team_in ? (
            <small>{config.next_in ? t("away", { when: when(config, config.next_in) }) : t("away_now")}</small>
          ) : (
            config.reply_time && <small>{t("replies_in", { time: config.reply_time })}</small>
          )}
        </h2>
        {handoff === "agent" && (
          <button type="button" onClick={() => chat.requestHuman()}>
            {t("talk_to_person")}
          </button>
        )}
        {handoff !== "closed" && state.messages.length > 0 && (
          <button type="button" onClick={() => chat.end()}>
            {t("end_chat")}
          </button>
        )}
        <button type="button" class="close" aria-label={t("close_chat")} onClick={close}>
          <Icon d={CLOSE} />
        </button>
      </header>
      <p class="status" role="status">
        {state.notice || (LINK.includes(state.status) ? t(state.status) : handoff !== "agent" && t(handoff))}
      </p>
      <ol class="log" aria-label={t("conversation")} tabIndex={0}>
        {state.earlier > 0 && (
          <li class="past">
            {state.past ? (
              <div ref={chat.drawn("past", "AurionPast")} />
            ) : (
              <button type="button" onClick={() => chat.set({ past: true })}>
                {t("earlier_show", { n: state.earlier })}
              </button>
            )}
          </li>
        )}
        <Message message={{ sender: "agent", content: config.greeting }} chat={chat} />
        {state.messages.map((m) => (
          <Message key={m.id} message={m} chat={chat} />
        ))}
      </ol>
      {state.typing && <p class="typing">{state.typing}</p>}
      {(handoff === "closed" || (handoff === "waiting" && state.away && !chat.session.who())) && (
        <div ref={chat.drawn("followup", "AurionFollowUp", config)} />
      )}
      <Composer chat={chat} />
    </section>
  );
}
