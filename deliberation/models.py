"""The roundtable's data: fields, constraints and small properties. Changes go through services/."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deliberation.chain import GENESIS


class Role(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    MODERATOR = "moderator", _("Moderator")
    ORGANIZER = "organizer", _("Organizer")


def chain_key_new() -> str:
    return secrets.token_hex(32)


# Moderators and organizers see what is held back from the public (pending proposals, hidden tallies).
STAFF_ROLES = frozenset({Role.MODERATOR, Role.ORGANIZER})


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
    # When true, only people on the registration list (Registrant) can join as participants.
    registration_required = models.BooleanField(default=False)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    # The IANA zone the organizer gave the times in, to show them as the organizer meant them.
    time_zone = models.CharField(max_length=64, default="UTC")
    # Flags by distinct participants after which a proposal is held for review.
    flag_threshold = models.PositiveSmallIntegerField(default=3)
    # The question the projector screen shows.
    current_question = models.ForeignKey(
        "Question", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who convenes it, as the public document names them: ["UCLG Forum of Regions", "CONGOPE"].
    organizers = models.JSONField(default=list, blank=True)
    # Who has spoken and voted, by actor type, against who is registered: as of the latest analysis
    # run (services/analysis.py), so snapshots and events agree.
    balance = models.JSONField(default=dict, blank=True)
    # The seq of the latest Event; bumped under a row lock so seqs stay gapless.
    last_seq = models.PositiveBigIntegerField(default=0)
    # The hash of the latest Event (deliberation/chain.py), moved on with last_seq.
    chain_head = models.CharField(max_length=64, default=GENESIS)
    # Secret: derives the voters' pseudonyms on the chain's ballots. Never leaves the server.
    chain_key = models.CharField(max_length=64, default=chain_key_new)
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
    # Switches: proposals wait for approval; tallies hidden from the public until voting closes;
    # authors' names hidden from the public.
    premoderation = models.BooleanField(default=False)
    tallies_hidden = models.BooleanField(default=False)
    anonymous = models.BooleanField(default=False)
    # A countdown: at `phase_ends_at` the question moves to `phase_then`, decided by the server once.
    phase_ends_at = models.DateTimeField(null=True, blank=True)
    phase_then = models.CharField(max_length=16, choices=QuestionState.choices, blank=True, default="")
    # When themes and opinion groups are next due to be recomputed (set by the first change after a run,
    # so a stream of votes causes one run per interval, not one per vote).
    analysis_due_at = models.DateTimeField(null=True, blank=True)
    # The latest opinion groups (analysis/opinions.py), with what the next run needs to stay steady.
    opinions = models.JSONField(default=dict, blank=True)
    # Pairs of proposals likely saying the same thing, for moderators: [[id, id, similarity], ...].
    duplicates = models.JSONField(default=list, blank=True)
    # When its conclusions, commitments or room checks next want machine translations into the
    # roundtable's other languages (set by a save when a translation server is configured; claimed once).
    translations_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["roundtable", "order"], name="question_order_unique"),
            models.CheckConstraint(
                condition=models.Q(state__in=QuestionState.values), name="question_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(phase_ends_at__isnull=True) | ~models.Q(phase_then=""),
                name="question_timer_has_next_state",
            ),
        ]
        indexes = [
            models.Index(fields=["phase_ends_at"], name="question_timer_due"),
            models.Index(fields=["analysis_due_at"], name="question_analysis_due"),
            models.Index(fields=["translations_due_at"], name="question_translations_due"),
        ]

    def __str__(self) -> str:
        return f"{self.roundtable.code} Q{self.order}"

    @property
    def accepts_proposals(self) -> bool:
        return self.state == QuestionState.COLLECTING

    @property
    def accepts_votes(self) -> bool:
        return self.state in {QuestionState.COLLECTING, QuestionState.VOTING}

    @property
    def tallies_public(self) -> bool:
        return not self.tallies_hidden or self.state == QuestionState.LOCKED


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
    # When the seat first opened a socket. A participant's seat that has not within
    # ROUNDTABLE_SEAT_CONNECT_SECONDS of joining stops counting against capacity and is removed.
    connected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One staff seat per account per roundtable.
            models.UniqueConstraint(
                fields=["roundtable", "user"],
                condition=models.Q(user__isnull=False),
                name="participant_one_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.roundtable.code})"

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


class ProposalStatus(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    PENDING = "pending", _("Awaiting approval")
    HIDDEN = "hidden", _("Hidden")
    MERGED = "merged", _("Merged")


class Theme(models.Model):
    """Proposals of a question grouped by what they say. `number` is what people cite ("theme 3"): it
    stays with the theme across re-runs and is never reused within a question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="themes")
    number = models.PositiveIntegerField()
    # The automatic label per language: {"en": "budget · fund · banks", "es": ...}.
    labels = models.JSONField(default=dict, blank=True)
    # The labels a translation server made, by language, each with the language it translated from:
    # {"fr": "en"}. Screens and the document mark those names as machine translations.
    machine = models.JSONField(default=dict, blank=True)
    # A moderator's name for it, which replaces the labels (blank: the automatic labels).
    name = models.CharField(max_length=120, blank=True, default="")
    # A locked theme keeps exactly its proposals: re-runs neither add to it nor take from it.
    locked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question", "number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="theme_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.question} theme {self.number}"


class Proposal(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="proposals")
    author = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="proposals")
    text = models.TextField()
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.VISIBLE)
    # Why a moderator hid it; shown to its author.
    hidden_reason = models.CharField(max_length=200, blank=True, default="")
    # Held for review because participants flagged it (status pending).
    flagged = models.BooleanField(default=False)
    pinned = models.BooleanField(default=False)
    edited_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    # A moderator put it in its theme: re-runs leave it there.
    theme_fixed = models.BooleanField(default=False)
    # Its sentence vector (float32), computed once, and the encoder that made it.
    vector = models.BinaryField(null=True, blank=True, editable=False)
    vector_encoder = models.CharField(max_length=64, blank=True, default="")
    # Machine translations asked for so far, by target language: {"en": {"of": <fingerprint of the text
    # translated>, "text": ...}}. An edit changes the fingerprint, so an old translation is never shown.
    translations = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ProposalStatus.values), name="proposal_status_valid"
            ),
            models.CheckConstraint(
                condition=(models.Q(status="merged") & models.Q(merged_into__isnull=False))
                | (~models.Q(status="merged") & models.Q(merged_into__isnull=True)),
                name="proposal_merged_has_target",
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


class Flag(models.Model):
    """A participant's report that a proposal breaks the rules; one per person per proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="flags")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="flags")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "participant"], name="flag_one_per_participant"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} flagged #{self.proposal_id}"


class Registrant(models.Model):
    """A person on a roundtable's registration list; their personal link lets them join."""

    roundtable = models.ForeignKey(Roundtable, on_delete=models.CASCADE, related_name="registrants")
    email = models.EmailField()
    display_name = models.CharField(max_length=60, blank=True, default="")
    actor_type = models.CharField(max_length=64, blank=True, default="")
    token = models.CharField(max_length=64, unique=True)
    participant = models.OneToOneField(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="registration"
    )
    invited_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(fields=["roundtable", "email"], name="registrant_email_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.roundtable.code})"


class Invitation(models.Model):
    """An organizer's invitation to moderate (or co-organize) a roundtable, sent by email."""

    roundtable = models.ForeignKey(Roundtable, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices)
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(Participant, null=True, on_delete=models.SET_NULL, related_name="+")
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[Role.MODERATOR, Role.ORGANIZER]), name="invitation_role_staff"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} as {self.role} ({self.roundtable.code})"


class Event(models.Model):
    """Append-only log of every change to a roundtable; `seq` is gapless per roundtable.

    `data` is what every viewer may see; `staff` is laid over it for moderators and organizers;
    `private` maps a participant id to what is laid over it for that person only (their own vote, a
    note that a moderator hid their proposal). `actor` is who did it, for the audit log.
    """

    roundtable = models.ForeignKey(Roundtable, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=48)
    data = models.JSONField(default=dict)
    staff = models.JSONField(default=dict, blank=True)
    private = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The client's command id, so a retried command takes effect once.
    # NULL, not "", for events no client command caused: the once-only constraint skips them.
    command_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    # Which command the id was given to ("vote.cast"...): the same id sent again with another command
    # is refused, not answered with the first command's result. "" for events no command caused.
    command = models.CharField(max_length=48, blank=True, default="")
    # This event's transaction rewrote earlier events (moderation withdrew something they showed):
    # whoever keeps copies of earlier events (a hub's replay memory) must drop them.
    rewrote_history = models.BooleanField(default=False)
    # This event's place on the roundtable's hash chain (services/chaining.py): its hash, and
    # {"leaves": {name: digest}, "salts": {name: salt}, "records": {name: value}}. Salts and records stay
    # on the server; a bundle discloses the records a reader needs, with their salts.
    hash = models.CharField(max_length=64, blank=True, default="")
    chain = models.JSONField(default=dict, blank=True)
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


class DraftRevision(models.Model):
    """One saved version of a question's conclusions in one language, in Markdown. Each language has its
    own versions; the latest is that language's draft; a save names the version it started from, so
    concurrent saves are merged or refused, never overwritten."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="draft_revisions")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    version = models.PositiveIntegerField()
    text = models.TextField(blank=True, default="")
    # None for a machine translation.
    author = models.ForeignKey(Participant, null=True, on_delete=models.SET_NULL, related_name="+")
    # Saved from an older version, with the changes made since then merged in.
    merged = models.BooleanField(default=False)
    # Proposed by machine translation of `source_language`'s version `source_version`; it stays marked
    # as machine-made until a moderator reviews it (or saves a corrected version, which is theirs).
    machine = models.BooleanField(default=False)
    source_language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True, default="")
    source_version = models.PositiveIntegerField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The reviewer's name as they appeared then: the document says who, even after an erasure.
    reviewed_by_name = models.CharField(max_length=120, blank=True, default="")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question", "language", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "language", "version"], name="draft_revision_version_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(machine=False) | ~models.Q(source_language=""),
                name="draft_revision_machine_has_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question} draft {self.language} v{self.version}"


class Commitment(models.Model):
    """An action item of a question's conclusions: what, who is responsible, by when."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="commitments")
    # As written, in `language`; the other languages' texts are in `translations` (see Statement).
    what = models.CharField(max_length=300)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True, default="")
    translations = models.JSONField(default=dict, blank=True, editable=False)
    # One of the roundtable's actor type keys, or blank when an organisation is named instead.
    actor_type = models.CharField(max_length=64, blank=True, default="")
    organisation = models.CharField(max_length=120, blank=True, default="")
    due = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(actor_type="") | ~models.Q(organisation=""),
                name="commitment_has_someone_responsible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.what[:40]}"


class StatementState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Statement(models.Model):
    """A draft conclusion put to the room: participants agree, disagree or pass, live. `number` is what
    a draft cites (`[check:2]`) to show the result next to that conclusion."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="statements")
    number = models.PositiveIntegerField()
    text = models.CharField(max_length=500)
    # The language it is written in (detected), and its text in other languages, by language:
    # {"of": fingerprint of `text`, "text", "machine": bool, "author", "at", "reviewed_by", "reviewed_at"}
    # (services/texts.py). Entries with only "of" and "text" are machine translations a reader asked for.
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True, default="")
    translations = models.JSONField(default=dict, blank=True, editable=False)
    state = models.CharField(max_length=8, choices=StatementState.choices, default=StatementState.OPEN)
    created_by = models.ForeignKey(Participant, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question", "number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="statement_number_unique"),
            models.CheckConstraint(
                condition=models.Q(state__in=StatementState.values), name="statement_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question} check {self.number}"


class StatementResponse(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="responses")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(max_length=8, choices=VoteChoice.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["statement", "participant"], name="statement_response_once"),
            models.CheckConstraint(
                condition=models.Q(choice__in=VoteChoice.values), name="statement_response_choice_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.choice} check {self.statement_id}"


class Publication(models.Model):
    """One published version of a roundtable's proposal document, frozen: `document` is the whole
    structured document as it was published; pages and downloads render it and never re-read live data."""

    roundtable = models.ForeignKey(Roundtable, on_delete=models.CASCADE, related_name="publications")
    slug = models.SlugField(max_length=80)
    version = models.PositiveIntegerField()
    document = models.JSONField()
    # What changed, in the organizer's words (blank for the first version).
    note = models.CharField(max_length=300, blank=True, default="")
    published_by = models.ForeignKey(Participant, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(default=timezone.now)
    # The event log it was built from: its last event's seq and hash (the chain's head then).
    chain_seq = models.PositiveBigIntegerField(null=True, blank=True)
    chain_hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["slug", "version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="publication_version_unique"),
        ]

    def __str__(self) -> str:
        return f"/p/{self.slug}/ v{self.version}"


class RunOfShowState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    FINISHED = "finished", _("Finished")


class RunOfShow(models.Model):
    """A roundtable's plan for its session (steps with durations) and how far it has got. While it runs,
    the server ends each step at `step_ends_at` and starts the next, once (services/run_of_show.py)."""

    roundtable = models.OneToOneField(Roundtable, on_delete=models.CASCADE, related_name="run_of_show")
    state = models.CharField(max_length=16, choices=RunOfShowState.choices, default=RunOfShowState.PLANNED)
    # When "Start the session" was pressed, and when the last step ended.
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The position of the step now running or paused.
    current = models.PositiveSmallIntegerField(null=True, blank=True)
    # Running: when the current step ends (the sweepers' due time). Paused: the seconds it had left, and
    # since when (so the projected end read from the paused state is the same in every reader).
    step_ends_at = models.DateTimeField(null=True, blank=True)
    paused_remaining = models.PositiveIntegerField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=RunOfShowState.values), name="run_of_show_state_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="running")
                | (models.Q(step_ends_at__isnull=False) & models.Q(current__isnull=False)),
                name="run_of_show_running_has_an_end",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="paused")
                | (models.Q(paused_remaining__isnull=False) & models.Q(current__isnull=False)),
                name="run_of_show_paused_has_remaining",
            ),
        ]
        indexes = [models.Index(fields=["step_ends_at"], name="run_of_show_step_due")]

    def __str__(self) -> str:
        return f"{self.roundtable_id} run of show ({self.state})"


class RunStepKind(models.TextChoices):
    PHASE = "phase", _("Question phase")
    BREAK = "break", _("Break")
    CLOSING = "closing", _("Closing")


class RunStep(models.Model):
    """One step of a run of show: a question in a phase, a break, or the closing block; with what
    actually happened (started, ended, skipped, time added)."""

    show = models.ForeignKey(RunOfShow, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=RunStepKind.choices)
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    phase = models.CharField(max_length=16, choices=QuestionState.choices, blank=True, default="")
    # A break's or the closing's title by language ({} for phase steps: named from question and phase).
    title = models.JSONField(default=dict, blank=True)
    planned_seconds = models.PositiveIntegerField()
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Ended early by a moderator ("skip").
    skipped = models.BooleanField(default=False)
    extended_seconds = models.PositiveIntegerField(default=0)
    # Runs of this step that "back" set aside, oldest first, so the record keeps what happened: each
    # {"started_at", "ended_at" (ISO), "skipped", "extended_seconds", "reason"}; reason "undone" (back
    # pressed during it: cut short, to run again later) or "repeated" (back returned to it after it had
    # ended: it ran again from the start). started_at/ended_at above are always the latest run.
    earlier_runs = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["show", "position"]
        constraints = [
            models.UniqueConstraint(fields=["show", "position"], name="run_step_position_unique"),
            models.CheckConstraint(
                condition=models.Q(kind__in=RunStepKind.values), name="run_step_kind_valid"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="phase")
                    & models.Q(question__isnull=False)
                    & models.Q(phase__in=["collecting", "voting", "locked"])
                )
                | (~models.Q(kind="phase") & models.Q(question__isnull=True) & models.Q(phase="")),
                name="run_step_phase_has_question",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.show_id} step {self.position} {self.kind}"
