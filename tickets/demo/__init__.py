"""Demo data: a city 机关事务管理局 with three compounds, its tenant units, three contractors, a service catalogue
with SLA policies and contracts, about 70 people, and a year of requests.

- ``tables``: the reference data as plain tables (places, organisations, calendars, catalogue, contracts, people);
- ``loaders``: write them, keyed by natural keys (codes, names, usernames, room numbers) with get_or_create /
  update_or_create, so ``manage.py load_demo`` run twice changes nothing; and count what the demo holds;
- ``history_tables`` and ``history``: the year of requests, driven through the real services in simulated time
  (skipped when demo requests already exist);
- ``archive``: what the monthly scheduled jobs would have produced over that year (the monthly reports).

This package never imports the optional modules (fleet, canteen, offices); the command calls the demo loaders
their request kinds declare.
"""

from tickets.demo.archive import load_report_archive
from tickets.demo.history import INBOX_DAYS, backdated, history_loaded, load_history
from tickets.demo.loaders import COUNT_LABELS, counts, demo_logins, load_catalogue, load_reference, load_users
from tickets.demo.tables import CATEGORIES, PASSWORD, UNITS

__all__ = [
    "CATEGORIES",
    "COUNT_LABELS",
    "INBOX_DAYS",
    "PASSWORD",
    "UNITS",
    "backdated",
    "counts",
    "demo_logins",
    "history_loaded",
    "load_catalogue",
    "load_history",
    "load_reference",
    "load_report_archive",
    "load_users",
]
