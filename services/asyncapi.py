"""A service's AsyncAPI 3.0 document (contract), built from the contract itself: one channel per
event type on its real subject (`zuofeng.v1.{county}.<type>`, the `{county}` parameter
declared), a `send` operation for each type the service publishes (what its broker declares,
shared.bus.document_publishers), a `receive` operation for each type its durable consumers take
(shared.subscriptions records them in a docs runtime), and intake's request-reply submission.
Payloads are the envelopes' JSON Schemas from the pydantic models, the same ones
`docs/schemas/` publishes. FastStream's own document is read only for what the broker declared:
its placeholder subscribers, custom bindings and example host are not a contract."""

from __future__ import annotations

from typing import Any

from services.catalog import PORTS
from shared.events import REGISTRY, EventData, envelope_model
from shared.events.base import CITY_COUNTY
from shared.streams import ConsumerDef, stream_for_subject
from shared.subjects import PREFIX, subject_matches, submit_subject

NATS_BINDING = {"nats": {"bindingVersion": "0.1.0"}}  # the NATS bindings' only version
SERVER = {
    "zuofeng": {
        "host": "{host}",
        "protocol": "nats",
        "title": "The county's NATS server",
        "description": (
            "The NATS (JetStream) server a county runs: a service connects to "
            "`ZUOFENG_NATS_URL` (setting `nats_url`); `make run` starts a bundled one on "
            "loopback and writes its URL to `var/nats.url`. Integrators get their own NATS "
            "user, fenced to their county (shared/natsauth/integrators.py)."
        ),
        "variables": {
            "host": {
                "default": "nats-1:4222",
                "examples": ["nats-1:4222", "127.0.0.1:4222"],
                "description": (
                    "host:port of the county's NATS server, as in `ZUOFENG_NATS_URL` "
                    "(the Docker Compose deployment's first node is `nats-1:4222`)."
                ),
            }
        },
    }
}
COUNTY = {
    "county": {
        "description": (
            "6-digit county code of the event (the handling unit's county); "
            f"{CITY_COUNTY} is the city level."
        ),
        "examples": ["371402", CITY_COUNTY],
    }
}


def asyncapi_document(service: str, app: Any, declared: dict[str, Any]) -> dict[str, Any]:
    """The document of `service` (its docs app and FastStream's document of its broker)."""
    doc: dict[str, Any] = {
        "asyncapi": "3.0.0",
        "info": {
            "title": f"Zuofeng {service} events",
            "version": "1",
            "description": _info(service, app.description),
        },
        "defaultContentType": "application/json",
        "servers": SERVER,
        "channels": {},
        "operations": {},
        "components": {"messages": {}, "schemas": {}},
    }
    sent = sorted(
        key
        for key, operation in declared.get("operations", {}).items()
        if operation["action"] == "send"
    )
    for event_type in sent:
        for model in _models(event_type):
            _event(doc, model, "send", _sent_text(model))
    for cdef, what in app.state.runtime.consumers.documented:
        for model in _taken_by(cdef):
            _event(doc, model, "receive", _received_text(cdef, what, model))
    if "intake.submit" in declared.get("channels", {}):
        _submission(doc, app, declared["channels"]["intake.submit"].get("description", ""))
    return doc


def _info(service: str, description: str) -> str:
    return (
        f"{description}\n\nEvery event is the contract's JSON envelope (docs/architecture.md, "
        '"Events") with the type\'s payload in `data`; the same schemas, one file per type '
        "and schema version, are in `docs/schemas/`. Subjects are "
        f"`{PREFIX}.<county>.<aggregate>.<event>`. Port of the HTTP API: {PORTS[service]}."
    )


def _models(event_type: str) -> list[type[EventData]]:
    return [REGISTRY[key] for key in sorted(REGISTRY) if key[0] == event_type]


def _taken_by(cdef: ConsumerDef) -> list[type[EventData]]:
    """Every registered event type whose subject the consumer's filter matches."""
    return [
        REGISTRY[key]
        for key in sorted(REGISTRY)
        if subject_matches(cdef.filter_subject, f"{PREFIX}.{CITY_COUNTY}.{key[0]}")
    ]


def _sent_text(model: type[EventData]) -> str:
    stream = stream_for_subject(f"{PREFIX}.{CITY_COUNTY}.{model.type}")
    return (
        f"Publishes `{model.type}` (schema version {model.schema_version}) through its outbox "
        f"onto the {stream} stream: {_doc(model)}"
    )


def _received_text(cdef: ConsumerDef, what: str, model: type[EventData]) -> str:
    return (
        f"Receives `{model.type}` (schema version {model.schema_version}) from the "
        f"{cdef.stream} stream with the durable consumer `{cdef.durable}` (filter "
        f"`{cdef.filter_subject}`): {what}"
    )


def _doc(model: type[EventData]) -> str:
    return " ".join((model.__doc__ or model.type).split())


def _event(doc: dict[str, Any], model: type[EventData], action: str, text: str) -> None:
    """The type's channel and message (once per document) and the service's operation on it."""
    name = f"{model.type}.v{model.schema_version}"
    message = model.__name__
    if name not in doc["channels"]:
        doc["channels"][name] = {
            "address": f"{PREFIX}.{{county}}.{model.type}",
            "title": model.type,
            "description": _doc(model),
            "parameters": COUNTY,
            "servers": [{"$ref": "#/servers/zuofeng"}],
            "messages": {message: {"$ref": f"#/components/messages/{message}"}},
        }
        doc["components"]["messages"][message] = {
            "name": message,
            "title": f"{model.type} v{model.schema_version}",
            "summary": _doc(model),
            "contentType": "application/json",
            "headers": {"$ref": "#/components/schemas/NatsHeaders"},
            "payload": _schema(doc, envelope_model(model)),
        }
        doc["components"]["schemas"].setdefault("NatsHeaders", _HEADERS)
    doc["operations"][f"{action}.{name}"] = {
        "action": action,
        "title": f"{action} {model.type}",
        "description": text,
        "channel": {"$ref": f"#/channels/{name}"},
        "messages": [{"$ref": f"#/channels/{name}/messages/{message}"}],
        "bindings": NATS_BINDING,
    }


_HEADERS = {
    "type": "object",
    "description": "NATS headers of every event.",
    "properties": {
        "Nats-Msg-Id": {
            "type": "string",
            "format": "uuid",
            "description": "The envelope's event_id: JetStream drops re-sends inside its window.",
        }
    },
}


def _schema(doc: dict[str, Any], model: Any) -> dict[str, str]:
    """`model`'s JSON Schema into components (its nested models too); a $ref to it."""
    schema = model.model_json_schema(
        mode="serialization", ref_template="#/components/schemas/{model}"
    )
    doc["components"]["schemas"].update(schema.pop("$defs", {}))
    doc["components"]["schemas"][schema["title"]] = schema
    return {"$ref": f"#/components/schemas/{schema['title']}"}


def _submission(doc: dict[str, Any], app: Any, what: str) -> None:
    """Intake's request-reply: the body of POST /api/v1/reports, answered on the reply inbox."""
    request = _openapi_body(doc, app.openapi(), "/api/v1/reports")
    doc["channels"]["intake.submit"] = {
        "address": submit_subject("{county}"),
        "title": "intake.submit",
        "description": " ".join(what.split()),
        "parameters": COUNTY,
        "servers": [{"$ref": "#/servers/zuofeng"}],
        "messages": {"SubmitReport": {"$ref": "#/components/messages/SubmitReport"}},
    }
    doc["channels"]["intake.submit.reply"] = {
        "address": None,
        "title": "intake.submit reply",
        "description": "The requester's reply inbox (the NATS request's reply subject).",
        "messages": {"SubmitAnswer": {"$ref": "#/components/messages/SubmitAnswer"}},
    }
    doc["components"]["messages"]["SubmitReport"] = {
        "name": "SubmitReport",
        "title": "A report submitted over NATS",
        "summary": "The JSON body of POST /api/v1/reports.",
        "contentType": "application/json",
        "headers": _SUBMIT_HEADERS,
        "payload": request,
    }
    doc["components"]["messages"]["SubmitAnswer"] = {
        "name": "SubmitAnswer",
        "title": "The answer to a submission",
        "summary": "The report's id and tracking code, or the refusal's HTTP status and detail.",
        "contentType": "application/json",
        "payload": _ANSWER,
    }
    doc["operations"]["receive.intake.submit"] = {
        "action": "receive",
        "title": "receive intake.submit",
        "description": (
            "Answers submissions for every county in the queue group `intake` (replicas share "
            "them): " + " ".join(what.split())
        ),
        "channel": {"$ref": "#/channels/intake.submit"},
        "messages": [{"$ref": "#/channels/intake.submit/messages/SubmitReport"}],
        "reply": {
            "channel": {"$ref": "#/channels/intake.submit.reply"},
            "messages": [{"$ref": "#/channels/intake.submit.reply/messages/SubmitAnswer"}],
        },
        "bindings": {"nats": {"queue": "intake", "bindingVersion": "0.1.0"}},
    }


_SUBMIT_HEADERS = {
    "type": "object",
    "description": "As on POST /api/v1/reports.",
    "properties": {
        "Authorization": {"type": "string", "description": "Bearer <token>"},
        "X-API-Key": {"type": "string", "description": "an integrator's API key"},
        "Idempotency-Key": {"type": "string", "description": "the same key, the same answer"},
    },
}
_ANSWER = {
    "oneOf": [
        {
            "type": "object",
            "required": ["report_id", "tracking_code"],
            "properties": {"report_id": {"type": "string"}, "tracking_code": {"type": "string"}},
        },
        {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["status", "detail"],
                    "properties": {"status": {"type": "integer"}, "detail": {}},
                }
            },
        },
    ]
}


def _openapi_body(doc: dict[str, Any], openapi: dict[str, Any], path: str) -> dict[str, Any]:
    """The JSON request body schema of POST `path`, its referenced schemas copied over."""
    body = openapi["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    components = openapi.get("components", {}).get("schemas", {})
    pending = [body]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[-1]
                if name not in doc["components"]["schemas"]:
                    doc["components"]["schemas"][name] = components[name]
                    pending.append(components[name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return dict(body)
