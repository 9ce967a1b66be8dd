"""The Celery application. Tasks take ids, load rows and call one service; see servicedesk/schedule.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")

app = Celery("servicedesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["tickets.reports", "tickets.assessment", "tickets.maintenance"])


def _load_schedule() -> None:
    from servicedesk.schedule import BEAT_SCHEDULE

    app.conf.beat_schedule = BEAT_SCHEDULE


app.on_after_configure.connect(lambda **_: _load_schedule(), weak=False)
