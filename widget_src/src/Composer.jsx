/** Writing a message: Enter sends, Shift+Enter starts a new line; files by button, drop or paste
 * (uploaded and shown by the files part). */
import { ATTACH, Icon, SEND } from "./icons.jsx";
import { t } from "./strings.js";

/** Opening the panel moves focus into the message box (a stable ref runs on mount only). */
const focusOnMount = (element) => element?.focus();

export function Composer({ chat }) {
  const { pending, sending } = chat.state;
  const submit = async (box) => {
    if (await chat.send(box.value.trim())) box.value = "";
    box.focus();
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit(e.currentTarget.elements.message);
      }}
    >
      {pending.length > 0 && <div ref={chat.drawn("files", "AurionFiles")} />}
      <div class="row">
        <label class="icon">
          <Icon d={ATTACH} />
          <input
            type="file"
            class="sr"
            aria-label={t("attach")}
            multiple
            onChange={(e) => {
              chat.attach(e.currentTarget.files);
              e.currentTarget.value = "";
            }}
          />
        </label>
        <textarea
          ref={focusOnMount}
          name="message"
          rows={1}
          aria-label={t("message")}
          placeholder={t("placeholder")}
          onInput={() => chat.typed()}
          onKeyDown={(e) => {
            if (e.key !== "Enter" || e.shiftKey || e.isComposing) return;
            e.preventDefault();
            submit(e.currentTarget);
          }}
          onPaste={(e) => {
            if (!e.clipboardData.files.length) return;
            e.preventDefault();
            chat.attach(e.clipboardData.files);
          }}
        />
        <button class="icon send" aria-label={t("send")} disabled={sending || pending.some((item) => !item.record)}>
          <Icon d={SEND} />
        </button>
      </div>
    </form>
  );
}
