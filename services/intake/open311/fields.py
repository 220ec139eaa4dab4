"""GeoReport's request fields (form-encoded as GeoReport sends them, or JSON) mapped onto our
report body."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

# Our own report fields a GeoReport client may send as extensions.
EXTENSIONS = ("title", "township", "village", "subject_unit", "subject_unit_id", "subject_person")


async def read_fields(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(await request.body())
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return {key: value for key, value in (await request.form()).items() if isinstance(value, str)}


def to_body(fields: dict[str, Any], channel: str) -> dict[str, Any]:
    """GeoReport fields → our report body (location goes into the text: we have no map)."""
    content = str(fields.get("description") or "")
    if fields.get("address_string"):
        content = f"{content}\n\n地点 / Location: {fields['address_string']}"
    body: dict[str, Any] = {
        "channel": channel,
        "county": fields.get("jurisdiction_id"),
        "content": content,
        "category_hint": fields.get("service_code"),
    }
    body |= {name: fields[name] for name in EXTENSIONS if fields.get(name)}
    name = " ".join(str(fields[k]) for k in ("last_name", "first_name") if fields.get(k))
    contact = {"name": name, "phone": fields.get("phone"), "email": fields.get("email")}
    contact = {k: v for k, v in contact.items() if v}
    if contact:
        body["reporter"] = {"anonymous": False, **contact}
    return body
