"""Production settings pass `check --deploy`; every setting read from the environment is
documented in .env.example; the README's two commands and CI's script are wired together."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ZARGAR_SECURE", "ZARGAR_SSL", "ZARGAR_HSTS"))}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="zargar.example.com",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://zargar.example.com",
        DATABASE_URL=settings.DATABASE_URL,
        ZARGAR_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output


def test_production_refuses_a_missing_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_ENV="production", DATABASE_URL=settings.DATABASE_URL, ZARGAR_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def _settings_env_names() -> set[str]:
    source = (ROOT / "zargar" / "settings.py").read_text()
    names = set(re.findall(r"""\benv(?:_bool|_list)?\(\s*["']([A-Z][A-Z0-9_]+)["']""", source))
    names |= set(re.findall(r"""os\.environ\.get\(\s*["']([A-Z][A-Z0-9_]+)["']""", source))
    for prefix in re.findall(r"""\(\s*"[a-z]+",\s*"([A-Z]+)"\s*\)""", source):  # social providers
        names |= {f"{prefix}_CLIENT_ID", f"{prefix}_CLIENT_SECRET"}
    return names


def test_every_environment_setting_is_documented_in_env_example():
    names = _settings_env_names()
    assert {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "GOOGLE_CLIENT_ID"} <= names  # the parser works
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert sorted(names - documented) == []


def test_readme_commands_and_ci_script():
    readme = (ROOT / "README.md").read_text()
    assert "./ops/run" in readme and "./ops/test" in readme
    for script in ("ops/run", "ops/test", ".ci/run"):
        path = ROOT / script
        assert os.access(path, os.X_OK), f"{script} is not executable"
        assert subprocess.run(["bash", "-n", str(path)]).returncode == 0, f"{script} has a syntax error"
    ci = (ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in ci
    assert re.search(r"^\s*(exec\s+)?\./ops/test\s*$", ci, re.M), "CI must run the README's test command as is"
