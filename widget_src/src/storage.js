/**
 * The visitor's session, kept in the host page's localStorage under one key per widget,
 * so reloads and navigation keep the conversation. Where storage is blocked the session
 * simply lasts as long as the page.
 */

export function load(key) {
  try {
    return JSON.parse(localStorage.getItem(key)) || {};
  } catch {
    return {};
  }
}

export function save(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // storage blocked or full: keep the session in memory only
  }
}

export function forget(key) {
  try {
    localStorage.removeItem(key);
  } catch {
    // nothing stored, nothing to forget
  }
}
