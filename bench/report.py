"""Turn `make bench` output (JSON lines) into the Markdown tables of docs/performance.md.

python -m bench.report test-artifacts/bench.jsonl
"""

import json
import sys
from pathlib import Path

COLUMNS = [
    ("scenario", "scenario"),
    ("clients", "clients"),
    ("processes", "processes"),
    ("layer", "layer"),
    ("events", "events"),
    ("p50_ms", "p50 ms"),
    ("p95_ms", "p95 ms"),
    ("p99_ms", "p99 ms"),
    ("max_ms", "max ms"),
    ("ack_p50_ms", "ack p50 ms"),
    ("lost", "lost"),
    ("reordered", "reordered"),
    ("baseline_p99_ms", "baseline p99 ms"),
    ("p99_ratio", "p99 ratio"),
]


def fanout_table(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(title for _key, title in COLUMNS) + " |", "|" + " --- |" * len(COLUMNS)]
    for row in rows:
        lines.append("| " + " | ".join(str(row.get(key, "")) for key, _title in COLUMNS) + " |")
    return "\n".join(lines)


def main() -> None:
    rows = [json.loads(line) for line in Path(sys.argv[1]).read_text().splitlines() if line.startswith("{")]
    fanout = [row for row in rows if row["scenario"] in {"fanout", "burst"}]
    print(fanout_table(fanout))
    for row in rows:
        if row["scenario"] == "pageweight":
            foreign = len(row["third_party_requests"])
            print(
                f"\nParticipant screen: {row['bytes']:,} bytes in {row['requests']} requests "
                f"(target under {row['target_bytes']:,}); requests to other hosts: {foreign}."
            )


if __name__ == "__main__":
    main()
