import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from roadmaps.models import CareerPath, Roadmap
from roadmaps.quiz import QUESTIONS

pytestmark = pytest.mark.django_db

QUIZ = "/api/v1/quiz/"
ML = "machine-learning-engineer"
DS = "data-scientist"
MLOPS = "mlops-engineer"
CHAIN = "ai-blockchain-engineer"
TITLES = {
    ML: "Machine Learning Engineer",
    DS: "Data Scientist",
    MLOPS: "MLOps Engineer",
    CHAIN: "AI + Blockchain Engineer",
}
# One answer to every question, each leaning towards one path.
ANSWERS = {
    MLOPS: {
        "enjoy-most": "running-platforms",
        "judged-on": "zero-downtime",
        "learn-next": "kubernetes",
        "code-distance": "under-it",
        "background": "operations",
    },
    DS: {
        "enjoy-most": "answering-questions",
        "judged-on": "decision-changed",
        "learn-next": "statistics",
        "code-distance": "beside-it",
        "background": "analytics",
    },
    CHAIN: {
        "enjoy-most": "proving-integrity",
        "judged-on": "audit-passed",
        "learn-next": "smart-contracts",
        "code-distance": "in-the-app",
        "background": "blockchain",
    },
    ML: {
        "enjoy-most": "shipping-models",
        "judged-on": "model-in-production",
        "learn-next": "llms",
        "code-distance": "in-the-app",
        "background": "software",
    },
}


def _invalid(*errors: dict) -> dict:
    return {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "code": "validation_error",
        "detail": "The request has invalid fields.",
        "errors": list(errors),
    }


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_the_questions_are_public_and_list_their_options(api_client):
    # When
    response = api_client.get(QUIZ)

    # Then
    questions = response.json()
    assert response.status_code == 200
    assert [question["slug"] for question in questions] == [
        "enjoy-most",
        "judged-on",
        "learn-next",
        "code-distance",
        "background",
    ]
    assert questions[0] == {
        "slug": "enjoy-most",
        "text": "Which part of an AI project would you most like to own?",
        "options": [
            {"slug": "shipping-models", "text": "Turning a model into a feature real users touch"},
            {"slug": "answering-questions", "text": "Digging into data until a business question has an answer"},
            {
                "slug": "running-platforms",
                "text": "Making training and deployment automatic, repeatable and safe",
            },
            {
                "slug": "proving-integrity",
                "text": "Proving where data and models came from and that nobody altered them",
            },
        ],
    }
    assert [option["slug"] for option in questions[4]["options"]] == [
        "software",
        "analytics",
        "operations",
        "blockchain",
        "other",
    ]
    assert all(set(option) == {"slug", "text"} for question in questions for option in question["options"])


def test_every_option_gives_points_only_to_paths_of_the_catalog(loaded_catalog):
    slugs = set(CareerPath.objects.values_list("slug", flat=True))

    awarded = {path for question in QUESTIONS for option in question.options for path in option.points}

    assert slugs == {ML, DS, MLOPS, CHAIN}
    assert awarded == slugs


def test_mlops_answers_rank_mlops_first_and_answer_every_path(api_client, loaded_catalog):
    # When
    response = api_client.post(QUIZ, {"answers": ANSWERS[MLOPS]}, format="json")

    # Then
    summaries = dict(CareerPath.objects.values_list("slug", "summary"))

    def fit(slug: str, score: int, percent: int, reasons: list[str]) -> dict:
        return {
            "path": {"slug": slug, "title": TITLES[slug], "version": 1},
            "summary": summaries[slug],
            "score": score,
            "percent": percent,
            "reasons": reasons,
        }

    assert response.status_code == 200
    assert response.json() == [
        fit(
            MLOPS,
            11,
            100,
            [
                "you like infrastructure and automation that keep ML reliable",
                "you measure success by uptime, deployment frequency and recovery time",
                "DevOps tooling draws you",
                "you prefer the platform to the application",
                "your operations background carries over directly",
            ],
        ),
        fit(ML, 0, 0, []),
        fit(DS, 0, 0, []),
        fit(CHAIN, 0, 0, []),
    ]


@pytest.mark.parametrize(
    ("leaning", "ranking", "scores", "percents"),
    [
        (DS, [DS, ML, MLOPS, CHAIN], [11, 1, 0, 0], [100, 9, 0, 0]),
        (CHAIN, [CHAIN, ML, MLOPS, DS], [10, 2, 1, 0], [91, 18, 9, 0]),
        (ML, [ML, CHAIN, MLOPS, DS], [11, 3, 1, 0], [100, 27, 9, 0]),
    ],
)
def test_answers_leaning_to_a_path_rank_it_first(api_client, loaded_catalog, leaning, ranking, scores, percents):
    # When
    response = api_client.post(QUIZ, {"answers": ANSWERS[leaning]}, format="json")

    # Then
    fits = response.json()
    assert response.status_code == 200
    assert [fit["path"]["slug"] for fit in fits] == ranking
    assert [fit["score"] for fit in fits] == scores
    assert [fit["percent"] for fit in fits] == percents
    assert len(fits[0]["reasons"]) == 5
    assert all(0 <= fit["percent"] <= 100 for fit in fits)


def test_a_partial_answer_is_scored_against_the_questions_answered(api_client, loaded_catalog):
    # When
    response = api_client.post(QUIZ, {"answers": {"enjoy-most": "proving-integrity"}}, format="json")

    # Then
    assert response.status_code == 200
    assert [(fit["path"]["slug"], fit["score"], fit["percent"], fit["reasons"]) for fit in response.json()] == [
        (CHAIN, 3, 100, ["verifiable, tamper-evident systems appeal to you"]),
        (MLOPS, 1, 33, ["verifiable, tamper-evident systems appeal to you"]),
        (ML, 0, 0, []),
        (DS, 0, 0, []),
    ]


def test_an_answer_worth_no_points_gives_every_path_zero(api_client, loaded_catalog):
    # When
    response = api_client.post(QUIZ, {"answers": {"background": "other"}}, format="json")

    # Then
    assert response.status_code == 200
    assert [(fit["path"]["slug"], fit["score"], fit["percent"], fit["reasons"]) for fit in response.json()] == [
        (ML, 0, 0, []),
        (DS, 0, 0, []),
        (MLOPS, 0, 0, []),
        (CHAIN, 0, 0, []),
    ]


def test_taking_the_quiz_stores_nothing(api_client, learner_client, loaded_catalog):
    # Given
    before = _row_counts()
    users, roadmaps = User.objects.count(), Roadmap.objects.count()

    # When
    with CaptureQueriesContext(connection) as queries:
        anonymous = api_client.post(QUIZ, {"answers": ANSWERS[MLOPS]}, format="json")
        logged_in = learner_client.post(QUIZ, {"answers": ANSWERS[DS]}, format="json")

    # Then
    assert anonymous.status_code == logged_in.status_code == 200
    assert (User.objects.count(), Roadmap.objects.count()) == (users, roadmaps)
    assert _row_counts() == before
    assert all(query["sql"].lstrip().upper().startswith("SELECT") for query in queries.captured_queries)


@pytest.mark.parametrize(
    ("answers", "error"),
    [
        (
            {"enjoy-most": "running-platforms", "favourite-colour": "blue"},
            {"field": "answers.favourite-colour", "code": "invalid", "detail": "Unknown question."},
        ),
        (
            {"enjoy-most": "knitting"},
            {"field": "answers.enjoy-most", "code": "invalid", "detail": "Unknown option 'knitting'."},
        ),
        (
            # An option of another question is not an option of this one.
            {"judged-on": "running-platforms"},
            {"field": "answers.judged-on", "code": "invalid", "detail": "Unknown option 'running-platforms'."},
        ),
        (
            {},
            {"field": "answers", "code": "invalid", "detail": "Answer at least one question."},
        ),
    ],
    ids=["unknown question", "unknown option", "option of another question", "no answers"],
)
def test_invalid_answers_answer_400_naming_the_problem(api_client, loaded_catalog, answers, error):
    # When
    response = api_client.post(QUIZ, {"answers": answers}, format="json")

    # Then
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == _invalid(error)


def test_a_request_without_answers_answers_400(api_client, loaded_catalog):
    # When
    response = api_client.post(QUIZ, {}, format="json")

    # Then
    assert response.status_code == 400
    assert response.json() == _invalid({"field": "answers", "code": "required", "detail": "This field is required."})
