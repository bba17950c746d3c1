// Knowing the connection is dead when no close ever comes. A socket whose network went away (wifi
// dropped, a phone between cells, the browser set offline) can stay "open" for minutes. So: after
// IDLE_MS without hearing anything from the server, send a `ping` (the server answers `pong` at once,
// docs/protocol.md); if nothing at all is heard within ANSWER_MS, the connection is declared dead.
// Any frame counts as a sign of life, so a busy roundtable sends no pings at all.

const IDLE_MS = 3000;
const ANSWER_MS = 3500;
const TICK_MS = 1000;

export class Heartbeat {
  constructor({ ping, onDead, idleMs = IDLE_MS, answerMs = ANSWER_MS }) {
    this.ping = ping;
    this.onDead = onDead;
    this.idleMs = idleMs;
    this.answerMs = answerMs;
    this.timer = null;
    this.heardAt = 0;
    this.pingedAt = null;
  }

  // The socket opened: watch it.
  start() {
    this.stop();
    this.heard();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    this.pingedAt = null;
  }

  // Something came from the server.
  heard() {
    this.heardAt = Date.now();
    this.pingedAt = null;
  }

  tick() {
    const now = Date.now();
    if (this.pingedAt !== null) {
      if (now - this.pingedAt >= this.answerMs) {
        this.stop();
        this.onDead();
      }
      return;
    }
    if (now - this.heardAt >= this.idleMs) {
      this.pingedAt = now;
      this.ping();
    }
  }
}
