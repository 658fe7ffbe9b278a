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
# Assigning learning to an audience: editors and national reporting only, never site/district/group managers.
MANAGE_ASSIGNMENTS = ("lms.view_assignment", "lms.add_assignment", "lms.delete_assignment")


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

# Topics, content notes and contributors: volunteers see and choose them; editors manage them. Nobody deletes a
# contributor (their consent record, and any withdrawal, must be kept): editors withdraw consent instead.
_CHOOSE_SNIPPETS = ("lms.view_topic", "lms.view_contentnote", "lms.view_contributor")
_MANAGE_SNIPPETS = (
    *_CHOOSE_SNIPPETS,
    "lms.add_topic",
    "lms.change_topic",
    "lms.delete_topic",
    "lms.add_contentnote",
    "lms.change_contentnote",
    "lms.delete_contentnote",
    "lms.add_contributor",
    "lms.change_contributor",
)
SET_COMPLETION_THRESHOLD = "lms.set_completion_threshold"

ROLES = (
    Role(LEARNER),
    # Volunteers draft and submit; they never publish, approve, see reports, manage users or record consent.
    Role(
        VOLUNTEER,
        permissions=(
            "wagtailadmin.access_admin",
            "media_pipeline.add_video",
            "media_pipeline.change_video",
            *_CHOOSE_SNIPPETS,
        ),
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
            *MANAGE_ASSIGNMENTS,
            *_MANAGE_SNIPPETS,
            SET_COMPLETION_THRESHOLD,
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
    *(
        Role(name, permissions=(VIEW_REPORTS, *(MANAGE_ASSIGNMENTS if name == NATIONAL_REPORTING else ())))
        for name in MANAGER_ROLES
    ),
)


# Model permissions whose codename does not follow Django's add/change/delete/view_<model> pattern.
_CUSTOM_PERMISSION_MODELS = {
    "lms.view_completion_reports": "managerscope",
    "lms.set_completion_threshold": "modulepage",
    "wagtailadmin.access_admin": None,
}


def _model_migrated(apps, dotted: str) -> bool:
    """False when the model a permission belongs to is not in this migration state yet.

    ROLES is today's table, but roles_sync also runs from old migrations, where newer models do not exist yet.
    """
    app_label, codename = dotted.split(".")
    if dotted in _CUSTOM_PERMISSION_MODELS:
        model_name = _CUSTOM_PERMISSION_MODELS[dotted]
    else:
        model_name = codename.split("_", 1)[1] if "_" in codename else None
    if model_name is None:
        return True
    try:
        apps.get_model(app_label, model_name)
    except LookupError:
        return False
    return True


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
            if not _model_migrated(apps, dotted):
                continue  # an older migration runs before this model exists; a later roles_sync adds it
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
