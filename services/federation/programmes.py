"""The four programmes of the plan's Women's Federation part, as `GET /api/v1/programmes`
tells integrators and the dashboard: what each is and where it is run."""

from __future__ import annotations

from typing import Any

PROGRAMMES: tuple[dict[str, Any], ...] = (
    {
        "id": "aid",
        "name": "农村“两癌”贫困妇女救助",
        "name_en": "Cervical and breast cancer aid for poor rural women",
        "routes": ["/api/v1/aid/applications", "/api/v1/aid/drives", "/api/v1/aid/status"],
    },
    {
        "id": "children",
        "name": "农村留守儿童关爱：“四点半学校”与结对帮扶",
        "name_en": "Left-behind children: after-school centres and pairing",
        "routes": ["/api/v1/schools", "/api/v1/pairings"],
    },
    {
        "id": "homes",
        "name": "妇儿家园",
        "name_en": "Women's and children's homes",
        "routes": ["/api/v1/homes", "/api/v1/activities"],
    },
    {
        "id": "spirit",
        "name": "精神扶贫",
        "name_en": "Poverty relief of the spirit: classes, themed activities, selections",
        "routes": ["/api/v1/activities", "/api/v1/selections", "/api/v1/selections/results"],
    },
)


def programmes(english: bool) -> dict[str, Any]:
    items = [
        {"id": p["id"], "name": p["name_en"] if english else p["name"], "routes": p["routes"]}
        for p in PROGRAMMES
    ]
    return {"items": items, "total": len(items), "next": None}
