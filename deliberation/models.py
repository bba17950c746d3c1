"""The roundtable's data: fields, constraints and small properties. Changes go through services/."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    MODERATOR = "moderator", _("Moderator")
    ORGANIZER = "organizer", _("Organizer")


class Roundtable(models.Model):
    code = models.CharField(max_length=32, unique=True, help_text="Join code, as typed in /r/<code>/.")
    # Texts keyed by language code: {"en": ..., "es": ..., "fr": ...}.
    title = models.JSONField(default=dict)
    event_name = models.JSONField(default=dict, blank=True)
    objectives = models.JSONField(default=dict, blank=True)
    languages = models.JSONField(default=list, help_text="Language codes, the first being the original.")
    # [{"key": "citizen", "en": "Citizen", "es": "Ciudadanía", "fr": "Citoyen·ne"}, ...]
    actor_types = models.JSONField(default=list)
    capacity = models.PositiveIntegerField(default=150)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    # The seq of the latest Event; bumped under a row lock so seqs stay gapless.
    last_seq = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.code

    @property
    def actor_type_keys(self) -> set[str]:
        return {actor_type["key"] for actor_type in self.actor_types}

    @property
    def group_name(self) -> str:
        return f"roundtable.{self.pk}"


class QuestionState(models.TextChoices):
    CLOSED = "closed", _("Closed")
    COLLECTING = "collecting", _("Collecting proposals")
    VOTING = "voting", _("Voting")
    LOCKED = "locked", _("Locked")


class Question(models.Model):
    roundtable = models.ForeignKey(Roundtable, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField()
    text = models.JSONField(default=dict)
    state = models.CharField(max_length=16, choices=QuestionState.choices, default=QuestionState.CLOSED)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["roundtable", "order"], name="question_order_unique"),
            models.CheckConstraint(
                condition=models.Q(state__in=QuestionState.values), name="question_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.roundtable.code} Q{self.order}"

    @property
    def accepts_proposals(self) -> bool:
        return self.state == QuestionState.COLLECTING

    @property
    def accepts_votes(self) -> bool:
        return self.state in {QuestionState.COLLECTING, QuestionState.VOTING}


class Participant(models.Model):
    roundtable = models.ForeignKey(Roundtable, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    display_name = models.CharField(max_length=60)
    actor_type = models.CharField(max_length=64)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PARTICIPANT)
    joined_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.display_name} ({self.roundtable.code})"


class ProposalStatus(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    PENDING = "pending", _("Awaiting approval")
    HIDDEN = "hidden", _("Hidden")


class Proposal(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="proposals")
    author = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="proposals")
    text = models.TextField()
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.VISIBLE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ProposalStatus.values), name="proposal_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.text[:40]}"


class VoteChoice(models.TextChoices):
    AGREE = "agree", _("Agree")
    DISAGREE = "disagree", _("Disagree")
    PASS = "pass", _("Pass")


class Vote(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    choice = models.CharField(max_length=8, choices=VoteChoice.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "participant"], name="vote_one_per_participant"),
            models.CheckConstraint(
                condition=models.Q(choice__in=VoteChoice.values), name="vote_choice_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.choice} #{self.proposal_id}"


class Event(models.Model):
    """Append-only log of every change to a roundtable; `seq` is gapless per roundtable.

    `data` is what every viewer may see; `private` is added only for the actor (their own vote, say).
    """

    roundtable = models.ForeignKey(Roundtable, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=48)
    data = models.JSONField(default=dict)
    private = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The client's command id, so a retried command takes effect once.
    # NULL, not "", for events no client command caused: the once-only constraint skips them.
    command_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["roundtable", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["roundtable", "seq"], name="event_seq_unique"),
            models.UniqueConstraint(
                fields=["actor", "command_id"],
                condition=models.Q(command_id__isnull=False),
                name="event_command_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.roundtable_id}#{self.seq} {self.kind}"
