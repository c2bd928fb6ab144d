"""Tables only: columns, relations and small pure helpers."""
from .audit import AuditEntry
from .case import Case, CaseCounter
from .event import CaseEvent
from .notification import Notification
from .place import Place, RegionSetting
from .session import ApiToken, UserSession
from .user import User, user_regions

__all__ = [
    "ApiToken", "AuditEntry", "Case", "CaseCounter", "CaseEvent", "Notification",
    "Place", "RegionSetting", "User", "UserSession", "user_regions",
]
