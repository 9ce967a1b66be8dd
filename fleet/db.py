"""Kept for fleet's migrations: the vendor-only operations now live in ``servicedesk.db`` (offices uses them too)."""

from servicedesk.db import AddPostgresConstraint, VendorSQL

__all__ = ["AddPostgresConstraint", "VendorSQL"]
