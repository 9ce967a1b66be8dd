"""The one beat schedule. Every job is idempotent and safe on two workers at once.

django-celery-beat copies these entries into the database on start, so the bureau can change intervals in
the admin (Periodic tasks) without a deploy.
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "heartbeat": {"task": "tickets.tasks.heartbeat", "schedule": 60.0},
    "sla-sweep": {"task": "tickets.tasks.sweep_sla", "schedule": 60.0},
    "feedback-expiry": {"task": "tickets.tasks.expire_feedback", "schedule": crontab(minute="*/15")},
}
