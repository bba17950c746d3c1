"""A document as one reader sees it: labels in the reader's language, dates in the roundtable's time
zone, support spelled out. The page, the Markdown and the PDF are all drawn from this one view, so they
say the same thing. Call under `translation.override(language)`."""

import datetime
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from deliberation.analysis.breakdowns import OTHER
from deliberation.document.markdown import CHECK, CITATION, PROPOSAL, THEME, citation_kind, markdown_html
from deliberation.texts import LANGUAGE_NAMES, text_in_language


def language_label(code: str) -> str:
    labels = {"en": _("English"), "es": _("Spanish"), "fr": _("French")}
    return labels.get(code, code)


def written_in(code: str) -> str:
    return {"en": _("Written in English"), "es": _("Written in Spanish"), "fr": _("Written in French")}.get(
        code, code
    )


def language_name(code: str) -> str:
    """A language's name on its own, as it reads after "original:" (lower case where the language writes
    it so: "anglais", "inglés")."""
    names = {
        "en": pgettext("a language, on its own", "English"),
        "es": pgettext("a language, on its own", "Spanish"),
        "fr": pgettext("a language, on its own", "French"),
    }
    return names.get(code, code)


@dataclass(frozen=True)
class ReaderText:
    """A text in the reader's language if there is one, else its original; `mark` says which it is
    (empty when a person wrote it in the reader's language)."""

    text: str
    language: str
    mark: str
    machine: bool = False
    reviewed: bool = False


def _day(value: str | None, zone: str) -> str:
    local = _local(value, zone)
    return formats.date_format(local, "DATE_FORMAT") if local else ""


def translation_mark(entry: dict[str, Any], source: str, zone: str) -> str:
    """Where a translation came from and who stands by it, in one sentence for every output."""
    figures = {
        "language": language_name(source),
        "name": entry.get("reviewed_by") or "",
        "date": _day(entry.get("reviewed_at"), zone),
    }
    if entry.get("outdated"):
        # The original changed after this was made or reviewed: a review of an older text is no review
        # of this one, so none is claimed.
        if entry.get("machine"):
            return (
                _(
                    "Machine translation of an earlier version (original: %(language)s); "
                    "the original has changed since."
                )
                % figures
            )
        return (
            _("Translation of an earlier version (original: %(language)s); the original has changed since.")
            % figures
        )
    if entry.get("machine"):
        if entry.get("reviewed_at"):
            return (
                _("Machine translation (original: %(language)s), reviewed by %(name)s on %(date)s.") % figures
            )
        return _("Machine translation (original: %(language)s), not reviewed.") % figures
    # Documents from before the "corrected" mark had no translation by hand: translated_from meant corrected.
    if entry.get("translated_from") and entry.get("corrected", True):
        return _("Machine translation (original: %(language)s), corrected by %(name)s on %(date)s.") % figures
    return _("Translation (original: %(language)s) by %(name)s, %(date)s.") % figures


def text_for_reader(
    *, original: str, original_language: str | None, texts: dict[str, Any], language: str, zone: str, key: str
) -> ReaderText:
    """`texts` by language, each with its text under `key` and its marks (document/build.py)."""
    entry = (texts or {}).get(language)
    if entry is not None and entry.get(key, "").strip():
        # A draft's entry says what it was translated from (None: a moderator wrote it in this
        # language); a commitment's or room check's entry is always a translation of its original.
        source = entry.get("translated_from", original_language)
        return ReaderText(
            text=entry[key],
            language=language,
            mark=translation_mark(entry, source, zone) if source and source != language else "",
            machine=bool(entry.get("machine")),
            reviewed=bool(entry.get("reviewed_at")) and not entry.get("outdated"),
        )
    if original_language and original_language != language:
        return ReaderText(text=original, language=original_language, mark=written_in(original_language))
    return ReaderText(text=original, language=original_language or language, mark="")


def _conclusions_original(conclusions: dict[str, Any], shown: ReaderText, *, link) -> dict[str, str]:
    original, original_language = conclusions["markdown"], conclusions.get("language")
    if not original.strip() or not original_language or shown.language == original_language:
        return {}
    return {
        "conclusions_original_html": markdown_html(original, link=link),
        "conclusions_original_language": original_language,
        "conclusions_original_label": original_label(original_language),
    }


def separator() -> str:
    """What goes between a label and its value: ": " in English and Spanish, " : " in French."""
    return pgettext("between a label and its value", ": ")


def tally_text(tally: dict[str, int]) -> str:
    return _("agree %(agree)s · disagree %(disagree)s · pass %(pass)s") % tally


@dataclass
class CitedProposal:
    id: int
    anchor: str
    text: str
    language: str
    written_in: str
    actor_type: str
    theme: str
    support: str
    by_group: list[str]
    by_actor_type: list[str]
    consensus: bool

    @property
    def details(self) -> str:
        """What follows "#12" in its heading, in every format: language, actor type, theme, consensus."""
        parts = [self.written_in, self.actor_type, self.theme]
        if self.consensus:
            parts.append(_("Consensus across groups"))
        return " · ".join(part for part in parts if part)


@dataclass
class QuestionView:
    order: int
    anchor: str
    heading: str
    text: str
    text_fallback: bool
    conclusions_markdown: str
    conclusions_html: str
    # The language the conclusions are shown in, and what the reader is told about it ("Machine
    # translation (original: English), not reviewed.", "Written in Spanish"), empty when nothing to say.
    conclusions_language: str
    conclusions_mark: str
    commitments: list[dict[str, str]]
    checks: list[dict[str, Any]]
    cited: list[CitedProposal]
    themes: list[dict[str, Any]]
    coverage: str
    proposals_count: int
    empty: bool
    # Each citation the conclusions make that resolves, by its source text ("[theme:1]"): the anchor it
    # links to and what the reader sees ("theme 1"), the same on the page, in the PDF and the Markdown.
    citations: dict[str, tuple[str, str]] = field(default_factory=dict)
    # When the conclusions are shown in a translation: the original, for the page's "Show the original"
    # ("Original (Español)" above it); empty otherwise.
    conclusions_original_html: str = ""
    conclusions_original_language: str = ""
    conclusions_original_label: str = ""


def original_label(code: str | None) -> str:
    """ "Original (Español)": the original's language in its own name, as the phones say it."""
    return _("Original (%(language)s)") % {"language": LANGUAGE_NAMES.get(code or "", code or "")}


@dataclass
class RunOfShowView:
    """The plan against what happened: a few sentences ("Q2 ran 4 minutes over", "Break was skipped")
    and a table of every step (planned, actual, what happened)."""

    summary: list[str]
    head: list[str]
    rows: list[list[str]]


@dataclass
class DocumentView:
    language: str
    title: str
    status_line: str
    is_draft: bool
    metadata: list[tuple[str, str]]
    participation_summary: str
    participation_rows: list[list[str]]
    participation_head: list[str]
    questions: list[QuestionView] = field(default_factory=list)
    note: str = ""
    # The roundtable's zone: every date of the document (and of its versions' list) is read in it.
    time_zone: str = "UTC"
    # Between a label and its value, as the reader's language writes it ("Soutien : ...").
    separator: str = ": "
    run_of_show: RunOfShowView | None = None


def zone_name(zone: str | None) -> str:
    """The roundtable's zone if this machine knows it, else UTC."""
    try:
        zoneinfo.ZoneInfo(zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return zone or "UTC"


def _local(value: str | None, zone: str) -> datetime.datetime | None:
    if not value:
        return None
    return datetime.datetime.fromisoformat(value).astimezone(zoneinfo.ZoneInfo(zone_name(zone)))


def _when(document: dict[str, Any]) -> str:
    meta = document["roundtable"]
    zone = meta.get("time_zone") or "UTC"
    starts, ends = _local(meta.get("starts_at"), zone), _local(meta.get("ends_at"), zone)
    if starts is None:
        return _("Not set")
    text = f"{formats.date_format(starts, 'DATE_FORMAT')}, {starts:%H:%M}"
    if ends is not None and ends.date() == starts.date():
        text += f"\u2013{ends:%H:%M}"
    elif ends is not None:
        text += f" \u2013 {formats.date_format(ends, 'DATE_FORMAT')}, {ends:%H:%M}"
    offset = f"{starts:%z}"
    return f"{text} ({zone}, UTC{offset[:3]}:{offset[3:]})"


def _record_line(document: dict[str, Any]) -> list[tuple[str, str]]:
    """The head of the event log the document was built from, for a reader to check the bundle against
    (documents published before the log was chained state none)."""
    chain = document.get("chain")
    if not chain:
        return []
    return [
        (
            _("Built from the event record"),
            _("up to event %(seq)s, SHA-256 %(hash)s") % {"seq": chain["seq"], "hash": chain["hash"]},
        )
    ]


def document_view(document: dict[str, Any], language: str) -> DocumentView:
    meta = document["roundtable"]
    languages = meta.get("languages", [])
    actor_types = {item["key"]: item for item in meta.get("actor_types", [])}

    def actor_type_name(key: str) -> str:
        if key == OTHER:
            return _("Other actor types")
        item = actor_types.get(key)
        return text_in_language(item, language, languages).text if item else (key or _("Not given"))

    title = text_in_language(meta.get("title", {}), language, languages).text or meta["code"]
    if document["status"] == "draft":
        status_line = _("Draft, not published: it may still change.")
    else:
        published = _local(document["published_at"], meta.get("time_zone") or "UTC")
        status_line = _("Version %(version)s, published on %(date)s.") % {
            "version": document["version"],
            "date": formats.date_format(published, "DATE_FORMAT") if published else "",
        }
    participation = document["participation"]
    view = DocumentView(
        language=language,
        title=title,
        status_line=status_line,
        is_draft=document["status"] == "draft",
        note=document.get("note", ""),
        time_zone=zone_name(meta.get("time_zone")),
        separator=separator(),
        metadata=[
            (_("Event"), text_in_language(meta.get("event", {}), language, languages).text or _("Not set")),
            (_("Organizers"), ", ".join(meta.get("organizers") or []) or _("Not set")),
            (_("Date and time"), _when(document)),
            (_("Languages"), ", ".join(language_label(code) for code in languages)),
            (_("Code"), meta["code"]),
            *_record_line(document),
        ],
        participation_summary=participation_text(participation),
        participation_head=[_("Actor type"), _("People"), _("Proposals"), _("Votes")],
        participation_rows=[
            [actor_type_name(row["key"]), str(row["people"]), str(row["proposals"]), str(row["votes"])]
            for row in participation["by_actor_type"]
        ],
    )
    zone = meta.get("time_zone") or "UTC"
    for question in document["questions"]:
        view.questions.append(_question_view(question, language, languages, actor_type_name, zone))
    if document.get("run_of_show"):
        view.run_of_show = run_of_show_view(document["run_of_show"], language, languages, view.time_zone)
    return view


def _phase_name(phase: str) -> str:
    return {"collecting": _("Collecting proposals"), "voting": _("Voting"), "locked": _("Locked")}.get(
        phase, phase
    )


def step_name(step: dict[str, Any], language: str, languages: list[str]) -> str:
    """ "Q2 · Voting", or a break's or the closing's title in the reader's language."""
    if step["kind"] == "phase":
        return f"{_('Q%(number)s') % {'number': step['question']}} · {_phase_name(step['phase'])}"
    title = text_in_language(step.get("title") or {}, language, languages).text
    return title or (_("Break") if step["kind"] == "break" else _("Closing"))


def duration_text(seconds: int) -> str:
    """12 min; under a minute, in seconds (shortened rehearsals)."""
    if seconds < 60:
        return _("%(seconds)s s") % {"seconds": seconds}
    return _("%(minutes)s min") % {"minutes": round(seconds / 60)}


# Differences under a minute are the clock's, not the session's: not worth a sentence.
NOTABLE_SECONDS = 60


def _difference(actual: int, planned: int) -> str:
    minutes = round(abs(actual - planned) / 60)
    if abs(actual - planned) < NOTABLE_SECONDS:
        return _("On time")
    if actual > planned:
        return ngettext("%(count)s minute over", "%(count)s minutes over", minutes) % {"count": minutes}
    return ngettext("%(count)s minute under", "%(count)s minutes under", minutes) % {"count": minutes}


def _earlier_run(run: dict[str, Any], zone: str) -> str:
    """A run that back set aside: "Ran 3 min from 10:05, until the session went back", or "Ran 5 min from
    10:00, then again from the start"."""
    values = {
        "time": duration_text(run["seconds"] or 0),
        "start": f"{_local(run['started_at'], zone):%H:%M}",
    }
    if run["reason"] == "undone":
        return _("Ran %(time)s from %(start)s, until the session went back") % values
    return _("Ran %(time)s from %(start)s, then again from the start") % values


def run_of_show_view(record: dict[str, Any], language: str, languages: list[str], zone: str) -> RunOfShowView:
    steps = record["steps"]
    rows = []
    summary = []
    for step in steps:
        planned, actual = step["planned_seconds"], step["actual_seconds"]
        # Runs that "back" set aside come first, each said with its start and length (versions
        # published before they were recorded have none).
        earlier = step.get("earlier_runs") or []
        parts = [_earlier_run(run, zone) for run in earlier]
        if step["skipped"]:
            parts.append(_("Skipped"))
        elif step["started_at"] is None and earlier:
            # Cut short by back and not reached again: to come while the session runs, else never.
            parts.append(
                _("To run again") if record["state"] in ("running", "paused") else _("Not run again")
            )
        elif step["started_at"] is None:
            parts.append(_("Not held"))
        elif step["ended_at"] is None:
            parts.append(_("Under way"))
        else:
            parts.append(_difference(actual, planned))
        if step["extended_seconds"] and not step["skipped"]:
            parts.append(_("extended by %(time)s") % {"time": duration_text(step["extended_seconds"])})
        started = _local(earlier[0]["started_at"] if earlier else step["started_at"], zone)
        # Words, never a dash, where there is no figure.
        absent = _("Under way") if started else _("Not held")
        rows.append(
            [
                step_name(step, language, languages),
                duration_text(planned),
                f"{started:%H:%M}" if started else absent,
                duration_text(actual) if actual is not None else absent,
                " · ".join(parts),
            ]
        )
        for run in earlier:
            if run["reason"] == "undone" and run["seconds"] is not None:
                summary.append(
                    _(
                        "%(step)s ran %(time)s from %(start)s, "
                        "then the session went back to the step before it."
                    )
                    % {
                        "step": step_name(step, language, languages),
                        "time": duration_text(run["seconds"]),
                        "start": f"{_local(run['started_at'], zone):%H:%M}",
                    }
                )
    by_question: dict[int, list[dict[str, Any]]] = {}
    for step in steps:
        if step["kind"] == "phase" and step["actual_seconds"] is not None:
            by_question.setdefault(step["question"], []).append(step)
    for order, held in by_question.items():
        planned = sum(step["planned_seconds"] for step in held)
        actual = sum(step["actual_seconds"] for step in held)
        minutes = round(abs(actual - planned) / 60)
        if actual - planned >= NOTABLE_SECONDS:
            summary.append(
                ngettext(
                    "Q%(order)s ran %(count)s minute over.", "Q%(order)s ran %(count)s minutes over.", minutes
                )
                % {"order": order, "count": minutes}
            )
        elif planned - actual >= NOTABLE_SECONDS:
            summary.append(
                ngettext(
                    "Q%(order)s took %(count)s minute less than planned.",
                    "Q%(order)s took %(count)s minutes less than planned.",
                    minutes,
                )
                % {"order": order, "count": minutes}
            )
    for step in steps:
        if step["skipped"] and step["kind"] != "phase":
            summary.append(_("%(step)s was skipped.") % {"step": step_name(step, language, languages)})
    planned_end, ended = _local(record.get("planned_end"), zone), _local(record.get("ended_at"), zone)
    if ended is not None and planned_end is not None:
        late = round((ended - planned_end).total_seconds())
        minutes = round(abs(late) / 60)
        if late >= NOTABLE_SECONDS:
            summary.append(
                ngettext(
                    "The session ended at %(time)s, %(count)s minute after the planned end.",
                    "The session ended at %(time)s, %(count)s minutes after the planned end.",
                    minutes,
                )
                % {"time": f"{ended:%H:%M}", "count": minutes}
            )
        elif -late >= NOTABLE_SECONDS:
            summary.append(
                ngettext(
                    "The session ended at %(time)s, %(count)s minute before the planned end.",
                    "The session ended at %(time)s, %(count)s minutes before the planned end.",
                    minutes,
                )
                % {"time": f"{ended:%H:%M}", "count": minutes}
            )
        else:
            summary.append(_("The session ended on time, at %(time)s.") % {"time": f"{ended:%H:%M}"})
    elif record["state"] == "planned":
        summary.append(_("The session was planned but not run with the run of show."))
    return RunOfShowView(
        summary=summary,
        head=[_("Step"), _("Planned"), _("Started"), _("Actual"), _("What happened")],
        rows=rows,
    )


def participation_text(participation: dict[str, int]) -> str:
    """Each count with its own plural form ("1 person took part", "1 proposition"): a sentence with
    several counts cannot take one plural form for all of them."""

    def count(singular: str, plural: str, number: int) -> str:
        return ngettext(singular, plural, number) % {"count": number}

    return _("%(took_part)s: %(proposals)s %(authors)s, %(votes)s %(voters)s.") % {
        "took_part": count(
            "%(count)s person took part", "%(count)s people took part", participation["people"]
        ),
        "proposals": count("%(count)s proposal", "%(count)s proposals", participation["proposals"]),
        "authors": count("by %(count)s person", "by %(count)s people", participation["spoke"]),
        "votes": count("%(count)s vote", "%(count)s votes", participation["votes"]),
        "voters": count("by %(count)s person", "by %(count)s people", participation["voted"]),
    }


def _theme_label(theme: dict[str, Any], language: str, languages: list[str]) -> tuple[str, str | None]:
    """A theme's name as this reader sees it, and the language a translation server translated it from
    (None when people wrote it: a moderator's name, or a proposal of the name's language)."""
    if theme.get("unsorted"):
        return _("Unsorted"), None
    if theme.get("name"):
        return theme["name"], None
    label = text_in_language(theme.get("labels") or {}, language, languages)
    if not label.text:
        return _("Theme %(number)s") % {"number": theme["number"]}, None
    return label.text, (theme.get("machine") or {}).get(label.language)


def _theme_name(theme: dict[str, Any], language: str, languages: list[str]) -> str:
    """The name, with "(machine translation)" after it when a translation server made it."""
    name, source = _theme_label(theme, language, languages)
    return f"{name} ({_('machine translation')})" if source else name


def theme_mark(source: str | None) -> str:
    """What the document's list of themes says after a name a translation server made."""
    if not source:
        return ""
    return _("Machine translation (original: %(language)s).") % {"language": language_name(source)}


def _themes_listed(question: dict[str, Any], language: str, languages: list[str]) -> list[dict[str, Any]]:
    """The themes, then one line for every proposal no theme holds yet (groups of one are not themes)."""

    def size(count: int) -> str:
        return ngettext("%(count)s proposal", "%(count)s proposals", count) % {"count": count}

    listed = []
    for theme in question["themes"]:
        if theme.get("unsorted"):
            continue
        name, source = _theme_label(theme, language, languages)
        listed.append(
            {
                "number": theme["number"],
                "anchor": f"q{question['order']}-theme-{theme['number']}",
                "heading": _("Theme %(number)s") % {"number": theme["number"]},
                "name": name,
                "size": size(len(theme["proposals"])),
                "mark": theme_mark(source),
            }
        )
    unsorted = sum(len(theme["proposals"]) for theme in question["themes"] if theme.get("unsorted"))
    if unsorted:
        listed.append(
            {
                "number": None,
                "anchor": f"q{question['order']}-unsorted",
                "heading": _("Unsorted proposals"),
                "name": "",
                "size": size(unsorted),
                "mark": "",
            }
        )
    return listed


def _question_view(
    question: dict[str, Any], language: str, languages: list[str], actor_type_name, zone: str
) -> QuestionView:
    proposals = {proposal["id"]: proposal for proposal in question["proposals"]}
    themes = {theme["number"]: theme for theme in question["themes"]}
    checks = {check["number"]: check for check in question["checks"]}

    def link(kind: str, number: int) -> tuple[str, str, str] | None:
        if kind == PROPOSAL and number in proposals:
            return f"#proposal-{number}", f"#{number}", tally_text(proposals[number]["tally"])
        if kind == THEME and number in themes:
            theme = themes[number]
            return (
                f"#q{question['order']}-theme-{number}",
                _("theme %(number)s") % {"number": number},
                _theme_name(theme, language, languages),
            )
        if kind == CHECK and number in checks:
            return (
                f"#q{question['order']}-check-{number}",
                _("room check %(number)s") % {"number": number},
                tally_text(checks[number]["tally"]),
            )
        return None

    def group_lines(proposal: dict[str, Any]) -> list[str]:
        return [
            _("Group %(letter)s: %(tally)s") % {"letter": letter, "tally": tally_text(tally)}
            for letter, tally in proposal["by_group"].items()
        ]

    def type_lines(by_type: dict[str, dict[str, int]]) -> list[str]:
        return [f"{actor_type_name(key)}{separator()}{tally_text(tally)}" for key, tally in by_type.items()]

    cited = []
    for number in question["citations"]["proposals"]:
        proposal = proposals.get(number)
        if proposal is None:
            continue
        theme = themes.get(proposal["theme"]) if proposal["theme"] is not None else None
        theme_line = _theme_name(theme, language, languages) if theme else ""
        if theme and not theme.get("unsorted"):
            # "Theme 2: …": a theme named by its first proposal would otherwise read as a translation.
            theme_line = _("Theme %(number)s") % {"number": theme["number"]} + separator() + theme_line
        cited.append(
            CitedProposal(
                id=number,
                anchor=f"proposal-{number}",
                text=proposal["text"],
                language=proposal["language"],
                written_in=written_in(proposal["language"]),
                actor_type=actor_type_name(proposal["actor_type"]),
                theme=theme_line,
                support=tally_text(proposal["tally"]),
                by_group=group_lines(proposal),
                by_actor_type=type_lines(proposal["by_actor_type"]),
                consensus=proposal["consensus"],
            )
        )
    conclusions = text_for_reader(
        original=question["conclusions"]["markdown"],
        original_language=question["conclusions"].get("language"),
        texts=question["conclusions"].get("texts", {}),
        language=language,
        zone=zone,
        key="markdown",
    )
    markdown = conclusions.text

    def reader_text(item: dict[str, Any], key: str) -> ReaderText:
        return text_for_reader(
            original=item[key],
            original_language=item.get("language"),
            texts=item.get("texts", {}),
            language=language,
            zone=zone,
            key="text",
        )

    commitment_texts = [reader_text(item, "what") for item in question["commitments"]]
    check_texts = [reader_text(check, "text") for check in question["checks"]]
    coverage_text = _coverage_text(question["coverage"]) if markdown.strip() else ""
    text = text_in_language(question["text"], language, languages)
    return QuestionView(
        order=question["order"],
        anchor=f"question-{question['order']}",
        heading=_("Question %(order)s") % {"order": question["order"]},
        text=text.text,
        text_fallback=text.is_fallback,
        conclusions_markdown=markdown,
        conclusions_html=markdown_html(markdown, link=link) if markdown.strip() else "",
        conclusions_language=conclusions.language,
        conclusions_mark=conclusions.mark if markdown.strip() else "",
        **_conclusions_original(question["conclusions"], conclusions, link=link),
        commitments=[
            {
                "what": text.text,
                "language": text.language,
                "mark": text.mark,
                "who": ", ".join(
                    part
                    for part in (
                        actor_type_name(item["actor_type"]) if item["actor_type"] else "",
                        item["organisation"],
                    )
                    if part
                ),
                "due": formats.date_format(datetime.date.fromisoformat(item["due"]), "DATE_FORMAT")
                if item["due"]
                else _("No date"),
            }
            for item, text in zip(question["commitments"], commitment_texts, strict=True)
        ],
        checks=[
            {
                "number": check["number"],
                "anchor": f"q{question['order']}-check-{check['number']}",
                "text": text.text,
                "language": text.language,
                "mark": text.mark,
                # A translation: its original one press away on the page.
                "original": check["text"]
                if text.language != check.get("language") and check.get("language")
                else "",
                "original_language": check.get("language") or "",
                "original_label": original_label(check.get("language")),
                "support": tally_text(check["tally"]),
                "responses": sum(check["tally"].values()),
                "by_actor_type": type_lines(check["by_actor_type"]),
                "open": check["state"] == "open",
            }
            for check, text in zip(question["checks"], check_texts, strict=True)
        ],
        cited=cited,
        themes=_themes_listed(question, language, languages),
        coverage=coverage_text,
        proposals_count=len(question["proposals"]),
        empty=not markdown.strip() and not question["commitments"] and not question["checks"],
        citations={
            match.group(0): (target[0], target[1])
            for match in CITATION.finditer(markdown)
            if (target := link(*citation_kind(match))) is not None
        },
    )


def _coverage_text(coverage: dict[str, Any]) -> str:
    """How much of the room's support and themes the conclusions cite, saying only what is true: no
    share of support when nothing had support yet, no themes when there were none."""
    total = coverage["themes_total"]
    figures = {"cited": coverage["themes_cited"], "total": total}
    if coverage["support"] is not None:
        figures["support"] = f"{round(coverage['support'] * 100)} %"
        if total:
            return (
                ngettext(
                    "The conclusions cite %(support)s of the support and %(cited)s of %(total)s theme.",
                    "The conclusions cite %(support)s of the support and %(cited)s of %(total)s themes.",
                    total,
                )
                % figures
            )
        return _("The conclusions cite %(support)s of the support.") % figures
    if total:
        return (
            ngettext(
                "No proposal had support yet; the conclusions cite %(cited)s of %(total)s theme.",
                "No proposal had support yet; the conclusions cite %(cited)s of %(total)s themes.",
                total,
            )
            % figures
        )
    return _("No proposal had support yet.")
