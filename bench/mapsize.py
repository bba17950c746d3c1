"""How many bytes an `opinions.updated` event's map carries to each connection, for real Polis
conversations: the whole map as staff get it, and the public map (without each proposal's place and
figures, which only the console draws). One JSON line per conversation.

    python -m bench.mapsize [--polis ../shared/polis-open-data]
"""

import argparse
import json
import secrets
from pathlib import Path

from deliberation.analysis.opinions import opinion_groups, polis_votes_read

ROOT = Path(__file__).resolve().parents[1]


def map_sizes(votes_csv: Path) -> dict:
    groups = opinion_groups(polis_votes_read(str(votes_csv)))
    # As services/analysis.py stores it: anonymous points with a 12-character key each.
    whole = {
        "k": groups["k"],
        "participants_in": groups["participants_in"],
        "groups": [{**group, "actor_types": {}} for group in groups["groups"]],
        "points": sorted(
            [*place["position"], place["group"], secrets.token_hex(6)] for place in groups["people"].values()
        ),
        "proposals": {str(key): value for key, value in groups["proposals"].items()},
        "consensus": groups["consensus"],
        "divisive": groups["divisive"],
    }
    public = {key: value for key, value in whole.items() if key != "proposals"}

    def size(opinions: dict) -> int:
        data = {"question": 1, "opinions": opinions, "balance": None}
        frame = {"seq": 1, "kind": "opinions.updated", "data": data}
        return len(json.dumps(frame, ensure_ascii=False, separators=(",", ":")).encode())

    return {
        "bench": "mapsize",
        "conversation": votes_csv.parent.name,
        "people_on_map": len(whole["points"]),
        "proposals": len(whole["proposals"]),
        "staff_bytes": size(whole),
        "public_bytes": size(public),
        "points_bytes": len(json.dumps(whole["points"], separators=(",", ":"))),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--polis", default=str(ROOT.parent / "shared" / "polis-open-data"))
    arguments = parser.parse_args(argv)
    for votes in sorted(Path(arguments.polis).glob("*/votes.csv")):
        print(json.dumps(map_sizes(votes)), flush=True)


if __name__ == "__main__":
    main()
