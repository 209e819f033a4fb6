/** One message: who sent it, its text (links made safe), attachments and sources. */
import { SENDER_KEY } from "./conversation.js";
import { t } from "./strings.js";
import { Link, linkify, safeHref } from "./text.js";

/** An image shows as a preview once fetched; any file is named and linked. */
function Attachment({ file, chat }) {
  const src = /^image\//.test(file.type) && chat.preview(file);
  if (src) return <img src={src} alt={file.name} />;
  const href = safeHref(chat.client.link(file.url));
  const name = "📎 " + file.name;
  return <span class="who">{href ? <Link href={href}>{name}</Link> : name}</span>;
}

export function Message({ message, chat }) {
  const { sender, content, sources, attachments } = message;
  return (
    <li class={"msg " + sender} aria-busy={!!message.streaming}>
      <span class={sender === "user" ? "sr" : "who"}>{t(SENDER_KEY[sender])}</span>
      {linkify(content || "")}
      {attachments?.map((file) => (
        <Attachment key={file.id} file={file} chat={chat} />
      ))}
      {sources?.length > 0 && (
        <ul class="sources">
          {sources.map((source) => {
            const href = safeHref(source.url);
            return <li key={source.id}>{t("source")} {href ? <Link href={href}>{source.title}</Link> : source.title}</li>;
          })}
        </ul>
      )}
    </li>
  );
}
