"""`manage.py startmodule`: refusals, and a generated module that installs, migrates, shows its
menu and passes its own generated tests — end to end, in subprocesses.

The install goes into a throw-away virtualenv layered over the project's (a `.pth` line adds the
project's site-packages), not into `.venv` itself: while the package is installed, every Django
process of that environment would discover it, so installing it into a shared `.venv` would
change other test runs on the machine. The migrations and the generated tests run against a copy
of this session's test database (`CREATE DATABASE … TEMPLATE`), dropped afterwards.
"""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connections

from zargar.contract.management.commands.startmodule import core_requires, default_model_name

BASE_DIR = Path(settings.BASE_DIR)
KEY = "probe_notes"


def test_bad_names_and_existing_folders_are_refused_with_one_line(tmp_path):
    for key, message in (
        ("Bad-Name", "must match"),
        ("x", "must match"),
        ("api", "reserved by the core"),
        ("inventory", "already an installed app label"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("startmodule", key, dir=str(tmp_path))
    with pytest.raises(CommandError, match="CamelCase"):
        call_command("startmodule", "repairs", dir=str(tmp_path), model="repair_job")
    with pytest.raises(CommandError, match="not an existing folder"):
        call_command("startmodule", "repairs", dir=str(tmp_path / "missing"))
    call_command("startmodule", "repairs", dir=str(tmp_path))
    with pytest.raises(CommandError, match="already exists"):
        call_command("startmodule", "repairs", dir=str(tmp_path))
    assert [p.name for p in tmp_path.iterdir()] == ["zargar-repairs"]  # nothing half-written beside it

    # From the shell: exit status 1 and one readable line.
    done = subprocess.run(
        [sys.executable, "manage.py", "startmodule", "Bad-Name", "--dir", str(tmp_path)],
        cwd=BASE_DIR, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == ["CommandError: Module key 'Bad-Name' must match [a-z][a-z0-9_]{1,39} (lowercase letters, digits, _)."]


def test_generated_files_and_names(tmp_path):
    call_command("startmodule", "gift_cards", dir=str(tmp_path))
    root = tmp_path / "zargar-gift-cards"
    pyproject = (root / "pyproject.toml").read_text()
    assert 'name = "zargar-gift-cards"' in pyproject
    assert '[project.entry-points."zargar.modules"]\ngift_cards = "zargar_gift_cards.apps:GiftCardsConfig"' in pyproject
    apps_py = (root / "zargar_gift_cards" / "apps.py").read_text()
    assert 'key="gift_cards"' in apps_py and f'core_requires="{core_requires("0.1.0")}"' in apps_py
    assert "class GiftCard(TenantModel)" in (root / "zargar_gift_cards" / "models.py").read_text()
    migration = (root / "zargar_gift_cards" / "migrations" / "0001_initial.py").read_text()
    assert "TenantIsolationPolicy(name='gift_cards_giftcard_tenant_isolation')" in migration
    assert '{% extends "panel/base.html" %}' in (root / "zargar_gift_cards" / "templates" / "gift_cards" / "giftcard_list.html").read_text()
    assert (root / "tests" / "test_gift_cards.py").exists() and (root / "README.md").exists()
    assert not [p for p in root.rglob("*") if p.is_file() and "@@" in p.read_text()]
    assert default_model_name("repairs") == "Repair" and default_model_name("glass") == "Glass"
    assert core_requires("0.1.0") == ">=0.1,<1.0" and core_requires("2.3.1") == ">=2.3,<3.0"


def _run(cmd, *, env, cwd=BASE_DIR, timeout=300):
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, cmd))} exited {done.returncode}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done.stdout


def _admin_connection(db_settings):
    return psycopg.connect(
        dbname="postgres", user=settings.DATABASE_OWNER_USER, password=settings.DATABASE_OWNER_PASSWORD or None,
        host=db_settings["HOST"] or None, port=db_settings["PORT"] or None, autocommit=True,
    )


def _create_copy(db_settings, copy_name):
    """CREATE DATABASE ... TEMPLATE needs the template to have no other sessions. In a full run,
    threads of earlier tests (live servers, races) may have ended without closing their
    connections; those sessions sit idle until garbage-collected, so end them and retry."""
    gc.collect()
    with _admin_connection(db_settings) as admin:
        for attempt in range(20):
            try:
                admin.execute(f'CREATE DATABASE "{copy_name}" TEMPLATE "{db_settings["NAME"]}"')
                return
            except psycopg.errors.ObjectInUse:
                if attempt == 19:
                    raise
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    [db_settings["NAME"]],
                )
                time.sleep(0.5)


@pytest.mark.subprocess
@pytest.mark.django_db(transaction=True)  # the session's test database exists (and is not held in a transaction)
def test_a_generated_module_installs_migrates_shows_its_menu_and_passes_its_own_tests(tmp_path):
    # 1. Scaffold under the project (var/), so the project's root conftest applies to its tests.
    scratch = BASE_DIR / "var" / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="startmodule-", dir=scratch))
    db_settings = dict(connections["default"].settings_dict)
    copy_name = f"zargar_startmodule_{uuid.uuid4().hex[:10]}"
    overlay = tmp_path / "venv"
    pip = [sys.executable, "-m", "pip", "--python", str(overlay / "bin" / "python")]
    try:
        call_command("startmodule", KEY, dir=str(workdir))
        package_dir = workdir / "zargar-probe-notes"

        # 2. pip install -e into a virtualenv layered over the project's.
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(overlay)], check=True, timeout=120)
        overlay_site = subprocess.run(
            [str(overlay / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
        Path(overlay_site, "zargar_parent_env.pth").write_text(
            f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_SETTINGS"))}
        env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONDONTWRITEBYTECODE="1")
        _run([*pip, "install", "--no-deps", "-q", "-e", str(package_dir)], env=env)

        # 3. A copy of this session's test database to migrate and test against.
        connections.close_all()
        _create_copy(db_settings, copy_name)
        host = quote(db_settings["HOST"] or "", safe="")
        password = f":{quote(settings.DATABASE_OWNER_PASSWORD, safe='')}" if settings.DATABASE_OWNER_PASSWORD else ""
        port = f":{db_settings['PORT']}" if db_settings["PORT"] else ""
        env.update(
            DATABASE_URL=f"postgres://{settings.DATABASE_OWNER_USER}{password}@{host}{port}/{copy_name}",
            ZARGAR_TEST_DB_NAME=copy_name,
        )
        python = str(overlay / "bin" / "python")

        # 4. Discovered, migrated (table + RLS policy), checked; the migration matches the model.
        migrated = _run([python, "manage.py", "migrate", "--noinput"], env=env)
        assert f"Applying {KEY}.0001_initial... OK" in migrated
        checked = _run([python, "manage.py", "check", "--database", "default"], env=env)
        assert "no issues" in checked
        assert "No changes detected" in _run([python, "manage.py", "makemigrations", KEY, "--check", "--dry-run"], env=env)

        # 5. Its own generated tests, with the project's pytest set-up (runtime role, RLS).
        tested = _run(
            [python, "-m", "pytest", str(package_dir / "tests"), "-v", "-p", "no:cacheprovider", "--reuse-db",
             "-c", str(BASE_DIR / "pyproject.toml"), "--rootdir", str(BASE_DIR)],
            env=env,
        )
        assert "test_menu_entry_shows_while_the_module_is_on PASSED" in tested  # its menu in the panel
        summary = tested.strip().splitlines()[-1]  # "==== 5 passed, 2 warnings in 9.87s ===="
        assert " 5 passed" in summary and "failed" not in summary and "error" not in summary, summary

        _run([*pip, "uninstall", "-y", "-q", "zargar-probe-notes"], env=env)
    finally:
        with _admin_connection(db_settings) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy_name}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(overlay, ignore_errors=True)
