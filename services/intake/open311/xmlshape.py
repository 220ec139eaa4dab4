"""GeoReport v2's XML: the same records as the JSON answers, under the specification's element
names (`<services><service>`, `<service_definition>`, `<service_requests><request>`,
`<errors><error>`, `<discovery>`). Built with the standard library's ElementTree, which escapes
text; we only write XML, never parse what a client sends (POST bodies are form fields)."""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from fastapi.responses import Response

# A list field's element holds one child per item, named as the specification names it.
ITEM_OF = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
XML_TYPE = "text/xml; charset=utf-8"
# Characters XML 1.0 cannot hold at all (ElementTree would write them, making the answer
# unreadable): an error may echo what a client sent.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: Any) -> str:
    if value is None:
        return ""  # GeoReport writes an absent value as an empty element
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("\ufffd", str(value))


def _fill(parent: Element, name: str, value: Any) -> None:
    node = SubElement(parent, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _fill(node, key, inner)
    elif isinstance(value, list):
        for item in value:
            _fill(node, ITEM_OF.get(name, "item"), item)
    else:
        node.text = _text(value)


def render(root: str, value: dict[str, Any] | list[Any]) -> bytes:
    """`value` under `<root>`: a list becomes one child per item (`ITEM_OF[root]`)."""
    top = Element(root)
    items = value if isinstance(value, list) else None
    if items is None:
        for key, inner in value.items():  # type: ignore[union-attr]
            _fill(top, key, inner)
    else:
        for item in items:
            _fill(top, ITEM_OF[root], item)
    return tostring(top, encoding="utf-8", xml_declaration=True)


def xml_response(root: str, value: dict[str, Any] | list[Any], status: int = 200) -> Response:
    return Response(render(root, value), status_code=status, media_type=XML_TYPE)
