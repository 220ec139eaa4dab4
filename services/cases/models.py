"""Tables of the cases service (its own database; nobody else reads or writes it)."""

from shared.db import new_metadata

metadata = new_metadata()
