"""The development outbox: an email backend that keeps every message as a file instead of sending it,
and the reader behind the staff page /dev/outbox/ (roundtable/outbox_views.py).

`make run` uses it (the default EMAIL_BACKEND when DEBUG is on), so invitations, personal links and
sign-in codes can be read on a page with clickable links instead of being hunted for in the console.
One file per message under ROUNDTABLE_OUTBOX_DIR, so every process (Daphne, a management command)
writes to the same outbox; the console gets one line per message saying where to read it."""

import datetime
import json
import os
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

BACKEND = "roundtable.outbox.OutboxBackend"
OUTBOX_PATH = "/dev/outbox/"


def outbox_in_use() -> bool:
    return settings.EMAIL_BACKEND == BACKEND


def outbox_dir() -> Path:
    return Path(settings.ROUNDTABLE_OUTBOX_DIR)


class OutboxBackend(BaseEmailBackend):
    """Keeps each message as JSON in the outbox directory; prints one line per message."""

    _lock = threading.Lock()

    def __init__(self, *args: Any, stream: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout

    def send_messages(self, email_messages) -> int:
        directory = outbox_dir()
        directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            alternatives = getattr(message, "alternatives", [])
            html = next((content for content, mimetype in alternatives if mimetype == "text/html"), None)
            record = {
                "sent_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "from": message.from_email,
                "to": list(message.to) + list(message.cc) + list(message.bcc),
                "subject": str(message.subject),
                "body": str(message.body),
                "html": html,
            }
            name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.json"
            temporary = directory / f".{name}.tmp"
            temporary.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
            os.replace(temporary, directory / name)
            with self._lock:
                self.stream.write(
                    f"Email to {', '.join(record['to'])}: “{record['subject']}” (not sent: read it at"
                    f" {OUTBOX_PATH})\n"
                )
                self.stream.flush()
            sent += 1
        return sent


def outbox_messages(*, limit: int = 200) -> list[dict[str, Any]]:
    """The latest messages, newest first."""
    directory = outbox_dir()
    if not directory.is_dir():
        return []
    names = sorted((path.name for path in directory.glob("*.json")), reverse=True)[:limit]
    messages = []
    for number, name in enumerate(names):
        try:
            record = json.loads((directory / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        record["sent_at"] = datetime.datetime.fromisoformat(record["sent_at"])
        record["number"] = len(names) - number
        messages.append(record)
    return messages
