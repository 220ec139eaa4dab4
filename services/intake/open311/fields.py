"""GeoReport's request fields (form-encoded as GeoReport sends them, or JSON) mapped onto our
report body, and the request's location: `lat`/`long` (WGS84), `address_string` or
`address_id`, one of which GeoReport requires."""

from __future__ import annotations

import json
import math
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


def _given(fields: dict[str, Any], name: str) -> bool:
    return str(fields.get(name) or "").strip() != ""


def coordinates(fields: dict[str, Any]) -> tuple[float, float] | None:
    """`lat`/`long` as decimal degrees, or None when neither is sent. ValueError (its text
    the GeoReport error's description) for one without the other, or not a place on Earth."""
    given = [_given(fields, "lat"), _given(fields, "long")]
    if not any(given):
        return None
    if not all(given):
        raise ValueError("lat and long must be sent together")
    try:
        lat, long = float(fields["lat"]), float(fields["long"])
    except (TypeError, ValueError):
        raise ValueError("lat and long must be decimal degrees (WGS84)") from None
    if not (
        math.isfinite(lat) and math.isfinite(long) and -90 <= lat <= 90 and -180 <= long <= 180
    ):
        raise ValueError("lat must be within -90..90 and long within -180..180")
    return lat, long


def located(fields: dict[str, Any], point: tuple[float, float] | None) -> bool:
    """GeoReport: lat and long, or address_string, or address_id must be submitted."""
    return point is not None or _given(fields, "address_string") or _given(fields, "address_id")


def to_body(
    fields: dict[str, Any], channel: str, point: tuple[float, float] | None = None
) -> dict[str, Any]:
    """GeoReport fields → our report body. The location also goes into the text, where the
    handling unit reads it to find the village (the point is kept in the report's row too)."""
    content = str(fields.get("description") or "")
    if _given(fields, "address_string"):
        content = f"{content}\n\n地点 / Location: {fields['address_string']}"
    if _given(fields, "address_id"):
        content = f"{content}\n地址编号 / Address id: {fields['address_id']}"
    if point is not None:
        content = f"{content}\n坐标 / Coordinates (WGS84): {point[0]:.6f}, {point[1]:.6f}"
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
