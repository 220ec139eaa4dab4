"""What any text field of a body may hold."""

from __future__ import annotations

# The same for the OpenAPI document: no C0 control but tab and newlines, and something besides
# spaces (bodies strip them).
_ALLOWED = r"[^\x00-\x08\x0b\x0c\x0e-\x1f]"
TEXT_PATTERN = rf"^{_ALLOWED}*[^\x00-\x20\s]{_ALLOWED}*$"


def no_control_characters(value: object) -> object:
    """NUL and other C0 controls (tab and newlines aside) are never text a person typed; the
    database would refuse NUL anyway."""
    if isinstance(value, str) and any(ch < " " and ch not in "\t\n\r" for ch in value):
        raise ValueError("包含不允许的控制字符 | contains a control character")
    return value
