#!/usr/bin/env python
"""POS sales benchmark over the REST API (a benchmark, not a test: pytest never collects it).

    .venv/bin/python bench/pos/run.py                      # starts its own gunicorn on 127.0.0.1
    .venv/bin/python bench/pos/run.py --url http://127.0.0.1:8000   # a server already running

1. Set-up (Django, in this process, against the database of DATABASE_URL — the same one the
   server uses): 10 shops "Bench Shop 01…10" (made once, reused by later runs) with board rates,
   a new secret API key (sk_test_…) per shop per run, and enough serialized pieces in stock
   (18K, 10 g, making 10 %, received at cost 200.00: each sells for 550.00).
2. Scenarios, each bounded in count and time: (a) sales spread over the 10 shops, (b) sales in
   one shop (different pieces), fired from N client threads (`concurrent.futures` + `requests`,
   one HTTP session per thread) as `POST /api/v1/pos/sales/` with an `Idempotency-Key`.
3. A table: sales, errors, wall time, sales per second, p50 / p95 / max latency.

Loopback only: the URL must be on 127.0.0.0/8 or localhost.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from decimal import Decimal as D
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
PRICE = "550.00"
RATES = {"gold_999": (D("60"), D("65")), "gold_750": (D("45"), D("50")), "gold_875": (D("52"), D("57"))}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", help="a running server (default: start gunicorn on a free loopback port)")
    p.add_argument("--shops", type=int, default=10)
    p.add_argument("--sales-per-shop", type=int, default=60, help="scenario (a): sales in each of the shops")
    p.add_argument("--one-shop-sales", type=int, default=300, help="scenario (b): sales in one shop")
    p.add_argument("--clients", type=int, default=16, help="concurrent client threads")
    p.add_argument("--time-limit", type=float, default=120.0, help="seconds per scenario (then it stops submitting)")
    p.add_argument("--workers", default=os.environ.get("WEB_CONCURRENCY", "4"), help="gunicorn workers (own server)")
    p.add_argument("--threads", default=os.environ.get("ZARGAR_WEB_THREADS", "2"), help="gunicorn threads per worker")
    p.add_argument("--warmup", type=int, default=4, help="untimed sales per shop first")
    return p.parse_args(argv)


def loopback_only(url: str) -> None:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    sys.exit(f"refusing {url}: the benchmark only talks to loopback addresses")


# --- Set-up through Django ----------------------------------------------------------------------


def django_setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zargar.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        sys.exit("the database has unapplied migrations: run `.venv/bin/python manage.py migrate` first")


def ensure_shop(n: int):
    from zargar.accounts.models import User
    from zargar.tenancy.actions import create_tenant
    from zargar.tenancy.models import Tenant
    from zargar.tenancy.context import tenant_context
    from modules.rates import actions as rates

    name = f"Bench Shop {n:02d}"
    tenant = Tenant.objects.filter(name=name).first()
    email = f"bench-owner-{n:02d}@bench.zargar.local"
    owner = User.objects.filter(email=email).first() or User.objects.create_user(email=email, password=uuid.uuid4().hex)
    if tenant is None:
        tenant = create_tenant(name=name, owner=owner)
        with tenant_context(tenant):
            for purity, (buy, sell) in RATES.items():
                rates.record_rate(tenant, purity=purity, unit="gram", buy=buy, sell=sell, entered_by=owner)
    return tenant, owner


def ensure_pieces(tenant, wanted: int) -> list[int]:
    """Ids of `wanted` bench pieces in stock (creating the missing ones)."""
    from modules.inventory import actions as inventory
    from modules.inventory.models import Item
    from zargar.tenancy.context import tenant_context

    with tenant_context(tenant):
        ids = list(Item.objects.filter(tenant=tenant, sku__startswith="BENCH-", quantity=1).order_by("pk").values_list("pk", flat=True)[:wanted])
        missing = wanted - len(ids)
        for _ in range(missing):
            sku = f"BENCH-{uuid.uuid4().hex[:10].upper()}"
            item = inventory.create_item(
                tenant, sku=sku, name=f"Bench ring {sku}", karat=18, gross_weight=D("10.500"), net_weight=D("10.000"), price=D("0"),
                making_mode="percent", making_value=D("10"), quantity=1, unit_cost=D("200.00"),
            )
            ids.append(item.pk)
    return ids


def new_key(tenant, owner) -> str:
    from zargar.api.actions import create_api_key

    _key, secret = create_api_key(tenant, name=f"bench {time.strftime('%Y-%m-%d %H:%M:%S')}", mode="test", created_by=owner)
    return secret


# --- The server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workers: str, threads: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "0"), "DJANGO_SETTINGS_MODULE": "zargar.settings"}
    log = open(ROOT / "var" / "bench-gunicorn.log", "w") if (ROOT / "var").is_dir() else subprocess.DEVNULL
    cmd = [str(Path(PY).parent / "gunicorn"), "zargar.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread" if int(threads) > 1 else "sync"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("gunicorn exited; see var/bench-gunicorn.log")
        try:
            requests.get(f"{url}/accounts/login/", timeout=2)
            return proc, url
        except requests.RequestException:
            time.sleep(0.3)
    proc.terminate()
    sys.exit("gunicorn did not answer within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # the session of the gunicorn we started (master + its workers)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


# --- Firing -------------------------------------------------------------------------------------

_local = threading.local()


def _session():
    import requests

    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


def sell_one(url: str, key: str, item_id: int) -> tuple[float, int, str]:
    body = {"lines": [{"item": item_id}], "payments": [{"method": "cash", "amount": PRICE}]}
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": f"bench-{uuid.uuid4()}", "Accept": "application/json"}
    start = time.perf_counter()
    try:
        r = _session().post(f"{url}/api/v1/pos/sales/", json=body, headers=headers, timeout=60)
        status, text = r.status_code, ("" if r.status_code == 201 else r.text[:200])
    except Exception as exc:  # noqa: BLE001 - counted as an error
        status, text = 0, repr(exc)[:200]
    return time.perf_counter() - start, status, text


def fire(url: str, jobs: list[tuple[str, int]], clients: int, time_limit: float) -> dict:
    latencies, errors = [], []
    deadline = time.monotonic() + time_limit
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        pending = iter(jobs)
        futures = set()

        def submit_next():
            if time.monotonic() > deadline:
                return
            job = next(pending, None)
            if job is not None:
                futures.add(pool.submit(sell_one, url, *job))

        for _ in range(clients * 2):
            submit_next()
        while futures:
            done = next(as_completed(futures))
            futures.discard(done)
            took, status, text = done.result()
            (latencies if status == 201 else errors).append(took if status == 201 else (status, text))
            submit_next()
    wall = time.perf_counter() - start
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(round(p / 100 * (len(latencies) - 1))))] * 1000 if latencies else float("nan")

    return {
        "sales": len(latencies), "errors": len(errors), "first_errors": errors[:3], "wall": wall,
        "rate": len(latencies) / wall if wall else 0.0, "p50": pct(50), "p95": pct(95),
        "max": latencies[-1] * 1000 if latencies else float("nan"), "mean": statistics.fmean(latencies) * 1000 if latencies else float("nan"),
    }


def table(rows: list[tuple[str, dict]], clients: int) -> str:
    head = f"| scenario | clients | sales | errors | wall s | sales/s | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    lines = [head]
    for name, r in rows:
        lines.append(f"| {name} | {clients} | {r['sales']} | {r['errors']} | {r['wall']:.1f} | {r['rate']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['max']:.0f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.url:
        loopback_only(args.url)
    django_setup()
    t0 = time.perf_counter()
    shops = []
    for n in range(1, args.shops + 1):
        tenant, owner = ensure_shop(n)
        need = args.warmup + args.sales_per_shop + (args.one_shop_sales if n == 1 else 0)
        pieces = ensure_pieces(tenant, need)
        shops.append((tenant, new_key(tenant, owner), pieces))
    print(f"set-up: {args.shops} shops, {sum(len(p) for _t, _k, p in shops)} pieces in stock, {time.perf_counter() - t0:.1f} s", flush=True)

    proc = None
    url = args.url
    if not url:
        proc, url = start_server(args.workers, args.threads)
        print(f"server: gunicorn {url} ({args.workers} workers x {args.threads} threads, DEBUG off)", flush=True)
    try:
        # Warm-up (untimed): every worker loads its code and opens its connections.
        warm = [(key, pieces.pop(0)) for _t, key, pieces in shops for _ in range(args.warmup)]
        w = fire(url, warm, args.clients, args.time_limit)
        print(f"warm-up: {w['sales']} sales, {w['errors']} errors {w['first_errors']}", flush=True)

        across = []
        for i in range(args.sales_per_shop):  # interleaved: consecutive requests go to different shops
            for _t, key, pieces in shops:
                across.append((key, pieces.pop(0)))
        a = fire(url, across, args.clients, args.time_limit)
        one_key, one_pieces = shops[0][1], shops[0][2]
        b = fire(url, [(one_key, one_pieces.pop(0)) for _ in range(min(args.one_shop_sales, len(one_pieces)))], args.clients, args.time_limit)
    finally:
        if proc is not None:
            stop_server(proc)
    rows = [(f"across {args.shops} shops", a), ("within one shop", b)]
    print(table(rows, args.clients))
    for name, r in rows:
        if r["errors"]:
            print(f"{name}: first errors {r['first_errors']}")
    print(f"targets: >= 100 sales/s across 10 shops ({'met' if a['rate'] >= 100 else 'NOT met'}), >= 50 sales/s within one shop ({'met' if b['rate'] >= 50 else 'NOT met'})")
    return 0 if not (a["errors"] or b["errors"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
