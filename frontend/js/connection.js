// One websocket to the roundtable: resumes from the last seq after a drop, reconnects with backoff and
// jitter, and resends unacknowledged commands with their ids (the server applies each id once).
// Offline, commands wait in the queue for as long as it takes; the timeout runs only while connected.

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 15000;
const COMMAND_TIMEOUT_MS = 15000;

export function commandId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class LiveConnection {
  constructor({ path, onSnapshot, onEvent, onStatus, onFrame, onOpen, commandTimeoutSeconds }) {
    this.path = path;
    this.commandTimeoutMs = (commandTimeoutSeconds ?? COMMAND_TIMEOUT_MS / 1000) * 1000;
    this.onSnapshot = onSnapshot;
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    // Frames outside the event log (presence), and a hook to re-send what the server forgets on a drop.
    this.onFrame = onFrame ?? (() => {});
    this.onOpen = onOpen ?? (() => {});
    this.seq = null;
    this.attempt = 0;
    this.pending = new Map(); // command id -> {frame, resolve, reject, timer}
    this.socket = null;
    this.stopped = false;
  }

  start() {
    this.stopped = false;
    this.open();
    window.addEventListener("online", () => this.reconnectNow());
  }

  url() {
    const url = new URL(this.path, location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    if (this.seq !== null) url.searchParams.set("since", String(this.seq));
    return url.href;
  }

  open() {
    this.onStatus(this.attempt === 0 ? "connecting" : "reconnecting");
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.attempt = 0;
      this.onStatus("live");
      for (const [id, command] of this.pending) {
        socket.send(JSON.stringify(command.frame));
        this.armTimeout(id);
      }
      this.onOpen();
    });
    socket.addEventListener("message", (message) => this.receive(message.data));
    socket.addEventListener("close", (close) => {
      if (this.socket !== socket || this.stopped) return;
      this.socket = null;
      // Queued, not failed: the clocks start again when the commands are sent on the next connection.
      for (const command of this.pending.values()) clearTimeout(command.timer);
      if (close.code === 4404) {
        this.onStatus("gone");
        return;
      }
      // 4401: this staff page's session signed out (in this tab or another): the page asks again who
      // this is (a staff page sends a signed-out browser to sign in).
      if (close.code === 4401) {
        location.reload();
        return;
      }
      // 4429: too many connections from this address; wait the longest before trying again.
      if (close.code === 4429) this.attempt = Math.max(this.attempt, 6);
      this.scheduleReconnect();
    });
  }

  scheduleReconnect() {
    this.attempt += 1;
    const ceiling = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** (this.attempt - 1));
    const delay = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
    this.onStatus("reconnecting", Math.ceil(delay / 1000));
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  reconnectNow() {
    if (this.socket) return;
    clearTimeout(this.retryTimer);
    this.open();
  }

  receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    switch (frame.type) {
      case "snapshot":
        this.seq = frame.seq;
        this.onSnapshot(frame);
        break;
      case "events":
        for (const event of frame.events) {
          if (this.seq !== null && event.seq <= this.seq) continue;
          if (this.seq !== null && event.seq !== this.seq + 1) {
            // A gap the server did not fill: ask for everything after what we have.
            this.send({ type: "resume", id: commandId(), seq: this.seq });
            return;
          }
          this.seq = event.seq;
          this.onEvent(event);
        }
        break;
      case "ack":
      case "error":
        if (frame.type === "error" && frame.retryable && frame.id && this.pending.has(frame.id)) {
          this.retryLater(frame);
          break;
        }
        this.settle(frame);
        break;
      default:
        this.onFrame(frame);
        break;
    }
  }

  settle(frame) {
    const command = frame.id ? this.pending.get(frame.id) : null;
    if (!command) return;
    clearTimeout(command.timer);
    this.pending.delete(frame.id);
    if (frame.type === "ack") command.resolve(frame);
    else command.reject(frame);
  }

  // A command refused for a passing reason (the database was away, going too fast) is sent again, with
  // the same id so it still takes effect at most once: when the server says, or after 1, 2 then 4 s.
  // After three tries the refusal reaches the person.
  retryLater(frame) {
    const command = this.pending.get(frame.id);
    command.retries = (command.retries ?? 0) + 1;
    if (command.retries > 3) {
      this.settle(frame);
      return;
    }
    const seconds = frame.retry_after ?? 2 ** (command.retries - 1);
    setTimeout(() => this.send(command.frame), seconds * 1000);
  }

  send(frame) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  armTimeout(id) {
    const command = this.pending.get(id);
    if (!command) return;
    clearTimeout(command.timer);
    command.timer = setTimeout(() => {
      this.pending.delete(id);
      command.reject({ type: "error", id, code: "timeout", message: "" });
    }, this.commandTimeoutMs);
  }

  // Resolves with the ack, rejects with the error frame. Survives reconnects: queued while offline,
  // resent on open with the same id.
  command(type, fields) {
    const id = commandId();
    const frame = { type, id, ...fields };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { frame, resolve, reject, timer: null });
      if (this.socket?.readyState === WebSocket.OPEN) {
        this.socket.send(JSON.stringify(frame));
        this.armTimeout(id);
      }
    });
  }
}
