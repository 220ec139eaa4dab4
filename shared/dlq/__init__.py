"""The dead-letter stream: what a failure may say (`describe`), the last error kept between
deliveries (`recorded`), copying a message there (`dead_letter`), and reading it back
(`replay`)."""

from shared.dlq.dead_letter import H, dead_letter, move_advised
from shared.dlq.describe import describe_error
from shared.dlq.recorded import ERROR_BUCKET, ensure_error_bucket, record_error, recorded_error
from shared.dlq.replay import DeadLetter, list_dead_letters, replay

__all__ = [
    "ERROR_BUCKET",
    "H",
    "DeadLetter",
    "dead_letter",
    "describe_error",
    "ensure_error_bucket",
    "list_dead_letters",
    "move_advised",
    "record_error",
    "recorded_error",
    "replay",
]
