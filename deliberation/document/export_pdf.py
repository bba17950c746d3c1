"""The document as a paginated PDF (reportlab: pure Python, no system libraries). Same view as the page
and the Markdown; the conclusions' Markdown is laid out block by block. Call under translation.override."""

import io
import re
from html import escape
from pathlib import Path
from typing import Any

import reportlab
from django.utils.translation import gettext as _
from markdown_it.token import Token
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    Preformatted,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from deliberation.document.markdown import CITATION, markdown_blocks
from deliberation.document.view import DocumentView, document_view

# DejaVu (Debian's fonts-dejavu-core) covers the most scripts; reportlab's own Vera covers Latin.
_FONT_CANDIDATES = [
    (
        Path("/usr/share/fonts/truetype/dejavu"),
        "DejaVuSans.ttf",
        "DejaVuSans-Bold.ttf",
        "DejaVuSans-Oblique.ttf",
        "DejaVuSans-BoldOblique.ttf",
    ),
    (Path(reportlab.__file__).parent / "fonts", "Vera.ttf", "VeraBd.ttf", "VeraIt.ttf", "VeraBI.ttf"),
]
_fonts_registered = False


def _fonts() -> str:
    global _fonts_registered
    if not _fonts_registered:
        for folder, regular, bold, italic, bold_italic in _FONT_CANDIDATES:
            if (folder / regular).exists():
                for name, file in (
                    ("Doc", regular),
                    ("Doc-Bold", bold),
                    ("Doc-Italic", italic),
                    ("Doc-BoldItalic", bold_italic),
                ):
                    pdfmetrics.registerFont(TTFont(name, str(folder / file)))
                pdfmetrics.registerFontFamily(
                    "Doc", normal="Doc", bold="Doc-Bold", italic="Doc-Italic", boldItalic="Doc-BoldItalic"
                )
                break
        _fonts_registered = True
    return "Doc"


def _styles() -> dict[str, ParagraphStyle]:
    font = _fonts()
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "body", parent=base["BodyText"], fontName=font, fontSize=10, leading=14, alignment=TA_LEFT
    )
    return {
        "title": ParagraphStyle(
            "title", parent=base["Title"], fontName=f"{font}-Bold", fontSize=18, leading=22
        ),
        # A heading never ends a page: it goes to the next one with what follows it.
        "h2": ParagraphStyle(
            "h2", parent=base["Heading2"], fontName=f"{font}-Bold", fontSize=14, leading=18, keepWithNext=1
        ),
        "h3": ParagraphStyle(
            "h3", parent=base["Heading3"], fontName=f"{font}-Bold", fontSize=11.5, leading=15, keepWithNext=1
        ),
        "h4": ParagraphStyle(
            "h4", parent=base["Heading4"], fontName=f"{font}-Bold", fontSize=10.5, leading=14, keepWithNext=1
        ),
        "body": body,
        "small": ParagraphStyle(
            "small", parent=body, fontSize=8.5, leading=11, textColor=colors.HexColor("#444444")
        ),
        "quote": ParagraphStyle(
            "quote", parent=body, leftIndent=8 * mm, textColor=colors.HexColor("#222222")
        ),
        "status": ParagraphStyle("status", parent=body, fontName=f"{font}-Italic"),
        "code": ParagraphStyle("code", parent=body, fontName="Courier", fontSize=8.5, leading=11),
    }


def _text(text: str, citations: dict[str, tuple[str, str]]) -> str:
    """Plain text as reportlab markup, with citations as the page shows them ("#12", "theme 1", "room
    check 2") linked to their anchors in the document; one that cites nothing stays as written."""

    def link(match: re.Match) -> str:
        target = citations.get(match.group(0))
        if target is None:
            return escape(match.group(0))
        href, label = target
        return f'<a href="{escape(href)}" color="#1a4d8f">{escape(label)}</a>'

    parts, position = [], 0
    for match in CITATION.finditer(text):
        parts += [escape(text[position : match.start()]), link(match)]
        position = match.end()
    parts.append(escape(text[position:]))
    return "".join(parts)


def _inline(token: Token, citations: dict[str, tuple[str, str]]) -> str:
    out, closers = [], []
    for child in token.children or []:
        match child.type:
            case "text":
                out.append(_text(child.content, citations))
            case "code_inline":
                out.append(f'<font face="Courier">{escape(child.content)}</font>')
            case "strong_open":
                out.append("<b>")
            case "strong_close":
                out.append("</b>")
            case "em_open":
                out.append("<i>")
            case "em_close":
                out.append("</i>")
            case "s_open":
                out.append("<strike>")
            case "s_close":
                out.append("</strike>")
            case "softbreak":
                out.append(" ")
            case "hardbreak":
                out.append("<br/>")
            case "link_open":
                href = str(child.attrs.get("href", ""))
                safe = href.startswith(("http://", "https://", "mailto:"))
                out.append(f'<a href="{escape(href)}" color="#1a4d8f">' if safe else "<u>")
                closers.append("</a>" if safe else "</u>")
            case "link_close":
                out.append(closers.pop() if closers else "")
            case "image":
                out.append(escape(child.content))
            case _:
                out.append(escape(child.content or ""))
    return "".join(out)


def _conclusions(
    markdown: str, styles: dict[str, ParagraphStyle], citations: dict[str, tuple[str, str]]
) -> list:
    """Markdown blocks as flowables: headings, paragraphs, lists, quotes, code and tables."""
    tokens = markdown_blocks(markdown)
    flowables: list = []
    index = 0

    def collect_list(start: int) -> tuple[ListFlowable, int]:
        ordered = tokens[start].type == "ordered_list_open"
        items, depth, position, current = [], 0, start + 1, []
        while position < len(tokens):
            token = tokens[position]
            if token.type in ("bullet_list_open", "ordered_list_open") and depth == 0 and current is not None:
                nested, position = collect_list(position)
                current.append(nested)
                continue
            if token.type in ("bullet_list_close", "ordered_list_close") and depth == 0:
                break
            if token.type == "list_item_open":
                current = []
            elif token.type == "list_item_close":
                items.append(ListItem(current or [Paragraph("", styles["body"])]))
            elif token.type == "inline":
                current.append(Paragraph(_inline(token, citations), styles["body"]))
            position += 1
        return ListFlowable(
            items, bulletType="1" if ordered else "bullet", leftIndent=12, bulletFontName="Doc"
        ), position + 1

    quote_depth = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            level = min(int(token.tag[1]) + 2, 4)
            flowables.append(Paragraph(_inline(tokens[index + 1], citations), styles[f"h{level}"]))
            index += 3
            continue
        if token.type == "blockquote_open":
            quote_depth += 1
        elif token.type == "blockquote_close":
            quote_depth -= 1
        elif token.type == "paragraph_open":
            style = styles["quote"] if quote_depth else styles["body"]
            flowables.append(Paragraph(_inline(tokens[index + 1], citations), style))
            index += 3
            continue
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            flowable, index = collect_list(index)
            flowables.append(flowable)
            continue
        elif token.type in ("fence", "code_block"):
            flowables.append(Preformatted(token.content, styles["code"]))
        elif token.type == "hr":
            flowables.append(Spacer(1, 4 * mm))
        elif token.type == "table_open":
            rows, position = [], index + 1
            while tokens[position].type != "table_close":
                if tokens[position].type == "tr_open":
                    rows.append([])
                elif tokens[position].type == "inline":
                    rows[-1].append(Paragraph(_inline(tokens[position], citations), styles["body"]))
                position += 1
            flowables.append(_table(rows))
            index = position + 1
            continue
        index += 1
    return flowables


def _table(rows: list[list], header: bool = True) -> Table:
    table = Table(rows, repeatRows=1 if header else 0, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee") if header else colors.white),
            ]
        )
    )
    return table


def _unwrapped(flowable) -> list:
    """A KeepTogether's content, to go into another one: nested, reportlab sees an endless block and
    starts a new page for it."""
    return list(flowable._content) if isinstance(flowable, KeepTogether) else [flowable]


def _headings_kept(story: list) -> list:
    """Each heading (and a run of them: "Question 1", "Conclusions") in one block with the flowable that
    follows it, so no page ends on a heading. reportlab's keepWithNext alone stops at a KeepTogether or a
    list, which is what follows most headings here."""
    kept: list = []
    headings: list = []
    for flowable in story:
        if isinstance(flowable, Paragraph) and flowable.getKeepWithNext():
            headings.append(flowable)
            continue
        if headings:
            kept.append(KeepTogether([*headings, *_unwrapped(flowable)]))
            headings = []
        else:
            kept.append(flowable)
    return kept + headings


FOOTER_SIZE = 8
FOOTER_LEADING = 10
FOOTER_LINES = 2


def footer_lines(title: str, width: float) -> list[str]:
    """The title as the footer shows it: whole, on up to two lines; a longer one ends at a word with "…"."""
    font = _fonts()
    lines = simpleSplit(title, font, FOOTER_SIZE, width) or [""]
    if len(lines) <= FOOTER_LINES:
        return lines
    last = lines[FOOTER_LINES - 1].split()
    while len(last) > 1 and stringWidth(" ".join(last) + " …", font, FOOTER_SIZE) > width:
        last.pop()
    return [*lines[: FOOTER_LINES - 1], " ".join(last) + " …"]


def document_pdf(document: dict[str, Any], language: str) -> bytes:
    view: DocumentView = document_view(document, language)
    styles = _styles()
    buffer = io.BytesIO()
    page_label = _("Page %(number)s")

    def decorate(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Doc", FOOTER_SIZE)
        label = page_label % {"number": doc.page}
        width = A4[0] - 36 * mm - canvas.stringWidth(label, "Doc", FOOTER_SIZE) - 6 * mm
        lines = footer_lines(view.title, width)
        for line, text in enumerate(lines):  # top line first: the order a reader (and a text copy) follows
            canvas.drawString(18 * mm, 10 * mm + (len(lines) - 1 - line) * FOOTER_LEADING, text)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, label)
        canvas.restoreState()

    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=view.title,
        author=", ".join(document["roundtable"].get("organizers") or []),
        lang=language,
    )
    cell = lambda text, style="body": Paragraph(escape(text), styles[style])  # noqa: E731
    story: list = [
        Paragraph(escape(view.title), styles["title"]),
        Paragraph(escape(view.status_line), styles["status"]),
    ]
    if view.note:
        story.append(
            Paragraph(
                escape(f"{_('What changed in this version')}{view.separator}{view.note}"), styles["status"]
            )
        )
    story.append(Spacer(1, 3 * mm))
    story.append(_table([[cell(label), cell(value)] for label, value in view.metadata], header=False))
    story += [
        Paragraph(escape(_("Participation")), styles["h2"]),
        Paragraph(escape(view.participation_summary), styles["body"]),
    ]
    story.append(
        _table(
            [[cell(text) for text in view.participation_head]]
            + [[cell(text) for text in row] for row in view.participation_rows]
        )
    )
    if view.run_of_show is not None:
        story.append(Paragraph(escape(_("Run of show")), styles["h2"]))
        story += [Paragraph(escape(sentence), styles["body"]) for sentence in view.run_of_show.summary]
        story.append(
            _table(
                [[cell(text) for text in view.run_of_show.head]]
                + [[cell(text) for text in row] for row in view.run_of_show.rows]
            )
        )
    for question in view.questions:
        heading = Paragraph(
            f'<a name="{question.anchor}"/>' + escape(f"{question.heading}{view.separator}{question.text}"),
            styles["h2"],
        )
        if question.empty and not question.cited and not question.themes:
            # Nothing to show but that nothing was written: one short block, kept on the page of what
            # comes before it, so no page holds only a placeholder.
            nothing = Paragraph(escape(_("No conclusions were written for this question.")), styles["status"])
            story.append(KeepTogether([*_unwrapped(story.pop()), heading, nothing]))
            continue
        story += [heading, Paragraph(escape(_("Conclusions")), styles["h3"])]
        if question.conclusions_mark:
            story.append(Paragraph(escape(question.conclusions_mark), styles["status"]))
        if question.conclusions_markdown.strip():
            story += _conclusions(question.conclusions_markdown, styles, question.citations)
        else:
            story.append(
                Paragraph(escape(_("No conclusions were written for this question.")), styles["status"])
            )
        if question.coverage:
            story.append(Paragraph(escape(question.coverage), styles["small"]))
        if question.commitments:
            story.append(Paragraph(escape(_("Commitments")), styles["h3"]))
            story.append(
                _table(
                    [[cell(_("What")), cell(_("Responsible")), cell(_("By"))]]
                    + [
                        [
                            Paragraph(
                                escape(item["what"])
                                + (f"<br/><i>{escape(item['mark'])}</i>" if item["mark"] else ""),
                                styles["body"],
                            ),
                            cell(item["who"]),
                            cell(item["due"]),
                        ]
                        for item in question.commitments
                    ]
                )
            )
        if question.checks:
            story.append(Paragraph(escape(_("Checked with the room")), styles["h3"]))
            for check in question.checks:
                check_label = _("Room check %(number)s") % {"number": check["number"]}
                block = [
                    Paragraph(
                        f'<a name="{check["anchor"]}"/><b>{escape(check_label)}</b>',
                        styles["body"],
                    ),
                    Paragraph(escape(check["text"]), styles["quote"]),
                    *([Paragraph(escape(check["mark"]), styles["status"])] if check["mark"] else []),
                    Paragraph(
                        escape(check["support"] + (f" ({_('still open')})" if check["open"] else "")),
                        styles["body"],
                    ),
                    *(Paragraph(escape(line), styles["small"]) for line in check["by_actor_type"]),
                ]
                story.append(KeepTogether(block))
        if question.cited:
            story.append(Paragraph(escape(_("Cited proposals")), styles["h3"]))
            for proposal in question.cited:
                heading = f"#{proposal.id} · {proposal.details}"
                block = [
                    Paragraph(f'<a name="{proposal.anchor}"/><b>{escape(heading)}</b>', styles["body"]),
                    Paragraph(escape(proposal.text), styles["quote"]),
                    Paragraph(escape(f"{_('Support')}{view.separator}{proposal.support}"), styles["body"]),
                    *(
                        Paragraph(escape(line), styles["small"])
                        for line in proposal.by_group + proposal.by_actor_type
                    ),
                    Spacer(1, 2 * mm),
                ]
                story.append(KeepTogether(block))
        if question.themes:
            story.append(Paragraph(escape(_("Themes")), styles["h3"]))
            for theme in question.themes:
                named = escape(view.separator) + escape(theme["name"]) if theme["name"] else ""
                mark = f" <i>{escape(theme['mark'])}</i>" if theme["mark"] else ""
                story.append(
                    Paragraph(
                        f'<a name="{theme["anchor"]}"/>{escape(theme["heading"])}{named}'
                        f" ({escape(theme['size'])}){mark}",
                        styles["body"],
                    )
                )
    pdf.build(_headings_kept(story), onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
