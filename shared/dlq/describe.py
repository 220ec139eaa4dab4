"""What may be said about a failure: a database error's text carries personal data, so only its
type, SQLSTATE and constraint name are kept."""

from __future__ import annotations

from sqlalchemy.exc import StatementError


def describe_error(exc: BaseException) -> str:
    """What a log line, `DLQ_ERRORS` and a dead letter may say about a failure.

    A database error's text carries values: the statement's parameters, and PostgreSQL's
    DETAIL ("Key (name)=(...) already exists") even with hide_parameters. For those only the
    exception type, SQLSTATE and constraint name; other errors keep their message."""
    found = _database_error(exc)
    if found is None:
        return f"{type(exc).__name__}: {exc}"
    orig = getattr(found, "orig", None) or found
    cause = orig.__cause__ or orig  # asyncpg's own error under SQLAlchemy's adapter
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    parts = [f"SQLSTATE {code}" if code else "", _constraint(cause)]
    said = ", ".join(p for p in parts if p)
    return f"{type(found).__name__} ({type(orig).__name__}{', ' + said if said else ''})"


def _database_error(exc: BaseException) -> BaseException | None:
    """`exc` or an error it was raised from that came from the database driver."""
    seen: BaseException | None = exc
    for _ in range(5):  # a short chain: handlers wrap at most once or twice
        if seen is None:
            return None
        if isinstance(seen, StatementError) or hasattr(seen, "sqlstate") or hasattr(seen, "pgcode"):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _constraint(error: BaseException) -> str:
    name = getattr(error, "constraint_name", None) or getattr(
        getattr(error, "diag", None), "constraint_name", None
    )
    return f"constraint {name}" if name else ""
