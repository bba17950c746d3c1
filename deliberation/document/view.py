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
from deliberation.texts import text_in_language


def language_label(code: str) -> str:
    labels = {"en": _("English"), "es": _("Spanish"), "fr": _("French")}
    return labels.get(code, code)


def written_in(code: str) -> str:
    return {"en": _("Written in English"), "es": _("Written in Spanish"), "fr": _("Written in French")}.get(
        code, code
    )


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
        ],
        participation_summary=_(
            "%(people)s people took part: %(spoke)s wrote %(proposals)s proposals "
            "and %(voted)s cast %(votes)s votes."
        )
        % participation,
        participation_head=[_("Actor type"), _("People"), _("Proposals"), _("Votes")],
        participation_rows=[
            [actor_type_name(row["key"]), str(row["people"]), str(row["proposals"]), str(row["votes"])]
            for row in participation["by_actor_type"]
        ],
    )
    for question in document["questions"]:
        view.questions.append(_question_view(question, language, languages, actor_type_name))
    return view


def _theme_name(theme: dict[str, Any], language: str, languages: list[str]) -> str:
    if theme.get("unsorted"):
        return _("Unsorted")
    if theme.get("name"):
        return theme["name"]
    label = text_in_language(theme.get("labels") or {}, language, languages).text
    return label or _("Theme %(number)s") % {"number": theme["number"]}


def _themes_listed(question: dict[str, Any], language: str, languages: list[str]) -> list[dict[str, Any]]:
    """The themes, then one line for every proposal no theme holds yet (groups of one are not themes)."""

    def size(count: int) -> str:
        return ngettext("%(count)s proposal", "%(count)s proposals", count) % {"count": count}

    listed = [
        {
            "number": theme["number"],
            "anchor": f"q{question['order']}-theme-{theme['number']}",
            "heading": _("Theme %(number)s") % {"number": theme["number"]},
            "name": _theme_name(theme, language, languages),
            "size": size(len(theme["proposals"])),
        }
        for theme in question["themes"]
        if not theme.get("unsorted")
    ]
    unsorted = sum(len(theme["proposals"]) for theme in question["themes"] if theme.get("unsorted"))
    if unsorted:
        listed.append(
            {
                "number": None,
                "anchor": f"q{question['order']}-unsorted",
                "heading": _("Unsorted proposals"),
                "name": "",
                "size": size(unsorted),
            }
        )
    return listed


def _question_view(
    question: dict[str, Any], language: str, languages: list[str], actor_type_name
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
        cited.append(
            CitedProposal(
                id=number,
                anchor=f"proposal-{number}",
                text=proposal["text"],
                language=proposal["language"],
                written_in=written_in(proposal["language"]),
                actor_type=actor_type_name(proposal["actor_type"]),
                theme=_theme_name(theme, language, languages) if theme else "",
                support=tally_text(proposal["tally"]),
                by_group=group_lines(proposal),
                by_actor_type=type_lines(proposal["by_actor_type"]),
                consensus=proposal["consensus"],
            )
        )
    markdown = question["conclusions"]["markdown"]
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
        commitments=[
            {
                "what": item["what"],
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
            for item in question["commitments"]
        ],
        checks=[
            {
                "number": check["number"],
                "anchor": f"q{question['order']}-check-{check['number']}",
                "text": check["text"],
                "support": tally_text(check["tally"]),
                "responses": sum(check["tally"].values()),
                "by_actor_type": type_lines(check["by_actor_type"]),
                "open": check["state"] == "open",
            }
            for check in question["checks"]
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
