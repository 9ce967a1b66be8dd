"""Contractor assessment (考核), a part of the core: inspections and checklists, scoring schemes, monthly
scorecards, fixed penalties, appeals and quarterly or yearly roll-ups.

models.py (tables of the ``tickets`` app), scoring.py (pure arithmetic), schemes.py (scheme checks and saving),
inspections.py and scorecards.py (writes), selectors.py (reads), permissions.py, api/ (``/api/v1/assessment/``),
views.py and forms.py (pages), admin.py, xlsx.py, demo.py, tasks.py.
"""
