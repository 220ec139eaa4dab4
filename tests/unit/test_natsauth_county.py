"""A county's users and the hub's fence around its leaf (shared/natsauth/county.py): the city's
permissions narrowed to the county, the JetStream API as it crosses the link."""

from __future__ import annotations

from shared.natsauth import integrator_permissions, service_permissions
from shared.natsauth.county import (
    across,
    county_jetstream,
    county_service_permissions,
    leaf_permissions,
    leaf_user_permissions,
)
from shared.streams import county_consumers

A, B = "371402", "371403"


def _all(permissions: dict) -> list[str]:  # type: ignore[type-arg]
    return [*permissions["publish"]["allow"], *permissions["subscribe"]["allow"]]


def test_the_hub_lets_only_the_countys_subjects_cross() -> None:
    fence = leaf_permissions(A, "city")
    subjects = _all(fence)
    assert not any(".*." in s or B in s for s in subjects), subjects
    assert not any(s.startswith(("$JS.API.", "$KV.")) for s in subjects)  # all in the domain
    assert "zuofeng.v1.371402.report.>" in fence["publish"]["allow"]
    assert "zuofeng.v1.371402.intake.submit" in fence["subscribe"]["allow"]
    assert set(fence["subscribe"]["allow"]) >= {
        "_INBOX.intake-371402.>",
        "_INBOX.integrator-371402.>",
    }
    assert "_INBOX.intake.>" not in subjects  # the city intake's replies stay the city's
    # Nothing an integrator or intake of the county may not do at the city.
    city = {across(s, "city") for s in _all(service_permissions("intake"))}
    city |= {across(s, "city") for s in _all(integrator_permissions(A))}
    narrowed = {
        s.replace(".*.", f".{A}.").replace("_INBOX.intake.", f"_INBOX.intake-{A}.") for s in city
    }
    own = {across(s, "city") for s in county_jetstream("intake", A)}  # its own durables
    assert set(subjects) <= narrowed | own


def test_the_county_intake_is_the_city_intake_narrowed_to_its_own_durable() -> None:
    county = county_service_permissions("intake", A)
    assert county["allow_responses"] is True
    # On its own leaf intake keeps its queue on every county's submissions (only the county's
    # integrator can publish there); the hub's fence above narrows what crosses.
    local = leaf_user_permissions(f"intake-{A}", A, "city")
    publish = local["publish"]["allow"]
    assert "zuofeng.v1.*.intake.submit" in local["subscribe"]["allow"]
    assert f"$JS.city.API.CONSUMER.MSG.NEXT.CASES.intake-cases-{A}" in publish
    assert f"zuofeng.dlq.intake-cases-{A}" in publish
    assert f"$JS.city.API.$KV.DLQ_ERRORS.intake-cases-{A}.>" in publish
    # Not the city's durables (every county's events), nor a read by sequence, nor another
    # durable's dead letters or errors.
    city = (".intake-cases", ".dlq-mover", ".intake-cases.>", ".dlq-mover.>")
    assert [s for s in publish if s.endswith(city) or "MSG.GET.CASES" in s] == []
    assert "zuofeng.dlq.>" not in publish
    assert "$JS.city.API.$KV.DLQ_ERRORS.>" not in publish


def test_a_countys_durable_is_filtered_to_the_county() -> None:
    (own,) = county_consumers(A)
    assert (own.durable, own.stream, own.filter_subject) == (
        f"intake-cases-{A}", "CASES", f"zuofeng.v1.{A}.case.>",
    )  # fmt: skip


def test_across_maps_only_the_jetstream_api_and_key_values() -> None:
    assert across("$JS.API.INFO", "city") == "$JS.city.API.INFO"
    assert across("$KV.SESSIONS.>", "city") == "$JS.city.API.$KV.SESSIONS.>"
    assert across("$JS.ACK.CASES.x.>", "city") == "$JS.ACK.CASES.x.>"
    assert across("zuofeng.v1.371402.report.>", "city") == "zuofeng.v1.371402.report.>"
