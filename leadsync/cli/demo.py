"""`leadsync demo`: the first thing a newcomer runs (`make demo`).

Until the sync engine lands it shows what exists: the shipped definitions applied to a
bundled sample of people — reference grid, French titles, the fit gate, the content
collector, recycling, manual stages — with the funnel they produce.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from importlib.resources import files

from leadsync.cli.evaluate import Evaluated, evaluated_people, people_document, people_table
from leadsync.cli.output import Format, FormatOption, print_json, print_table
from leadsync.definitions import load_definitions

SAMPLE_AS_OF = datetime(2026, 11, 23, 12, tzinfo=UTC)
"""The sample's activities are dated around this instant, so the demo always tells the same story."""


def demo(fmt: FormatOption = Format.TABLE) -> None:
    """Show the shared definitions at work on a sample of people."""
    definitions = load_definitions()
    lines = (files("leadsync.samples") / "people.jsonl").read_text(encoding="utf-8-sig").split("\n")
    evaluated = evaluated_people(lines, definitions, SAMPLE_AS_OF)
    people = [item for item in evaluated if isinstance(item, Evaluated)]
    funnel = Counter((str(item.decision.stage), str(item.decision.temperature)) for item in people)
    if fmt is Format.JSON:
        print_json(
            {
                "people": len(people),
                "as_of": SAMPLE_AS_OF.isoformat(),
                "decisions": [people_document(item, definitions) for item in people],
                "funnel": [
                    {"stage": s, "temperature": t, "people": n} for (s, t), n in sorted(funnel.items())
                ],
            }
        )
        return
    people_table(people, definitions, SAMPLE_AS_OF)
    print_table(
        "Funnel (people per stage and temperature)",
        ("stage", "temperature", "people"),
        ((stage, temperature, count) for (stage, temperature), count in sorted(funnel.items())),
    )
