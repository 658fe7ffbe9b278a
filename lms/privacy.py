"""The personal-data register: every model in the project is declared here as holding personal data or not.

``tests/lms/test_privacy.py`` fails when a model is added (by us or by an upgraded dependency) without a
declaration, so nobody can add a table of personal data without deciding how it is exported and erased.

For models that hold personal data, ``subject`` is the path from a row to the person it is about (used by the
learner's data export and by erasure), and ``on_erasure`` says what happens when a learner is erased:
``delete`` (rows removed explicitly), ``cascade`` (removed with the user row by a foreign key), or ``retain`` with
the reason the law allows it (``why``).
"""

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class PersonalData:
    subject: str | None
    on_erasure: Literal["delete", "cascade", "retain"]
    why: str
    exported: bool = True


PERSONAL_DATA: dict[str, PersonalData] = {
    "auth.User": PersonalData("pk", "delete", "The account: name, email, username."),
    "lms.StaffProfile": PersonalData("user", "cascade", "Where the person works and their job role."),
    "lms.ManagerScope": PersonalData("user", "cascade", "Which sites a manager reports on."),
    "lms.WatchSession": PersonalData(
        "user", "cascade", "Heartbeat sessions; pruned after HEARTBEAT_RETENTION_DAYS by prune_heartbeats."
    ),
    "lms.HeartbeatReceipt": PersonalData(
        "watch_session__user", "cascade", "Heartbeat detail; pruned with its session by prune_heartbeats."
    ),
    "lms.Progress": PersonalData("user", "cascade", "What the learner has watched and where to resume."),
    "lms.Completion": PersonalData("user", "cascade", "What the learner completed, when, how and where."),
    "lms.Contributor": PersonalData(
        None,
        "retain",
        "Contributors are not learners: their consent record is kept as evidence; withdrawal erases their media.",
        exported=False,
    ),
    "wagtailusers.UserProfile": PersonalData("user", "cascade", "Admin preferences (language, theme)."),
    "wagtailcore.PageSubscription": PersonalData("user", "cascade", "Comment notification settings."),
    "wagtailcore.Comment": PersonalData("user", "cascade", "Comments an author left in the page editor."),
    "wagtailcore.CommentReply": PersonalData("user", "cascade", "Replies an author left in the page editor."),
    "wagtailadmin.EditingSession": PersonalData("user", "cascade", "Who is editing a page right now."),
    "wagtailcore.Revision": PersonalData(
        "user", "retain", "Content history: the author link is set to null when the user is deleted.", exported=False
    ),
    "wagtailcore.ModelLogEntry": PersonalData(
        "user", "retain", "Audit trail of content actions, kept for accountability.", exported=False
    ),
    "wagtailcore.PageLogEntry": PersonalData(
        "user", "retain", "Audit trail of page actions, kept for accountability.", exported=False
    ),
    "wagtailcore.WorkflowState": PersonalData(
        "requested_by", "retain", "Who submitted a page for moderation; content audit trail.", exported=False
    ),
    "wagtailcore.TaskState": PersonalData(
        "finished_by", "retain", "Who approved or rejected a moderation task; content audit trail.", exported=False
    ),
    "wagtailcore.UploadedFile": PersonalData(
        "uploaded_by_user", "retain", "A file mid-upload in the admin; the link is set to null.", exported=False
    ),
    "wagtailadmin.FormState": PersonalData("user", "cascade", "Unsaved page-editor drafts kept for the author."),
    "wagtailcore.APIToken": PersonalData("user", "cascade", "API tokens; not issued by this product."),
    "wagtaildocs.Document": PersonalData(
        "uploaded_by_user", "retain", "Published learning material; only the uploader link is personal.", exported=False
    ),
    "wagtailimages.Image": PersonalData(
        "uploaded_by_user", "retain", "Published learning material; only the uploader link is personal.", exported=False
    ),
    "media_pipeline.Video": PersonalData(
        "uploaded_by", "retain", "Learning material; only the uploader link is personal.", exported=False
    ),
    "lms.Assignment": PersonalData(
        "created_by", "retain", "Who set an assignment; the link is set to null when they are deleted.", exported=False
    ),
    "axes.AccessAttempt": PersonalData(
        "username", "delete", "Failed sign-ins (username, address), kept for the lockout period.", exported=False
    ),
    "axes.AccessLog": PersonalData("username", "delete", "Sign-in history (username, address).", exported=False),
    "axes.AccessFailureLog": PersonalData("username", "delete", "Failed sign-ins (username, address).", exported=False),
    "axes.AccessAttemptExpiration": PersonalData(
        "access_attempt__username", "delete", "When a lockout ends; removed with its attempt.", exported=False
    ),
    "sessions.Session": PersonalData(
        None,
        "retain",
        "Encoded session data holding a user id; useless once the user row is gone, and it expires within a day.",
        exported=False,
    ),
    "django_tasks_database.DBTaskResult": PersonalData(
        None,
        "retain",
        "Background jobs' arguments (video ids) and errors; no learner data. Pruned by django-tasks-db.",
        exported=False,
    ),
}

NOT_PERSONAL_DATA: dict[str, str] = {
    "home.HomePage": "Site content.",
    "lms.JobcentreGroup": "The public DWP register.",
    "lms.District": "The public DWP register.",
    "lms.Jobcentre": "The public DWP register.",
    "lms.Topic": "Site content.",
    "lms.ContentNote": "Site content.",
    "lms.LearningIndexPage": "Site content.",
    "lms.SeriesPage": "Site content.",
    "lms.ModulePage": "Site content (contributors are linked through Contributor).",
    "lms.HumanLibraryFilmPage": "Site content (the storyteller is linked through Contributor).",
    "lms.WebinarPage": "Site content (presenters are linked through Contributor).",
    "lms.SiteItemRollup": "Counts per jobcentre and job role; no person can be picked out of a stored row.",
    "lms.CoProductionReviewTask": "Workflow configuration.",
    "media_pipeline.Rendition": "Derived files of learning material.",
    "media_pipeline.CaptionTrack": "Captions of learning material.",
    "wagtailredirects.Redirect": "Site configuration.",
    "wagtailimages.Rendition": "Derived images.",
    "wagtailsearch.IndexEntry": "Search index of site content.",
    "wagtailsearch.SQLiteFTSIndexEntry": "Search index of site content.",
    "wagtailadmin.Admin": "Permission holder, no rows.",
    "wagtailcore.Locale": "Site configuration.",
    "wagtailcore.Site": "Site configuration.",
    "wagtailcore.GroupSitePermission": "Role configuration.",
    "wagtailcore.CollectionViewRestriction": "Site configuration.",
    "wagtailcore.Collection": "Site configuration.",
    "wagtailcore.GroupCollectionPermission": "Role configuration.",
    "wagtailcore.WorkflowContentType": "Workflow configuration.",
    "wagtailcore.Workflow": "Workflow configuration.",
    "wagtailcore.WorkflowTask": "Workflow configuration.",
    "wagtailcore.Task": "Workflow configuration.",
    "wagtailcore.GroupApprovalTask": "Workflow configuration.",
    "wagtailcore.Page": "Site content.",
    "wagtailcore.GroupPagePermission": "Role configuration.",
    "wagtailcore.PageViewRestriction": "Site configuration.",
    "wagtailcore.WorkflowPage": "Workflow configuration.",
    "wagtailcore.ReferenceIndex": "Links between content objects.",
    "taggit.Tag": "Content tags.",
    "taggit.TaggedItem": "Content tags.",
    "auth.Permission": "Role configuration.",
    "auth.Group": "Role configuration.",
    "contenttypes.ContentType": "Framework metadata.",
}
