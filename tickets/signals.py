"""Signals the core sends. Modules connect to these; the core knows nothing of its receivers.

All are sent inside the service's transaction, after the change and its event are written; a receiver that
raises rolls the whole change back. Work that talks to the outside world belongs in transaction.on_commit.
"""

from django.dispatch import Signal

#: A request was created. kwargs: service_request (ServiceRequest), event (Event), actor (User).
request_created = Signal()

#: A request changed status through the gate. kwargs: service_request, event, action (str), actor (User | None).
request_transitioned = Signal()

#: A target was breached, once per request and target. kwargs: service_request, event, target (str: response,
#: arrival, resolution).
sla_breached = Signal()

#: A requester rated a request. kwargs: service_request, feedback (Feedback), event.
feedback_received = Signal()
