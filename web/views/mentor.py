"""The mentor's pages: the dashboard, the review queue and a review, a mentee's roadmaps; and the
mentorships page both sides use for invitations. The rules stay in the services: a second mentor
deciding after the first is told who decided, as the API's 409 says."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.selectors import mentees_of, mentorship_get, mentorship_get_by_code, mentorship_list
from accounts.services import mentorship_accept, mentorship_decline, mentorship_end, mentorship_invite
from careerhub.exceptions import ApplicationError
from roadmaps.selectors.learning import mentee_roadmap_list
from roadmaps.selectors.reviews import mentor_dashboard, milestone_reviews, review_queue, submission_get
from roadmaps.services.reviews import review_decide
from web.forms import DecisionForm, InviteForm, RedeemForm
from web.presenters import dashboard_sorted
from web.throttle import throttle_wait
from web.views.auth import too_many


def _mentor(request: HttpRequest) -> User:
    """Mentor pages are for mentors; to anyone else they do not exist."""
    if not request.user.is_mentor:
        raise Http404
    return request.user


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    rows = mentor_dashboard(mentor=_mentor(request))
    table, sort = dashboard_sorted(
        rows, request.GET.get("sort", ""), now=timezone.now(), reviews_url=reverse("web:reviews")
    )
    return render(request, "web/mentor_dashboard.html", {"count": len(rows), "table": table, "sort": sort})


@login_required
def mentee(request: HttpRequest, learner_id: int) -> HttpResponse:
    mentor = _mentor(request)
    roadmaps = mentee_roadmap_list(mentor=mentor, learner_id=learner_id).select_related("path")
    learner = mentees_of(mentor=mentor).get(pk=learner_id)
    return render(request, "web/mentee.html", {"learner": learner, "roadmaps": roadmaps})


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    queue = review_queue(mentor=_mentor(request))
    return render(request, "web/review_queue.html", {"queue": queue, "now": timezone.now()})


def _review_page(request: HttpRequest, submission, *, form=None, status: int = 200) -> HttpResponse:
    deciding = submission.learner_id != request.user.pk and submission.state == submission.State.PENDING
    return render(
        request,
        "web/review.html",
        {
            "submission": submission,
            "milestone": submission.milestone,
            "history": milestone_reviews(milestone=submission.milestone),
            "form": (form or DecisionForm()) if deciding else None,
        },
        status=status,
    )


@login_required
def review(request: HttpRequest, submission_id: int) -> HttpResponse:
    return _review_page(request, submission_get(user=request.user, submission_id=submission_id))


@login_required
@require_POST
def review_decision(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = submission_get(user=request.user, submission_id=submission_id, deciding=True)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _review_page(request, submission, form=form, status=400)
    try:
        review_decide(
            mentor=request.user,
            submission=submission,
            approve=form.cleaned_data["decision"] == "approve",
            comment=form.cleaned_data["comment"],
        )
    except ApplicationError as error:
        submission = submission_get(user=request.user, submission_id=submission_id)
        if error.code == "already_decided":
            who = submission.decided_by.get_full_name() if submission.decided_by else "Another mentor"
            messages.info(request, f"{who} decided this already: {submission.get_state_display().lower()}.")
            return _review_page(request, submission, status=409)
        form.add_error("comment", error.message)
        return _review_page(request, submission, form=form, status=error.status_code)
    messages.success(
        request,
        "Approved: the milestone is done."
        if form.cleaned_data["decision"] == "approve"
        else "Changes requested; the learner is told.",
    )
    return redirect("web:review", submission_id=submission_id)


@login_required
def mentorships(request: HttpRequest, *, invite_form=None, redeem_form=None, status: int = 200) -> HttpResponse:
    links = mentorship_list(user=request.user).select_related("invited_by").order_by("-id")
    return render(
        request,
        "web/mentorships.html",
        {
            "links": links,
            "invite_form": invite_form
            or InviteForm(initial={"role": "mentor" if request.user.is_mentor else "learner"}),
            "redeem_form": redeem_form or RedeemForm(),
            "code_days": settings.MENTORSHIP_CODE_MAX_AGE.days,
        },
        status=status,
    )


@login_required
@require_POST
def mentorship_new(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        return mentorships(request, invite_form=form, status=400)
    try:
        mentorship_invite(
            inviter=request.user, inviter_role=form.cleaned_data["role"], email=form.cleaned_data["email"]
        )
    except ApplicationError as error:
        form.add_error(None, error.message)
        return mentorships(request, invite_form=form, status=error.status_code)
    messages.success(request, "Invitation sent." if form.cleaned_data["email"] else "Here is your code to share.")
    return redirect("web:mentorships")


@login_required
@require_POST
def mentorship_redeem(request: HttpRequest) -> HttpResponse:
    form = RedeemForm(request.POST)
    if wait := throttle_wait(request, "redeem"):
        return too_many(request, wait, what="Too many codes tried.")
    if not form.is_valid():
        return mentorships(request, redeem_form=form, status=400)
    try:
        mentorship_accept(
            mentorship=mentorship_get_by_code(code=form.cleaned_data["code"]), user=request.user, by_code=True
        )
    except Http404:
        form.add_error("code", "No open invitation has this code; it may have expired.")
        return mentorships(request, redeem_form=form, status=404)
    except ApplicationError as error:
        form.add_error("code", error.message)
        return mentorships(request, redeem_form=form, status=error.status_code)
    messages.success(request, "You are linked.")
    return redirect("web:mentorships")


ACTIONS = {
    "accept": (mentorship_accept, "Accepted: you are linked."),
    "decline": (mentorship_decline, "Declined."),
    "end": (mentorship_end, "Ended: neither side sees the other's work any more."),
}


@login_required
@require_POST
def mentorship_action(request: HttpRequest, mentorship_id: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    service, done = ACTIONS[action]
    try:
        service(mentorship=mentorship_get(user=request.user, mentorship_id=mentorship_id), user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return mentorships(request, status=error.status_code)
    messages.success(request, done)
    return redirect("web:mentorships")
