"""The one beat schedule. Every job is idempotent and safe on two workers at once.

Run exactly one beat process (`celery -A servicedesk beat`); any number of workers execute the jobs.
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # core
    "heartbeat": {"task": "tickets.tasks.heartbeat", "schedule": 60.0},
    "sla-sweep": {"task": "tickets.tasks.sweep_sla", "schedule": 60.0},
    "feedback-expiry": {"task": "tickets.tasks.expire_feedback", "schedule": crontab(minute="*/15")},
    "database-analyze": {"task": "tickets.tasks.analyze_database", "schedule": crontab(minute="40", hour="3")},
    "filing-drafts-cleanup": {"task": "tickets.tasks.clear_filing_drafts", "schedule": crontab(minute="20", hour="3")},
    # planned maintenance: each due date opened once as a request (hourly, so a missed run is caught up soon)
    "maintenance-open": {
        "task": "tickets.maintenance.tasks.open_planned_maintenance",
        "schedule": crontab(minute="10"),
    },
    # statutory inspections (a lift's yearly certificate) falling due within 30 days: one reminder each
    "maintenance-inspection-reminders": {
        "task": "tickets.maintenance.tasks.send_inspection_reminders",
        "schedule": crontab(minute="25", hour="7"),
    },
    # reports and assessment: on the 1st, for the month before
    "reports-monthly": {
        "task": "tickets.reports.tasks.generate_monthly_report",
        "schedule": crontab(minute="0", hour="6", day_of_month="1"),
    },
    "scorecards-monthly-draft": {
        "task": "tickets.assessment.tasks.draft_scorecards",
        "schedule": crontab(minute="30", hour="6", day_of_month="1"),
    },
    # canteen: head counts frozen at each meal's cut-off
    "canteen-head-counts": {"task": "canteen.tasks.freeze_head_counts", "schedule": 60.0},
    # canteen: last month's sample and waste logs as inspections, before the scorecards' drafts at 06:30
    "canteen-log-inspections": {
        "task": "canteen.tasks.record_log_inspections",
        "schedule": crontab(minute="30", hour="5", day_of_month="1"),
    },
    # official vehicles
    "fleet-overdue-returns": {"task": "fleet.tasks.check_overdue_returns", "schedule": crontab(minute="*/5")},
    "fleet-off-hours-use": {"task": "fleet.tasks.check_off_hours_use", "schedule": crontab(minute="*/15")},
    "fleet-seals": {"task": "fleet.tasks.plan_and_apply_seals", "schedule": crontab(minute="5,35")},
    "fleet-sealed-use": {"task": "fleet.tasks.check_sealed_use", "schedule": crontab(minute="*/15")},
    "fleet-document-expiry": {"task": "fleet.tasks.check_document_expiry", "schedule": crontab(hour="7", minute="0")},
    "fleet-colours": {"task": "fleet.tasks.refresh_colours", "schedule": crontab(minute="*/5")},
    # office space: give-back reminders and overdue notices, idle rooms to the reallocation pool
    "offices-vacating": {"task": "offices.tasks.vacating_timers", "schedule": crontab(minute="20")},
    "offices-idle-rooms": {"task": "offices.tasks.idle_rooms", "schedule": crontab(minute="30", hour="6")},
    "offices-norm-scan": {"task": "offices.tasks.norm_scan", "schedule": crontab(minute="50", hour="2")},
}
