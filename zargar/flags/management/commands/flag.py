"""`manage.py flag NAME [--kill | --revive | --on | --off | --rules] [--reason TEXT] [--by EMAIL]`

Shows a feature flag's state, or changes it through `zargar.flags.services` (history and audit
event included) — the kill switch from a shell when the operator panel is out of reach. Exits
non-zero with one line for an unknown flag or account.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zargar.accounts.models import User
from zargar.flags import services
from zargar.flags.models import Flag

ACTIONS = {"kill": "--kill", "revive": "--revive", "on": "--on", "off": "--off", "rules": "--rules"}


class Command(BaseCommand):
    help = "Show a feature flag, or switch it: --kill, --revive, --on, --off (for everyone), --rules."

    def add_arguments(self, parser):
        parser.add_argument("name")
        group = parser.add_mutually_exclusive_group()
        for action, option in ACTIONS.items():
            group.add_argument(option, dest="action", action="store_const", const=action)
        parser.add_argument("--reason", default="", help="kept in the flag's history")
        parser.add_argument("--by", default="", help="email of the operator making the change")

    def handle(self, *args, name, action, reason, by, **options):
        flag = Flag.objects.filter(name=name).first()
        if flag is None:
            raise CommandError(f"no feature flag named {name!r}")
        actor = None
        if by:
            actor = User.objects.filter(email__iexact=by).first()
            if actor is None:
                raise CommandError(f"no account with the address {by!r}")
        if action in ("kill", "revive"):
            flag = services.set_killed(flag, action == "kill", actor=actor, reason=reason)
        elif action:
            flag = services.set_everyone(flag, {"on": True, "off": False, "rules": None}[action], actor=actor, reason=reason)
        state = "killed" if flag.killed else {True: "on for everyone", False: "off for everyone"}.get(flag.everyone, "targeted")
        self.stdout.write(f"{flag.name}: {state}; {len(flag.shop_ids())} shops, {flag.shop_percent}% of shops, roles {', '.join(flag.roles) or '-'}")
