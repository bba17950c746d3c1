"""Where a vote's time goes, statement by statement: cast votes through the vote service on a fresh
database (no server, no sockets) and time every SQL statement it sends. Prints one JSON line per mode.

    python -m bench.votepath [--database sqlite|postgres] [--votes 400] [--batch 1 --batch 100]

Modes: `single` calls `vote_cast` once per vote (what each command did before issue 17); `batch B`
hands B votes at a time to `votes_cast` (what the process's vote queue does under load). Each vote
changes that person's vote, so each writes an event. The question carries an opinion map the size a
live room of `--people` has (`--opinions-kb`), as it does once the analysis has run."""

import argparse
import asyncio
import json
import os
import random
import re
import threading
import time
from collections import defaultdict

from tests.support.servers import postgres_redis_database, sqlite_database

CODE = "VOTEPATH"
# One label per statement shape: the verb and the table(s) it reads or writes.
TABLE = re.compile(r'(?:FROM|INTO|UPDATE|JOIN)\s+"?(\w+)"?', re.IGNORECASE)


def _label(sql: str) -> str:
    verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
    tables = []
    for table in TABLE.findall(sql):
        short = table.removeprefix("deliberation_")
        if short not in tables:
            tables.append(short)
    suffix = " FOR UPDATE" if "FOR UPDATE" in sql.upper() else ""
    return f"{verb} {'+'.join(tables)}{suffix}".strip()


class StatementClock:
    def __init__(self) -> None:
        self.count: dict[str, int] = defaultdict(int)
        self.seconds: dict[str, float] = defaultdict(float)

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            label = _label(sql)
            self.count[label] += 1
            self.seconds[label] += time.perf_counter() - started


def _setup(people: int, opinions_kb: int):
    from deliberation.models import Participant, Proposal, Question, QuestionState, Roundtable

    roundtable = Roundtable.objects.get(code=CODE)
    question = Question.objects.filter(roundtable=roundtable).order_by("order").first()
    question.state = QuestionState.VOTING
    # An opinion map of about the size a live room's analysis stores (points and proposal places).
    points = [
        [round(random.uniform(-1, 1), 4), round(random.uniform(-1, 1), 4), f"{n:016x}"] for n in range(people)
    ]
    question.opinions = {"points": points[: max(1, opinions_kb * 1024 // 40)], "groups": []}
    question.save()
    seats = Participant.objects.bulk_create(
        Participant(roundtable=roundtable, display_name=f"P{n}", actor_type="sme", language="en")
        for n in range(people)
    )
    proposals = Proposal.objects.bulk_create(
        Proposal(question=question, author=seats[n], text=f"Proposal {n}", language="en") for n in range(20)
    )
    return roundtable, seats, proposals


def _measure(label: str, votes: list, cast) -> dict:
    from django.db import connection

    clock = StatementClock()
    connection.ensure_connection()
    commit = connection._commit

    def timed_commit():
        # A commit is not a statement Django executes, but it is a round trip (and a WAL flush).
        started = time.perf_counter()
        try:
            return commit()
        finally:
            clock.count["COMMIT"] += 1
            clock.seconds["COMMIT"] += time.perf_counter() - started

    connection._commit = timed_commit
    started = time.perf_counter()
    try:
        with connection.execute_wrapper(clock):
            cast(votes)
    finally:
        connection._commit = commit
    wall = time.perf_counter() - started
    sql = sum(clock.seconds.values())
    n = len(votes)
    return {
        "mode": label,
        "votes": n,
        "ms_per_vote": round(wall * 1000 / n, 3),
        "votes_per_s": round(n / wall, 1),
        "sql_ms_per_vote": round(sql * 1000 / n, 3),
        # Python: the ORM building statements and reading rows, the service's own work, serialising.
        "python_ms_per_vote": round((wall - sql) * 1000 / n, 3),
        "statements_per_vote": round(sum(clock.count.values()) / n, 2),
        "statements": {
            key: {
                "per_vote": round(clock.count[key] / n, 3),
                "ms_per_vote": round(clock.seconds[key] * 1000 / n, 3),
            }
            for key in sorted(clock.seconds, key=clock.seconds.get, reverse=True)
        },
    }


def run(args: argparse.Namespace) -> list[dict]:
    import django

    database = postgres_redis_database if args.database == "postgres" else sqlite_database
    results = []
    with database(("--code", CODE, "--capacity", str(args.people + 10), "--open-registration")) as env:
        os.environ.update({k: v for k, v in env.items() if k in {"DATABASE_URL", "REDIS_URL", "SQLITE_PATH"}})
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roundtable.settings")
        django.setup()
        from deliberation.services import events as event_services
        from deliberation.services import votes as vote_services

        # As in a server: publishing after commit is handed to a running event loop (here on a thread
        # of its own), so the command's thread does not wait for the channel layer.
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, daemon=True).start()
        event_services.event_publishing_bind(loop=loop)

        roundtable, seats, proposals = _setup(args.people, args.opinions_kb)
        rng = random.Random(1)
        last: dict[tuple[int, int], str] = {}

        def plan(count: int) -> list[tuple[int, int, str]]:
            planned = []
            for _ in range(count):
                seat, proposal = rng.choice(seats).pk, rng.choice(proposals).pk
                choice = rng.choice(
                    [c for c in ("agree", "disagree", "pass") if c != last.get((seat, proposal))]
                )
                last[(seat, proposal)] = choice
                planned.append((seat, proposal, choice))
            return planned

        counter = iter(range(10**9))

        def single(votes):
            for seat, proposal, choice in votes:
                vote_services.vote_cast(
                    roundtable_id=roundtable.pk,
                    participant_id=seat,
                    proposal_id=proposal,
                    choice=choice,
                    command_id=f"v{next(counter)}",
                )

        results.append({"database": args.database, **_measure("single", plan(args.votes), single)})
        votes_cast = getattr(vote_services, "votes_cast", None)
        for size in args.batch:
            if votes_cast is None:
                break

            def batched(votes, size=size):
                for start in range(0, len(votes), size):
                    requests = [
                        vote_services.VoteRequest(
                            participant_id=seat,
                            proposal_id=proposal,
                            choice=choice,
                            command_id=f"v{next(counter)}",
                        )
                        for seat, proposal, choice in votes[start : start + size]
                    ]
                    outcomes = votes_cast(roundtable_id=roundtable.pk, votes=requests)
                    assert all(outcome.seq is not None for outcome in outcomes), outcomes

            results.append(
                {"database": args.database, **_measure(f"batch {size}", plan(args.votes), batched)}
            )
        from django.db import connections

        connections.close_all()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--votes", type=int, default=400)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--opinions-kb", type=int, default=40)
    parser.add_argument("--batch", type=int, action="append", default=None)
    args = parser.parse_args(argv)
    args.batch = args.batch or [100]
    for result in run(args):
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
