"""Domain errors. servicedesk/api.py maps them to HTTP answers (400, 403, 404, 409)."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class TransitionNotAllowed(Exception):
    """The action is not allowed from the request's current state (HTTP 409)."""

    def __init__(self, message: str, *, action: str = "", status: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.action = action
        self.status = status


class ActionForbidden(Exception):
    """The actor's role may not take this action on this request (HTTP 403)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def field_error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})
