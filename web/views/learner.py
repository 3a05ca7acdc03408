"""The learner's pages: the quiz, a path, enrolment, the roadmaps, a milestone and its forms. Each
form posts to a service and redirects back (post/redirect/get); a refusal is shown on the page."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import has_active_mentor
from careerhub.exceptions import ApplicationError
from roadmaps.models import Milestone, MilestoneTemplate
from roadmaps.quiz import quiz_score
from roadmaps.selectors.catalog import career_path_get, career_path_list, path_skill_groups
from roadmaps.selectors.learning import (
    milestone_get,
    milestone_list,
    progress_entry_list,
    roadmap_detail,
    roadmap_get,
    roadmap_get_with_log,
    roadmap_list,
    skill_gap,
)
from roadmaps.selectors.reviews import milestone_reviews
from roadmaps.selectors.stats import learner_today
from roadmaps.services.learning import (
    LEARNER_TRANSITIONS,
    SKIPPABLE,
    milestone_create_custom,
    milestone_note_set,
    milestone_skip,
    milestone_unskip,
    milestone_update,
    progress_entry_log,
    roadmap_enroll,
    roadmap_reorder,
)
from roadmaps.services.reviews import SUBMITTABLE, review_submit
from web import charts
from web.forms import (
    EvidenceForm,
    MoveForm,
    NoteForm,
    OwnMilestoneEditForm,
    OwnMilestoneForm,
    ProgressForm,
    QuizForm,
    SkipForm,
    SubmitForm,
    TargetDateForm,
    add_validation_errors,
)
from web.presenters import by_stage, next_step, order_with_move, stage_sections

State = Milestone.State
Kind = MilestoneTemplate.Kind
ENTRIES_SHOWN = 20


@require_http_methods(["GET", "POST"])
def quiz(request: HttpRequest) -> HttpResponse:
    form = QuizForm(request.POST if request.method == "POST" else None)
    fits = None
    if request.method == "POST" and form.is_valid():
        paths = {path.slug: path for path in career_path_list()}
        fits = [
            {"path": paths[fit.path_slug], "fit": fit}
            for fit in quiz_score(form.cleaned_data)
            if fit.path_slug in paths
        ]
    return render(request, "web/quiz.html", {"form": form, "fits": fits}, status=400 if form.errors else 200)


def path_detail(request: HttpRequest, slug: str) -> HttpResponse:
    path = career_path_get(slug=slug)
    enrolled = request.user.is_authenticated and roadmap_list(user=request.user).filter(path=path).first()
    return render(
        request,
        "web/path.html",
        {"path": path, "skill_groups": path_skill_groups(path), "enrolled": enrolled or None},
    )


@login_required
@require_POST
def path_enroll(request: HttpRequest, slug: str) -> HttpResponse:
    path = career_path_get(slug=slug)
    roadmap, created = roadmap_enroll(learner=request.user, path=path)
    messages.success(request, f"You are on the {path.title} path." if created else "Your roadmap for this path:")
    return redirect("web:roadmap", roadmap_id=roadmap.pk)


@login_required
def roadmaps(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/roadmaps.html",
        {"roadmaps": roadmap_list(user=request.user).order_by("created_at", "id"), "paths": career_path_list()},
    )


@login_required
def roadmap(request: HttpRequest, roadmap_id: int) -> HttpResponse:
    """The learner's roadmap, or a mentee's, read-only, for their mentor."""
    plan, log = roadmap_get_with_log(user=request.user, roadmap_id=roadmap_id)
    detail = roadmap_detail(roadmap=plan, log=log)
    today = learner_today(plan.learner)
    return render(
        request,
        "web/roadmap.html",
        {
            "roadmap": plan,
            "own": plan.learner_id == request.user.pk,
            "sections": stage_sections(by_stage(detail.milestones)),
            "stats": detail.stats,
            "weekly": charts.weekly_bars(detail.stats),
            "calendar": charts.streak_calendar(detail.log.daily, today),
            "stage_bars": charts.stage_completion(detail.milestones),
            "projection": charts.projection(detail.stats, detail.milestones, today),
        },
    )


@login_required
def roadmap_skill_gap(request: HttpRequest, roadmap_id: int) -> HttpResponse:
    plan, _ = roadmap_get_with_log(user=request.user, roadmap_id=roadmap_id)
    gap = skill_gap(user=plan.learner, path=plan.path)
    total = len(gap["have"]) + len(gap["missing"])
    return render(request, "web/skill_gap.html", {"roadmap": plan, "gap": gap, "total": total})


def _allowed_states(milestone: Milestone) -> list[tuple[str, str]]:
    """The moves the progress form offers: those the services allow from the milestone's state."""
    moves = LEARNER_TRANSITIONS[milestone.state]
    return [(state, State(state).label) for state in (State.IN_PROGRESS, State.DONE) if state in moves]


def _milestone_page(request: HttpRequest, milestone: Milestone, *, status: int = 200, **forms: Any) -> HttpResponse:
    own = milestone.roadmap.learner_id == request.user.pk
    allowed = _allowed_states(milestone)
    row = {
        "state": milestone.state,
        "kind": milestone.kind,
        "credential_id": milestone.credential_id,
        "evidence_url": milestone.evidence_url,
    }
    context = {
        "milestone": milestone,
        "own": own,
        "next_step": next_step(row),
        "entries": progress_entry_list(milestone=milestone).order_by("-logged_at", "-created_at")[:ENTRIES_SHOWN],
        "reviews": milestone_reviews(milestone=milestone),
        "can_skip": milestone.state in SKIPPABLE,
        "can_submit": own
        and milestone.state in SUBMITTABLE
        and has_active_mentor(learner_id=milestone.roadmap.learner_id),
        "wants_evidence": milestone.kind in (Kind.CERTIFICATION, Kind.PROJECT),
        "progress_form": ProgressForm(allowed_states=allowed, current=milestone.get_state_display()),
        "evidence_form": EvidenceForm(
            kind=milestone.kind,
            initial={
                "evidence_url": milestone.evidence_url,
                "credential_id": milestone.credential_id,
                "credential_date": milestone.credential_date,
            },
        ),
        "target_form": TargetDateForm(initial={"target_date": milestone.target_date}),
        "note_form": NoteForm(initial={"note": milestone.note}) if own else None,
        "skip_form": SkipForm(),
        "submit_form": SubmitForm(),
        "edit_form": OwnMilestoneEditForm(
            initial={
                "title": milestone.title,
                "estimated_hours": milestone.estimated_hours,
                "description": milestone.description,
            }
        )
        if own and milestone.is_custom
        else None,
    }
    context.update(forms)
    # A form sent by htmx gets back only the part of the page it replaces.
    template = "web/_milestone_main.html" if request.htmx else "web/milestone.html"
    return render(request, template, context, status=status)


@login_required
def milestone(request: HttpRequest, milestone_id: int) -> HttpResponse:
    return _milestone_page(request, milestone_get(user=request.user, milestone_id=milestone_id))


def _refused(request: HttpRequest, milestone_id: int, error: ApplicationError, **forms: Any) -> HttpResponse:
    milestone = milestone_get(user=request.user, milestone_id=milestone_id)
    messages.error(
        request,
        error.message + (f" Missing: {', '.join(error.extra['missing'])}." if error.extra.get("missing") else ""),
    )
    return _milestone_page(request, milestone, status=error.status_code, **forms)


def _invalid(request: HttpRequest, milestone_id: int, name: str, form) -> HttpResponse:
    return _milestone_page(
        request, milestone_get(user=request.user, milestone_id=milestone_id), status=400, **{name: form}
    )


def _done(request: HttpRequest, milestone_id: int, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("web:milestone", milestone_id=milestone_id)


@login_required
@require_POST
def milestone_log(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = milestone_get(user=request.user, milestone_id=milestone_id, write=True)
    allowed = _allowed_states(milestone)
    form = ProgressForm(request.POST, allowed_states=allowed, current=milestone.get_state_display())
    if not form.is_valid():
        return _invalid(request, milestone_id, "progress_form", form)
    data = dict(form.cleaned_data)
    try:
        progress_entry_log(
            learner=request.user,
            milestone_id=milestone_id,
            entry_id=data.pop("id"),
            state=data.pop("state") or None,
            **data,
        )
    except ApplicationError as error:
        return _refused(request, milestone_id, error, progress_form=form)
    return _done(request, milestone_id, f"Logged {data['minutes']} minutes." if data["minutes"] else "Saved.")


def _update(request: HttpRequest, milestone: Milestone, form, name: str, message: str) -> HttpResponse:
    milestone_id = milestone.pk
    if not form.is_valid():
        return _invalid(request, milestone_id, name, form)
    try:
        milestone_update(milestone=milestone, learner_today=learner_today(request.user), **form.cleaned_data)
    except ApplicationError as error:
        return _refused(request, milestone_id, error, **{name: form})
    except ValidationError as error:
        add_validation_errors(form, error)
        return _invalid(request, milestone_id, name, form)
    return _done(request, milestone_id, message)


@login_required
@require_POST
def milestone_evidence(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = milestone_get(user=request.user, milestone_id=milestone_id, write=True)
    form = EvidenceForm(request.POST, kind=milestone.kind)
    return _update(request, milestone, form, "evidence_form", "Evidence saved.")


@login_required
@require_POST
def milestone_target(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = milestone_get(user=request.user, milestone_id=milestone_id, write=True)
    return _update(request, milestone, TargetDateForm(request.POST), "target_form", "Target date saved.")


@login_required
@require_POST
def milestone_note(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = milestone_get(user=request.user, milestone_id=milestone_id, write=True)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _invalid(request, milestone_id, "note_form", form)
    milestone_note_set(milestone=milestone, note=form.cleaned_data["note"])
    return _done(request, milestone_id, "Note saved.")


@login_required
@require_POST
def milestone_skip_view(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = milestone_get(user=request.user, milestone_id=milestone_id, write=True)
    form = SkipForm(request.POST)
    if not form.is_valid():
        return _invalid(request, milestone_id, "skip_form", form)
    try:
        milestone_skip(milestone=milestone, reason=form.cleaned_data["reason"])
    except ApplicationError as error:
        return _refused(request, milestone_id, error, skip_form=form)
    return _done(request, milestone_id, "Skipped. It no longer counts toward your completion.")


@login_required
@require_POST
def milestone_unskip_view(request: HttpRequest, milestone_id: int) -> HttpResponse:
    try:
        milestone_unskip(milestone=milestone_get(user=request.user, milestone_id=milestone_id, write=True))
    except ApplicationError as error:
        return _refused(request, milestone_id, error)
    return _done(request, milestone_id, "Back on your plan.")


@login_required
@require_POST
def milestone_submit(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = milestone_get(user=request.user, milestone_id=milestone_id, write=True)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return _invalid(request, milestone_id, "submit_form", form)
    try:
        review_submit(learner=request.user, milestone=milestone, message=form.cleaned_data["message"])
    except ApplicationError as error:
        return _refused(request, milestone_id, error, submit_form=form)
    return _done(request, milestone_id, "Sent to your mentor for review.")


def _plan_page(request: HttpRequest, plan, *, status: int = 200, form=None) -> HttpResponse:
    milestones = milestone_list(roadmap=plan).order_by("position", "id")
    return render(
        request,
        "web/plan.html",
        {"roadmap": plan, "milestones": milestones, "form": form or OwnMilestoneForm()},
        status=status,
    )


@login_required
def roadmap_plan(request: HttpRequest, roadmap_id: int) -> HttpResponse:
    """The plan's order and the learner's own milestones; for the learner only."""
    return _plan_page(request, roadmap_get(user=request.user, roadmap_id=roadmap_id, write=True))


@login_required
@require_POST
def roadmap_plan_move(request: HttpRequest, roadmap_id: int) -> HttpResponse:
    plan = roadmap_get(user=request.user, roadmap_id=roadmap_id, write=True)
    form = MoveForm(request.POST)
    ids = list(milestone_list(roadmap=plan).order_by("position", "id").values_list("id", flat=True))
    order = form.is_valid() and order_with_move(ids, form.cleaned_data["milestone"], form.cleaned_data["direction"])
    if not order:
        messages.error(request, "That milestone cannot move that way.")
        return _plan_page(request, plan, status=400)
    try:
        roadmap_reorder(roadmap=plan, milestone_ids=order)
    except ApplicationError as error:
        messages.error(request, error.message)
        return _plan_page(request, plan, status=error.status_code)
    return redirect(f"{reverse('web:roadmap-plan', args=[plan.pk])}#milestone-{form.cleaned_data['milestone']}")


@login_required
@require_POST
def roadmap_plan_add(request: HttpRequest, roadmap_id: int) -> HttpResponse:
    plan = roadmap_get(user=request.user, roadmap_id=roadmap_id, write=True)
    form = OwnMilestoneForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, plan, status=400, form=form)
    try:
        milestone = milestone_create_custom(roadmap=plan, **form.cleaned_data)
    except ValidationError as error:
        add_validation_errors(form, error)
        return _plan_page(request, plan, status=400, form=form)
    except ApplicationError as error:
        form.add_error(None, error.message)
        return _plan_page(request, plan, status=error.status_code, form=form)
    messages.success(request, f"Added “{milestone.title}” to the end of your plan.")
    return redirect("web:roadmap-plan", roadmap_id=plan.pk)


@login_required
@require_POST
def milestone_edit(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = milestone_get(user=request.user, milestone_id=milestone_id, write=True)
    return _update(request, milestone, OwnMilestoneEditForm(request.POST), "edit_form", "Milestone saved.")
