"""Tables only: columns, relations and small pure helpers."""
from .audit import AuditChainHead, AuditEntry
from .case import Case, CaseCounter
from .event import CaseEvent
from .name_token import CaseNameToken
from .notification import Notification
from .place import Place, RegionSetting
from .preference import NotificationPreference
from .session import ApiToken, UserSession
from .summary import WeeklySummary
from .two_factor import RecoveryCode
from .user import User, user_regions

__all__ = [
    "ApiToken", "AuditChainHead", "AuditEntry", "Case", "CaseCounter", "CaseEvent", "CaseNameToken", "Notification",
    "NotificationPreference", "Place", "RecoveryCode", "RegionSetting", "User", "UserSession", "WeeklySummary", "user_regions",
]
