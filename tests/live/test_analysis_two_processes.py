"""Themes and opinion groups, live across two Daphne processes on PostgreSQL and Redis: people on both
processes submit proposals in three languages and vote; both processes look for due analyses every 50 ms;
every client sees the themes and groups arrive in order, a person sees their own group and nobody
else's, and a moderator's curation survives the runs that follow."""

import asyncio

import psycopg

from tests.support.room_live import command, events_until, open_socket, room_fill
from tests.support.servers import daphne_servers, http_join, organizer_login, postgres_redis_database

IDEAS = [
    ("Create a joint investment fund for local projects", "en"),
    ("Crear un fondo común de inversión para proyectos locales", "es"),
    ("Créer un fonds d'investissement commun pour les projets locaux", "fr"),
    ("Publish all partnership data openly on a shared platform", "en"),
    ("Publicar en abierto todos los datos de la alianza", "es"),
    ("Publier en open data toutes les données du partenariat", "fr"),
    ("Universities should train local officials in project management", "en"),
    ("Las universidades deberían formar a los funcionarios locales", "es"),
]


def latest(seen: list[dict], kind: str) -> dict | None:
    matching = [event for event in seen if event["kind"] == kind]
    return matching[-1]["data"] if matching else None


def test_themes_and_opinion_groups_reach_everyone_and_curation_survives_reruns():
    with postgres_redis_database() as env:
        env = {**env, "ROUNDTABLE_TIMER_TICK_SECONDS": "0.05", "ROUNDTABLE_ANALYSIS_INTERVAL_SECONDS": "0.5"}
        with daphne_servers(env, count=2) as (first, second):
            organizer = organizer_login(env, first.base_url)
            people = [
                http_join(server.base_url, "LED111", name=name, actor_type=actor, language=language)
                for server, name, actor, language in [
                    (first, "Ana", "government-local", "en"),
                    (second, "Beto", "academia-research", "es"),
                    (first, "Chloé", "civil-society", "fr"),
                    (second, "Dana", "sme", "en"),
                ]
            ]

            async def scenario():
                mo, snapshot = await open_socket(first, organizer)
                question = snapshot["questions"][0]["id"]
                await command(
                    mo, {"type": "question.phase", "id": "open", "question": question, "state": "collecting"}
                )
                sockets = [
                    await open_socket(server, cookie)
                    for server, cookie in zip([first, second] * 2, people, strict=True)
                ]
                # Ana and Chloé agree with the first half of the ideas, Beto and Dana with the second.
                # Runs may finish while people are still voting: what each socket got meanwhile counts.
                received: dict[int, list[dict]] = {}
                proposal_ids = await room_fill(
                    sockets=[socket for socket, _ in sockets],
                    question=question,
                    ideas=[text for text, _ in IDEAS],
                    agree_first_half=[True, False, True, False],
                    seen=received,
                )

                def complete(seen):
                    themes = latest(seen, "themes.updated")
                    opinions = latest(seen, "opinions.updated")
                    covered = {
                        member for theme in (themes or {}).get("themes", []) for member in theme["proposals"]
                    }
                    return (
                        covered == set(proposal_ids)
                        and opinions
                        and opinions["opinions"]
                        and opinions["opinions"]["participants_in"] == 4
                    )

                watched = await asyncio.gather(
                    events_until(mo, complete),
                    *[
                        events_until(socket, complete, earlier=received.get(index, []))
                        for index, (socket, _) in enumerate(sockets)
                    ],
                )
                themes = latest(watched[0], "themes.updated")["themes"]
                # The fund idea in three languages is one theme.
                fund = next(theme for theme in themes if proposal_ids[0] in theme["proposals"])
                assert {proposal_ids[1], proposal_ids[2]} <= set(fund["proposals"])
                for seen in watched:
                    seqs = [event["seq"] for event in seen]
                    assert seqs == sorted(set(seqs)), "every seq once, in order"
                # Each person sees their own group; the staff and public data hold nobody's.
                # Each person finds their own point by the key their snapshot alone gave them; the
                # map names nobody, and no event carries a private copy of it.
                groups = []
                for (_, snapshot), seen in zip(sockets, watched[1:], strict=True):
                    key = snapshot["me"]["opinion_keys"][str(question)]
                    points = latest(seen, "opinions.updated")["opinions"]["points"]
                    [own] = [point for point in points if point[3] == key]
                    groups.append(own[2])
                assert groups[0] == groups[2] != groups[1] == groups[3]
                assert len({snapshot["me"]["opinion_keys"][str(question)] for _, snapshot in sockets}) == 4
                assert "people" not in latest(watched[0], "opinions.updated")["opinions"]

                # A moderator names the fund theme and locks it; later runs keep both.
                await command(
                    mo,
                    {
                        "type": "theme.rename",
                        "id": "r1",
                        "question": question,
                        "theme": fund["number"],
                        "name": "Common fund",
                    },
                )
                await command(
                    mo,
                    {
                        "type": "theme.lock",
                        "id": "l1",
                        "question": question,
                        "theme": fund["number"],
                        "locked": True,
                    },
                )
                await command(
                    sockets[3][0],
                    {
                        "type": "proposal.submit",
                        "id": "late",
                        "question": question,
                        "text": "Un fonds régional pour les petites communes",
                    },
                )
                after = await events_until(
                    mo,
                    lambda seen: any(
                        e["kind"] == "themes.updated" and e["data"]["action"] == "recompute" for e in seen
                    ),
                )
                final = {theme["number"]: theme for theme in latest(after, "themes.updated")["themes"]}
                assert final[fund["number"]]["name"] == "Common fund"
                assert final[fund["number"]]["locked"] is True
                assert final[fund["number"]]["proposals"] == fund["proposals"]
                for socket, _ in sockets:
                    await socket.close()
                await mo.close()

            asyncio.run(scenario())

        with psycopg.connect(env["DATABASE_URL"]) as connection:
            due = connection.execute(
                "SELECT count(*) FROM deliberation_question WHERE analysis_due_at IS NOT NULL"
            ).fetchone()
            vectors = connection.execute(
                "SELECT count(*), count(vector) FROM deliberation_proposal WHERE status = 'visible'"
            ).fetchone()
        assert due == (0,), "every requested run was claimed and done"
        assert vectors[0] == vectors[1] == len(IDEAS) + 1, "each proposal embedded once and stored"
