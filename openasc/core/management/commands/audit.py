"""`openasc audit verify`: walk the audit trail's hash chain (ADR 0008)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from openasc.core import audit


class Command(BaseCommand):
    help = "The audit trail: `verify` walks its hash chain in id order and reports the first broken link."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser(
            "verify", help="check every event's hashes, in id order (exit 1 at a broken link)"
        )
        verify.add_argument("--batch", type=int, default=20000, help="events read at a time (default 20000)")
        verify.add_argument("--all", action="store_true", help="report every broken link, not only the first")
        verify.add_argument(
            "--anchor",
            metavar="ID:HASH",
            action="append",
            default=[],
            help="a head printed by an earlier verify, kept elsewhere: event ID must still have "
            "row_hash HASH (detects rows cut off the end of the chain)",
        )
        verify.add_argument("--progress", action="store_true", help="print a line per batch on stderr")

    def handle(self, *args, **options):
        if options["subcommand"] == "verify":
            self.verify(options)

    def verify(self, options):
        anchors = {}
        for text in options["anchor"]:
            pk, _, digest = text.partition(":")
            if not pk.isdigit() or len(digest) != 64:
                raise CommandError(f"--anchor {text!r}: expected ID:HASH (a 64-character SHA-256 in hex)")
            anchors[int(pk)] = digest
        broken = 0
        count, head = 0, None
        seen: dict[int, str] = {}
        for count, pk, problem in audit.verify(batch=options["batch"]):
            if problem:
                broken += 1
                self.stdout.write(f"BROKEN at event {pk} (event {count} in id order): {problem}")
                if not options["all"]:
                    sys.exit(1)
            else:
                head = pk
                if options["progress"]:
                    self.stderr.write(f"{count} events checked")
        if anchors:
            from openasc.core.models import AuditEvent

            seen = dict(AuditEvent.objects.filter(pk__in=list(anchors)).values_list("pk", "row_hash"))
            for pk, digest in anchors.items():
                if seen.get(pk) != digest:
                    broken += 1
                    found = "is missing" if pk not in seen else f"has row_hash {seen[pk]}"
                    self.stdout.write(
                        f"BROKEN at event {pk}: the anchor expects row_hash {digest}; the event {found}"
                    )
        if broken:
            self.stdout.write(f"{count} events, {broken} broken link(s)")
            sys.exit(1)
        if head is None:
            self.stdout.write("0 events, chain intact")
            return
        from openasc.core.models import AuditEvent

        last = AuditEvent.objects.filter(pk=head).values_list("row_hash", flat=True).first()
        self.stdout.write(f"{count} events, chain intact (head {head}:{last})")
