"""The path-fit quiz: a few questions about what a person enjoys, scored against the paths.

Each option gives points to the paths it suits and says why. Nothing is stored.
"""

from dataclasses import dataclass

ML = "machine-learning-engineer"
DS = "data-scientist"
MLOPS = "mlops-engineer"
CHAIN = "ai-blockchain-engineer"


@dataclass(frozen=True)
class Option:
    slug: str
    text: str
    points: dict[str, int]
    reason: str


@dataclass(frozen=True)
class Question:
    slug: str
    text: str
    options: tuple[Option, ...]


QUESTIONS: tuple[Question, ...] = (
    Question(
        "enjoy-most",
        "Which part of an AI project would you most like to own?",
        (
            Option(
                "shipping-models",
                "Turning a model into a feature real users touch",
                {ML: 3, CHAIN: 1},
                "you want to ship models that run inside products",
            ),
            Option(
                "answering-questions",
                "Digging into data until a business question has an answer",
                {DS: 3},
                "you enjoy analysis that ends in a decision",
            ),
            Option(
                "running-platforms",
                "Making training and deployment automatic, repeatable and safe",
                {MLOPS: 3},
                "you like infrastructure and automation that keep ML reliable",
            ),
            Option(
                "proving-integrity",
                "Proving where data and models came from and that nobody altered them",
                {CHAIN: 3, MLOPS: 1},
                "verifiable, tamper-evident systems appeal to you",
            ),
        ),
    ),
    Question(
        "judged-on",
        "Which result would make you proudest at the end of a quarter?",
        (
            Option(
                "model-in-production",
                "A model that beats the old one in production and stays fast",
                {ML: 2},
                "you measure success by model quality and production performance",
            ),
            Option(
                "decision-changed",
                "A test result that changed what the company did",
                {DS: 2},
                "you measure success by decision impact and measurable lift",
            ),
            Option(
                "zero-downtime",
                "Twice as many deployments with less downtime",
                {MLOPS: 2},
                "you measure success by uptime, deployment frequency and recovery time",
            ),
            Option(
                "audit-passed",
                "An audit that could verify every prediction's origin",
                {CHAIN: 2},
                "you measure success by verifiability and complete audit trails",
            ),
        ),
    ),
    Question(
        "learn-next",
        "What would you rather learn next?",
        (
            Option(
                "llms",
                "Fine-tuning large language models and multi-modal pipelines",
                {ML: 2},
                "modern model work such as LLMs draws you",
            ),
            Option(
                "statistics",
                "Experimental design, causal reasoning and forecasting",
                {DS: 2},
                "statistics and experiments draw you",
            ),
            Option(
                "kubernetes", "Kubernetes, CI/CD and infrastructure as code", {MLOPS: 2}, "DevOps tooling draws you"
            ),
            Option(
                "smart-contracts",
                "Solidity, smart contracts and distributed ledgers",
                {CHAIN: 2},
                "blockchain development draws you",
            ),
        ),
    ),
    Question(
        "code-distance",
        "How close to application code do you want to work?",
        (
            Option(
                "in-the-app",
                "Right inside it: APIs, services and their tests",
                {ML: 2, CHAIN: 1},
                "you want to work close to application code",
            ),
            Option(
                "beside-it",
                "Beside it: notebooks, queries, dashboards and write-ups",
                {DS: 2},
                "you prefer analysis and communication to application code",
            ),
            Option(
                "under-it",
                "Underneath it: the platform every service runs on",
                {MLOPS: 2},
                "you prefer the platform to the application",
            ),
        ),
    ),
    Question(
        "background",
        "Where are you coming from?",
        (
            Option(
                "software",
                "Software engineering",
                {ML: 2, MLOPS: 1, CHAIN: 1},
                "your software engineering background carries over directly",
            ),
            Option(
                "analytics",
                "Analytics, statistics or research",
                {DS: 2, ML: 1},
                "your analytical background carries over directly",
            ),
            Option(
                "operations",
                "Operations, SRE or cloud infrastructure",
                {MLOPS: 2},
                "your operations background carries over directly",
            ),
            Option(
                "blockchain",
                "Blockchain or smart contract development",
                {CHAIN: 2},
                "your blockchain background carries over directly",
            ),
            Option("other", "Something else", {}, ""),
        ),
    ),
)

QUESTIONS_BY_SLUG = {question.slug: question for question in QUESTIONS}
PATH_SLUGS = (ML, DS, MLOPS, CHAIN)


@dataclass(frozen=True)
class Fit:
    path_slug: str
    score: int
    percent: int
    reasons: list[str]


def quiz_score(answers: dict[str, str]) -> list[Fit]:
    """Paths ranked by fit for validated ``answers`` ({question slug: option slug})."""
    scores = dict.fromkeys(PATH_SLUGS, 0)
    reasons: dict[str, list[str]] = {slug: [] for slug in PATH_SLUGS}
    best_possible = 0
    for question_slug, option_slug in answers.items():
        question = QUESTIONS_BY_SLUG[question_slug]
        best_possible += max(max(option.points.values(), default=0) for option in question.options)
        option = next(option for option in question.options if option.slug == option_slug)
        for path_slug, points in option.points.items():
            scores[path_slug] += points
            reasons[path_slug].append(option.reason)
    order = sorted(PATH_SLUGS, key=lambda slug: (-scores[slug], PATH_SLUGS.index(slug)))
    return [
        Fit(slug, scores[slug], round(100 * scores[slug] / best_possible) if best_possible else 0, reasons[slug])
        for slug in order
    ]
