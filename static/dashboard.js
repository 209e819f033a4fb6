/* The dashboard's little JavaScript: copy buttons, the builder's live preview, and the
   live conversation view. Everything works without it except what is live. No inline
   scripts: the pages run under a strict Content-Security-Policy. */
"use strict";

/** Copy the value of the field a [data-copy] button names, and say so. */
function setUpCopyButtons() {
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const field = document.getElementById(button.dataset.copy);
      const status = button.parentElement.querySelector(".copy-status");
      try {
        await navigator.clipboard.writeText(field.value);
        status.textContent = "Copied.";
      } catch {
        field.select(); // the clipboard is unavailable: leave it selected for Ctrl+C
        status.textContent = "Press Ctrl+C (⌘C) to copy.";
      }
    });
  });
}

const PREVIEW_FIELDS = ["name", "greeting", "primary_color", "position"];
const PREVIEW_DELAY_MS = 300;

/** Reload the preview with the form's unsaved settings as the admin types. */
function setUpBuilder() {
  const form = document.getElementById("builder");
  if (!form) return;
  const frame = document.getElementById("preview");
  const text = document.getElementById("primary_color");
  const picker = document.getElementById("primary_color_picker");
  const HEX = /^#[0-9a-f]{6}$/i;
  picker.hidden = false;
  if (HEX.test(text.value)) picker.value = text.value.toLowerCase();
  picker.addEventListener("input", () => {
    text.value = picker.value.toUpperCase();
    text.dispatchEvent(new Event("input", { bubbles: true }));
  });
  text.addEventListener("input", () => {
    if (HEX.test(text.value.trim())) picker.value = text.value.trim().toLowerCase();
  });

  let timer = null;
  const refresh = () => {
    const data = new FormData(form);
    const query = new URLSearchParams();
    PREVIEW_FIELDS.forEach((field) => query.set(field, data.get(field) || ""));
    query.set("modes", data.getAll("modes").join(" "));
    const url = form.dataset.previewUrl + "?" + query;
    if (frame.getAttribute("src") !== url) frame.src = url;
  };
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, PREVIEW_DELAY_MS);
  });
}

const SENDER_LABELS = { user: "Visitor", agent: "Agent", human: "Support team" };

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A message frame as a list item, like templates/dashboard/_message.html renders one. */
function messageItem(frame, attachmentUrl) {
  const item = element("li", "message from-" + frame.sender);
  item.dataset.id = frame.id;
  const who = element("p", "who", SENDER_LABELS[frame.sender] || frame.sender);
  if (frame.mode === "voice") {
    who.append(" ", element("span", "badge", "Voice transcript"));
  }
  const time = element("time", "", (frame.created_at || "").slice(11, 16));
  time.dateTime = frame.created_at || "";
  who.append(" ", time);
  item.append(who, element("p", "text", frame.content));
  if (frame.attachments && frame.attachments.length) {
    const list = element("ul", "attachments");
    frame.attachments.forEach((file) => {
      const link = element("a", "", file.name);
      link.href = attachmentUrl.replace("ATTACHMENT", encodeURIComponent(file.id));
      const entry = element("li");
      entry.append(link, " ", element("span", "hint", `(${file.type}, ${file.size} bytes)`));
      list.append(entry);
    });
    item.append(list);
  }
  if (frame.sources && frame.sources.length) {
    item.append(element("p", "sources", "Sources: " + frame.sources.map((s) => s.title).join(", ")));
  }
  return item;
}

const RECONNECT_MS = 2000;

/** Follow the conversation's server-sent events: new messages, hand-offs, typing. */
function setUpConversation() {
  const list = document.getElementById("messages");
  if (!list || !window.EventSource) return;
  const status = document.getElementById("status");
  const labels = JSON.parse(status.dataset.labels);
  const typing = document.getElementById("typing");
  let after = list.dataset.after;

  const handle = (frame) => {
    if (frame.type === "message") {
      if (!list.querySelector(`[data-id="${CSS.escape(frame.id)}"]`)) {
        list.append(messageItem(frame, list.dataset.attachmentUrl));
      }
      after = frame.id;
      typing.textContent = "";
    } else if (frame.type === "handoff") {
      status.textContent = labels[frame.status] || frame.status;
    } else if (frame.type === "typing") {
      typing.textContent = frame.active ? "The agent is typing…" : "";
    }
  };

  const connect = () => {
    const source = new EventSource(list.dataset.eventsUrl + (after ? "?after=" + encodeURIComponent(after) : ""));
    source.onmessage = (event) => handle(JSON.parse(event.data));
    source.onerror = () => {
      // Reconnect ourselves, from the last message seen, so nothing is missed or doubled.
      source.close();
      setTimeout(connect, RECONNECT_MS);
    };
  };
  connect();
}

setUpCopyButtons();
setUpBuilder();
setUpConversation();
