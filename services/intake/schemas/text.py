"""What any text field of a body may hold."""

from __future__ import annotations


def no_control_characters(value: object) -> object:
    """NUL and other C0 controls (tab and newlines aside) are never text a person typed; the
    database would refuse NUL anyway."""
    if isinstance(value, str) and any(ch < " " and ch not in "\t\n\r" for ch in value):
        raise ValueError("包含不允许的控制字符 | contains a control character")
    return value
