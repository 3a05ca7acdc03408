import pytest
from django.urls import reverse

from roadmaps.models import CareerPath, MilestoneTemplate

pytestmark = pytest.mark.django_db


def _post_data(response) -> dict:
    """The data a browser would post back for an unchanged admin change form."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for name in form.fields:
            bound = form[name]
            value = bound.value()
            if value is None or value is False:
                continue
            data[bound.html_name] = "on" if value is True else value
            if bound.field.show_hidden_initial:
                data[bound.html_initial_name] = data[bound.html_name]
    return data


@pytest.mark.usefixtures("loaded_catalog")
@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:roadmaps_careerpath_changelist"),
        reverse("admin:roadmaps_milestonetemplate_changelist") + "?q=pipeline&kind__exact=project",
        reverse("admin:roadmaps_skill_changelist") + "?category__exact=devops",
        reverse("admin:accounts_user_changelist") + "?q=example",
        reverse("admin:accounts_mentorship_changelist") + "?state__exact=active",
        reverse("admin:accounts_mentorship_add"),
        reverse("admin:roadmaps_reviewsubmission_changelist") + "?state__exact=pending",
    ],
)
def test_staff_browse_and_search_the_catalog(admin_client, url):
    assert admin_client.get(url).status_code == 200


@pytest.mark.usefixtures("loaded_catalog")
def test_the_path_page_shows_its_stages_skills_and_milestones_inline(admin_client):
    path = CareerPath.objects.get(slug="mlops-engineer")

    response = admin_client.get(reverse("admin:roadmaps_careerpath_change", args=[path.pk]))

    assert response.status_code == 200
    inline_models = [inline.formset.model.__name__ for inline in response.context["inline_admin_formsets"]]
    assert inline_models == ["Stage", "PathSkill", "MilestoneTemplate"]
    milestones = response.context["inline_admin_formsets"][2].formset
    assert milestones.total_form_count() == path.milestones.count()


@pytest.mark.usefixtures("loaded_catalog")
def test_editing_a_milestone_in_admin_raises_the_path_version(admin_client):
    milestone = MilestoneTemplate.objects.get(
        path__slug="mlops-engineer", slug="retrain-redeploy-pipeline-with-quality-gate"
    )
    url = reverse("admin:roadmaps_milestonetemplate_change", args=[milestone.pk])
    data = _post_data(admin_client.get(url))
    data["title"] = "Retraining pipeline with a quality gate"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    milestone.refresh_from_db()
    assert milestone.title == "Retraining pipeline with a quality gate"
    assert milestone.path.version == 2


@pytest.mark.usefixtures("loaded_catalog")
def test_saving_an_unchanged_milestone_keeps_the_version(admin_client):
    milestone = MilestoneTemplate.objects.filter(path__slug="data-scientist").first()
    url = reverse("admin:roadmaps_milestonetemplate_change", args=[milestone.pk])

    response = admin_client.post(url, _post_data(admin_client.get(url)))

    assert response.status_code == 302
    assert CareerPath.objects.get(slug="data-scientist").version == 1


@pytest.mark.usefixtures("loaded_catalog")
def test_admin_refuses_a_milestone_that_is_its_own_prerequisite(admin_client):
    milestone = MilestoneTemplate.objects.filter(path__slug="data-scientist").first()
    url = reverse("admin:roadmaps_milestonetemplate_change", args=[milestone.pk])
    data = _post_data(admin_client.get(url))
    total = int(data["prerequisite_links-TOTAL_FORMS"])
    data["prerequisite_links-TOTAL_FORMS"] = str(total + 1)
    data[f"prerequisite_links-{total}-requires"] = str(milestone.pk)
    data[f"prerequisite_links-{total}-milestone"] = str(milestone.pk)

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "cannot be its own prerequisite" in response.content.decode()
    assert not milestone.prerequisite_links.filter(requires=milestone).exists()


def test_staff_see_and_manage_links_and_reviews(admin_client):
    from accounts.models import Mentorship
    from roadmaps.models import ReviewComment, ReviewSubmission
    from roadmaps.services.learning import roadmap_enroll
    from tests.factories import UserFactory, small_path

    mentor, learner = UserFactory(is_mentor=True), UserFactory()
    link = Mentorship.objects.create(mentor=mentor, learner=learner, state="active")
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    submission = ReviewSubmission.objects.create(milestone=roadmap.milestones.first(), learner=learner)
    ReviewComment.objects.create(submission=submission, author=mentor, body="Looks good")

    link_page = admin_client.get(reverse("admin:accounts_mentorship_change", args=[link.pk]))
    review_page = admin_client.get(reverse("admin:roadmaps_reviewsubmission_change", args=[submission.pk]))

    assert link_page.status_code == 200
    assert review_page.status_code == 200
    assert "Looks good" in review_page.content.decode()
