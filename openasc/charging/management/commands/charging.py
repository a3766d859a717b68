"""`openasc charging calculate FILE.json`: one financial assessment, described as JSON, worked out with exactly the
code the pages use; the result as JSON on standard output (docs/charging.md, README). Exit 2 with every field that is
wrong when the assessment cannot be worked out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from openasc.charging import calc, inputs, rates


class Command(BaseCommand):
    help = "Financial assessment and charging. `calculate FILE.json` prints the weekly charge and its steps as JSON."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        calculate = sub.add_parser(
            "calculate", help="Work out one financial assessment from a JSON file (- for stdin)"
        )
        calculate.add_argument("file")

    def handle(self, *args, action: str, file: str, **options):
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except OSError as e:
            raise CommandError(f"Cannot read {file}: {e.strerror}", returncode=2) from e
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise CommandError(
                f"{file} is not JSON: {e.msg} at line {e.lineno} column {e.colno}", returncode=2
            ) from e
        try:
            assessment = inputs.parse(data)
            result = calc.assess(assessment, rates.rates_for(assessment.rates_year))
        except calc.AssessmentError as e:
            self.stderr.write(json.dumps({"errors": e.errors}, indent=2, ensure_ascii=False))
            raise CommandError(
                "The assessment cannot be worked out: see the errors above", returncode=2
            ) from e
        out = result.as_json()
        out["unconfirmed_rates"] = rates.unconfirmed(assessment.rates_year, result.rates_used)
        self.stdout.write(json.dumps(out, indent=2, ensure_ascii=False))
