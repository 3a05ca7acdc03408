"""Staff read a learner's roadmaps, milestones and progress in the admin, from the user's page;
nothing there can be changed, and the private note is not shown."""

import re
import uuid

import pytest
from django.test import Client

from roadmaps.services.learning import milestone_note_set, progress_entry_log, roadmap_enroll
from tests.factories import UserFactory, small_path

pytestmark = pytest.mark.django_db


def test_staff_reach_a_learners_roadmaps_and_progress_from_the_user_page():
    learner = UserFactory()
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    milestone = roadmap.milestones.get(slug="python-basics")
    progress_entry_log(
        learner=learner, milestone_id=milestone.pk, entry_id=uuid.uuid4(), minutes=40, state="in_progress"
    )
    milestone_note_set(milestone=roadmap.milestones.get(pk=milestone.pk), note="my secret worry")
    UserFactory()  # someone else, not listed
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))

    user_page = staff.get(f"/admin/accounts/user/{learner.pk}/change/").content.decode()
    links = re.findall(r'<a href="(/admin/roadmaps/[a-z]+/\?learner__id__exact=\d+)">', user_page)
    roadmaps, entries = (staff.get(link.replace("&amp;", "&")) for link in links)
    detail = staff.get(f"/admin/roadmaps/roadmap/{roadmap.pk}/change/")
    milestone_page = staff.get(f"/admin/roadmaps/milestone/{milestone.pk}/change/")

    assert len(links) == 2
    assert roadmaps.status_code == entries.status_code == 200
    assert roadmaps.context["cl"].result_count == 1
    assert entries.context["cl"].result_count == 1
    assert milestone.title in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()  # read-only
    assert milestone_page.status_code == 200
    assert "my secret worry" not in milestone_page.content.decode()
    assert staff.post(f"/admin/roadmaps/roadmap/{roadmap.pk}/delete/", {"post": "yes"}).status_code == 403
