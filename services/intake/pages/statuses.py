"""The reporter's statuses in plain words (zh-CN, English)."""

from __future__ import annotations

STATUSES: dict[str, tuple[str, str]] = {
    "received": ("已登记", "Received"),
    "accepted": ("已受理", "Accepted"),
    "rejected": ("不予受理", "Not accepted"),
    "investigating": ("调查核实中", "Under investigation"),
    "concluded": ("调查已结束", "Investigation concluded"),
    "rectifying": ("整改中", "Being rectified"),
    "rectification_submitted": ("整改待验收", "Rectification awaiting check"),
    "rectified": ("整改已验收", "Rectified"),
    "transferred": ("已移交有关机关", "Transferred"),
    "closed": ("已办结", "Closed"),
    "merged": ("已并入同一事项办理", "Handled with the same matter"),
    "review_requested": ("已申请复查", "Review requested"),
}


def status_word(status: str, english: bool) -> str:
    pair = STATUSES.get(status)
    return status if pair is None else pair[1 if english else 0]
