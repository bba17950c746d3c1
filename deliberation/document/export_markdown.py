"""The document as one Markdown file, in the reader's language (call under translation.override)."""

import re
from typing import Any

from django.utils.translation import gettext as _

from deliberation.document.markdown import CITATION, markdown_source_safe, markdown_text_escape
from deliberation.document.view import DocumentView, document_view

# Every text that comes from people (titles, questions, organizers, proposals, commitments, theme names,
# room checks) is escaped: it shows as typed in any Markdown viewer, even one that renders raw HTML.
# Moderators' conclusions are Markdown: kept, without raw HTML or links to anything but pages.


def _line(text: str) -> str:
    """A text people typed, on one line (a heading, a list item, a table cell: `|` is escaped too)."""
    return markdown_text_escape(text, one_line=True)


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(_line(cell) for cell in head) + " |",
        "|" + "---|" * len(head),
        *("| " + " | ".join(_line(cell) for cell in row) + " |" for row in rows),
    ]


def _quote(text: str) -> str:
    return "\n".join(f"> {markdown_text_escape(line)}" if line.strip() else ">" for line in text.splitlines())


def _anchored(markdown: str, citations: dict[str, tuple[str, str]]) -> str:
    """Citations as the page shows them ("theme 1", "room check 2", "#12"), linked to their anchors;
    one that cites nothing stays as written, as text."""

    def link(match: re.Match) -> str:
        target = citations.get(match.group(0))
        if target is None:
            return markdown_text_escape(match.group(0))
        href, label = target
        return f"[{label}]({href})"

    return CITATION.sub(link, markdown)


def document_markdown(document: dict[str, Any], language: str) -> str:
    view: DocumentView = document_view(document, language)
    lines = [f"# {_line(view.title)}", "", f"*{_line(view.status_line)}*", ""]
    if view.note:
        lines += [f"*{_line(_('What changed in this version'))}{view.separator}{_line(view.note)}*", ""]
    lines += [f"- **{_line(label)}**{view.separator}{_line(value)}" for label, value in view.metadata]
    lines += ["", f"## {_('Participation')}", "", _line(view.participation_summary), ""]
    lines += _table(view.participation_head, view.participation_rows)
    if view.run_of_show is not None:
        lines += ["", f"## {_('Run of show')}", ""]
        lines += [f"- {_line(sentence)}" for sentence in view.run_of_show.summary]
        if view.run_of_show.summary:
            lines.append("")
        lines += _table(view.run_of_show.head, view.run_of_show.rows)
    for question in view.questions:
        lines += [
            "",
            f'<a id="{question.anchor}"></a>',
            f"## {_line(question.heading)}{view.separator}{_line(question.text)}",
            "",
        ]
        lines += [f"### {_('Conclusions')}", ""]
        if question.conclusions_mark:
            lines += [f"*{_line(question.conclusions_mark)}*", ""]
        lines.append(
            _anchored(markdown_source_safe(question.conclusions_markdown.strip()), question.citations)
            if question.conclusions_markdown.strip()
            else f"*{_('No conclusions were written for this question.')}*"
        )
        if question.coverage:
            lines += ["", f"*{_line(question.coverage)}*"]
        if question.commitments:
            lines += ["", f"### {_('Commitments')}", ""]
            lines += _table(
                [_("What"), _("Responsible"), _("By")],
                [
                    [item["what"] + (f" ({item['mark']})" if item["mark"] else ""), item["who"], item["due"]]
                    for item in question.commitments
                ],
            )
        if question.checks:
            lines += ["", f"### {_('Checked with the room')}", ""]
            for check in question.checks:
                lines += [
                    f'<a id="{check["anchor"]}"></a>',
                    f"**{_('Room check %(number)s') % {'number': check['number']}}**",
                    "",
                    _quote(check["text"]),
                    "",
                    *([f"*{_line(check['mark'])}*", ""] if check["mark"] else []),
                    _line(check["support"] + (f" ({_('still open')})" if check["open"] else "")),
                ]
                lines += [f"- {_line(line)}" for line in check["by_actor_type"]]
                lines.append("")
        if question.cited:
            lines += ["", f"### {_('Cited proposals')}", ""]
            for proposal in question.cited:
                heading = f"**#{proposal.id}** · {_line(proposal.details)}"
                lines += [f'<a id="{proposal.anchor}"></a>', heading, "", _quote(proposal.text), ""]
                lines.append(_line(f"{_('Support')}{view.separator}{proposal.support}"))
                lines += [f"- {_line(line)}" for line in proposal.by_group + proposal.by_actor_type]
                lines.append("")
        if question.themes:
            lines += ["", f"### {_('Themes')}", ""]
            lines += [
                f'- <a id="{theme["anchor"]}"></a>{_line(theme["heading"])}'
                f"{view.separator + _line(theme['name']) if theme['name'] else ''} ({_line(theme['size'])})"
                f"{' *' + _line(theme['mark']) + '*' if theme['mark'] else ''}"
                for theme in question.themes
            ]
    return "\n".join(lines).rstrip() + "\n"
