/** The launcher, the panel when open, and the live region that reads new messages out. */
import { CHAT, CLOSE, Icon } from "./icons.jsx";
import { Panel } from "./Panel.jsx";
import { t } from "./strings.js";

export function App({ chat, config }) {
  const { open, unread, announcement } = chat.state;
  return (
    <>
      <div class="sr" aria-live="polite">
        {announcement}
      </div>
      {open && <Panel chat={chat} config={config} />}
      <button
        class="launcher"
        aria-expanded={open}
        aria-label={t(open ? "close_chat" : "open_chat") + (unread ? ", " + t("unread", { n: unread }) : "")}
        onClick={() => chat.setOpen(!open)}
      >
        <Icon d={open ? CLOSE : CHAT} />
        {unread > 0 && (
          <span class="badge" aria-hidden="true">
            {unread}
          </span>
        )}
      </button>
    </>
  );
}
