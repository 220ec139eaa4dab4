"""GeoReport's service discovery document: where the endpoint is, its formats, how to get a key,
and what the public may see (the privacy rule the request lists keep)."""

from __future__ import annotations

from typing import Any

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-01-01T00:00:00Z"  # when what this endpoint serves last changed

PRIVACY = (
    "公开可见的范围：不带 service_request_id 的 GET requests 只列出已查实曝光的案件，"
    "描述为经审核的公开文本；按 service_request_id 查询（列表或 requests/{id}，两者结果一致）"
    "可得到任一举报的状态、服务代码和时间，曝光后另加公开文本。举报正文、被反映人、举报人"
    "和坐标从不公开。",
    "What the public may see: GET requests without service_request_id lists exposed (verified) "
    "cases only, described by their approved public text. Asked by service_request_id (in the "
    "list or as requests/{id}; both answer alike), any report shows its status, service code "
    "and dates, plus the public text once exposed. The report's text, the persons named, the "
    "reporter and the coordinates are never shown.",
)
KEYS = (
    "POST requests 不带 api_key 即为匿名或署名的网络举报；带 api_key（各县纪委监委发放给"
    "受理员或对接系统的 API 密钥）则以该密钥所属单位提交，渠道为 integrator；无效的密钥"
    "返回 403。",
    "POST requests without api_key files a web report (anonymous or named); with an api_key "
    "(an API key a county's discipline office issues to a clerk or an integrator) it is filed "
    "as the key's unit, channel integrator; an invalid key is refused with 403.",
)


def document(base_url: str, english: bool) -> dict[str, Any]:
    """The discovery document for the endpoint at `base_url` (…/open311/v2)."""
    pick = 1 if english else 0
    return {
        "changeset": CHANGESET,
        "contact": "县纪委监委信访室 / the county discipline office's letters and visits room",
        "key_service": KEYS[pick],
        "privacy": PRIVACY[pick],
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
