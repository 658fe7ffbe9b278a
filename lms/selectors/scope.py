"""Which jobcentres a manager may report on: the union of their ``ManagerScope`` rows.

site → that jobcentre; district → its jobcentres; group → its districts' jobcentres; national → every jobcentre.
Every report selector takes a ``ReportScope`` and filters with it, so scope is enforced where the data is read,
never only in templates. The scope is read afresh for each request (nothing is cached), so a change of scope
takes effect at once.
"""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from lms.models import District, Jobcentre, ManagerScope, ScopeLevel


@dataclass(frozen=True)
class ReportScope:
    national: bool = False
    jobcentre_ids: frozenset[int] = frozenset()
    district_ids: frozenset[int] = frozenset()
    group_ids: frozenset[int] = frozenset()
    labels: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_empty(self) -> bool:
        return not (self.national or self.jobcentre_ids or self.district_ids or self.group_ids)

    @property
    def description(self) -> str:
        """In words, for page headings and the header rows of exports."""
        if self.national:
            return "All jobcentres in Great Britain"
        return "; ".join(self.labels) if self.labels else "No jobcentres"

    def jobcentre_q(self, prefix: str = "") -> Q:
        """A filter on Jobcentre (or, with e.g. ``prefix="jobcentre__"``, on a model with a jobcentre FK)."""
        if self.national:
            return Q()
        if self.is_empty:
            return Q(**{f"{prefix}pk__in": []})
        q = Q()
        if self.jobcentre_ids:
            q |= Q(**{f"{prefix}pk__in": sorted(self.jobcentre_ids)})
        if self.district_ids:
            q |= Q(**{f"{prefix}district_id__in": sorted(self.district_ids)})
        if self.group_ids:
            q |= Q(**{f"{prefix}district__group_id__in": sorted(self.group_ids)})
        return q

    def contains(self, jobcentre: Jobcentre) -> bool:
        """Is ``jobcentre`` in scope? ``jobcentre.district`` is read, so select it with the jobcentre."""
        return (
            self.national
            or jobcentre.pk in self.jobcentre_ids
            or jobcentre.district_id in self.district_ids
            or jobcentre.district.group_id in self.group_ids
        )


def report_scope_for(*, user) -> ReportScope:
    """The scope ``user`` reports on (one query). Empty for someone with no ``ManagerScope`` rows."""
    if user is None or not user.is_authenticated:
        return ReportScope()
    national = False
    sites, districts, groups, labels = set(), set(), set(), []
    rows = ManagerScope.objects.filter(user=user).select_related("jobcentre", "district", "group").order_by("pk")
    for scope in rows:
        match scope.level:
            case ScopeLevel.NATIONAL:
                national = True
            case ScopeLevel.GROUP:
                groups.add(scope.group_id)
                labels.append(f"{scope.group} group")
            case ScopeLevel.DISTRICT:
                districts.add(scope.district_id)
                labels.append(f"{scope.district} district")
            case ScopeLevel.SITE:
                sites.add(scope.jobcentre_id)
                labels.append(f"{scope.jobcentre} jobcentre")
    return ReportScope(
        national=national,
        jobcentre_ids=frozenset(sites),
        district_ids=frozenset(districts),
        group_ids=frozenset(groups),
        labels=tuple(labels),
    )


def scope_jobcentres(*, scope: ReportScope, district: District | None = None) -> list[Jobcentre]:
    """The jobcentres in ``scope`` (and in ``district``, if given), open and closed, by name, each with its
    district and group. Two queries: the few districts are loaded once and shared, rather than joined onto
    each of up to 636 rows (which would build three model instances per row)."""
    jobcentres = Jobcentre.objects.filter(scope.jobcentre_q()).only(
        "pk", "code", "name", "is_active", "end_date", "district_id"
    )
    if district is not None:
        jobcentres = jobcentres.filter(district=district)
    jobcentres = list(jobcentres.order_by("name", "pk"))
    district_ids = {jobcentre.district_id for jobcentre in jobcentres}
    districts = {unit.pk: unit for unit in District.objects.filter(pk__in=district_ids).select_related("group")}
    for jobcentre in jobcentres:
        jobcentre.district = districts[jobcentre.district_id]
    return jobcentres


def scope_districts(*, scope: ReportScope) -> QuerySet[District]:
    """The districts with at least one jobcentre in ``scope``, for the district filter."""
    if scope.national:
        return District.objects.select_related("group").order_by("name")
    return (
        District.objects.filter(pk__in=Jobcentre.objects.filter(scope.jobcentre_q()).values("district_id"))
        .select_related("group")
        .order_by("name")
    )


def scope_covers_district(*, scope: ReportScope, district: District) -> bool:
    """Does ``scope`` include at least one jobcentre of ``district``? (A site manager may filter by their own.)"""
    if scope.national or district.pk in scope.district_ids or district.group_id in scope.group_ids:
        return True
    return Jobcentre.objects.filter(pk__in=scope.jobcentre_ids, district=district).exists()
