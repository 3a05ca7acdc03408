"""The review workflow: a learner submits a milestone with evidence; a mentor decides."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEvent, User
from accounts.selectors import has_active_mentor
from careerhub.exceptions import ApplicationError
from notifications.services.reminders import review_decided_notify, review_requested_notify
from roadmaps.models import Milestone, MilestoneTemplate, ReviewComment, ReviewSubmission
from roadmaps.services.learning import changed, conflict, ensure_writable, illegal_transition

State = Milestone.State
SUBMITTABLE = frozenset({State.IN_PROGRESS, State.CHANGES_REQUESTED})


@transaction.atomic
def review_submit(
    *,
    learner: User,
    milestone: Milestone,
    message: str = "",
    evidence_url: str = "",
    credential_id: str = "",
    credential_date: date | None = None,
) -> ReviewSubmission:
    milestone = Milestone.objects.select_for_update(of=("self",)).select_related("roadmap").get(pk=milestone.pk)
    ensure_writable(milestone.roadmap)
    if milestone.state not in SUBMITTABLE:
        raise illegal_transition(milestone, State.IN_REVIEW, allowed=SUBMITTABLE, action="be submitted for review")
    if not has_active_mentor(learner_id=learner.pk):
        raise conflict("no_active_mentor", "Reviews need an active mentor; without one, complete it yourself.")
    milestone.evidence_url = evidence_url or milestone.evidence_url
    milestone.credential_id = credential_id or milestone.credential_id
    milestone.credential_date = credential_date or milestone.credential_date
    missing = []
    if milestone.kind == MilestoneTemplate.Kind.PROJECT and not milestone.evidence_url:
        missing = ["evidence_url (the repository)"]
    if milestone.kind == MilestoneTemplate.Kind.CERTIFICATION and not (
        milestone.credential_id or milestone.evidence_url
    ):
        missing = ["credential_id or evidence_url"]
    if missing:
        raise conflict("evidence_required", "Submit the evidence with the milestone.", missing=missing)
    milestone.state = State.IN_REVIEW
    milestone.save(update_fields=["state", "evidence_url", "credential_id", "credential_date", "updated_at"])
    submission = ReviewSubmission.objects.create(
        milestone=milestone,
        learner=learner,
        evidence_url=milestone.evidence_url,
        credential_id=milestone.credential_id,
        message=message,
    )
    changed(learner.pk, roadmap=[milestone.roadmap_id], milestone=[milestone.pk], review=[submission.pk])
    review_requested_notify(submission=submission)
    return submission


@transaction.atomic
def review_decide(*, mentor: User, submission: ReviewSubmission, approve: bool, comment: str = "") -> ReviewSubmission:
    """Approve (the milestone is done) or request changes (with a comment). The first decision wins."""
    submission = ReviewSubmission.objects.select_for_update().get(pk=submission.pk)
    if submission.state != ReviewSubmission.State.PENDING:
        raise conflict(
            "already_decided",
            f"This submission was already decided ({submission.get_state_display().lower()}).",
            decided_by=submission.decided_by_id,
        )
    if not approve and not comment.strip():
        raise ApplicationError("Say what should change.", code="comment_required")
    now = timezone.now()
    milestone = Milestone.objects.select_for_update().get(pk=submission.milestone_id)
    milestone.state = State.DONE if approve else State.CHANGES_REQUESTED
    milestone.completed_at = now if approve else None
    milestone.self_attested = False
    milestone.save(update_fields=["state", "completed_at", "self_attested", "updated_at"])
    submission.state = ReviewSubmission.State.APPROVED if approve else ReviewSubmission.State.CHANGES_REQUESTED
    submission.decided_at, submission.decided_by = now, mentor
    submission.save(update_fields=["state", "decided_at", "decided_by"])
    if comment.strip():
        ReviewComment.objects.create(submission=submission, author=mentor, body=comment.strip())
    changed(submission.learner_id, roadmap=[milestone.roadmap_id], milestone=[milestone.pk], review=[submission.pk])
    audit_record(
        action=AuditEvent.Action.REVIEW_DECIDED,
        actor=mentor,
        target_user_id=submission.learner_id,
        obj=submission,
        changes={"state": submission.state},
    )
    review_decided_notify(submission=submission)
    return submission


@transaction.atomic
def review_comment_add(*, author: User, submission: ReviewSubmission, body: str) -> ReviewComment:
    comment = ReviewComment.objects.create(submission=submission, author=author, body=body)
    changed(submission.learner_id, review=[submission.pk])
    return comment
