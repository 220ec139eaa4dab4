"""Who may call which route (architecture.md, "Roles and isolation"): one rule per route.

A route with no rule here fails the matrix test, so every new route must say who may use it.
`scoped`: the route touches one object of a unit (a case, a notice): outside the caller's
scope it answers 404, so ids cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass

ALL_ROLES = (
    "clerk",
    "officer",
    "leader",
    "supervisor",
    "city_office",
    "inspector",
    "auditor",
    "integrator",
    "federation_officer",
    "village_cadre",
)
CASE_WORKERS = ("officer", "leader", "supervisor", "city_office")
READERS = ("officer", "leader", "supervisor", "city_office", "inspector", "auditor")
PAGE_WORKERS = ("officer", "leader", "supervisor", "city_office", "inspector")
INBOX_READERS = ("officer", "leader", "supervisor", "city_office", "inspector")
LETTER_PRINTERS = ("clerk", "city_office")
FEDERATION_OFFICERS = ("federation_officer",)
FEDERATION_RECORDERS = ("federation_officer", "village_cadre")
# The woman herself applies with no credential; with one, a cadre or an officer.
FEDERATION_SUBMITTERS = ("federation_officer", "village_cadre")


@dataclass(frozen=True)
class Rule:
    roles: tuple[str, ...] | None  # None: public (no credential needed)
    scoped: bool = False
    # The object belongs to one unit (an inbox notice): other units, whatever their role, get 404.
    unit_owned: bool = False
    # An officials' page (issue 17): it reads the session cookie, not a token, so the matrix's
    # callers are all signed out to it and are sent to sign-in (303); its roles, scope and form
    # token are tested with sessions in tests/integration/test_*_pages.py.
    page: bool = False
    # A page that also answers a bearer token or API key like the API (reporting's dashboard):
    # with a token the API's rules hold; with nothing, it sends to sign-in.
    bearer: bool = False


PUBLIC = Rule(None)
ANY = Rule(ALL_ROLES)

RULES: dict[tuple[str, str, str], Rule] = {
    # operations, on every service
    **{
        (s, "GET", p): PUBLIC
        for s in ("intake", "cases", "notify", "reporting", "federation")
        for p in ("/healthz", "/readyz", "/metrics")
    },
    # intake
    ("intake", "POST", "/api/v1/reports"): PUBLIC,  # web is public; other channels checked inside
    ("intake", "GET", "/api/v1/reports/{tracking_code}"): PUBLIC,
    ("intake", "POST", "/api/v1/reports/{tracking_code}/review"): PUBLIC,
    ("intake", "POST", "/api/v1/reports/{tracking_code}/re-review"): PUBLIC,
    # the reporter rates the reply; a clerk records a return call (its role checked inside)
    ("intake", "POST", "/api/v1/reports/{tracking_code}/feedback"): PUBLIC,
    ("intake", "GET", "/api/v1/problems"): PUBLIC,
    ("intake", "GET", "/api/v1/counties"): PUBLIC,
    ("intake", "POST", "/api/v1/attachments"): PUBLIC,
    ("intake", "POST", "/api/v1/reports/import"): Rule(("clerk", "city_office")),
    **{
        ("intake", m, p): PUBLIC
        for m, p in (
            ("GET", "/open311/v2/discovery.json"),
            ("GET", "/open311/v2/discovery.xml"),
            ("GET", "/open311/v2/services"),
            ("GET", "/open311/v2/services.json"),
            ("GET", "/open311/v2/services.xml"),
            ("GET", "/open311/v2/services/{service_code}"),
            ("GET", "/open311/v2/requests"),
            ("POST", "/open311/v2/requests"),
            ("GET", "/open311/v2/requests.json"),
            ("POST", "/open311/v2/requests.json"),
            ("GET", "/open311/v2/requests.xml"),
            ("POST", "/open311/v2/requests.xml"),
            ("GET", "/open311/v2/requests/{request_id}"),
            ("GET", "/open311/v2/requests/{request_id}.json"),
        )
    },
    # the public's pages (issue 18): anyone, no credential; the form posts run the same checks
    **{
        ("intake", m, p): PUBLIC
        for m, p in (
            ("GET", "/"),
            ("POST", "/report"),
            ("GET", "/track"),
            ("POST", "/track"),
            ("POST", "/track/review"),
            ("POST", "/track/feedback"),
            # the 回访 SMS link (issue 26): the survey token is the credential, checked inside
            ("GET", "/survey/{token}"),
            ("POST", "/survey/{token}"),
            ("GET", "/exposures"),
        )
    },
    # the clerk's desk (issue 17, officials' pages)
    **{
        ("intake", m, p): Rule(("clerk", "city_office"), page=True)
        for m in ("GET", "POST")
        for p in ("/desk", "/desk/import")
    },
    # cases
    ("cases", "GET", "/api/v1/units"): PUBLIC,
    ("cases", "GET", "/api/v1/cases"): Rule(READERS),
    ("cases", "GET", "/api/v1/cases/{case_id}"): Rule(READERS, scoped=True),
    ("cases", "GET", "/api/v1/audit"): Rule(("auditor",)),
    # the campaign's supervised tasks (issue 22): a unit sees its own (responsible or lead)
    ("cases", "GET", "/api/v1/measures"): Rule(READERS),
    ("cases", "GET", "/api/v1/tasks"): Rule(READERS),
    ("cases", "GET", "/api/v1/tasks/{task_id}"): Rule(READERS, scoped=True),
    ("cases", "POST", "/api/v1/tasks"): Rule(("city_office",)),
    ("cases", "POST", "/api/v1/tasks/follow-up"): Rule(
        ("officer", "leader", "supervisor", "city_office")
    ),
    ("cases", "POST", "/api/v1/tasks/{task_id}/report"): Rule(("officer", "leader"), scoped=True),
    ("cases", "POST", "/api/v1/tasks/{task_id}/accept"): Rule(
        ("officer", "leader", "city_office"), scoped=True
    ),
    ("cases", "GET", "/api/v1/inspections"): Rule(READERS),
    ("cases", "GET", "/api/v1/inspections/{inspection_id}"): Rule(READERS, scoped=True),
    ("cases", "POST", "/api/v1/inspections"): Rule(PAGE_WORKERS),
    ("cases", "POST", "/api/v1/inspections/{inspection_id}/visit"): Rule(PAGE_WORKERS, scoped=True),
    ("cases", "POST", "/api/v1/inspections/{inspection_id}/findings"): Rule(
        PAGE_WORKERS, scoped=True
    ),
    ("cases", "GET", "/api/v1/data-requests"): Rule(READERS),
    ("cases", "POST", "/api/v1/data-requests"): Rule(CASE_WORKERS),
    ("cases", "POST", "/api/v1/tasks/{task_id}/send-back"): Rule(
        ("officer", "leader", "city_office"), scoped=True
    ),
    ("cases", "GET", "/api/v1/discipline/quarterly"): Rule(("inspector", "city_office", "auditor")),
    # cases' officials' pages (issue 17)
    ("cases", "GET", "/workbench"): Rule(PAGE_WORKERS, page=True),
    ("cases", "GET", "/case/{case_id}"): Rule(READERS, scoped=True, page=True),
    ("cases", "POST", "/case/{case_id}/reveal-identity"): Rule(
        ("inspector",), scoped=True, page=True
    ),
    ("cases", "GET", "/approvals"): Rule(("leader", "supervisor", "city_office"), page=True),
    ("cases", "GET", "/triage"): Rule(("city_office",), page=True),
    ("cases", "GET", "/transfers"): Rule(("city_office",), page=True),
    ("cases", "GET", "/exposure-board"): Rule(("city_office",), page=True),
    ("cases", "GET", "/audit"): Rule(("auditor",), page=True),
    # notify
    # A unit's inbox is for its people who work cases (issue 15.16): not clerks, integrators
    # or auditors.
    ("notify", "GET", "/api/v1/inbox"): Rule(INBOX_READERS),
    ("notify", "POST", "/api/v1/inbox/{notice_id}/read"): Rule(
        INBOX_READERS, scoped=True, unit_owned=True
    ),
    # the inbox pages (issue 17): the same readers as the JSON inbox
    ("notify", "GET", "/inbox"): Rule(INBOX_READERS, page=True),
    ("notify", "POST", "/inbox/read"): Rule(INBOX_READERS, page=True),
    ("notify", "GET", "/inbox/preferences"): Rule(INBOX_READERS, page=True),
    ("notify", "POST", "/api/v1/webhooks"): Rule(("integrator",)),
    ("notify", "GET", "/api/v1/webhooks"): Rule(("integrator",)),
    ("notify", "DELETE", "/api/v1/webhooks/{subscription_id}"): Rule(("integrator",), scoped=True),
    ("notify", "POST", "/api/v1/webhooks/{subscription_id}/resume"): Rule(
        ("integrator",), scoped=True
    ),
    ("notify", "GET", "/api/v1/webhooks/{subscription_id}/deliveries"): Rule(
        ("integrator",), scoped=True
    ),
    ("notify", "POST", "/api/v1/webhooks/{subscription_id}/redeliver"): Rule(
        ("integrator",), scoped=True
    ),
    # 书面告知's print queue (issue 22): the clerks of the unit that took the letter or visit
    # report, and the city office for all; another unit's letter is 404.
    ("notify", "GET", "/api/v1/letters"): Rule(LETTER_PRINTERS),
    ("notify", "GET", "/api/v1/letters/{letter_id}/pdf"): Rule(
        LETTER_PRINTERS, scoped=True, unit_owned=True
    ),
    ("notify", "POST", "/api/v1/letters/printed"): Rule(LETTER_PRINTERS),
    # reporting
    ("reporting", "GET", "/api/v1/stats"): Rule(READERS),
    ("reporting", "GET", "/api/v1/supervision"): Rule(READERS),  # issue 22
    ("reporting", "GET", "/api/v1/export/supervision.{fmt}"): Rule(READERS),
    # issue 23: the Women's Federation's programmes per county, for the readers and the
    # federation officers (a county's caller its county, a city-level one every county)
    ("reporting", "GET", "/api/v1/stats/programmes"): Rule((*READERS, "federation_officer")),
    ("reporting", "GET", "/api/v1/export/programmes.{fmt}"): Rule((*READERS, "federation_officer")),
    ("reporting", "GET", "/api/v1/scorecards"): Rule(READERS),
    ("reporting", "GET", "/api/v1/phases"): PUBLIC,
    ("reporting", "GET", "/api/v1/ranking"): Rule(READERS),
    ("reporting", "GET", "/api/v1/exposures"): PUBLIC,
    ("reporting", "GET", "/api/v1/alerts"): Rule(READERS),
    ("reporting", "POST", "/api/v1/alerts/{alert_id}/decision"): Rule(
        ("city_office", "supervisor", "inspector"), scoped=True
    ),
    ("reporting", "GET", "/api/v1/export/stats.{fmt}"): Rule(READERS),
    ("reporting", "GET", "/api/v1/export/cases.{fmt}"): Rule(READERS),
    # reporting's pages: the overview and the exposure board are public (a token or the page
    # session adds the reader's parts); drill-downs and alerts need a reader (signed out: to
    # sign-in); an alert's page decides with the session only (city office, supervisors, ...).
    ("reporting", "GET", "/"): PUBLIC,  # sends to /dashboard
    ("reporting", "GET", "/dashboard"): PUBLIC,
    ("reporting", "GET", "/dashboard/exposures"): PUBLIC,
    ("reporting", "GET", "/dashboard/alerts"): Rule(READERS, page=True, bearer=True),
    ("reporting", "GET", "/dashboard/export/supervision.{fmt}"): Rule(
        READERS, page=True, bearer=True
    ),
    ("reporting", "GET", "/dashboard/export/programmes.{fmt}"): Rule(
        (*READERS, "federation_officer"), page=True, bearer=True
    ),
    ("reporting", "GET", "/dashboard/programmes"): Rule(
        (*READERS, "federation_officer"), page=True, bearer=True
    ),
    ("reporting", "GET", "/dashboard/county/{code}"): Rule(READERS, page=True, bearer=True),
    ("reporting", "GET", "/dashboard/unit/{unit_id}"): Rule(READERS, page=True, bearer=True),
    # The month's briefing covers the whole city: whole-city readers only.
    ("reporting", "GET", "/dashboard/briefing"): Rule(
        ("city_office", "inspector", "auditor"), page=True, bearer=True
    ),
    ("reporting", "GET", "/dashboard/alerts/{alert_id}"): Rule(READERS, scoped=True, page=True),
    ("reporting", "POST", "/dashboard/alerts/{alert_id}"): Rule(
        ("city_office", "supervisor", "inspector"), scoped=True, page=True
    ),
    # federation (issue 23): county and city federation officers run the programmes, village
    # cadres submit and record; a woman may apply and read her status with no credential.
    # `scoped`: another county's record answers 404 (a city officer sees every county).
    ("federation", "GET", "/api/v1/programmes"): PUBLIC,
    ("federation", "POST", "/api/v1/aid/applications"): Rule(FEDERATION_SUBMITTERS),
    ("federation", "POST", "/api/v1/aid/status"): PUBLIC,
    ("federation", "GET", "/api/v1/aid/applications"): Rule(FEDERATION_OFFICERS),
    ("federation", "GET", "/api/v1/aid/applications/{application_id}"): Rule(
        FEDERATION_OFFICERS, scoped=True
    ),
    **{
        ("federation", "POST", f"/api/v1/aid/applications/{{application_id}}/{step}"): Rule(
            FEDERATION_OFFICERS, scoped=True
        )
        for step in ("check", "review", "approve", "disburse", "close", "refuse")
    },
    ("federation", "POST", "/api/v1/aid/drives"): Rule(FEDERATION_OFFICERS),
    ("federation", "GET", "/api/v1/aid/drives"): Rule(FEDERATION_OFFICERS),
    ("federation", "GET", "/api/v1/aid/drives/{drive_id}"): Rule(FEDERATION_OFFICERS),
    ("federation", "POST", "/api/v1/villages"): Rule(FEDERATION_OFFICERS),
    ("federation", "GET", "/api/v1/villages"): Rule(FEDERATION_RECORDERS),
    ("federation", "GET", "/api/v1/programmes/stats"): Rule(FEDERATION_OFFICERS),
    ("federation", "GET", "/api/v1/programmes/stats.csv"): Rule(FEDERATION_OFFICERS),
    ("federation", "POST", "/api/v1/schools"): Rule(FEDERATION_RECORDERS),
    ("federation", "POST", "/api/v1/schools/{school_id}/sponsors"): Rule(
        FEDERATION_OFFICERS, scoped=True
    ),
    ("federation", "POST", "/api/v1/pairings"): Rule(FEDERATION_RECORDERS),
    ("federation", "POST", "/api/v1/pairings/{pairing_id}/visits"): Rule(
        FEDERATION_RECORDERS, scoped=True
    ),
    ("federation", "POST", "/api/v1/homes"): Rule(FEDERATION_RECORDERS),
    ("federation", "POST", "/api/v1/activities"): Rule(FEDERATION_RECORDERS),
    ("federation", "POST", "/api/v1/selections"): Rule(FEDERATION_RECORDERS),
    ("federation", "POST", "/api/v1/selections/{selection_id}/review"): Rule(
        FEDERATION_OFFICERS, scoped=True
    ),
    ("federation", "POST", "/api/v1/selections/{selection_id}/publish"): Rule(
        FEDERATION_OFFICERS, scoped=True
    ),
    ("federation", "GET", "/api/v1/selections/results"): PUBLIC,
    # federation's officials' pages (issue 23): officers review applications (the only page with
    # the sealed details, scoped to their county), cadres and officers submit and see records
    ("federation", "GET", "/federation"): Rule(FEDERATION_RECORDERS, page=True),
    ("federation", "GET", "/federation/applications"): Rule(FEDERATION_OFFICERS, page=True),
    ("federation", "GET", "/federation/applications/{application_id}"): Rule(
        FEDERATION_OFFICERS, scoped=True, page=True
    ),
    ("federation", "POST", "/federation/applications/{application_id}/{action}"): Rule(
        FEDERATION_OFFICERS, scoped=True, page=True
    ),
    ("federation", "GET", "/federation/submit"): Rule(FEDERATION_RECORDERS, page=True),
    ("federation", "POST", "/federation/submit"): Rule(FEDERATION_RECORDERS, page=True),
    **{
        ("federation", "GET", f"/federation/{kind}"): Rule(FEDERATION_RECORDERS, page=True)
        for kind in ("schools", "pairings", "homes", "selections")
    },
    # cases' sign-in pages (issue 17): forms anyone may open; they check the password, code or
    # identity provider themselves (a signed-out /signin/done goes back to /signin)
    **{
        ("cases", m, p): PUBLIC
        for m, p in (
            ("GET", "/signin"),
            ("POST", "/signin"),
            ("GET", "/signin/totp"),
            ("POST", "/signin/totp"),
            ("POST", "/signin/totp/enrol"),
            ("GET", "/signin/done"),
            ("POST", "/signout"),
            ("GET", "/signin/oidc"),
            ("GET", "/signin/oidc/callback"),
        )
    },
}


def case_action_rules() -> dict[tuple[str, str, str], Rule]:
    """POST /api/v1/cases/{case_id}/<action> and its page form POST /case/{case_id}/<action>:
    the roles the state machine lets ever do it (the matrix asks the page route once per
    action)."""
    from services.cases.domain.vocabulary import Action
    from services.cases.domain.who import ROLES

    rules = {}
    for action, roles in ROLES.items():
        allowed = tuple(sorted(role.value for role in roles if role.value != "system"))
        if action is Action.FILE_PART:
            # Only a co-unit (协办) files a part, and the matrix's callers are the handling unit
            # and strangers: every one is refused. A co-unit filing is tests/e2e'
            # test_cases_followup.py.
            allowed = ()
        rules[("cases", "POST", f"/api/v1/cases/{{case_id}}/{action.value}")] = Rule(
            allowed, scoped=True
        )
        rules[("cases", "POST", f"/case/{{case_id}}/{action.value}")] = Rule(
            allowed, scoped=True, page=True
        )
    return rules


RULES.update(case_action_rules())
