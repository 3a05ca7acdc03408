"""Reads of a learner's own roadmaps. Access is decided here: another user's object is a 404."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.selectors import active_mentorship_of, mentees_of
from roadmaps.models import CareerPath, Milestone, MilestoneTemplate, PathSkill, ProgressEntry, Roadmap, Skill
from roadmaps.selectors.stats import with_logged_minutes

State = Milestone.State


def roadmap_list(*, user: User) -> QuerySet[Roadmap]:
    return (
        Roadmap.objects.filter(learner=user)
        .select_related("path")
        .annotate(
            milestones_total=Count("milestones", filter=~Q(milestones__state=State.SKIPPED)),
            milestones_done=Count("milestones", filter=Q(milestones__state=State.DONE)),
        )
    )


def visible_to(user: User, learner_field: str) -> Q:
    """The learner's own rows, and those of learners the user actively mentors."""
    mentoring = active_mentorship_of(mentor=user, learner_ref=OuterRef(learner_field))
    return Q(**{learner_field: user}) | Q(Exists(mentoring))


def _ensure_may_change(owner_id: int, user: User) -> None:
    if owner_id != user.pk:  # a mentor: reads, never writes
        raise PermissionDenied("Mentors can read their mentees' roadmaps; only the learner can change them.")


def roadmap_visible_list(*, user: User) -> QuerySet[Roadmap]:
    """The user's roadmaps and those of learners they actively mentor."""
    return (
        Roadmap.objects.filter(visible_to(user, "learner"))
        .select_related("path", "learner")
        .annotate(
            milestones_total=Count("milestones", filter=~Q(milestones__state=State.SKIPPED)),
            milestones_done=Count("milestones", filter=Q(milestones__state=State.DONE)),
        )
    )


def roadmap_get(*, user: User, roadmap_id: int, write: bool = False) -> Roadmap:
    """The roadmap if ``user`` may see it (404 otherwise); with ``write``, 403 unless it is theirs."""
    roadmap = get_object_or_404(roadmap_visible_list(user=user), pk=roadmap_id)
    if write:
        _ensure_may_change(roadmap.learner_id, user)
    return roadmap


def mentee_roadmap_list(*, mentor: User, learner_id: int) -> QuerySet[Roadmap]:
    if not mentees_of(mentor=mentor).filter(pk=learner_id).exists():
        raise Http404
    return roadmap_list(user=User(pk=learner_id))


def milestone_queryset() -> QuerySet[Milestone]:
    return with_logged_minutes(Milestone.objects.select_related("roadmap")).prefetch_related(
        Prefetch("skills", queryset=Skill.objects.order_by("slug").only("slug"))
    )


def milestone_list(*, roadmap: Roadmap) -> QuerySet[Milestone]:
    return milestone_queryset().filter(roadmap=roadmap)


def milestone_get(*, user: User, milestone_id: int, write: bool = False) -> Milestone:
    """The milestone if ``user`` may see it (404 otherwise); with ``write``, 403 unless it is theirs."""
    milestone = get_object_or_404(milestone_queryset().filter(visible_to(user, "roadmap__learner")), pk=milestone_id)
    if write:
        _ensure_may_change(milestone.roadmap.learner_id, user)
    return milestone


def progress_entry_list(*, milestone: Milestone) -> QuerySet[ProgressEntry]:
    return ProgressEntry.objects.filter(milestone=milestone)


def skill_gap(*, user: User, path: CareerPath) -> dict[str, Any]:
    """The skills ``path`` requires, split into those the learner has built (any roadmap) and the rest."""
    required = list(PathSkill.objects.filter(path=path).select_related("skill").order_by("order", "id"))
    done = (
        Milestone.objects.filter(roadmap__learner=user, state=State.DONE)
        .select_related("roadmap__path")
        .prefetch_related(Prefetch("skills", queryset=Skill.objects.only("id")))
        .order_by("completed_at", "id")
    )
    earned: dict[int, list[Milestone]] = {}
    for milestone in done:
        for skill in milestone.skills.all():
            earned.setdefault(skill.pk, []).append(milestone)
    missing_ids = [ps.skill_id for ps in required if ps.skill_id not in earned]
    builders: dict[int, list[MilestoneTemplate]] = {}
    links = (
        MilestoneTemplate.skills.through.objects.filter(
            milestonetemplate__path=path, milestonetemplate__retired=False, skill_id__in=missing_ids
        )
        .select_related("milestonetemplate__stage")
        .order_by("milestonetemplate__stage__order", "milestonetemplate__order")
    )
    for link in links:
        builders.setdefault(link.skill_id, []).append(link.milestonetemplate)
    return {
        "path": path,
        "have": [
            {"skill": ps.skill, "group": ps.group, "earned_from": earned[ps.skill_id]}
            for ps in required
            if ps.skill_id in earned
        ],
        "missing": [
            {"skill": ps.skill, "group": ps.group, "milestones": builders.get(ps.skill_id, [])}
            for ps in required
            if ps.skill_id not in earned
        ],
        "coverage_percent": round(100 * (len(required) - len(missing_ids)) / len(required), 1) if required else 0.0,
    }
