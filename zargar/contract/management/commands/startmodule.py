"""`python manage.py startmodule <key> [--dir plugins/] [--model Name] [--title "Title"]`

Scaffolds a separately installable Zargar module package, `<dir>/zargar-<key>/`:

- `pyproject.toml` with the `zargar.modules` entry point `<key> = "zargar_<key>.apps:<Key>Config"`;
- `zargar_<key>/apps.py`: the `ModuleConfig` and its manifest — a menu entry, two permissions
  (view: viewer; add: member), the panel URLconf, an API route, the tasks module and a beat entry;
- `models.py`: one `TenantModel` (name, notes, created at/by) and `migrations/0001_initial.py`
  with its table and Row-Level Security policy (what `makemigrations` writes);
- `actions.py`, `selectors.py`, `forms.py`, `views.py` + `urls.py` (a list/search/add panel page
  extending the panel layout, HTMX table swaps), `api.py` (a `TenantModelViewSet`), `tasks.py`
  (a `tenant_task` and its daily fan-out);
- `tests/test_<key>.py`, which passes as generated (menu, roles, API scoping, RLS, tasks);
- `README.md`.

Install it with `pip install -e <dir>/zargar-<key>`, then `manage.py migrate`.

Refused, with one line on stderr and exit status 1 (nothing written): a key that does not match
`[a-z][a-z0-9_]{1,39}`, is reserved by the core, is already an installed app label, or whose
package `zargar_<key>` is already importable; a `--model` that is not a CamelCase identifier;
a target folder that already exists; a `--dir` that is not a writable folder.
"""

from __future__ import annotations

import importlib.util
import keyword
import os
import re
import shutil
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zargar.contract.discovery import RESERVED_KEYS
from zargar.contract.manifest import _KEY_RE

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "module_template"
TEMPLATE_SUFFIX = ".tmpl"
_MODEL_RE = re.compile(r"^[A-Z][A-Za-z0-9]{0,59}$")
_MARKER = re.compile(r"@@([A-Za-z_]+)@@")


def default_model_name(key: str) -> str:
    """CamelCase of the key, a trailing plural "s" dropped: "gift_cards" -> "GiftCard"."""
    words = [w for w in key.split("_") if w]
    if words and len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    return "".join(w[:1].upper() + w[1:] for w in words)


def core_requires(version: str) -> str:
    """The supported core range for a module made against `version`: this minor and on, up to
    the next major ("0.1.0" -> ">=0.1,<1.0")."""
    parts = (version.split(".") + ["0", "0"])[:2]
    major, minor = int(parts[0]), int(re.match(r"\d+", parts[1]).group())
    return f">={major}.{minor},<{major + 1}.0"


def placeholders(key: str, model: str, title: str) -> dict[str, str]:
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", model).lower()
    from zargar import __version__

    return {
        "key": key,
        "package": f"zargar_{key}",
        "dist": f"zargar-{key.replace('_', '-')}",
        "Config": "".join(w[:1].upper() + w[1:] for w in key.split("_") if w) + "Config",
        "Model": model,
        "model": model.lower(),
        "table": f"{key}_{model.lower()}",
        "Title": title,
        "title": title.lower(),
        "verbose": words,
        "core_requires": core_requires(__version__),
    }


def render(text: str, values: dict[str, str], source: str) -> str:
    def substitute(match):
        name = match.group(1)
        if name not in values:
            raise CommandError(f"module template {source} uses an unknown placeholder @@{name}@@")
        return values[name]

    return _MARKER.sub(substitute, text)


def scaffold(target: Path, values: dict[str, str]) -> list[Path]:
    """Write the rendered template tree into `target` (which must not exist): built in a
    temporary folder beside it and renamed into place, so a failure leaves nothing behind."""
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    written = []
    try:
        for source in sorted(TEMPLATE_DIR.rglob(f"*{TEMPLATE_SUFFIX}")):
            relative = render(str(source.relative_to(TEMPLATE_DIR))[: -len(TEMPLATE_SUFFIX)], values, str(source))
            destination = staging / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_text(render(source.read_text(encoding="utf-8"), values, str(source)), encoding="utf-8")
            written.append(target / relative)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written


class Command(BaseCommand):
    help = "Create a separately installable Zargar module package (pyproject, manifest, model + RLS, panel page, API, task, tests)."

    requires_system_checks = []  # scaffolding needs no database and must work with a broken one

    def add_arguments(self, parser):
        parser.add_argument("key", help="The module key: [a-z][a-z0-9_]{1,39}, e.g. repairs.")
        parser.add_argument("--dir", default=str(settings.BASE_DIR / "plugins"), help="Folder to create zargar-<key>/ in (default: plugins/).")
        parser.add_argument("--model", default="", help="CamelCase name of the module's model (default: from the key).")
        parser.add_argument("--title", default="", help='Display name (default: from the key, e.g. "Gift cards").')

    def handle(self, *args, key: str, dir: str, model: str, title: str, **options):
        values = placeholders(self._check_key(key), self._check_model(model or default_model_name(key)), self._title(key, title))
        parent = Path(dir).expanduser()
        if not parent.is_dir():
            raise CommandError(f"--dir {dir!r} is not an existing folder.")
        if not os.access(parent, os.W_OK):
            raise CommandError(f"--dir {dir!r} is not writable.")
        target = parent.resolve() / values["dist"]
        if target.exists():
            raise CommandError(f"{target} already exists; choose another key or --dir.")
        try:
            scaffold(target, values)
        except OSError as exc:
            raise CommandError(f"Could not write {target}: {exc.strerror or exc}") from exc
        self.stdout.write(
            f"Created module {values['key']!r} in {target}\n"
            f"Next: .venv/bin/pip install -e {target} && .venv/bin/python manage.py migrate\n"
            f"      then switch it on for a shop at /app/modules/ and run its tests: .venv/bin/pytest {target / 'tests'}"
        )

    @staticmethod
    def _check_key(key: str) -> str:
        if not _KEY_RE.match(key):
            raise CommandError(f"Module key {key!r} must match [a-z][a-z0-9_]{{1,39}} (lowercase letters, digits, _).")
        if key in RESERVED_KEYS or keyword.iskeyword(key):
            raise CommandError(f"Module key {key!r} is reserved by the core; choose another key.")
        if key in {config.label for config in apps.get_app_configs()}:
            raise CommandError(f"Module key {key!r} is already an installed app label; choose another key.")
        if importlib.util.find_spec(f"zargar_{key}") is not None:
            raise CommandError(f"A package named zargar_{key} is already installed; choose another key.")
        return key

    @staticmethod
    def _check_model(model: str) -> str:
        if not _MODEL_RE.match(model) or keyword.iskeyword(model):
            raise CommandError(f"--model {model!r} must be a CamelCase Python identifier, e.g. Repair.")
        return model

    @staticmethod
    def _title(key: str, title: str) -> str:
        title = " ".join(title.split()) or key.replace("_", " ").strip().capitalize()
        if any(c in title for c in "\"'\\@{}%<>"):
            raise CommandError(f"--title {title!r} may not contain quotes, backslashes or @ {{ }} % < >.")
        return title
