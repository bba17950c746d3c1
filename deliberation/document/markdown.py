"""Moderators write conclusions in Markdown. Raw HTML never gets through (markdown-it renders it as text
and nh3 cleans what comes out), and citations become links: `[#12]` a proposal, `[theme:3]` a theme of
the question, `[check:2]` a statement put to the room."""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

CITATION = re.compile(r"\[(?:#(\d{1,12})|theme:(\d{1,9})|check:(\d{1,9}))\]")
PROPOSAL, THEME, CHECK = "proposal", "theme", "check"

# What a link to a citation says: (href, visible label, accessible title) or None when it cites nothing.
CitationLink = Callable[[str, int], tuple[str, str, str] | None]

# The conflict markers a refused save leaves in the text for the moderator to resolve.
CONFLICT_MARKERS = re.compile(r"^(<{7}|={7}|>{7})( |$)", re.MULTILINE)

_ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "span",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "class", "title", "data-cite"},
    "span": {"class", "title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}


@dataclass
class Citations:
    proposals: list[int] = field(default_factory=list)
    themes: list[int] = field(default_factory=list)
    checks: list[int] = field(default_factory=list)


def citations_find(text: str) -> Citations:
    """Every citation in a text, each once, in order of first appearance."""
    found = Citations()
    for match in CITATION.finditer(text):
        proposal, theme, check = match.groups()
        kind, number = (
            (found.proposals, int(proposal))
            if proposal
            else (found.themes, int(theme))
            if theme
            else (found.checks, int(check))
        )
        if number not in kind:
            kind.append(number)
    return found


def citation_kind(match: re.Match) -> tuple[str, int]:
    proposal, theme, check = match.groups()
    if proposal:
        return PROPOSAL, int(proposal)
    if theme:
        return THEME, int(theme)
    return CHECK, int(check)


def _citations_rule(state: StateCore) -> None:
    """Split text tokens around citations (not inside code) into `citation` tokens."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        for token in block.children:
            if token.type != "text" or not CITATION.search(token.content):
                children.append(token)
                continue
            position = 0
            for match in CITATION.finditer(token.content):
                if match.start() > position:
                    text = Token("text", "", 0)
                    text.content = token.content[position : match.start()]
                    children.append(text)
                citation = Token("citation", "", 0)
                citation.meta = {"kind_number": citation_kind(match), "source": match.group(0)}
                children.append(citation)
                position = match.end()
            if position < len(token.content):
                text = Token("text", "", 0)
                text.content = token.content[position:]
                children.append(text)
        block.children = children


def _parser(link: CitationLink) -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["table", "strikethrough"])
    parser.core.ruler.push("citations", _citations_rule)

    def render_citation(self, tokens, index, options, env) -> str:
        token = tokens[index]
        kind, number = token.meta["kind_number"]
        target = link(kind, number)
        if target is None:
            return f'<span class="citation citation-missing">{escape(token.meta["source"])}</span>'
        href, label, title = target
        return (
            f'<a class="citation" href="{escape(href)}" title="{escape(title)}" '
            f'data-cite="{kind}:{number}">{escape(label)}</a>'
        )

    parser.add_render_rule("citation", render_citation)
    return parser


def markdown_html(text: str, *, link: CitationLink) -> str:
    """Sanitised HTML of a Markdown text, with its citations linked by `link`."""
    html = _parser(link).render(text)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def markdown_blocks(text: str) -> list[Token]:
    """The block tokens of a text (for the PDF, which lays out paragraphs, lists and headings itself)."""
    parser = MarkdownIt("commonmark", {"html": False})
    parser.enable(["table", "strikethrough"])
    return parser.parse(text)


def conflict_markers_present(text: str) -> bool:
    return CONFLICT_MARKERS.search(text) is not None


# Markdown source for any renderer (document.md is downloaded and opened in viewers we do not control,
# some with raw HTML on). Plain-text fields are escaped; moderators' conclusions keep their Markdown.

# The ASCII punctuation that starts a link, an image, emphasis, code, raw HTML, an entity, a table cell or
# (in some renderers) attributes; CommonMark lets each be escaped with a backslash, so the text shows
# exactly as typed. A `#` matters only at the start of a line.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~&]|^\s*#)", re.MULTILINE)
# A link or image destination (inline) and a link reference definition's, where a renderer makes a link.
# Up to the line's end or a parenthesis, spaces included: a lenient renderer may read `java script:`.
_INLINE_DESTINATION = re.compile(r"\]\(\s*((?:\\.|[^)\\\n])*)")
_REFERENCE_DESTINATION = re.compile(r"\]:\s*((?:\\.|[^\\\n])*)")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto"})


def markdown_text_escape(text: str, *, one_line: bool = False) -> str:
    """A plain text (a title, a proposal, a theme's name) as Markdown that shows it as typed."""
    if one_line:
        text = " ".join(text.split())
    return _MARKDOWN_SPECIAL.sub(lambda match: match.group(0)[:-1] + "\\" + match.group(0)[-1], text)


def link_target_safe(destination: str) -> bool:
    """Whether a link's target is a page (http, https, mailto, or relative), judged as a browser reads
    it: entities decoded, backslash escapes and the whitespace and control characters that browsers drop
    from a URL removed."""
    target = html.unescape(destination)
    target = re.sub(r"\\(.)", r"\1", target)
    target = "".join(char for char in target if char > " " and char != "\x7f").lstrip("<").lower()
    scheme = _SCHEME.match(target)
    return scheme is None or scheme.group(1) in SAFE_LINK_SCHEMES


def markdown_source_safe(text: str) -> str:
    """Moderators' Markdown for any renderer: raw HTML and autolinks become text (`<` as an entity), and a
    link, image or reference definition whose target is not a page (javascript:, data:, vbscript:...)
    stays as visible text instead of a link."""
    text = text.replace("<", "&lt;")

    def inline(match: re.Match) -> str:
        if link_target_safe(match.group(1)):
            return match.group(0)
        return "]\\(" + match.group(0)[2:]

    def reference(match: re.Match) -> str:
        if link_target_safe(match.group(1)):
            return match.group(0)
        return "\\]:" + match.group(0)[2:]

    return _REFERENCE_DESTINATION.sub(reference, _INLINE_DESTINATION.sub(inline, text))
