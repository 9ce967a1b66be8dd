"""The permission matrix: ONE table of who may do what, for every route of the URL configuration.

Key: "METHOD route" (the route as tests/reliability/urlwalk.normalise writes it). Value:
(object kind or None, one cell per role in this order,  extra URL kwargs).

    anonymous requester requester2 approver contractor_a contractor_b supervisor_other admin

requester = Alice; requester2 = Erin (another unit); approver = Uma, unit approver of Alice's unit;
contractor_a = Bob, dispatcher of 恒安物业 (for fleet routes: Dan, dispatcher of the car-service company);
contractor_b = Zed, worker of 顺达物业 (fleet: Zhou, driver of another car company); supervisor_other = Vic,
bureau supervisor of vehicles, i.e. of another line than property (fleet: Carol, the property supervisor);
admin = Dave, bureau admin.

A cell is one letter for a route without an object, two for a route with one: the first for the role's
own object, the second for another's. "Own" is the object of Erin / contractor B for those two roles and the
object of Alice / her unit / contractor A for everyone else (the supervisor of another line has none: both
letters are about objects outside their line). A = allowed (2xx or a redirect that is not the log-in page;
for a POST with an empty body 400 and 409 count as allowed: the caller got past the permission check),
D = denied (401/403/404, or a redirect to the log-in page), - = not applicable (not checked).
"""

from __future__ import annotations


def SCOPE_OF(route: str) -> str:
    """Which personas play the roles: the fleet routes have their own contractors and "other line"."""
    return "fleet" if route.startswith(("api/v1/fleet/", "fleet/")) else "property"


# fmt: off
MATRIX: dict[str, tuple] = {
    # --- core API
    "GET api/v1/requests/": (None, "D A A A A A A A"),
    "POST api/v1/requests/": (None, "D A A A A A A A"),
    "POST api/v1/requests/preview/": (None, "D A A A A A A A"),
    "GET api/v1/requests/<pk>/": ("request", "DD AD AD AD AD AD DD AA"),
    "POST api/v1/requests/<pk>/attachments/": ("request", "DD AD AD AD AD AD DD AA"),
    "POST api/v1/requests/<pk>/comments/": ("request", "DD AD AD AD AD AD DD AA"),
    "POST api/v1/requests/<pk>/accept/": ("request", "DD DD DD DD AD AD DD DD"),
    # approve: Alice's leak needs no approval, so nobody is an approver of it now (403 for all; see fleet approve)
    "POST api/v1/requests/<pk>/approve/": ("request", "DD DD DD DD DD DD DD DD"),
    "POST api/v1/requests/<pk>/assign/": ("request", "DD DD DD DD AD DD DD AA"),
    "POST api/v1/requests/<pk>/cancel/": ("request", "DD AD AD DD DD DD DD DD"),
    "POST api/v1/requests/<pk>/close/": ("request", "DD DD DD DD DD DD DD AA"),
    "POST api/v1/requests/<pk>/confirm/": ("request", "DD AD AD DD DD DD DD DD"),
    "POST api/v1/requests/<pk>/hold/": ("request", "DD DD DD DD AD AD DD DD"),
    "POST api/v1/requests/<pk>/reassign/": ("request", "DD DD DD DD DD DD DD AA"),
    "POST api/v1/requests/<pk>/reject/": ("request", "DD DD DD DD DD DD DD AA"),
    "POST api/v1/requests/<pk>/reopen/": ("request", "DD AD AD DD DD DD DD AA"),
    "POST api/v1/requests/<pk>/resolve/": ("request", "DD DD DD DD AD AD DD DD"),
    "POST api/v1/requests/<pk>/resume/": ("request", "DD DD DD DD AD AD DD AA"),
    "POST api/v1/requests/<pk>/start/": ("request", "DD DD DD DD AD AD DD DD"),
    # feedback, trips, emergency, dispatch, rate, inspections: the input is checked before the party, so an empty
    # body answers 400 even to a party who may not act; these "A" cells only prove the object was visible.
    "POST api/v1/requests/<pk>/feedback/": ("request", "DD AD AD AD AD AD DD AA"),
    "GET api/v1/notifications/": (None, "D A A A A A A A"),
    "POST api/v1/notifications/mark-read/": (None, "D A A A A A A A"),
    "GET api/v1/notifications/unread-count/": (None, "D A A A A A A A"),
    "GET api/v1/categories/": (None, "D A A A A A A A"),
    "GET api/v1/categories/<pk>/": ("category", "DD AA AA AA AA AA AA AA"),
    "GET api/v1/compounds/": (None, "D A A A A A A A"),
    "GET api/v1/compounds/<pk>/": ("compound", "DD AA AA AA AA AA AA AA"),
    "GET api/v1/buildings/": (None, "D A A A A A A A"),
    "GET api/v1/buildings/<pk>/": ("building", "DD AA AA AA AA AA AA AA"),
    "GET api/v1/rooms/": (None, "D A A A A A A A"),
    "GET api/v1/rooms/by-qr/<token>/": ("room", "DD AA AA AA AA AA AA AA"),
    "GET api/v1/rooms/<pk>/": ("room", "DD AA AA AA AA AA AA AA"),
    "GET api/v1/complaints/": (None, "D A A A A A A A"),
    "GET api/v1/complaints/<pk>/": ("complaint", "DD DD DD DD DD DD DD AA"),
    "POST api/v1/complaints/<pk>/callback/": ("complaint", "DD DD DD DD DD DD DD AA"),
    "GET api/v1/": (None, "D A A A A A A A"),
    "GET api/v1/attachments/<pk>/download/": ("attachment", "DD AD AD AD AD AD DD AA"),
    # --- office space (the admin stands for the bureau's office-space staff; supervisor_other is another line)
    "GET api/v1/offices/floors/": (None, "D D D A D D D A"),
    "GET api/v1/offices/floors/<pk>/": ("floor", "DD DD DD AD DD DD DD AA"),
    "GET api/v1/offices/allocations/": (None, "D D D A D D D A"),
    "POST api/v1/offices/allocations/": (None, "D D D D D D D A"),
    "POST api/v1/offices/allocations/<pk>/end/": ("allocation", "DD DD DD DD DD DD DD AA"),
    "GET api/v1/offices/space-requests/": (None, "D A A A A A A A"),
    "POST api/v1/offices/space-requests/": (None, "D A A A A A A A"),
    "GET api/v1/offices/space-requests/<pk>/": ("space_request", "DD AD AD AD DD DD DD AA"),
    "POST api/v1/offices/space-requests/<pk>/approve/": ("space_request", "DD DD DD AD DD DD DD DD"),
    "POST api/v1/offices/space-requests/<pk>/reject/": ("space_request", "DD DD DD AD DD DD DD AA"),
    "POST api/v1/offices/space-requests/<pk>/cancel/": ("space_request", "DD AD AD DD DD DD DD DD"),
    "POST api/v1/offices/space-requests/<pk>/fulfil/": ("space_request", "DD DD DD DD DD DD DD AA"),
    "GET api/v1/offices/norms/": (None, "D D D D D D D A"),
    "POST api/v1/offices/norms/": (None, "D D D D D D D A"),
    "POST api/v1/offices/checks/": (None, "D D D D D D D A"),
    "GET api/v1/offices/checks/<pk>/": ("norm_check", "DD DD DD DD DD DD DD AA"),
    "GET api/v1/offices/over-standard/": (None, "D D D D D D D A"),
    "GET api/v1/offices/vacating/": (None, "D D D A D D D A"),
    "GET api/v1/offices/usage/": (None, "D D D A D D D A"),
    # --- fleet (contractor_a = the car-service company, supervisor_other = the property supervisor)
    "GET api/v1/fleet/trips/": (None, "D A A A A A A A"),
    "POST api/v1/fleet/trips/": (None, "D A A A A A A A"),
    "POST api/v1/fleet/trips/emergency/": (None, "D A A A A A A A"),
    "GET api/v1/fleet/trips/<pk>/": ("trip", "DD AD AD AD AA DD DD AA"),
    "POST api/v1/fleet/trips/<pk>/approve/": ("trip", "DD DD DD AD DD DD DD DD"),
    "POST api/v1/fleet/trips/<pk>/approve-posthoc/": ("trip", "DD AD AD AD AA DD DD AA"),
    "POST api/v1/fleet/trips/<pk>/cancel/": ("trip", "DD AD AD DD DD DD DD DD"),
    "GET api/v1/fleet/trips/<pk>/candidates/": ("trip", "DD DD DD DD AA DD DD AA"),
    "POST api/v1/fleet/trips/<pk>/cost/": ("trip", "DD DD DD DD AA DD DD AA"),
    "POST api/v1/fleet/trips/<pk>/depart/": ("trip", "DD AD AD AD AA DD DD AA"),
    "POST api/v1/fleet/trips/<pk>/dispatch/": ("trip", "DD AD AD AD AA DD DD AA"),
    "POST api/v1/fleet/trips/<pk>/rate/": ("trip", "DD AD AD AD AA DD DD AA"),
    "POST api/v1/fleet/trips/<pk>/reject/": ("trip", "DD DD DD AD DD DD DD AA"),
    "POST api/v1/fleet/trips/<pk>/return/": ("trip", "DD AD AD AD AA DD DD AA"),
    "GET api/v1/fleet/vehicles/": (None, "D D D D A A D A"),
    "GET api/v1/fleet/vehicles/<pk>/": ("vehicle", "DD DD DD DD AA AA DD AA"),
    "POST api/v1/fleet/vehicles/<pk>/records/": ("vehicle", "DD DD DD DD AA AA DD AA"),
    "GET api/v1/fleet/drivers/": (None, "D D D D A A D A"),
    "GET api/v1/fleet/alerts/": (None, "D D D D A A D A"),
    "GET api/v1/fleet/": (None, "D A A A A A A A"),
    "GET api/v1/fleet/board/": (None, "D D D D A A D A"),
    "GET api/v1/fleet/reports/": (None, "D D D D A A D A"),
    "GET api/v1/fleet/reports/export.xlsx": (None, "D D D D A A D A"),
    # --- reports
    "GET reports/": (None, "D D D D A D A A"),
    "GET reports/sla/requests/": (None, "D D D D A D A A", {"?": "date_from=2026-03-01&date_to=2026-03-31"}),
    "GET reports/exports/<pk>/": ("export", "DD AD AD DD DD DD DD DD"),
    "GET reports/monthly/": (None, "D D D D D D A A"),
    "GET reports/scorecards/": (None, "D D D D A D A A"),
    "GET reports/scorecards/<pk>/": ("scorecard", "DD DD DD DD AD DD DD AA"),
    # sign-off, penalties, revisions and answers are the bureau's; the party is checked before the input is read
    "POST reports/scorecards/<pk>/do/<action>/": ("scorecard", "DD DD DD DD DD DD DD AA", {"action": "sign"}),
    "POST reports/scorecards/appeals/<pk>/answer/": ("appeal", "DD DD DD DD DD DD DD AA"),
    "GET reports/scorecards/contracts/<pk>/rollup/": ("contract", "DD DD DD DD AD DD DD AA"),
    "GET reports/scorecards/contracts/<pk>/rollup.xlsx": ("contract", "DD DD DD DD AD DD DD AA"),
    "GET reports/inspections/": (None, "D D D D A D A A"),
    "GET reports/inspections/new/": (None, "D D D D D D A A"),
    "POST reports/inspections/new/": (None, "D D D D D D A A"),
    "GET reports/inspections/<pk>/": ("inspection", "DD DD DD DD AD DD DD AA"),
    "GET reports/inspections/photos/<pk>/": ("inspection_photo", "DD DD DD DD AD DD DD AA"),
    "GET api/v1/reports/sla/": (None, "D D D D A D A A", {"?": "date_from=2026-03-01&date_to=2026-03-31"}),
    "GET api/v1/reports/sla/requests/": (None, "D D D D A D A A", {"?": "date_from=2026-03-01&date_to=2026-03-31"}),
    "GET api/v1/reports/sla/export.csv": (None, "D D D D A D A A", {"?": "date_from=2026-03-01&date_to=2026-03-31"}),
    "GET api/v1/reports/sla/export.xlsx": (None, "D D D D A D A A", {"?": "date_from=2026-03-01&date_to=2026-03-31"}),
    "GET api/v1/reports/exports/": (None, "D A A A A A A A"),
    "POST api/v1/reports/exports/": (None, "D D D D A D A A"),
    "GET api/v1/reports/exports/<pk>/": ("export", "DD AD AD DD DD DD DD DD"),
    "GET api/v1/reports/exports/<pk>/download/": ("export", "DD AD AD DD DD DD DD DD"),
    "GET api/v1/reports/monthly/": (None, "D D D D D D A A"),
    "GET api/v1/reports/monthly/<pk>/download/": ("monthly", "DD DD DD DD DD DD AA AA"),
    # --- assessment API: the party is checked before the input is read (an empty body answers 400 only to a
    # party who may act)
    "GET api/v1/assessment/checklists/": (None, "D D D D D D A A"),
    "GET api/v1/assessment/inspections/": (None, "D D D D A D A A"),
    "POST api/v1/assessment/inspections/": (None, "D D D D D D A A"),
    "GET api/v1/assessment/inspections/<pk>/": ("inspection", "DD DD DD DD AD DD DD AA"),
    "GET api/v1/assessment/scorecards/": (None, "D D D D A D A A"),
    "GET api/v1/assessment/scorecards/<pk>/": ("scorecard", "DD DD DD DD AD DD DD AA"),
    "GET api/v1/assessment/scorecards/<pk>/export.xlsx": ("scorecard", "DD DD DD DD AD DD DD AA"),
    "POST api/v1/assessment/scorecards/<pk>/adjust/": ("scorecard", "DD DD DD DD DD DD DD AA"),
    "POST api/v1/assessment/scorecards/<pk>/sign/": ("scorecard", "DD DD DD DD DD DD DD AA"),
    "POST api/v1/assessment/scorecards/<pk>/revise/": ("scorecard", "DD DD DD DD DD DD DD AA"),
    "POST api/v1/assessment/scorecards/<pk>/appeal/": ("scorecard", "DD DD DD DD AD DD DD DD"),
    "POST api/v1/assessment/appeals/<pk>/answer/": ("appeal", "DD DD DD DD DD DD DD AA"),
    "GET api/v1/assessment/contracts/<pk>/scheme/": ("contract", "DD DD DD DD AD DD DD AA"),
    "PUT api/v1/assessment/contracts/<pk>/scheme/": ("contract", "DD DD DD DD DD DD DD AA"),
    "GET api/v1/assessment/contracts/<pk>/rollup/": ("contract", "DD DD DD DD AD DD DD AA"),
    "POST api/v1/assessment/penalties/": (None, "D D D D D D A A"),
    # --- pages
    # --- office space pages
    "GET offices/": (None, "D D D A D D D A"),
    "GET offices/floors/<pk>/": ("floor", "DD DD DD AD DD DD DD AA"),
    "GET offices/rooms/<pk>/": ("office_room", "DD DD DD AD DD DD DD AA"),
    "POST offices/rooms/<pk>/do/<action>/": ("office_room", "DD DD DD AD DD DD DD AA", {"action": "seat"}),
    "POST offices/seats/<pk>/do/<action>/": ("seat", "DD DD DD AD DD DD DD AA", {"action": "vacated"}),
    "GET offices/allocations/<pk>/certificate/": ("allocation", "DD DD DD AD DD DD DD AA"),
    "GET offices/requests/": (None, "D A A A D D A A"),
    "GET offices/requests/new/": (None, "D A A A D D D D"),
    "GET offices/requests/<pk>/": ("space_request", "DD AD AD AD DD DD DD AA"),
    "POST offices/requests/<pk>/do/<step>/": ("space_request", "DD DD DD AD DD DD DD DD", {"step": "approve"}),
    "GET offices/by-request/<pk>/": ("space_core", "DD AD AD AD DD DD DD AA"),
    "GET offices/ledger/": (None, "D D D D D D D A"),
    "POST offices/scan/": (None, "D D D D D D D A"),
    "GET offices/checks/<pk>/": ("norm_check", "DD DD DD DD DD DD DD AA"),
    "GET offices/units/<pk>/notice/": ("unit", "DD DD DD AD DD DD DD AA"),
    "GET offices/leaders/": (None, "D D D D D D D A"),
    "GET offices/norms/": (None, "D D D D D D D A"),
    "GET fleet/": (None, "D A A A A A A A"),
    "GET fleet/apply/": (None, "D A A A D D D D"),
    "GET fleet/trips/<pk>/": ("trip", "DD AD AD AD AA DD DD AA"),
    "POST fleet/trips/<pk>/do/<step>/": ("trip", "DD DD DD AD DD DD DD DD", {"step": "approve"}),
    # the dispatch note exists only after dispatch: 404 for everyone on an undispatched trip
    "GET fleet/trips/<pk>/note/": ("trip", "DD DD DD DD DD DD DD DD"),
    "GET fleet/approvals/": (None, "D A A A A A A A"),
    "GET fleet/board/": (None, "D D D D A A D A"),
    "GET fleet/driver/": (None, "D A A A A A A A"),
    "GET fleet/vehicles/": (None, "D D D D A A D A"),
    "GET fleet/vehicles/<pk>/": ("vehicle", "DD DD DD DD AA AA DD AA"),
    "GET fleet/reports/": (None, "D D D D A A D A"),
    "GET ": (None, "D A A A A A A A"),
    "GET accounts/login/": (None, "A A A A A A A A"),
    "POST accounts/logout/": (None, "- - - - - - - -"),  # by design it redirects to the log-in page
    "GET requests/new/": (None, "D A A A A A A A"),
    "GET requests/": (None, "D A A A A A A A"),
    "GET requests/<pk>/": ("request", "DD AD AD AD AD AD DD AA"),
    "POST requests/<pk>/do/<action>/": ("request", "DD DD DD DD AD AD DD DD", {"action": "accept"}),
    "POST requests/<pk>/comment/": ("request", "DD AD AD AD AD AD DD AA"),
    "GET attachments/<pk>/": ("attachment", "DD AD AD AD AD AD DD AA"),
    "GET qr/": (None, "D D D D A D A A"),
    "GET qr/buildings/<pk>/": ("building", "DD DD DD DD AA DD AA AA"),
    "GET qr/r/<token>/": ("room", "DD AA AA AA AA AA AA AA"),
    "GET workbench/": (None, "D D D D A A A A"),
    "GET workbench/mine/": (None, "D D D D A A A A"),
    "GET console/": (None, "D D D D D D A A"),
    "GET console/complaints/": (None, "D D D D D D A A"),
    "POST console/complaints/<pk>/callback/": ("complaint", "DD DD DD DD DD DD DD AA"),
    "GET account/api-token/": (None, "D A A A A A A A"),
    "POST account/api-token/new/": (None, "D A A A A A A A"),
    "POST account/api-token/revoke/": (None, "D A A A A A A A"),
    "GET favicon.ico": (None, "A A A A A A A A"),
    "GET notifications/": (None, "D A A A A A A A"),
    "GET notifications/badge/": (None, "D A A A A A A A"),
    "POST notifications/read/": (None, "D A A A A A A A"),
    "GET notifications/<pk>/": ("notification", "DD AD AD AD AD AD AD AD"),
}
# fmt: on
