"""Storage: SQLAlchemy models, the session, the queries the flows need, Alembic migrations."""

from db.session import Database

__all__ = ["Database"]
