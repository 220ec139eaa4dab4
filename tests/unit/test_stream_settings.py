"""Stream limits and replicas as settings (`ZUOFENG_STREAM_*`), and `ZUOFENG_NATS_URL` as a list
of a cluster's servers."""

from __future__ import annotations

import pytest
from nats.js.api import DiscardPolicy
from pydantic import ValidationError

from shared.bus import server_list
from shared.settings.streams import DAY, StreamSettings
from shared.streams import STREAMS, stream_config


def _def(name: str):  # type: ignore[no-untyped-def]
    return next(s for s in STREAMS if s.name == name)


def test_defaults_keep_the_campaign_and_never_drop_unread_events() -> None:
    settings = StreamSettings()
    for name in ("INTAKE", "CASES", "NOTIFY", "REPORTING"):
        config = stream_config(_def(name), settings)
        assert config.max_age == 500 * DAY  # a year's campaign and a margin: rebuild replays all
        assert config.discard == DiscardPolicy.NEW  # full refuses publishes (the outbox holds)
        assert config.num_replicas == 1
    audit = stream_config(_def("AUDIT"), settings)
    assert not audit.max_age and audit.max_bytes == -1 and audit.deny_delete
    assert stream_config(_def("DLQ"), settings).discard == DiscardPolicy.NEW
    assert stream_config(_def("DLQ_ADVISORIES"), settings).discard == DiscardPolicy.OLD


def test_environment_sets_replicas_and_each_familys_limits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ZUOFENG_STREAM_REPLICAS", "3")
    monkeypatch.setenv("ZUOFENG_STREAM_EVENTS_MAX_AGE", "400d")
    monkeypatch.setenv("ZUOFENG_STREAM_EVENTS_MAX_BYTES", "20G")
    monkeypatch.setenv("ZUOFENG_STREAM_DLQ_MAX_BYTES", "512MiB")
    monkeypatch.setenv("ZUOFENG_STREAM_ADVISORIES_DISCARD", "new")
    monkeypatch.setenv("ZUOFENG_STREAM_DUPLICATE_WINDOW", "5m")
    settings = StreamSettings()
    intake = stream_config(_def("INTAKE"), settings)
    assert (intake.num_replicas, intake.max_age, intake.max_bytes) == (3, 400 * DAY, 20 * 1024**3)
    assert intake.duplicate_window == 300
    assert stream_config(_def("DLQ"), settings).max_bytes == 512 * 1024**2
    assert stream_config(_def("DLQ_ADVISORIES"), settings).discard == DiscardPolicy.NEW
    assert stream_config(_def("AUDIT"), settings).max_bytes == -1  # other families untouched


def test_duplicate_window_never_outlasts_the_age_limit() -> None:
    settings = StreamSettings(advisories_max_age="60s", duplicate_window="120")
    assert stream_config(_def("DLQ_ADVISORIES"), settings).duplicate_window == 60
    assert stream_config(_def("AUDIT"), settings).duplicate_window == 120  # no age limit


@pytest.mark.parametrize(
    "bad", [{"replicas": 0}, {"replicas": 6}, {"events_discard": "oldest"}, {"dlq_max_age": "-1"}]
)
def test_impossible_settings_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        StreamSettings(**bad)  # type: ignore[arg-type]


def test_a_nats_url_setting_lists_every_node() -> None:
    assert server_list("nats://127.0.0.1:4301, nats://127.0.0.1:4302,") == [
        "nats://127.0.0.1:4301",
        "nats://127.0.0.1:4302",
    ]
    assert server_list("nats://127.0.0.1:4301") == ["nats://127.0.0.1:4301"]


def test_nodes_without_credentials_take_the_first_nodes_user() -> None:
    url = "nats://cases:s3cret@n1:4222,nats://n2:4222,tls://other:pw@n3:4222"
    assert server_list(url) == [
        "nats://cases:s3cret@n1:4222",
        "nats://cases:s3cret@n2:4222",
        "tls://other:pw@n3:4222",
    ]


def test_an_empty_url_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="names no server"):
        server_list(" , ")
