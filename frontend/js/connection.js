// One websocket to the roundtable: resumes from the last seq after a drop, reconnects with backoff and
// jitter, and resends unacknowledged commands with their ids (the server applies each id once).
// Offline, commands wait in the queue for as long as it takes; the timeout runs only while connected.
// A dead connection is noticed without waiting for a close that may never come: the browser's offline
// event, and a heartbeat on the socket (heartbeat.js). A command that timed out stays queued with its
// id: sent again (on reconnect, or when the person presses Send again) it still takes effect once, and
// its late answer still reaches the screen (`onLate`).
import { Heartbeat } from "./heartbeat.js";

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 15000;
const COMMAND_TIMEOUT_MS = 15000;

export function commandId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Also an EventTarget: a "status" event follows every change of status (modules other than the screen's
// own script, like composer.js, listen to it).
export class LiveConnection extends EventTarget {
  constructor({ path, onSnapshot, onEvent, onStatus, onFrame, onOpen, commandTimeoutSeconds }) {
    super();
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
    this.status = "connecting";
    this.heartbeat = new Heartbeat({
      ping: () => this.send({ type: "ping", id: commandId() }),
      onDead: () => this.drop(),
    });
  }

  start() {
    this.stopped = false;
    this.open();
    window.addEventListener("online", () => this.reconnectNow());
    window.addEventListener("offline", () => this.drop());
  }

  // Connected and heard from: commands go out now rather than wait in the queue.
  get live() {
    return this.status === "live" && this.socket?.readyState === WebSocket.OPEN;
  }

  // Commands waiting for their answer (or for the connection to come back).
  get queued() {
    return this.pending.size;
  }

  setStatus(status, seconds) {
    this.status = status;
    this.onStatus(status, seconds, this.pending.size);
    this.dispatchEvent(new Event("status"));
  }

  // The network is gone (the browser says so, or the heartbeat went unanswered): stop trusting this
  // socket now, keep every command queued, and connect again as soon as there is a network.
  drop() {
    const socket = this.socket;
    if (!socket || this.stopped) {
      if (!navigator.onLine && this.status !== "gone") this.setStatus("offline");
      return;
    }
    this.socket = null;
    this.heartbeat.stop();
    for (const command of this.pending.values()) clearTimeout(command.timer);
    try {
      socket.close(4000);
    } catch {
      // Closing a socket that never opened throws in some browsers: it is forgotten either way.
    }
    this.scheduleReconnect();
  }

  url() {
    const url = new URL(this.path, location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    if (this.seq !== null) url.searchParams.set("since", String(this.seq));
    return url.href;
  }

  open() {
    if (this.attempt > 0 && !navigator.onLine) this.setStatus("offline");
    else this.setStatus(this.attempt === 0 ? "connecting" : "reconnecting");
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.addEventListener("open", () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.heartbeat.start();
      for (const [id, command] of this.pending) {
        socket.send(JSON.stringify(command.frame));
        this.armTimeout(id);
      }
      this.setStatus("live");
      this.onOpen();
    });
    socket.addEventListener("message", (message) => {
      if (this.socket !== socket) return;
      this.heartbeat.heard();
      this.receive(message.data);
    });
    socket.addEventListener("close", (close) => {
      if (this.socket !== socket || this.stopped) return;
      this.socket = null;
      this.heartbeat.stop();
      // Queued, not failed: the clocks start again when the commands are sent on the next connection.
      for (const command of this.pending.values()) clearTimeout(command.timer);
      if (close.code === 4404) {
        this.setStatus("gone");
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
    // Without a network, trying is pointless: the browser's online event reconnects at once, and the
    // slowest retry stays for browsers that never send it.
    const ceiling = navigator.onLine ? Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** (this.attempt - 1)) : MAX_DELAY_MS;
    const delay = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
    if (navigator.onLine) this.setStatus("reconnecting", Math.ceil(delay / 1000));
    else this.setStatus("offline");
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  // The network is back: connect now rather than at the end of a back-off (an attempt made while
  // offline, still pending, is abandoned).
  reconnectNow() {
    if (this.stopped || this.status === "gone") return;
    if (this.socket?.readyState === WebSocket.OPEN) return;
    if (this.socket) {
      const stale = this.socket;
      this.socket = null;
      stale.close();
    }
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
      case "pong":
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
    // Its promise already told the person it timed out: the late answer goes to whoever asked for it.
    if (command.timedOut) command.onLate?.(frame);
    else if (frame.type === "ack") command.resolve(frame);
    else command.reject(frame);
    if (this.status !== "live") this.setStatus(this.status);
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
      // Still queued (sent again on the next connection, with its id), but the person is told now.
      command.timedOut = true;
      command.reject({ type: "error", id, code: "timeout", message: "" });
    }, this.commandTimeoutMs);
  }

  // Resolves with the ack, rejects with the error frame. Survives reconnects: queued while offline,
  // resent on open with the same id. `id`: the id of an earlier attempt at the same command (a Send
  // pressed again after a timeout), so the server applies it once; `onLate(frame)`: the answer to an
  // attempt whose promise already rejected with a timeout.
  command(type, fields, { id = commandId(), onLate } = {}) {
    const earlier = this.pending.get(id);
    const frame = earlier?.frame ?? { type, id, ...fields };
    return new Promise((resolve, reject) => {
      if (earlier) clearTimeout(earlier.timer);
      this.pending.set(id, { frame, resolve, reject, onLate, timer: null, retries: earlier?.retries });
      if (this.socket?.readyState === WebSocket.OPEN) {
        this.socket.send(JSON.stringify(frame));
        this.armTimeout(id);
      } else {
        this.setStatus(this.status);
      }
    });
  }
}
