from .assignments import Assignment
from .content import (
    ContentNote,
    Contributor,
    ContributorStatus,
    CreditPreference,
    HumanLibraryFilmPage,
    LearningIndexPage,
    ModulePage,
    SeriesPage,
    Topic,
    WebinarPage,
)
from .organisation import District, Jobcentre, JobcentreGroup, JobRole, ManagerScope, ScopeLevel, StaffProfile
from .progress import Completion, CompletionMethod, HeartbeatReceipt, Progress, WatchSession
from .reporting import SiteItemRollup
from .workflows import CoProductionReviewTask

__all__ = [
    "Assignment",
    "CoProductionReviewTask",
    "Completion",
    "CompletionMethod",
    "ContentNote",
    "Contributor",
    "ContributorStatus",
    "CreditPreference",
    "District",
    "HeartbeatReceipt",
    "HumanLibraryFilmPage",
    "JobRole",
    "Jobcentre",
    "JobcentreGroup",
    "LearningIndexPage",
    "ManagerScope",
    "ModulePage",
    "Progress",
    "ScopeLevel",
    "SeriesPage",
    "SiteItemRollup",
    "StaffProfile",
    "Topic",
    "WatchSession",
    "WebinarPage",
]
