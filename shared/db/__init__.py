"""Database helpers: an async engine per service (`engine`), the tables every service shares
(`tables`), and the column types and SQL helpers they use (`columns`).

Each service has its own database and its own migrations; the outbox and the inbox of
processed events are defined here once and added to each service's metadata.
"""

from shared.db.columns import NAMING, UtcDateTime, one_of
from shared.db.engine import Database, create_engine
from shared.db.tables import INBOX, OUTBOX, SHARED_METADATA, new_metadata

__all__ = [
    "INBOX",
    "NAMING",
    "OUTBOX",
    "SHARED_METADATA",
    "Database",
    "UtcDateTime",
    "create_engine",
    "new_metadata",
    "one_of",
]
