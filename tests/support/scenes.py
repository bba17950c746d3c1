"""A small roundtable and the actions that change it, with what each viewer receives: shared by the
Python reducer test (tests/deliberation/test_events.py) and the browser reducer test."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.test import override_settings
from django.utils import timezone

from deliberation.models import Participant, Proposal, ProposalStatus, Question, Role, Roundtable
from deliberation.selectors import roundtable_snapshot
from deliberation.services import (
    analysis,
    drafts,
    moderation,
    privacy,
    publications,
    questions,
    statements,
    texts,
    themes,
)
from deliberation.services.participants import participant_join
from deliberation.services.proposals import proposal_submit
from deliberation.services.votes import vote_cast
from tests.factories import ParticipantFactory, ProposalFactory, RoundtableFactory
from tests.support.libretranslate import libretranslate_server
from tests.support.state import events_seen_by


@dataclass
class Scene:
    roundtable: Roundtable
    ana: Participant
    ben: Participant
    chloe: Participant
    mod: Participant
    proposal: Proposal

    @property
    def viewers(self) -> dict[str, Participant | None]:
        """The author, someone else, a moderator, and an anonymous watcher (the projector screen)."""
        return {"ana": self.ana, "ben": self.ben, "mod": self.mod, "watcher": None}

    @property
    def question(self) -> Question:
        return self.roundtable.questions.get(order=1)

    def ids(self, who: Participant) -> dict[str, int]:
        return {"roundtable_id": self.roundtable.pk, "participant_id": who.pk}

    def submit(self, author: Participant, text: str) -> int:
        result = proposal_submit(**self.ids(author), question_id=self.question.pk, text=text)
        return result.result["proposal"]

    def vote(self, voter: Participant, proposal_id: int, choice: str) -> None:
        vote_cast(**self.ids(voter), proposal_id=proposal_id, choice=choice)

    def switch(self, **switches: bool) -> None:
        questions.question_settings_set(**self.ids(self.mod), question_id=self.question.pk, switches=switches)

    def phase(self, state: str, **timer: Any) -> None:
        questions.question_phase_set(**self.ids(self.mod), question_id=self.question.pk, state=state, **timer)


def scene_build() -> Scene:
    roundtable = RoundtableFactory()
    ana = ParticipantFactory(roundtable=roundtable, display_name="Ana", actor_type="government-local")
    ben = ParticipantFactory(
        roundtable=roundtable, display_name="Ben", actor_type="academia-research", language="es"
    )
    chloe = ParticipantFactory(roundtable=roundtable, display_name="Chloé", actor_type="sme", language="fr")
    mod = ParticipantFactory(roundtable=roundtable, display_name="Mo", role=Role.MODERATOR)
    proposal = ProposalFactory(author=ana, text="Open budgets")
    ProposalFactory(author=ben, status=ProposalStatus.HIDDEN, hidden_reason="Off topic")
    return Scene(roundtable=roundtable, ana=ana, ben=ben, chloe=chloe, mod=mod, proposal=proposal)


def submit_a_proposal(scene: Scene) -> None:
    scene.submit(scene.ana, "Shared budgets for every partnership")


def cast_and_change_votes(scene: Scene) -> None:
    scene.vote(scene.ben, scene.proposal.pk, "agree")
    scene.vote(scene.ana, scene.proposal.pk, "pass")
    scene.vote(scene.ben, scene.proposal.pk, "disagree")


def vote_on_a_new_proposal(scene: Scene) -> None:
    scene.vote(scene.ben, scene.submit(scene.ana, "Territorial councils"), "disagree")


def someone_joins(scene: Scene) -> None:
    participant_join(roundtable=scene.roundtable, display_name="Dana", actor_type="sme", language="fr")


def premoderate_then_approve(scene: Scene) -> None:
    scene.switch(premoderation=True)
    held = scene.submit(scene.ana, "Held until approved")
    moderation.proposal_approve(**scene.ids(scene.mod), proposal_id=held)


def premoderate_then_hide(scene: Scene) -> None:
    scene.switch(premoderation=True)
    held = scene.submit(scene.ana, "Buy my product")
    moderation.proposal_hide(**scene.ids(scene.mod), proposal_id=held, reason="Advertising")


def hide_and_restore_with_votes(scene: Scene) -> None:
    scene.vote(scene.ben, scene.proposal.pk, "agree")
    moderation.proposal_hide(**scene.ids(scene.mod), proposal_id=scene.proposal.pk, reason="Duplicate?")
    scene.vote(scene.chloe, scene.submit(scene.ben, "Another one"), "pass")
    moderation.proposal_restore(**scene.ids(scene.mod), proposal_id=scene.proposal.pk)


def edit_and_pin(scene: Scene) -> None:
    moderation.proposal_edit(
        **scene.ids(scene.mod), proposal_id=scene.proposal.pk, text="Open budgets, yearly"
    )
    moderation.proposal_pin(**scene.ids(scene.mod), proposal_id=scene.proposal.pk, pinned=True)


def merge_duplicates(scene: Scene) -> None:
    duplicate = scene.submit(scene.ben, "Budgets open to all")
    scene.vote(scene.ana, duplicate, "agree")  # moves to the survivor
    scene.vote(scene.chloe, duplicate, "disagree")  # she voted on the survivor too: that vote stands
    scene.vote(scene.chloe, scene.proposal.pk, "agree")
    moderation.proposal_merge(**scene.ids(scene.mod), proposal_id=duplicate, into_id=scene.proposal.pk)


def flags_hold_a_proposal_then_approved(scene: Scene) -> None:
    scene.roundtable.flag_threshold = 2
    scene.roundtable.save(update_fields=["flag_threshold"])
    scene.vote(scene.chloe, scene.proposal.pk, "agree")
    # Seats of an hour ago: reports from seats taken a moment before hide nothing by themselves.
    Participant.objects.filter(pk__in=[scene.ben.pk, scene.chloe.pk]).update(
        joined_at=timezone.now() - datetime.timedelta(hours=1)
    )
    moderation.proposal_flag(**scene.ids(scene.ben), proposal_id=scene.proposal.pk)
    moderation.proposal_flag(**scene.ids(scene.chloe), proposal_id=scene.proposal.pk)
    moderation.proposal_approve(**scene.ids(scene.mod), proposal_id=scene.proposal.pk)


def hidden_tallies_revealed_when_locked(scene: Scene) -> None:
    scene.switch(tallies_hidden=True)
    scene.vote(scene.ben, scene.proposal.pk, "agree")
    scene.phase("voting")
    scene.phase("locked")


def anonymous_authorship_with_an_own_pending_proposal(scene: Scene) -> None:
    scene.switch(premoderation=True)
    scene.submit(scene.ana, "Pending and mine")
    scene.switch(anonymous=True)


def a_countdown_ends(scene: Scene) -> None:
    scene.phase("collecting", duration_seconds=60)
    question = scene.question
    due = question.phase_ends_at
    Question.objects.filter(pk=question.pk).update(
        phase_ends_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert questions.question_timer_fire(question_id=question.pk, due=due) is None, "fired before it was due"
    for question_id, due in questions.questions_due():
        questions.question_timer_fire(question_id=question_id, due=due)


def show_another_question(scene: Scene) -> None:
    second = scene.roundtable.questions.get(order=2)
    questions.roundtable_show_question(**scene.ids(scene.mod), question_id=second.pk)


def someone_is_anonymised(scene: Scene) -> None:
    scene.switch(premoderation=True)
    scene.submit(scene.ben, "Pending and Ben's")
    scene.vote(scene.ana, scene.submit(scene.mod, "Staff idea"), "agree")
    scene.vote(scene.ben, scene.proposal.pk, "agree")
    privacy.participant_anonymise(roundtable_id=scene.roundtable.pk, participant_id=scene.ben.pk)


def someone_is_erased(scene: Scene) -> None:
    scene.vote(scene.chloe, scene.proposal.pk, "disagree")
    theirs = scene.submit(scene.chloe, "Chloé's idea")
    scene.vote(scene.ana, theirs, "agree")
    moderation.proposal_edit(**scene.ids(scene.mod), proposal_id=theirs, text="Chloé's corrected idea")
    moderation.proposal_flag(**scene.ids(scene.chloe), proposal_id=scene.proposal.pk)
    privacy.participant_erase(roundtable_id=scene.roundtable.pk, participant_id=scene.chloe.pk)


ROOM_IDEAS = [
    ("ana", "Create a joint investment fund for local projects"),
    ("ben", "Crear un fondo común de inversión para proyectos locales"),
    ("chloe", "Former les agents municipaux à la gestion de projet"),
    ("ana", "Train municipal staff in project management"),
    ("ben", "Publicar en abierto los datos de la alianza"),
]


def themes_and_opinions_computed(scene: Scene) -> list[int]:
    """Proposals in three languages and everyone voting on each, then one analysis run."""
    ids = [scene.proposal.pk] + [scene.submit(getattr(scene, who), text) for who, text in ROOM_IDEAS]
    people = [scene.ana, scene.ben, scene.chloe, scene.mod]
    for index, proposal_id in enumerate(ids):
        for number, person in enumerate(people):
            scene.vote(person, proposal_id, ("agree", "disagree", "pass")[(index * number + number) % 3])
    analysis.question_analyse(question_id=scene.question.pk)
    return ids


def opinions_computed_with_tallies_hidden_then_shown(scene: Scene) -> None:
    """The public map has no per-proposal figures while tallies are hidden; showing them brings them."""
    scene.switch(tallies_hidden=True)
    themes_and_opinions_computed(scene)
    scene.switch(tallies_hidden=False)


def the_balance_changes_while_the_map_stays(scene: Scene) -> None:
    """Someone joins after a run: the next run sends who takes part (`balance.updated`), not the map."""
    themes_and_opinions_computed(scene)
    participant_join(
        roundtable=scene.roundtable, display_name="Dara", actor_type="civil-society", language="en"
    )
    analysis.question_analyse(question_id=scene.question.pk)


def themes_curated(scene: Scene) -> None:
    themes_and_opinions_computed(scene)
    question = scene.question
    numbers = [theme["number"] for theme in _themes(scene)]
    themes.theme_rename(**scene.ids(scene.mod), question_id=question.pk, number=numbers[0], name="Money")
    members = _themes(scene)[0]["proposals"]
    split = themes.theme_split(
        **scene.ids(scene.mod), question_id=question.pk, number=numbers[0], proposal_ids=members[:1]
    ).result["theme"]
    themes.theme_merge(**scene.ids(scene.mod), question_id=question.pk, number=split, into=numbers[0])
    themes.proposal_move(**scene.ids(scene.mod), proposal_id=members[0], number=None)
    themes.theme_lock(**scene.ids(scene.mod), question_id=question.pk, number=numbers[0], locked=True)
    scene.submit(scene.chloe, "Un fonds commun d'investissement pour les projets locaux")
    analysis.question_analyse(question_id=question.pk)


def a_themed_proposal_is_hidden(scene: Scene) -> None:
    ids = themes_and_opinions_computed(scene)
    moderation.proposal_hide(**scene.ids(scene.mod), proposal_id=ids[1], reason="Duplicate")
    moderation.proposal_merge(**scene.ids(scene.mod), proposal_id=ids[2], into_id=ids[3])


def two_moderators_draft_and_merge(scene: Scene) -> None:
    """Two moderators save from the same version, on different lines: the second save is merged."""
    other = ParticipantFactory(roundtable=scene.roundtable, display_name="Mia", role=Role.MODERATOR)
    question = scene.question.pk
    first = f"## Partnerships\n\nAgreed [#{scene.proposal.pk}].\n\n## Funding\n\nTo be written.\n"
    drafts.draft_save(**scene.ids(scene.mod), question_id=question, base_version=0, text=first)
    drafts.draft_save(
        **scene.ids(scene.mod),
        question_id=question,
        base_version=1,
        text=first.replace("Agreed", "We agreed"),
    )
    drafts.draft_save(
        **scene.ids(other), question_id=question, base_version=1, text=first.replace("To be", "Soon to be")
    )
    added = drafts.commitment_add(
        **scene.ids(scene.mod), question_id=question, what="Open a joint fund", actor_type="government-local"
    ).result["commitment"]
    drafts.commitment_add(
        **scene.ids(other), question_id=question, what="Report yearly", organisation="CONGOPE"
    )
    drafts.commitment_remove(**scene.ids(other), commitment_id=added)


def the_room_checks_a_statement(scene: Scene) -> None:
    statement = statements.statement_put(
        **scene.ids(scene.mod), question_id=scene.question.pk, text="Partnerships need a shared fund"
    ).result["statement"]
    statements.statement_respond(**scene.ids(scene.ana), statement_id=statement, choice="agree")
    statements.statement_respond(**scene.ids(scene.ben), statement_id=statement, choice="disagree")
    statements.statement_respond(**scene.ids(scene.ana), statement_id=statement, choice="pass")
    statements.statement_close(**scene.ids(scene.mod), statement_id=statement)


def a_room_check_answerer_is_erased(scene: Scene) -> None:
    statement = statements.statement_put(
        **scene.ids(scene.mod), question_id=scene.question.pk, text="Partnerships need a shared fund"
    ).result["statement"]
    statements.statement_respond(**scene.ids(scene.chloe), statement_id=statement, choice="agree")
    statements.statement_respond(**scene.ids(scene.ana), statement_id=statement, choice="agree")
    privacy.participant_erase(roundtable_id=scene.roundtable.pk, participant_id=scene.chloe.pk)


def the_document_is_published_and_corrected(scene: Scene) -> None:
    organizer = ParticipantFactory(roundtable=scene.roundtable, display_name="Olga", role=Role.ORGANIZER)
    drafts.draft_save(
        **scene.ids(scene.mod),
        question_id=scene.question.pk,
        base_version=0,
        text=f"We agree [#{scene.proposal.pk}]",
    )
    publications.document_publish(**scene.ids(organizer), slug="led-partnerships")
    publications.document_publish(**scene.ids(organizer), note="Typo fixed")


def _run_of_show_plan(scene: Scene, *, seconds: int = 60) -> Participant:
    """An organizer plans Q1's three phases, a break, Q2 collecting and the closing; the roundtable starts
    in an hour and lasts 90 minutes."""
    from deliberation.services.run_of_show import PlanStep, run_of_show_plan

    organizer = ParticipantFactory(roundtable=scene.roundtable, display_name="Olga", role=Role.ORGANIZER)
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=1)
    Roundtable.objects.filter(pk=scene.roundtable.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(minutes=90)
    )
    scene.roundtable.refresh_from_db()
    first, second = scene.question.pk, scene.roundtable.questions.get(order=2).pk
    run_of_show_plan(
        roundtable=scene.roundtable,
        organizer=organizer,
        steps=[
            PlanStep(kind="phase", planned_seconds=seconds, question_id=first, phase="collecting"),
            PlanStep(kind="phase", planned_seconds=seconds, question_id=first, phase="voting"),
            PlanStep(kind="phase", planned_seconds=seconds, question_id=first, phase="locked"),
            PlanStep(
                kind="break", planned_seconds=seconds, title={"en": "Coffee", "es": "Café", "fr": "Café"}
            ),
            PlanStep(kind="phase", planned_seconds=seconds, question_id=second, phase="collecting"),
            PlanStep(kind="closing", planned_seconds=seconds, title={"en": "Closing"}),
        ],
    )
    return organizer


def run_of_show_steps_end(scene: Scene) -> None:
    """As the sweepers do once the current step's time has run out: the show's clock and its
    countdown on the question are one decision."""
    from deliberation.models import RunOfShow
    from deliberation.services.run_of_show import run_of_show_fire, run_of_shows_due

    show = RunOfShow.objects.get(roundtable=scene.roundtable)
    past = timezone.now() - datetime.timedelta(seconds=1)
    Question.objects.filter(roundtable=scene.roundtable, phase_ends_at=show.step_ends_at).update(
        phase_ends_at=past
    )
    RunOfShow.objects.filter(pk=show.pk).update(step_ends_at=past)
    for question_id, due in questions.questions_due():
        questions.question_timer_fire(question_id=question_id, due=due)
    for show_id, due in run_of_shows_due():
        run_of_show_fire(show_id=show_id, due=due)


def a_run_of_show_is_planned_and_started(scene: Scene) -> None:
    from deliberation.services import run_of_show

    _run_of_show_plan(scene)
    run_of_show.run_of_show_start(**scene.ids(scene.mod))


def a_run_of_show_is_paused_and_extended(scene: Scene) -> None:
    """Left paused: what every reader is told must not depend on when they read it."""
    from deliberation.services import run_of_show

    _run_of_show_plan(scene)
    run_of_show.run_of_show_start(**scene.ids(scene.mod))
    run_of_show.run_of_show_pause(**scene.ids(scene.mod))
    run_of_show.run_of_show_extend(**scene.ids(scene.mod), seconds=60)


def a_run_of_show_drives_the_session(scene: Scene) -> None:
    """The clock ends steps (moving Q1 through its phases), the moderator extends, pauses, resumes,
    skips the break and goes back, and the show runs to its end."""
    from deliberation.services import run_of_show

    _run_of_show_plan(scene)
    run_of_show.run_of_show_start(**scene.ids(scene.mod))
    run_of_show_steps_end(scene)
    run_of_show.run_of_show_extend(**scene.ids(scene.mod), seconds=120)
    run_of_show.run_of_show_pause(**scene.ids(scene.mod))
    run_of_show.run_of_show_resume(**scene.ids(scene.mod))
    run_of_show_steps_end(scene)
    run_of_show.run_of_show_skip(**scene.ids(scene.mod))
    run_of_show.run_of_show_back(**scene.ids(scene.mod))
    for _ in range(4):
        run_of_show_steps_end(scene)


def conclusions_in_every_language(scene: Scene) -> None:
    """Written in English; a translation server proposes Spanish and French; moderators review one,
    correct another, and write a commitment's Spanish by hand."""
    question = scene.question.pk
    mod = scene.ids(scene.mod)
    with libretranslate_server() as server, override_settings(ROUNDTABLE_TRANSLATE_URL=server.url):
        drafts.draft_save(
            **mod,
            question_id=question,
            base_version=0,
            text=f"## Funding\n\nAgreed [#{scene.proposal.pk}].\n",
            language="en",
        )
        commitment = drafts.commitment_add(
            **mod,
            question_id=question,
            what="Open a joint fund",
            actor_type="government-local",
            language="en",
        ).result["commitment"]
        statement = statements.statement_put(
            **mod, question_id=question, text="Partnerships need a shared fund", language="en"
        ).result["statement"]
        texts.translations_run_due()
    drafts.draft_review(**mod, question_id=question, language="es", version=1)
    drafts.draft_save(
        **mod, question_id=question, base_version=1, text="## Financement\n\nD'accord.\n", language="fr"
    )
    texts.translation_review(**mod, kind="statement", item_id=statement, language="fr")
    texts.translation_save(
        **mod, kind="commitment", item_id=commitment, language="es", text="Abrir un fondo común"
    )


def the_original_changes_after_translations(scene: Scene) -> None:
    """Conclusions written in English, translated by a machine; Spanish reviewed, French written by hand
    over the machine's; then English changes: every other language is out of date, in the one event of
    that save (the snapshot and the events must agree on the mark)."""
    question = scene.question.pk
    mod = scene.ids(scene.mod)
    with libretranslate_server() as server, override_settings(ROUNDTABLE_TRANSLATE_URL=server.url):
        drafts.draft_save(
            **mod,
            question_id=question,
            base_version=0,
            text="## Funding\n\nOpen a joint fund\n",
            language="en",
        )
        texts.translations_run_due()
        drafts.draft_review(**mod, question_id=question, language="es", version=1)
        drafts.draft_save(
            **mod, question_id=question, base_version=1, text="## Financement\n\nUn fonds.\n", language="fr"
        )
        drafts.draft_save(
            **mod,
            question_id=question,
            base_version=1,
            text="## Funding\n\nOpen a joint fund\n\nPartnerships need a shared fund\n",
            language="en",
        )
        # Nothing a person stands by is replaced: the pass finds nothing to do.
        texts.translations_run_due()


def _themes(scene: Scene) -> list[dict[str, Any]]:
    from deliberation.selectors import question_themes

    return question_themes(question_id=scene.question.pk)


ACTIONS: list[Callable[[Scene], None]] = [
    submit_a_proposal,
    cast_and_change_votes,
    vote_on_a_new_proposal,
    someone_joins,
    premoderate_then_approve,
    premoderate_then_hide,
    hide_and_restore_with_votes,
    edit_and_pin,
    merge_duplicates,
    flags_hold_a_proposal_then_approved,
    hidden_tallies_revealed_when_locked,
    anonymous_authorship_with_an_own_pending_proposal,
    a_countdown_ends,
    show_another_question,
    someone_is_anonymised,
    someone_is_erased,
    themes_and_opinions_computed,
    opinions_computed_with_tallies_hidden_then_shown,
    the_balance_changes_while_the_map_stays,
    themes_curated,
    a_themed_proposal_is_hidden,
    two_moderators_draft_and_merge,
    the_room_checks_a_statement,
    conclusions_in_every_language,
    the_original_changes_after_translations,
    a_room_check_answerer_is_erased,
    the_document_is_published_and_corrected,
    a_run_of_show_is_planned_and_started,
    a_run_of_show_is_paused_and_extended,
    a_run_of_show_drives_the_session,
]


def scene_record(scene: Scene, action: Callable[[Scene], None]) -> list[dict[str, Any]]:
    """For each viewer: the snapshot before `action`, the events it then receives, a snapshot after."""
    before = {
        name: roundtable_snapshot(roundtable=scene.roundtable, viewer=v) for name, v in scene.viewers.items()
    }
    action(scene)
    # As a connection does: read the roundtable afresh (the action moved its current question, say).
    scene.roundtable.refresh_from_db()
    return [
        {
            "viewer": name,
            "before": before[name],
            "events": events_seen_by(
                roundtable_id=scene.roundtable.pk,
                seq=before[name]["seq"],
                viewer_id=viewer.pk if viewer else None,
                staff=viewer is not None and viewer.is_staff,
            ),
            "after": roundtable_snapshot(roundtable=scene.roundtable, viewer=viewer),
        }
        for name, viewer in scene.viewers.items()
    ]
