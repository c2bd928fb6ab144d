"""Column types shared by the models."""
from datetime import datetime, timezone

from sqlalchemy import DateTime, Text, TypeDecorator
from sqlalchemy.sql.elements import ColumnElement

from .. import clock
from ..infra.crypto import keyring


def utcnow() -> datetime:
    return clock.now()


class UTCDateTime(TypeDecorator):
    """Stores UTC and always gives back an aware datetime.

    SQLite keeps no offset; without this, times read back naive and compare
    wrongly with aware ones.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class EncryptedText(TypeDecorator):
    """A direct identifier (a name, a phone number ...), stored encrypted
    with the app's key ring (infra/crypto.py); code reads and writes plain text.

    Each write uses a fresh random IV, so the database cannot compare these
    columns: an equality or LIKE on them would silently match nothing, and is
    refused here instead. Only IS NULL / IS NOT NULL work. Name search goes
    through the blind index (services/cases/name_index.py).
    """

    impl = Text
    cache_ok = True

    class comparator_factory(TypeDecorator.Comparator):
        # Comparing with a value (==, LIKE, IN ...) is refused; NULL tests and
        # column-to-column comparisons (the ORM makes some itself) pass.
        def operate(self, op, *other, **kwargs):
            if any(value is not None and not isinstance(value, ColumnElement) for value in other):
                raise NotImplementedError("encrypted column: compare in Python or use the blind index")
            return super().operate(op, *other, **kwargs)

        def reverse_operate(self, op, other, **kwargs):
            if other is not None and not isinstance(other, ColumnElement):
                raise NotImplementedError("encrypted column: compare in Python or use the blind index")
            return super().reverse_operate(op, other, **kwargs)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, str):
            raise TypeError("EncryptedText takes text")
        return keyring().encrypt(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return keyring().decrypt(value)
