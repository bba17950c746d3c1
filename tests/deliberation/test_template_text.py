"""No user-visible text in a template outside a translation tag: every text node, every attribute people
read (placeholder, title, alt, aria-label, a button's value), and every line of an email template is
either a `{% translate %}` / `{% blocktranslate %}` or comes from a variable. The product's name is the
one word allowed as is."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(
    [*(ROOT / "deliberation" / "templates").rglob("*.*"), *(ROOT / "roundtable" / "templates").rglob("*.*")]
)
READ_ATTRIBUTES = {"placeholder", "title", "alt", "aria-label", "aria-description", "aria-roledescription"}
WORDS = re.compile(r"[^\W\d_]{2,}")
ALLOWED = {"Roundtable"}  # the product's name, the same in every language
COMMENT_BLOCK = re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S)
TRANSLATED_BLOCK = re.compile(r"\{%\s*blocktrans(?:late)?\b.*?%\}.*?\{%\s*endblocktrans(?:late)?\s*%\}", re.S)
DJANGO = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)


def untranslated(text: str) -> list[str]:
    return [word for word in WORDS.findall(text) if word not in ALLOWED]


def template_source(path: Path) -> str:
    """The template with comments and translated or computed parts blanked (line numbers kept)."""
    source = path.read_text(encoding="utf-8")
    for pattern in (COMMENT_BLOCK, TRANSLATED_BLOCK, DJANGO):
        source = pattern.sub(lambda match: " " + "\n" * match.group(0).count("\n"), source)
    return source


class VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self.hidden_depth += 1
        values = dict(attrs)
        read = set(READ_ATTRIBUTES)
        if tag == "input" and values.get("type") in {"submit", "button", "reset"}:
            read.add("value")
        for name, value in attrs:
            if name in read and value and untranslated(value):
                self.found.append((self.getpos()[0], f'{name}="{value}"'))

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self.hidden_depth -= 1

    def handle_data(self, data):
        if not self.hidden_depth and untranslated(data):
            self.found.append((self.getpos()[0], data.strip()))


@pytest.mark.parametrize("path", TEMPLATES, ids=[str(path.relative_to(ROOT)) for path in TEMPLATES])
def test_template_shows_no_text_outside_a_translation_tag(path):
    source = template_source(path)
    if path.suffix == ".html":
        parser = VisibleText()
        parser.feed(source)
        found = parser.found
    else:  # email templates: plain text
        found = [(number, line) for number, line in enumerate(source.splitlines(), 1) if untranslated(line)]
    assert found == [], f"{path.name}: text outside a translation tag"


def test_the_check_finds_text_outside_a_translation_tag(tmp_path):
    sample = tmp_path / "sample.html"
    sample.write_text(
        '{% load i18n %}<p>{% translate "Fine" %}</p><p>Not translated</p><input placeholder="Type here">'
        "{% blocktranslate %}Also fine{% endblocktranslate %}<span>{{ value }}</span>",
        encoding="utf-8",
    )
    parser = VisibleText()
    parser.feed(template_source(sample))
    assert [text for _, text in parser.found] == ["Not translated", 'placeholder="Type here"']
