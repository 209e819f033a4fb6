/**
 * Message text, safely: content is always rendered as text nodes (never as HTML);
 * only http(s) URLs become links, and they open in a new tab without an opener.
 */
import { h } from "preact";

const URL_PATTERN = /https?:\/\/[^\s<>"']+/g;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}'"]+$/;

/** `url` if it is an absolute http(s) URL, else null. */
export function safeHref(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

export function Link({ href, children }) {
  return h("a", { href, target: "_blank", rel: "noopener noreferrer" }, children);
}

/** `text` as strings and links, for rendering. */
export function linkify(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = match[0].replace(TRAILING_PUNCTUATION, "");
    const href = safeHref(url);
    if (!href) continue;
    parts.push(text.slice(last, match.index), h(Link, { href }, url));
    last = match.index + url.length;
  }
  parts.push(text.slice(last));
  return parts;
}
