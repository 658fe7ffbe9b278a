"""The product's roles as Django groups, declared once and applied by data migrations.

Each later migration that adds permissions calls `roles_sync(apps)` again, so this table is the single source
of truth for what each role may do. Manager *scope* (which sites) is data (`ManagerScope`), not a group.
"""

from dataclasses import dataclass, field

LEARNER = "Learner"
VOLUNTEER = "Co-production volunteer"
EDITOR = "Content editor"
SITE_MANAGER = "Site manager"
DISTRICT_MANAGER = "District manager"
GROUP_MANAGER = "Group manager"
NATIONAL_REPORTING = "National reporting"

MANAGER_ROLES = (SITE_MANAGER, DISTRICT_MANAGER, GROUP_MANAGER, NATIONAL_REPORTING)
VIEW_REPORTS = "lms.view_completion_reports"


@dataclass(frozen=True)
class Role:
    name: str
    # "app_label.codename" model permissions.
    permissions: tuple[str, ...] = ()
    # Page permission types granted on the tree's root (so across every site's pages).
    page_permissions: tuple[str, ...] = ()
    # "app_label.codename" granted on the root collection (documents, images).
    collection_permissions: tuple[str, ...] = field(default=())


# "add" lets an author edit and delete what they uploaded; "change" would let them edit anyone's.
_AUTHOR_COLLECTION = (
    "wagtaildocs.add_document",
    "wagtaildocs.choose_document",
    "wagtailimages.add_image",
    "wagtailimages.choose_image",
)

ROLES = (
    Role(LEARNER),
    # Volunteers draft and submit; they never publish, see reports or manage users.
    Role(
        VOLUNTEER,
        permissions=("wagtailadmin.access_admin", "media_pipeline.add_video", "media_pipeline.change_video"),
        page_permissions=("add", "change"),
        collection_permissions=_AUTHOR_COLLECTION,
    ),
    Role(
        EDITOR,
        permissions=(
            "wagtailadmin.access_admin",
            "media_pipeline.add_video",
            "media_pipeline.change_video",
            "media_pipeline.delete_video",
        ),
        page_permissions=("add", "change", "publish", "lock", "unlock"),
        collection_permissions=(
            *_AUTHOR_COLLECTION,
            "wagtaildocs.change_document",
            "wagtaildocs.delete_document",
            "wagtailimages.change_image",
            "wagtailimages.delete_image",
        ),
    ),
    *(Role(name, permissions=(VIEW_REPORTS,)) for name in MANAGER_ROLES),
)


def _permission(apps, dotted: str):
    Permission = apps.get_model("auth", "Permission")
    app_label, codename = dotted.split(".")
    try:
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)
    except Permission.DoesNotExist:
        raise LookupError(f"Role permission {dotted!r} does not exist; is its app installed and migrated?") from None


def _ensure_permissions_exist(apps) -> None:
    # Permissions are normally created after *all* migrations run; a data migration on a fresh database
    # runs before that, so create them now for every app.
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, apps=apps)


# Wagtail's starter groups; ours replace them, so they are removed while nobody belongs to them.
WAGTAIL_STARTER_GROUPS = ("Editors", "Moderators")


def roles_sync(apps, schema_editor=None) -> None:
    """Create the groups and give each the permissions in ROLES (adding, never removing)."""
    _ensure_permissions_exist(apps)
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=WAGTAIL_STARTER_GROUPS, user__isnull=True).delete()
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root_page = Page.objects.filter(depth=1).first()
    root_collection = Collection.objects.filter(depth=1).first()

    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role.name)
        for dotted in role.permissions:
            group.permissions.add(_permission(apps, dotted))
        for permission_type in role.page_permissions:
            if root_page is not None:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root_page, permission=_permission(apps, f"wagtailcore.{permission_type}_page")
                )
        for dotted in role.collection_permissions:
            if root_collection is not None:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=_permission(apps, dotted)
                )
