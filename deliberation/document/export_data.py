"""The document's data for re-analysis: per question, proposals and votes in Polis's export format
(comments.csv, votes.csv: what `import_polis` and Polis's own tools read), the themes engine's input
(proposals.jsonl), and a zip bundle with the algorithm settings used, so anyone can re-compute the themes
and opinion groups and check them."""

import datetime
import io
import json
import zipfile
from typing import Any

from deliberation.csv_safe import CsvSafeWriter
from deliberation.document.export_markdown import document_markdown

POLIS_VOTE = {"agree": 1, "disagree": -1, "pass": 0}
COMMENTS_HEADER = [
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "comment-body",
]
VOTES_HEADER = ["timestamp", "datetime", "comment-id", "voter-id", "vote"]


def _polis_time(value: str) -> tuple[int, str]:
    moment = datetime.datetime.fromisoformat(value).astimezone(datetime.UTC)
    return int(moment.timestamp() * 1000), moment.strftime("%a %b %d %H:%M:%S UTC %Y")


def _question(document: dict[str, Any], order: int) -> dict[str, Any]:
    for question in document["questions"]:
        if question["order"] == order:
            return question
    raise KeyError(order)


def polis_comments_csv(document: dict[str, Any], order: int) -> str:
    """One question's proposals as Polis's comments.csv; authors as the document's per-question author
    pseudonyms (blank on an anonymous question). Text cells cannot start a spreadsheet formula."""
    out = io.StringIO()
    writer = CsvSafeWriter(out, lineterminator="\n")
    writer.writerow(COMMENTS_HEADER)
    for proposal in _question(document, order)["proposals"]:
        stamp, text = _polis_time(proposal["created_at"])
        writer.writerow(
            [
                stamp,
                text,
                proposal["id"],
                document["authors"].get(str(proposal["id"])) or "",
                proposal["tally"]["agree"],
                proposal["tally"]["disagree"],
                1,  # accepted: only visible proposals are in the document
                proposal["text"],
            ]
        )
    return out.getvalue()


def polis_votes_csv(document: dict[str, Any], order: int) -> str:
    """One question's votes as Polis's votes.csv (agree 1, disagree -1, pass 0), latest vote per person;
    voter-id is the per-question voter pseudonym, unrelated to any author-id."""
    ids = {proposal["id"] for proposal in _question(document, order)["proposals"]}
    out = io.StringIO()
    writer = CsvSafeWriter(out, lineterminator="\n")
    writer.writerow(VOTES_HEADER)
    for vote in document["votes"]:
        if vote["proposal"] in ids:
            stamp, text = _polis_time(vote["at"])
            writer.writerow([stamp, text, vote["proposal"], vote["voter"], POLIS_VOTE[vote["choice"]]])
    return out.getvalue()


def themes_input_jsonl(document: dict[str, Any], order: int) -> str:
    """The input of `python -m deliberation.analysis.themes`, with each proposal's language as a hint."""
    return "".join(
        json.dumps(
            {"id": proposal["id"], "text": proposal["text"], "lang": proposal["language"]}, ensure_ascii=False
        )
        + "\n"
        for proposal in _question(document, order)["proposals"]
    )


def document_json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


BUNDLE_README = """Roundtable: re-analysis bundle
===============================

document.json   the whole structured document (schema: document.schema.json)
document.md     the same document, readable
settings.json   the algorithm settings used for themes and opinion groups
q<N>/comments.csv, q<N>/votes.csv
                question N's proposals and votes in Polis's export format
                (votes: agree 1, disagree -1, pass 0; voter-id and author-id are random
                pseudonyms drawn per question: a voter-id is the same for one person's
                votes in that question and never equals an author-id; an anonymous
                question has no author-id; a text cell that would start a spreadsheet
                formula begins with an apostrophe)
q<N>/proposals.jsonl
                question N's proposals as the themes engine reads them
record/chain.json
                the roundtable's hash-chained event log: algorithm, genesis, the head the
                document states it was built from, and the last event when this was made
record/events.jsonl
                every event of that log, one per line: seq, kind, hash, the digests of
                its parts, and the records needed to recompute the document's figures
                (ballots under per-question pseudonyms, room-check answers, proposals'
                status and text, merges, erasures), each with its salt

Check the record and recompute every figure of the document from it (no database needed):

    python -m deliberation.verify bundle.zip

Re-compute, with Roundtable installed (pip install -e . in its repository):

    python -m deliberation.analysis.opinions q1/votes.csv
    python -m deliberation.analysis.themes q1/proposals.jsonl

The opinion groups follow Pol.is's method and can also be re-computed with Polis's own tools from the
CSV files. Theme vectors depend on the encoder named in settings.json.
"""


def document_bundle(
    document: dict[str, Any], *, language: str, schema: str, record: dict[str, Any] | None = None
) -> bytes:
    """The zip; `record` is the public event log (document/record.py), when the roundtable has one."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("README.txt", BUNDLE_README)
        bundle.writestr("document.json", document_json(document))
        bundle.writestr("document.schema.json", schema)
        bundle.writestr("document.md", document_markdown(document, language))
        bundle.writestr(
            "settings.json", json.dumps(document["algorithms"], ensure_ascii=False, indent=2) + "\n"
        )
        for question in document["questions"]:
            order = question["order"]
            bundle.writestr(f"q{order}/comments.csv", polis_comments_csv(document, order))
            bundle.writestr(f"q{order}/votes.csv", polis_votes_csv(document, order))
            bundle.writestr(f"q{order}/proposals.jsonl", themes_input_jsonl(document, order))
        if record is not None:
            bundle.writestr("record/chain.json", json.dumps(record["chain"], indent=2) + "\n")
            bundle.writestr(
                "record/events.jsonl",
                "".join(
                    json.dumps(event, ensure_ascii=False, sort_keys=True) + "\n" for event in record["events"]
                ),
            )
    return buffer.getvalue()
