"""The catalog: career paths, the skills they share, and their milestone templates.

A learner's own roadmap (a later addition) copies these templates; the stable ``slug`` of
each milestone is what links the copy back to the catalog across catalog versions.
"""

from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models

# Links are only ever shown, never fetched; other schemes (ftp:, file:, javascript:) have no place here.
http_url = URLValidator(schemes=["http", "https"])
# The dates a milestone can hold (a target, a credential's): what its calendar event and the stats can
# show. A year's end far out is no plan; 9999-12-31 would leave no next day for the event to end on.
MILESTONE_DATES = (date(1970, 1, 1), date(2100, 12, 31))
milestone_date = [MinValueValidator(MILESTONE_DATES[0]), MaxValueValidator(MILESTONE_DATES[1])]


class Skill(models.Model):
    class Category(models.TextChoices):
        PROGRAMMING = "programming", "Programming"
        SOFTWARE_ENGINEERING = "software_engineering", "Software engineering"
        MACHINE_LEARNING = "machine_learning", "Machine learning"
        GENERATIVE_AI = "generative_ai", "Generative AI"
        DATA = "data", "Data"
        STATISTICS = "statistics", "Statistics"
        ANALYTICS = "analytics", "Analytics"
        COMMUNICATION = "communication", "Communication"
        BUSINESS = "business", "Business"
        DEVOPS = "devops", "DevOps"
        CLOUD = "cloud", "Cloud"
        OPERATIONS = "operations", "Operations"
        ML_LIFECYCLE = "ml_lifecycle", "ML lifecycle"
        BLOCKCHAIN = "blockchain", "Blockchain"
        GOVERNANCE = "governance", "Governance"

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=32, choices=Category.choices)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class CareerPath(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    choose_if = models.TextField(help_text="Who enjoys this work; shown when choosing a path.")
    # Ordered lists of {"text"/"name", "description", "milestones": [slug, ...]}, edited as a whole.
    responsibilities = models.JSONField(default=list)
    success_metrics = models.JSONField(default=list)
    getting_started = models.JSONField(default=list)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every content change; roadmaps offer an upgrade when it moves."
    )
    skills = models.ManyToManyField(Skill, through="PathSkill", related_name="paths")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=models.Q(version__gte=1), name="roadmaps_path_version_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class PathSkill(models.Model):
    """A skill the path requires, in one of the path's named skill groups."""

    path = models.ForeignKey(CareerPath, on_delete=models.CASCADE, related_name="path_skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="path_skills")
    group = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["path", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["path", "skill"], name="roadmaps_pathskill_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.path.slug}: {self.skill.slug} ({self.group})"


class Stage(models.Model):
    path = models.ForeignKey(CareerPath, on_delete=models.CASCADE, related_name="stages")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    retired = models.BooleanField(default=False, help_text="No longer in the catalog file.")

    class Meta:
        ordering = ["path", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["path", "slug"], name="roadmaps_stage_slug_unique_per_path"),
        ]

    def __str__(self) -> str:
        return f"{self.path.slug}: {self.title}"


class MilestoneTemplate(models.Model):
    class Kind(models.TextChoices):
        SKILL = "skill", "Skill"
        COURSE = "course", "Course"
        CERTIFICATION = "certification", "Certification"
        PROJECT = "project", "Portfolio project"
        PRACTICE = "practice", "Practice"

    class Evidence(models.TextChoices):
        NONE = "none", "None"
        REPOSITORY = "repository", "Repository URL"
        CREDENTIAL = "credential", "Credential ID or URL, and date"
        LINK = "link", "Link to published work"

    path = models.ForeignKey(CareerPath, on_delete=models.CASCADE, related_name="milestones")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="milestones")
    slug = models.SlugField(max_length=100, help_text="Permanent: learners' progress is kept by this slug.")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField()
    estimated_hours = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(1000)])
    evidence = models.CharField(max_length=16, choices=Evidence.choices, default=Evidence.NONE)
    acceptance_criteria = models.JSONField(default=list, blank=True)
    skills = models.ManyToManyField(Skill, related_name="milestones")
    prerequisites = models.ManyToManyField(
        "self", through="MilestonePrerequisite", symmetrical=False, related_name="unlocks"
    )
    retired = models.BooleanField(default=False, help_text="No longer in the catalog file.")

    class Meta:
        ordering = ["path", "stage__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["path", "slug"], name="roadmaps_milestone_slug_unique_per_path"),
            models.CheckConstraint(
                condition=models.Q(estimated_hours__gte=1, estimated_hours__lte=1000),
                name="roadmaps_milestone_hours_in_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="certification") | models.Q(evidence="credential"),
                name="roadmaps_certification_needs_credential",
                violation_error_message="A certification needs a credential as evidence.",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="project") | models.Q(evidence="repository"),
                name="roadmaps_project_needs_repository",
                violation_error_message="A portfolio project needs a repository URL as evidence.",
            ),
        ]
        indexes = [models.Index(fields=["path", "retired"], name="roadmaps_milestone_path_live")]

    def __str__(self) -> str:
        return f"{self.path.slug}/{self.slug}"

    def clean(self) -> None:
        super().clean()
        if self.stage_id and self.path_id and self.stage.path_id != self.path_id:
            raise ValidationError({"stage": "The stage belongs to another path."})
        is_project = self.kind == self.Kind.PROJECT
        if is_project and len(self.acceptance_criteria or []) < 3:
            raise ValidationError({"acceptance_criteria": "A portfolio project needs at least three criteria."})
        if not is_project and self.acceptance_criteria:
            raise ValidationError({"acceptance_criteria": "Only portfolio projects have acceptance criteria."})


class MilestonePrerequisite(models.Model):
    milestone = models.ForeignKey(MilestoneTemplate, on_delete=models.CASCADE, related_name="prerequisite_links")
    requires = models.ForeignKey(MilestoneTemplate, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["milestone", "requires"], name="roadmaps_prerequisite_unique"),
            models.CheckConstraint(
                condition=~models.Q(milestone=models.F("requires")),
                name="roadmaps_prerequisite_not_self",
                violation_error_message="A milestone cannot be its own prerequisite.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.milestone} requires {self.requires}"

    def clean(self) -> None:
        super().clean()
        # The check constraint says the same, but an admin inline excludes ``milestone`` from
        # constraint validation, so the rule is stated here too.
        if self.milestone_id and self.milestone_id == self.requires_id:
            raise ValidationError({"requires": "A milestone cannot be its own prerequisite."})
        if self.milestone_id and self.requires_id and self.milestone.path_id != self.requires.path_id:
            raise ValidationError({"requires": "A prerequisite must be a milestone of the same path."})


class Resource(models.Model):
    class Kind(models.TextChoices):
        DOCUMENTATION = "documentation", "Documentation"
        COURSE = "course", "Course"
        BOOK = "book", "Book"
        ARTICLE = "article", "Article"
        VIDEO = "video", "Video"
        TOOL = "tool", "Tool"
        DATASET = "dataset", "Dataset"
        CERTIFICATION = "certification", "Certification"
        REPOSITORY = "repository", "Repository"

    milestone = models.ForeignKey(MilestoneTemplate, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500, validators=[http_url])
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["milestone", "order", "id"]

    def __str__(self) -> str:
        return self.title


# The learner's side ---------------------------------------------------------------------


class Roadmap(models.Model):
    """A learner's own copy of a career path (the plan), made from the catalog (the template)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        ARCHIVED = "archived", "Archived"

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roadmaps")
    path = models.ForeignKey(CareerPath, on_delete=models.PROTECT, related_name="roadmaps")
    catalog_version = models.PositiveIntegerField(help_text="The path version this roadmap was last synced with.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "path"], name="roadmaps_roadmap_one_per_path"),
        ]

    def __str__(self) -> str:
        return f"{self.learner} on {self.path.slug}"


class Milestone(models.Model):
    """One step of a learner's roadmap: a copy of a catalog milestone, or the learner's own."""

    class State(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="milestones")
    template = models.ForeignKey(
        MilestoneTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="learner_milestones"
    )
    slug = models.SlugField(max_length=100, help_text="The catalog slug; custom milestones get custom-<id>.")
    position = models.PositiveIntegerField(default=0)
    stage_slug = models.SlugField(max_length=80, blank=True)
    stage_title = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=16, choices=MilestoneTemplate.Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    estimated_hours = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(1000)])
    evidence_kind = models.CharField(
        max_length=16, choices=MilestoneTemplate.Evidence.choices, default=MilestoneTemplate.Evidence.NONE
    )
    acceptance_criteria = models.JSONField(default=list, blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="learner_milestones")
    is_custom = models.BooleanField(default=False, help_text="Added by the learner, not copied from the catalog.")
    retired_from_catalog = models.BooleanField(
        default=False, help_text="The catalog dropped it; kept because the learner has progress on it."
    )

    state = models.CharField(max_length=20, choices=State.choices, default=State.NOT_STARTED)
    skip_reason = models.TextField(blank=True)
    target_date = models.DateField(null=True, blank=True, validators=milestone_date)
    evidence_url = models.URLField(max_length=500, blank=True, validators=[http_url])
    credential_id = models.CharField(max_length=200, blank=True)
    credential_date = models.DateField(null=True, blank=True, validators=milestone_date)
    completed_at = models.DateTimeField(null=True, blank=True)
    self_attested = models.BooleanField(
        default=False, help_text="Completed by the learner with evidence but without a mentor's review."
    )
    note = models.TextField(blank=True, help_text="Private to the learner.")
    logged_minutes = models.PositiveIntegerField(
        default=0,
        help_text="The minutes of its progress log: kept by progress_entry_log in the transaction that adds the "
        "entry, under the milestone's row lock (entries are never edited or deleted on their own).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["roadmap", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "slug"], name="roadmaps_milestone_slug_unique_per_roadmap"),
            models.CheckConstraint(
                condition=models.Q(estimated_hours__gte=1, estimated_hours__lte=1000),
                name="roadmaps_learner_milestone_hours_in_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="skipped") | ~models.Q(skip_reason=""),
                name="roadmaps_skipped_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(state="done", completed_at__isnull=False)
                | (~models.Q(state="done") & models.Q(completed_at__isnull=True)),
                name="roadmaps_completed_at_iff_done",
            ),
        ]
        indexes = [
            models.Index(fields=["roadmap", "position"], name="roadmaps_milestone_order"),
            models.Index(fields=["roadmap", "state"], name="roadmaps_milestone_state"),
            # The reminder scan's target-date windows (most milestones have no target date).
            models.Index(
                fields=["target_date"],
                condition=models.Q(target_date__isnull=False),
                name="roadmaps_milestone_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.roadmap_id}/{self.slug}"


class ProgressEntry(models.Model):
    """Append-only: time spent, a note, evidence, a state change. Corrections are new entries.

    The id is generated by the client, so an entry sent twice (an offline retry) is stored once.
    Its ``logged_at`` is taken from ``BACKDATE_LIMIT`` before the account was made up to now (see
    ``progress_entry_log``); the reads count a stored instant outside ``COUNTED`` at the nearer
    end, so every local day they show is a date any reader can load, in every time zone.
    """

    BACKDATE_LIMIT = timedelta(days=365)
    COUNTED = (datetime(1970, 1, 1, tzinfo=UTC), datetime(3000, 1, 1, tzinfo=UTC))

    id = models.UUIDField(primary_key=True)
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress_entries")
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="entries")
    minutes = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(24 * 60)])
    note = models.TextField(blank=True)
    evidence_url = models.URLField(max_length=500, blank=True, validators=[http_url])
    state_from = models.CharField(max_length=20, choices=Milestone.State.choices, blank=True)
    state_to = models.CharField(max_length=20, choices=Milestone.State.choices, blank=True)
    logged_at = models.DateTimeField(help_text="When the work happened.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["logged_at", "created_at"]
        verbose_name_plural = "progress entries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__lte=24 * 60), name="roadmaps_entry_minutes_at_most_a_day"
            ),
        ]
        indexes = [
            models.Index(fields=["milestone", "logged_at"], name="roadmaps_entry_milestone_time"),
            models.Index(fields=["learner", "logged_at"], name="roadmaps_entry_learner_time"),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} min on {self.milestone_id} at {self.logged_at:%Y-%m-%d %H:%M}"


class ReviewSubmission(models.Model):
    """A milestone submitted to the learner's mentors with its evidence; the first decision wins."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="submissions")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    evidence_url = models.URLField(max_length=500, blank=True, validators=[http_url])
    credential_id = models.CharField(max_length=200, blank=True)
    message = models.TextField(blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone"], condition=models.Q(state="pending"), name="roadmaps_one_pending_submission"
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="roadmaps_submission_queue")]

    def __str__(self) -> str:
        return f"{self.milestone} ({self.state})"


class ReviewComment(models.Model):
    submission = models.ForeignKey(ReviewSubmission, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.submission_id}"
