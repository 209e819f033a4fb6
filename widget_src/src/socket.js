/** A WebSocket that reconnects with exponential backoff (1 s doubling to 30 s, jittered). */

const FIRST_DELAY = 1000;
const MAX_DELAY = 30000;
/** The server closes with this code when the bearer token is bad or expired. */
export const BAD_TOKEN = 4401;

/**
 * Keep a socket open to `url()` (asked afresh each time, so a renewed token is used).
 * `on.open()`, `on.frame(object)`, `on.down(closeCode)` report what happens;
 * returns `{send(object) → bool, reconnect() → whether the socket is still open, close()}`.
 */
export function keepSocket(url, on) {
  let socket;
  let timer;
  let attempt = 0;
  let closed = false;

  function retry(code) {
    on.down(code);
    const delay = Math.min(MAX_DELAY, FIRST_DELAY * 2 ** attempt++);
    timer = setTimeout(connect, delay * (0.5 + Math.random() / 2));
  }

  async function connect() {
    clearTimeout(timer);
    if (closed) return;
    let address;
    try {
      address = await url();
    } catch {
      return retry(0);
    }
    if (closed) return;
    const ws = (socket = new WebSocket(address));
    ws.onopen = () => {
      attempt = 0;
      on.open();
    };
    ws.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return; // not one of ours: ignore
      }
      on.frame(frame);
    };
    ws.onclose = (event) => {
      if (!closed && ws === socket) retry(event.code);
    };
  }

  connect();
  return {
    send(frame) {
      if (socket?.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(frame));
      return true;
    },
    reconnect() {
      attempt = 0;
      if (socket?.readyState === WebSocket.OPEN) return true;
      if (!socket || socket.readyState > WebSocket.OPEN) connect();
    },
    close() {
      closed = true;
      clearTimeout(timer);
      socket?.close();
    },
  };
}
