"""The run of show's strings in the browser (issue 19): the step now and next on every screen, the plan
against the clock and its controls on the console. Merged into the console's, the projector's and the
participant's strings (client_strings.py); kept apart so they are in one place."""

from django.utils.translation import gettext as _

from deliberation.plurals import count_forms


def show_strings() -> dict[str, str | list[str]]:
    """What every screen says of the run of show (frontend/js/show.js)."""
    return {
        "show.phaseStep": _("Q%(number)s · %(phase)s"),
        "show.kind.break": _("Break"),
        "show.kind.closing": _("Closing"),
        "show.now": _("Now: %(step)s"),
        "show.nextFor": count_forms("Next: %(step)s (%(count)s min)", "Next: %(step)s (%(count)s min)"),
        "show.nextEnd": _("Next: the end of the session"),
        "show.pausedLeft": _("Paused · %(time)s left"),
        "show.paused": _("Paused"),
        "show.startsAt": _("The session starts at %(time)s"),
        "show.finished": _("The session has ended."),
        "show.stepOf": _("Step %(number)s of %(total)s"),
    }


def show_console_strings() -> dict[str, str | list[str]]:
    """The console's plan against the clock and its controls (frontend/js/console/show.js)."""
    return {
        **show_strings(),
        "show.heading": _("Run of show"),
        "show.state.planned": _("Not started"),
        "show.state.running": _("Running"),
        "show.state.paused": _("Paused"),
        "show.state.finished": _("Finished"),
        "show.sessionLeft": _("Session: %(time)s left (ends %(end)s)"),
        "show.sessionPast": _("Past the planned end (%(end)s)"),
        "show.sessionPlanned": _("Planned: %(start)s\u2013%(end)s"),
        "show.overrun": count_forms(
            "The plan no longer fits: it ends at %(end)s, "
            "%(count)s minute after the planned end (%(planned)s).",
            "The plan no longer fits: it ends at %(end)s, "
            "%(count)s minutes after the planned end (%(planned)s).",
        ),
        "show.start": _("Start the session"),
        "show.startConfirm": _(
            "Start now? From then on the server moves the questions through the plan on time."
        ),
        "show.startYes": _("Yes, start now"),
        "show.startSuggestedConfirm": _(
            "Start now with the suggested plan? It is saved as the session's plan, and from then on the "
            "server moves the questions through it on time."
        ),
        "show.state.suggested": _("Suggested plan, not started"),
        "show.pause": _("Pause"),
        "show.resume": _("Resume"),
        "show.extend": _("+%(count)s min"),
        # Accessible names that start with the button's own words (WCAG 2.5.3): %(label)s is "+2 min",
        # "Skip", "Back" as the button shows it.
        "show.extendName": count_forms(
            "%(label)s: extend the current step by %(count)s minute",
            "%(label)s: extend the current step by %(count)s minutes",
        ),
        "show.skip": _("Skip"),
        "show.skipName": _("%(label)s: end the current step now and start the next"),
        "show.back": _("Back"),
        "show.backName": _("%(label)s: return to the previous step and restart it"),
        # Skip and back move the whole room: asked first, beside the controls.
        "show.skipConfirm": _("End \u201c%(step)s\u201d now for everyone and start \u201c%(next)s\u201d?"),
        "show.skipLastConfirm": _(
            "End \u201c%(step)s\u201d now for everyone? It is the last step: the session ends."
        ),
        "show.skipYes": _("Yes, end it now"),
        "show.backConfirm": _(
            "Go back to \u201c%(previous)s\u201d and run it again from its start? \u201c%(step)s\u201d "
            "will run again after it."
        ),
        "show.backYes": _("Yes, go back"),
        "show.ranUndone": _("ran %(range)s, until the session went back"),
        "show.ranBefore": _("ran %(range)s, then again"),
        "show.ownsStep": _("Step %(number)s of %(total)s: %(step)s."),
        "show.plan": _("Plan against the clock"),
        "show.planCaption": _("Each step, planned and as it ran (times in %(zone)s)"),
        "show.colStep": _("Step"),
        "show.colPlanned": _("Planned"),
        "show.colActual": _("Actual"),
        "show.colDifference": _("Difference"),
        "show.range": _("%(start)s\u2013%(end)s"),  # an en dash between two times
        "show.length": count_forms("%(count)s min", "%(count)s min"),
        "show.sinceStart": _("since %(start)s"),
        "show.expected": _("expected at %(time)s"),
        "show.skipped": _("Skipped"),
        "show.now.badge": _("Now"),
        "show.notYet": _("Not yet"),
        "show.over": count_forms("%(count)s min over", "%(count)s min over"),
        "show.under": count_forms("%(count)s min under", "%(count)s min under"),
        "show.onTime": _("On time"),
        "show.extended": count_forms("extended by %(count)s min", "extended by %(count)s min"),
        "show.announceStep": _("Now: %(step)s. %(next)s."),
        "show.announceStarted": _("The session has started."),
        "show.announcePaused": _("The session is paused."),
        "show.announceResumed": _("The session goes on."),
        "show.announceFinished": _("The session has ended."),
    }
