"""Core Celery tasks."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from celery import shared_task


@shared_task(name="zargar.core.write_probe")
def write_probe(path: str, token: str) -> str:
    """Write `token` plus this worker's host and pid to the file `path` (str) and return the
    text written. Used by the operations tests and to check by hand that a worker runs tasks:
    `celery -A zargar call zargar.core.write_probe --args='["/tmp/probe", "hello"]'`."""
    text = f"{token} {socket.gethostname()} {os.getpid()}"
    target = Path(path)
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(target)  # appears whole or not at all
    return text
