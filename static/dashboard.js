/* The dashboard's little JavaScript: copy buttons, the builder's live preview, and the
   live conversation view with its reply box (sent in place, typing, saved replies). Everything works without it except what is live. No inline
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

function timeOf(frame) {
  const time = element("time", "", (frame.created_at || "").slice(11, 16));
  time.dateTime = frame.created_at || "";
  return time;
}

/** A message frame as a list item, like templates/dashboard/_message.html renders one. */
function messageItem(frame, attachmentUrl) {
  const item = element("li", "message from-" + frame.sender);
  item.dataset.id = frame.id;
  const label = SENDER_LABELS[frame.sender] || frame.sender;
  const who = element("p", "who", frame.author ? frame.author.name : label);
  if (frame.author) who.append(" ", element("span", "hint", `(${label})`));
  if (frame.mode === "voice") {
    who.append(" ", element("span", "badge", "Voice transcript"));
  }
  who.append(" ", timeOf(frame));
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

/** An internal note as a list item, like templates/dashboard/_note.html renders one. */
function noteItem(frame) {
  const item = element("li", "message note");
  item.dataset.noteId = frame.id;
  const who = element("p", "who");
  who.append(element("span", "badge", "Internal note"), " ", frame.author ? frame.author.name : "A former teammate", " ", timeOf(frame));
  item.append(who, element("p", "text", frame.content));
  return item;
}

/** Who is writing, from a typing frame; null when it is the signed-in teammate themself. */
function typingLabel(frame, me) {
  if (frame.sender === "user") return "The visitor is typing…";
  if (frame.sender === "agent") return "The agent is typing…";
  const name = frame.author ? frame.author.name : "A teammate";
  return name === me ? null : `${name} is typing…`;
}

/** The take-over button follows the status: replying took the conversation over. */
function offerHandoff(status) {
  const form = document.getElementById("handoff-form");
  if (!form || status === "closed") return;
  const human = status === "human";
  form.elements.to.value = human ? "agent" : "human";
  form.querySelector("button").textContent = human ? "Hand back to the agent" : "Take over";
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
  const seen = messagesSeen(list);

  const handle = (frame) => {
    if (frame.type === "message") {
      if (!list.querySelector(`[data-id="${CSS.escape(frame.id)}"]`)) {
        list.append(messageItem(frame, list.dataset.attachmentUrl));
        seen();
      }
      after = frame.id;
      typing.textContent = "";
    } else if (frame.type === "note") {
      if (!list.querySelector(`[data-note-id="${CSS.escape(frame.id)}"]`)) list.append(noteItem(frame));
    } else if (frame.type === "handoff") {
      status.textContent = labels[frame.status] || frame.status;
      offerHandoff(frame.status);
    } else if (frame.type === "typing") {
      const label = typingLabel(frame, list.dataset.me);
      if (label !== null) typing.textContent = frame.active ? label : "";
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

const READ_DELAY_MS = 500;

/** Tell the server the teammate has seen the messages that arrived on this page, so their
    inbox does not count them unread: shortly after they arrive while the page is in view
    (one request for a burst), or when the page comes back into view. */
function messagesSeen(list) {
  let unseen = false;
  let timer = null;
  const send = () => {
    timer = null;
    if (document.visibilityState !== "visible") return;
    unseen = false;
    const body = new FormData();
    body.set("csrf_token", list.dataset.csrfToken);
    fetch(list.dataset.readUrl, { method: "POST", body, headers: { Accept: "application/json" }, credentials: "same-origin" }).catch(() => {});
  };
  document.addEventListener("visibilitychange", () => {
    if (unseen && document.visibilityState === "visible") send();
  });
  return () => {
    unseen = true;
    if (timer === null) timer = setTimeout(send, READ_DELAY_MS);
  };
}

/** Post a form with fetch, asking for JSON: null when it worked (204), else the problem's detail. */
async function postForm(form) {
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (response.ok) return null;
    const problem = await response.json().catch(() => ({}));
    return problem.detail || "That did not work; reload the page and try again.";
  } catch {
    return "You seem to be offline; try again in a moment.";
  }
}

/** Send a form without leaving the page: what it adds arrives on the live stream. */
function submitInPlace(form, field, error, after) {
  form.addEventListener("submit", async (event) => {
    if (!window.fetch) return;
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    const detail = await postForm(form);
    button.disabled = false;
    error.hidden = detail === null;
    error.textContent = detail || "";
    if (detail === null) {
      field.value = "";
      field.removeAttribute("aria-invalid");
      after();
    } else {
      field.setAttribute("aria-invalid", "true");
    }
    field.focus();
  });
}

const TYPING_REPEAT_MS = 3000;
const TYPING_IDLE_MS = 5000;

/** Tell the visitor the teammate is writing: at most every 3 s while typing, and stopped
    after 5 s idle, on leaving the box, or on sending. */
function typingSignal(form, field) {
  let active = false;
  let sentAt = 0;
  let idle = null;
  const send = (state) => {
    const body = new FormData();
    body.set("csrf_token", form.elements.csrf_token.value);
    body.set("active", state ? "1" : "0");
    fetch(form.dataset.typingUrl, { method: "POST", body, headers: { Accept: "application/json" }, credentials: "same-origin" }).catch(() => {});
  };
  const stop = () => {
    clearTimeout(idle);
    if (active) {
      active = false;
      send(false);
    }
  };
  field.addEventListener("input", () => {
    clearTimeout(idle);
    if (!field.value.trim()) return stop();
    if (!active || Date.now() - sentAt >= TYPING_REPEAT_MS) {
      active = true;
      sentAt = Date.now();
      send(true);
    }
    idle = setTimeout(stop, TYPING_IDLE_MS);
  });
  field.addEventListener("blur", stop);
  return stop;
}

/** The `/shortcut` picker: typing "/" and letters lists matching saved replies; arrow
    keys choose, Enter (or a click) inserts, Escape closes. */
function savedReplyPicker(field) {
  const list = document.getElementById("saved-reply-options");
  const status = document.getElementById("picker-status");
  const replies = JSON.parse(document.getElementById("saved-replies-data").textContent);
  if (!replies.length) return;
  let matches = [];
  let chosen = 0;
  let typed = null; // [start, end] of the "/word" being typed

  const close = () => {
    list.hidden = true;
    list.replaceChildren();
    field.removeAttribute("aria-activedescendant");
    matches = [];
  };
  const choose = (index) => {
    chosen = (index + matches.length) % matches.length;
    list.querySelectorAll("[role=option]").forEach((option, i) => option.setAttribute("aria-selected", String(i === chosen)));
    const option = list.children[chosen];
    field.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  };
  const insert = (reply) => {
    const [start, end] = typed;
    field.value = field.value.slice(0, start) + reply.content + field.value.slice(end);
    const caret = start + reply.content.length;
    field.setSelectionRange(caret, caret);
    close();
    status.textContent = `Inserted /${reply.shortcut}.`;
    field.dispatchEvent(new Event("input", { bubbles: true }));
  };
  const update = () => {
    const before = field.value.slice(0, field.selectionStart);
    const word = /(^|\s)\/([a-z0-9_-]*)$/.exec(before);
    if (!word) return close();
    typed = [field.selectionStart - word[2].length - 1, field.selectionStart];
    matches = replies.filter((reply) => reply.shortcut.startsWith(word[2]));
    if (!matches.length) {
      close();
      status.textContent = "No saved reply starts with that.";
      return;
    }
    list.replaceChildren(
      ...matches.map((reply, i) => {
        const option = element("li");
        option.id = "saved-reply-" + i;
        option.setAttribute("role", "option");
        option.append(element("strong", "", "/" + reply.shortcut), element("span", "option-text", reply.content));
        // mousedown, not click: the box keeps its focus and caret.
        option.addEventListener("mousedown", (event) => {
          event.preventDefault();
          insert(reply);
        });
        return option;
      })
    );
    list.hidden = false;
    choose(0);
    status.textContent = `${matches.length} saved ${matches.length === 1 ? "reply matches" : "replies match"}: arrow keys to choose, Enter to insert.`;
  };

  field.addEventListener("input", update);
  field.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      choose(chosen + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      event.preventDefault();
      insert(matches[chosen]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  field.addEventListener("blur", close);
}

/** The conversation's reply box and note box: sent without a page reload. */
function setUpReplyBoxes() {
  const reply = document.getElementById("reply-form");
  if (reply) {
    const field = reply.elements.content;
    const stopTyping = typingSignal(reply, field);
    submitInPlace(reply, field, document.getElementById("content-error"), stopTyping);
    savedReplyPicker(field);
  }
  const note = document.getElementById("note-form");
  if (note) submitInPlace(note, note.elements.content, document.getElementById("note-content-error"), () => {});
}

/* The inbox: rows and tab counts follow the tenant's live channel; times in the admin's
   zone; an opt-in desktop notification and beep when a conversation starts waiting. */

const NOTIFY_KEY = "aurion.notify";

/** Show `<time datetime>` in the browser's time zone: the time today, else the date too. */
function localTimes(root) {
  const today = new Date().toDateString();
  root.querySelectorAll("time[datetime]").forEach((node) => {
    const when = new Date(node.dateTime);
    if (Number.isNaN(when.getTime())) return;
    const clock = { hour: "2-digit", minute: "2-digit" };
    node.textContent =
      when.toDateString() === today
        ? when.toLocaleTimeString([], clock)
        : when.toLocaleString([], { day: "numeric", month: "short", ...clock });
    node.title = when.toLocaleString();
  });
}

/** Tab counts of `view` from the server's [[status, assignee id, n], …] (services/inbox.py tab_counts). */
function tabCounts(groups, view, adminId) {
  const counts = {};
  groups.forEach(([status, assignee, count]) => {
    const inView = view === "all" || (view === "mine" ? assignee === adminId : assignee === null);
    if (inView) counts[status] = (counts[status] || 0) + count;
  });
  return counts;
}

/** An inbox row like templates/dashboard/_inbox_row.html renders one. */
function inboxRow(row, unread, list) {
  const labels = JSON.parse(list.dataset.labels);
  const senders = JSON.parse(list.dataset.senders);
  const item = element("li");
  item.dataset.id = row.id;
  const head = element("p", "row-head");
  const link = element("a", "", row.visitor);
  link.href = list.dataset.conversationUrl.replace("CONVERSATION", encodeURIComponent(row.id));
  head.append(link);
  if (row.visitor_email && row.visitor_email !== row.visitor) head.append(" ", element("span", "hint", row.visitor_email));
  const badge = element("span", "unread");
  badge.append(element("span", "unread-count", String(unread)), " unread");
  badge.hidden = !unread;
  head.append(" ", badge, " ", element("span", "tag", labels[row.status] || row.status));
  if (row.arrived_while_away) head.append(" ", element("span", "tag", "Arrived while away"));
  if (row.rating) head.append(" ", element("span", "tag", "Rated " + row.rating));
  head.append(" ", element("span", "assignee", row.assignee ? "Assigned to " + row.assignee.name : "Unassigned"));
  item.append(head);
  if (row.last_message) {
    const last = element("p", "last-message");
    const time = element("time", "", row.last_message.created_at);
    time.dateTime = row.last_message.created_at;
    last.append(element("span", "sender", (senders[row.last_message.sender] || row.last_message.sender) + ":"));
    last.append(" ", row.last_message.excerpt, " ", time);
    item.append(last);
  }
  localTimes(item);
  return item;
}

let audio = null;

/** A short generated beep (no sound file to download). */
function beep() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  audio = audio || new Context();
  audio.resume().catch(() => {});
  const tone = audio.createOscillator();
  const volume = audio.createGain();
  tone.frequency.value = 880;
  volume.gain.setValueAtTime(0.2, audio.currentTime);
  volume.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.3);
  tone.connect(volume).connect(audio.destination);
  tone.start();
  tone.stop(audio.currentTime + 0.3);
}

/** The "notify me" toggle (off by default, remembered in this browser). Returns whether it is on. */
function setUpNotifyToggle() {
  const box = document.getElementById("notify");
  if (!box) return () => false;
  document.getElementById("notify-field").hidden = false;
  box.checked = localStorage.getItem(NOTIFY_KEY) === "1";
  box.addEventListener("change", () => {
    localStorage.setItem(NOTIFY_KEY, box.checked ? "1" : "0");
    if (box.checked) {
      if (window.Notification && Notification.permission === "default") Notification.requestPermission();
      beep(); // also unlocks audio, which browsers allow only after a click
    }
  });
  return () => box.checked;
}

function notifyWaiting(row) {
  beep();
  if (window.Notification && Notification.permission === "granted") {
    const last = row.last_message ? row.last_message.excerpt : "";
    new Notification(`${row.visitor} is waiting for a person`, { body: last, tag: "aurion-" + row.id });
  }
}

/** Keep the inbox's rows and tab counts live from `/dashboard/inbox/events`. */
function setUpInbox() {
  const list = document.getElementById("inbox-rows");
  const results = document.getElementById("search-results");
  if (results) localTimes(results);
  if (list) localTimes(list);
  if (!list || !window.EventSource) return;
  const notifyOn = setUpNotifyToggle();
  const empty = document.getElementById("inbox-empty");
  const { status, view } = list.dataset;
  const adminId = Number(list.dataset.adminId);
  let waiting = null; // conversations waiting, whoever is assigned: a rise means a new one

  const showCounts = (groups) => {
    const counts = tabCounts(groups, view, adminId);
    document.querySelectorAll("[data-count-for]").forEach((node) => {
      node.textContent = String(counts[node.dataset.countFor] || 0);
    });
    return tabCounts(groups, "all", adminId).waiting || 0;
  };

  const showRow = (row) => {
    const old = list.querySelector(`li[data-id="${CSS.escape(row.id)}"]`);
    const inView =
      row.status === status &&
      (view === "all" || (view === "mine" ? row.assignee && row.assignee.id === adminId : !row.assignee));
    if (old) old.remove();
    if (inView) list.prepend(inboxRow(row, row.unread, list));
    empty.hidden = list.children.length > 0;
  };

  const handle = (frame) => {
    if (frame.type === "inbox") showRow(frame.conversation);
    if (!frame.counts) return;
    const now = showCounts(frame.counts);
    if (frame.type === "inbox" && waiting !== null && now > waiting && frame.conversation.status === "waiting" && notifyOn()) {
      notifyWaiting(frame.conversation);
    }
    waiting = now;
  };

  const connect = () => {
    const source = new EventSource(list.dataset.eventsUrl);
    source.onmessage = (event) => handle(JSON.parse(event.data));
    source.onerror = () => {
      source.close();
      setTimeout(connect, RECONNECT_MS);
    };
  };
  connect();
}

setUpCopyButtons();
setUpBuilder();
setUpConversation();
setUpReplyBoxes();
setUpInbox();
