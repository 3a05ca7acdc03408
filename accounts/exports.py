"""Data export: everything a user has given us, as one JSON file.

The document is built from sections, one function per section, all listed in ``SECTIONS``: an
app that stores more of a user's data adds its function there. A section takes the user and
answers JSON-ready data (dates may stay dates; the encoder writes them as ISO 8601).
"""

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEvent, DataExport, LoginSession, Mentorship, User
from careerhub.services import enqueue_on_commit
from notifications.exports import notifications_section
from roadmaps.models import Milestone, ProgressEntry, ReviewSubmission, Roadmap

EXPORT_FORMAT_VERSION = 1
DOWNLOAD_SALT = "accounts.export-download"


def profile_section(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "email_verified_at": user.email_verified_at,
        "display_name": user.display_name,
        "time_zone": user.time_zone,
        "weekly_hours_goal": user.weekly_hours_goal,
        "is_mentor": user.is_mentor,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }


def mentorships_section(user: User) -> list[dict[str, Any]]:
    links = Mentorship.objects.filter(Q(mentor=user) | Q(learner=user)).select_related("mentor", "learner")
    return [
        {
            "id": link.pk,
            "my_role": "mentor" if link.mentor_id == user.pk else "learner",
            "other_side": _other_side(link, user),
            "state": link.state,
            "created_at": link.created_at,
            "responded_at": link.responded_at,
            "ended_at": link.ended_at,
        }
        for link in links.order_by("pk")
    ]


def _other_side(link: Mentorship, user: User) -> str | None:
    other = link.learner if link.mentor_id == user.pk else link.mentor
    return other.get_full_name() if other else None


def roadmaps_section(user: User) -> list[dict[str, Any]]:
    """Roadmaps with their milestones, private notes included (the learner's own)."""
    roadmaps = Roadmap.objects.filter(learner=user).select_related("path").order_by("pk")
    milestones_by_roadmap: dict[int, list[dict[str, Any]]] = {}
    milestones = Milestone.objects.filter(roadmap__learner=user).order_by("roadmap_id", "position")
    for milestone in milestones.values(
        "id",
        "roadmap_id",
        "slug",
        "position",
        "kind",
        "title",
        "description",
        "state",
        "skip_reason",
        "target_date",
        "evidence_url",
        "credential_id",
        "credential_date",
        "completed_at",
        "self_attested",
        "is_custom",
        "note",
        "created_at",
        "updated_at",
    ):
        milestones_by_roadmap.setdefault(milestone.pop("roadmap_id"), []).append(milestone)
    return [
        {
            "id": roadmap.pk,
            "path": roadmap.path.slug,
            "catalog_version": roadmap.catalog_version,
            "status": roadmap.status,
            "created_at": roadmap.created_at,
            "updated_at": roadmap.updated_at,
            "milestones": milestones_by_roadmap.get(roadmap.pk, []),
        }
        for roadmap in roadmaps
    ]


def progress_section(user: User) -> list[dict[str, Any]]:
    entries = ProgressEntry.objects.filter(learner=user).order_by("logged_at", "created_at")
    return list(
        entries.values(
            "id", "milestone_id", "minutes", "note", "evidence_url", "state_from", "state_to", "logged_at", "created_at"
        )
    )


def reviews_section(user: User) -> list[dict[str, Any]]:
    """The user's submissions with every comment on them (a mentor's words are part of the learner's record)."""
    submissions = ReviewSubmission.objects.filter(learner=user).prefetch_related("comments").order_by("pk")
    return [
        {
            "id": submission.pk,
            "milestone_id": submission.milestone_id,
            "evidence_url": submission.evidence_url,
            "credential_id": submission.credential_id,
            "message": submission.message,
            "state": submission.state,
            "created_at": submission.created_at,
            "decided_at": submission.decided_at,
            "comments": [
                {"mine": comment.author_id == user.pk, "body": comment.body, "created_at": comment.created_at}
                for comment in sorted(submission.comments.all(), key=lambda comment: comment.pk)
            ],
        }
        for submission in submissions
    ]


def sessions_section(user: User) -> list[dict[str, Any]]:
    sessions = LoginSession.objects.filter(user=user).order_by("pk")
    return list(sessions.values("id", "user_agent", "ip", "created_at", "last_used_at", "revoked_at"))


SECTIONS: dict[str, Callable[[User], Any]] = {
    "profile": profile_section,
    "mentorships": mentorships_section,
    "roadmaps": roadmaps_section,
    "progress": progress_section,
    "reviews": reviews_section,
    "sessions": sessions_section,
    "notifications": notifications_section,
}


def export_document(*, user: User) -> dict[str, Any]:
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now(),
        **{name: section(user) for name, section in SECTIONS.items()},
    }


# Services ---------------------------------------------------------------------------------


@transaction.atomic
def data_export_request(*, user: User) -> DataExport:
    """Ask for an export; one that is still being built is answered again instead of a second."""
    pending = DataExport.objects.filter(user=user, state=DataExport.State.PENDING).first()
    if pending is not None:
        return pending
    export = DataExport.objects.create(user=user)
    audit_record(action=AuditEvent.Action.EXPORT_REQUESTED, actor=user, target_user=user, obj=export)
    from accounts import tasks

    # Without the broker no worker would ever build it: failed, so that asking again starts anew.
    enqueue_on_commit(tasks.build_data_export, export.pk, on_broker_down=lambda: data_export_fail(export_id=export.pk))
    return export


def data_export_build(*, export_id: int) -> DataExport | None:
    """Write the export's file and mark it ready; a no-op for one already built or gone."""
    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.state != DataExport.State.PENDING:
        return export
    content = json.dumps(export_document(user=export.user), cls=DjangoJSONEncoder, indent=2).encode()
    name = default_storage.save(f"exports/{export.user_id}/careerhub-export-{export.pk}.json", ContentFile(content))
    now = timezone.now()
    export.file.name, export.size, export.state = name, len(content), DataExport.State.READY
    export.finished_at, export.expires_at = now, now + settings.DATA_EXPORT_RETENTION
    export.save(update_fields=["file", "size", "state", "finished_at", "expires_at"])
    return export


def data_export_fail(*, export_id: int) -> None:
    DataExport.objects.filter(pk=export_id, state=DataExport.State.PENDING).update(
        state=DataExport.State.FAILED, finished_at=timezone.now()
    )


def data_exports_purge(*, now=None) -> int:
    """Delete expired exports and their files; returns how many."""
    expired = list(DataExport.objects.filter(expires_at__lte=now or timezone.now()))
    for export in expired:
        if export.file:
            default_storage.delete(export.file.name)
    DataExport.objects.filter(pk__in=[export.pk for export in expired]).delete()
    return len(expired)


def data_export_download_token(*, export: DataExport) -> str:
    return signing.dumps(export.pk, salt=DOWNLOAD_SALT)


def data_export_download_check(*, export: DataExport, token: str) -> bool:
    """The token was made for this export, within ``DATA_EXPORT_LINK_MAX_AGE``, and the file is still kept."""
    try:
        export_id = signing.loads(token, salt=DOWNLOAD_SALT, max_age=settings.DATA_EXPORT_LINK_MAX_AGE)
    except signing.BadSignature:
        return False
    return (
        export_id == export.pk
        and export.state == DataExport.State.READY
        and export.expires_at is not None
        and export.expires_at > timezone.now()
    )


def data_export_downloaded(*, export: DataExport, user: User) -> None:
    audit_record(action=AuditEvent.Action.EXPORT_DOWNLOADED, actor=user, target_user=export.user, obj=export)
