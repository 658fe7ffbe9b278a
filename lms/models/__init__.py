from .organisation import District, Jobcentre, JobcentreGroup, JobRole, ManagerScope, ScopeLevel, StaffProfile

__all__ = [
    "District",
    "JobRole",
    "Jobcentre",
    "JobcentreGroup",
    "ManagerScope",
    "ScopeLevel",
    "StaffProfile",
]
