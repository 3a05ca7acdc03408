from django.urls import path

import careerhub.converters  # noqa: F401 (the "id" converter)
from web.views import auth, learner, links, mentor, staff

app_name = "web"

urlpatterns = [
    path("", links.home, name="home"),
    # The addresses the emails link to are fixed: mails already sent carry them.
    path("verify-email", links.email_verify, name="email-verify"),
    path("confirm-email", links.email_change_confirm, name="email-change-confirm"),
    path("reset-password", links.password_reset, name="password-reset"),
    path("unsubscribe/<str:token>/", links.email_unsubscribe, name="unsubscribe"),
    path("signup/", auth.sign_up, name="signup"),
    path("login/", auth.log_in, name="login"),
    path("logout/", auth.log_out, name="logout"),
    path("quiz/", learner.quiz, name="quiz"),
    path("paths/<slug:slug>/", learner.path_detail, name="path"),
    path("paths/<slug:slug>/enrol", learner.path_enroll, name="path-enroll"),
    path("roadmaps/", learner.roadmaps, name="roadmaps"),
    path("roadmaps/<id:roadmap_id>/", learner.roadmap, name="roadmap"),
    path("roadmaps/<id:roadmap_id>/skills", learner.roadmap_skill_gap, name="skill-gap"),
    path("milestones/<id:milestone_id>/", learner.milestone, name="milestone"),
    path("milestones/<id:milestone_id>/log", learner.milestone_log, name="milestone-log"),
    path("milestones/<id:milestone_id>/evidence", learner.milestone_evidence, name="milestone-evidence"),
    path("milestones/<id:milestone_id>/target", learner.milestone_target, name="milestone-target"),
    path("milestones/<id:milestone_id>/note", learner.milestone_note, name="milestone-note"),
    path("milestones/<id:milestone_id>/skip", learner.milestone_skip_view, name="milestone-skip"),
    path("milestones/<id:milestone_id>/unskip", learner.milestone_unskip_view, name="milestone-unskip"),
    path("milestones/<id:milestone_id>/submit", learner.milestone_submit, name="milestone-submit"),
    path("mentor/", mentor.dashboard, name="mentor"),
    path("mentor/mentees/<id:learner_id>/", mentor.mentee, name="mentee"),
    path("mentor/reviews/", mentor.reviews, name="reviews"),
    path("reviews/<id:submission_id>/", mentor.review, name="review"),
    path("reviews/<id:submission_id>/decide", mentor.review_decision, name="review-decide"),
    path("mentorships/", mentor.mentorships, name="mentorships"),
    path("mentorships/new", mentor.mentorship_new, name="mentorship-new"),
    path("mentorships/redeem", mentor.mentorship_redeem, name="mentorship-redeem"),
    path("mentorships/<id:mentorship_id>/<slug:action>", mentor.mentorship_action, name="mentorship-action"),
    path("staff/cohort/", staff.cohort_page, name="staff-cohort"),
    path("staff/cohort.csv", staff.cohort_csv, name="staff-cohort-csv"),
    path("staff/reviews/", staff.reviews, name="staff-reviews"),
]
