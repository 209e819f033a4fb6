/** One message: who sent it (a person with their name and face), its text (links made safe),
 * attachments (shown by the files part), sources and time. */
import { SENDER_KEY } from "./conversation.js";
import { t, when } from "./strings.js";
import { Link, linkify, safeHref } from "./text.js";

/** A teammate's picture, or their initials on their colour (SVG: no style attribute under a strict CSP). */
export function Avatar({ person, chat }) {
  return person.avatar_url ? (
    <img class="av" src={chat.client.link(person.avatar_url)} alt="" />
  ) : (
    <svg class="av" viewBox="0 0 32 32" aria-hidden="true">
      <circle cx="16" cy="16" r="16" fill={person.color} />
      <text x="16" y="21" fill="#fff" font-size="13" text-anchor="middle">
        {person.initials}
      </text>
    </svg>
  );
}

export function Message({ message, chat }) {
  const { sender, content, sources, attachments, author, created_at } = message;
  return (
    <li class={"msg " + sender} aria-busy={!!message.streaming}>
      <span class={sender === "user" ? "sr" : "who"}>
        {author && <Avatar person={author} chat={chat} />}
        {author ? t("person_of", { name: author.name, team: chat.config.name }) : t(SENDER_KEY[sender])}
      </span>
      {linkify(content || "")}
      {attachments?.length > 0 && <div class="files" ref={chat.drawn("files", "AurionFiles", attachments)} />}
      {sources?.length > 0 && (
        <ul class="sources">
          {sources.map((source) => {
            const href = safeHref(source.url);
            return <li key={source.id}>{t("source")} {href ? <Link href={href}>{source.title}</Link> : source.title}</li>;
          })}
        </ul>
      )}
      {created_at && <time datetime={created_at}>{when(chat.config, created_at, 0)}</time>}
    </li>
  );
}
