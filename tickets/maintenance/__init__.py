"""Planned maintenance (计划维保): the equipment register, maintenance plans and their occurrences.

Part of the core's property line, not a module: its tables are the ``tickets`` app's, and each due occurrence is
opened as a core request of the core's ``planned_maintenance`` kind (owned by this package, so only the beat files
it). ``recurrence.py`` is pure (plan fields → dates), ``services.py`` writes, ``tasks.py`` is the beat's entry.
"""
