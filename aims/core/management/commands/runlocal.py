"""manage.py runlocal: the embedded default of `make run`.

Serves the portal with Django's development server and runs a Celery worker with beat beside it, on the
file-system broker under var/broker/ (AIMS_LOCAL_BROKER=1), so background and periodic jobs run without Redis.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


def _stop(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Serve the portal with a local Celery worker and beat (no Redis needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.AIMS_LOCAL_BROKER and settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError("Run with AIMS_LOCAL_BROKER=1 (as `make run` does) or with REDIS_URL set.")
        worker = subprocess.Popen(  # noqa: S603  our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "aims",
                "worker",
                "--beat",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}",
            ],
            env=os.environ.copy(),
        )
        self.stdout.write(f"Celery worker and beat started (pid {worker.pid}) on {settings.CELERY_BROKER_URL}")
        # A plain SIGTERM would end this process without the cleanup below and orphan the worker.
        signal.signal(signal.SIGTERM, _stop)
        try:
            call_command("runserver", options["addrport"], use_reloader=False)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
