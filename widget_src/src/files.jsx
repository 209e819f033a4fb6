/**
 * Files, built into its own file (static/aurion-files.js, with its own copy of Preact) and
 * loaded only when the visitor picks, drops or pastes a file, or a message carries one:
 * - uploads for the next message: each uploads at once and shows as a chip (images with a
 *   local preview) until the message is sent;
 * - a message's files: images fetched with the visitor's bearer token and shown as
 *   previews, any other file named and linked.
 * The model keeps `pending` and `previews` (what a send or a reset needs); this part fills them.
 */
import { h, render } from "preact";
import { setStrings, t } from "./strings.js";
import { Link, safeHref } from "./text.js";

const CSS = `.pending{display:flex;flex-wrap:wrap;gap:6px;margin:0 0 6px;padding:0;list-style:none}.chip{display:flex;align-items:center;gap:4px;max-width:180px;padding:2px 2px 2px 6px;border:1px solid #d1d5db;border-radius:8px;font-size:12px}.chip span{overflow:hidden;text-overflow:ellipsis}.chip img{width:32px;height:32px;object-fit:cover;border-radius:4px}.chip button{min-width:24px;min-height:24px;border:0;background:none;font-size:16px}.files img{display:block;max-width:100%;max-height:180px;margin-top:6px;border-radius:8px}`;

let keys = 0;
const isImage = (type) => /^image\//.test(type);

function detach(chat, item) {
  if (item.preview) URL.revokeObjectURL(item.preview);
  chat.set({ pending: chat.state.pending.filter((x) => x.key !== item.key) });
}

/** Upload `files` for the next message; each shows at once, images with a local preview. */
function attach(chat, files) {
  files.forEach(async (file) => {
    const item = { key: ++keys, name: file.name, preview: isImage(file.type) && URL.createObjectURL(file) };
    chat.set({ pending: [...chat.state.pending, item] });
    const form = new FormData();
    form.append("file", file);
    try {
      const record = await chat.session.authed((token) => chat.client.call("/widget/uploads", { method: "POST", token, form }));
      chat.set({ pending: chat.state.pending.map((x) => (x.key === item.key ? { ...x, record } : x)) });
    } catch (error) {
      chat.fail(error);
      detach(chat, item);
    }
  });
}

/** An image attachment's object URL once fetched with the visitor's credentials (a re-render follows). */
function preview(chat, file) {
  const previews = chat.previews;
  if (!(file.url in previews)) {
    previews[file.url] = null;
    const { link, named } = chat.client;
    chat.session
      .authed((token) =>
        fetch(named(link(file.url)), { headers: { Authorization: "Bearer " + token } }).then((r) => {
          if (!r.ok) throw r;
          return r.blob();
        }),
      )
      .then(
        (blob) => {
          previews[file.url] = URL.createObjectURL(blob);
          chat.set({});
        },
        () => {}, // no preview: the file is still named and linked
      );
  }
  return previews[file.url];
}

function Pending({ chat }) {
  return (
    <ul class="pending" aria-label={t("attachments")}>
      {chat.state.pending.map((item) => (
        <li class="chip" key={item.key}>
          {item.preview && <img src={item.preview} alt="" />}
          <span>{item.record ? item.name : t("uploading", item)}</span>
          <button type="button" aria-label={t("remove", item)} onClick={() => detach(chat, item)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

function Attachment({ file, chat }) {
  const src = isImage(file.type) && preview(chat, file);
  if (src) return <img src={src} alt={file.name} />;
  const href = safeHref(chat.client.link(file.url));
  const name = "📎 " + file.name;
  return <span class="who">{href ? <Link href={href}>{name}</Link> : name}</span>;
}

let styled = false;

/** Draw a message's `attachments` into `element`, or without them the uploads for the next message. */
function draw(element, chat, attachments) {
  if (!styled) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    chat.root.adoptedStyleSheets = [...chat.root.adoptedStyleSheets, sheet];
    styled = true;
  }
  setStrings(chat.config.strings);
  render(
    attachments ? attachments.map((file) => <Attachment key={file.id} file={file} chat={chat} />) : <Pending chat={chat} />,
    element,
  );
}

window.AurionFiles = { attach, draw };
