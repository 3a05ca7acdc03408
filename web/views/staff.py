"""The staff's pages: the cohort of learners, filterable and as CSV, and every review waiting."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from roadmaps.selectors.catalog import career_path_list
from roadmaps.selectors.reviews import cohort, pending_reviews
from web.forms import CohortFilterForm

CSV_COLUMNS = (
    "email",
    "name",
    "paths",
    "status",
    "completion_percent",
    "last_activity",
    "overdue_milestones",
    "pending_reviews",
    "reasons",
)


def _staff(request: HttpRequest) -> None:
    if not request.user.is_staff:
        raise Http404


def _filtered(request: HttpRequest) -> tuple[CohortFilterForm, list[dict]]:
    form = CohortFilterForm(request.GET, paths=career_path_list())
    filters = form.cleaned_data if form.is_valid() else {}
    rows = cohort(path_slug=filters.get("path") or None, status=filters.get("status") or None)
    return form, rows


@login_required
def cohort_page(request: HttpRequest) -> HttpResponse:
    _staff(request)
    form, rows = _filtered(request)
    return render(
        request,
        "web/staff_cohort.html",
        {"form": form, "rows": rows, "query": request.GET.urlencode()},
        status=200 if form.is_valid() else 400,
    )


@login_required
def cohort_csv(request: HttpRequest) -> HttpResponse:
    _staff(request)
    form, rows = _filtered(request)
    if not form.is_valid():
        return HttpResponse("Unknown path or status.", status=400, content_type="text/plain")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="careerhub-cohort-{timezone.localdate():%Y-%m-%d}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row["learner"]["email"],
                row["learner"]["display_name"],
                "; ".join(row["paths"]),
                row["status"],
                row["completion_percent"],
                row["last_activity"].isoformat() if row["last_activity"] else "",
                row["overdue_milestones"],
                row["pending_reviews"],
                "; ".join(row["reasons"]),
            ]
        )
    return response


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    _staff(request)
    return render(request, "web/staff_reviews.html", {"queue": pending_reviews(), "now": timezone.now()})
