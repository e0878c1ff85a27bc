#!/usr/bin/env python
"""POS sales benchmark over the REST API (a benchmark, not a test: pytest never collects it).

    .venv/bin/python bench/pos/run.py                                # own gunicorn (4 sync workers), both scenarios
    .venv/bin/python bench/pos/run.py --server gthread:2x4 --clients 8
    .venv/bin/python bench/pos/run.py --compare sync:3,sync:4,sync:6,gthread:2x4   # back to back, one table
    .venv/bin/python bench/pos/run.py --prepare 1500                 # only stock up: 1,500 pieces per shop
    .venv/bin/python bench/pos/run.py --url http://127.0.0.1:8000    # a server already running (same DATABASE_URL)

1. Set-up (Django, in this process, as the runtime role, against the database of DATABASE_URL —
   the one the server uses): 10 shops "Bench Shop 01…10" (made once, reused) with board rates, a
   new LIVE secret key (`sk_live_…`, rate limit 100,000/min) per shop per run, and enough
   serialized pieces in stock (18K, 10 g, making 10 %, received at cost 200.00: each sells for
   550.00). Live keys commit their writes, so every sale really takes its piece out of stock and
   posts to the books; the missing pieces are created with `inventory.create_item` (every rule,
   the receipt movement and its journal entry), 50 to a transaction (37 instead of 49 ms a piece
   on a quiet machine), in `--setup-procs` processes at once; `--prepare N` stocks up ahead.
2. Scenarios, each bounded in count and in time: (a) sales interleaved over the shops, (b) sales
   in one shop (all different pieces). `--clients` concurrent connections of one asyncio client
   (aiohttp, keep-alive where the server keeps connections open) each send
   `POST /api/v1/pos/sales/` (one line, cash 550.00, a fresh `Idempotency-Key`) until the jobs or
   the time limit run out.
3. After each scenario, a check in the database (runtime role, the shop's RLS context): completed
   sales carrying the sent idempotency keys = the 201 answers (and no sale for a refused one),
   each with its journal entry; no piece on two sale lines, no stock below zero, each piece's
   quantity = the sum of its stock movements; the shop's journal balances (debits = credits, in
   total and per entry). One "verified: …" line; exit status 2 on a mismatch, 1 on request errors.
4. A table: sales, errors, wall s, sales/s, p50/p95/max ms, the client's own CPU per request
   (getrusage of this process), the server's (gunicorn workers) and PostgreSQL's (backends of this
   database) CPU per sale, how busy the whole machine was, and the load average.

Loopback only: the URL must be on 127.0.0.0/8 or localhost.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import multiprocessing
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from decimal import Decimal as D
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
PRICE = "550.00"
RATES = {"gold_999": (D("60"), D("65")), "gold_750": (D("45"), D("50")), "gold_875": (D("52"), D("57"))}
CHUNK = 50  # pieces created per transaction
DEFAULT_SERVER = os.environ.get("ZARGAR_BENCH_SERVER", "sync:4")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", help="a running server (default: start gunicorn on a free loopback port)")
    p.add_argument("--server", default=DEFAULT_SERVER, help="own gunicorn: sync:WORKERS or gthread:WORKERSxTHREADS (default %(default)s)")
    p.add_argument("--compare", help="comma-separated --server specs, run back to back (same scenarios), one table")
    p.add_argument("--rounds", type=int, default=1, help="with --compare: repeat the configurations, every other round in reverse order")
    p.add_argument("--shops", type=int, default=10)
    p.add_argument("--sales-per-shop", type=int, default=60, help="scenario (a): sales in each of the shops")
    p.add_argument("--one-shop-sales", type=int, default=300, help="scenario (b): sales in one shop")
    p.add_argument("--clients", type=int, default=16, help="concurrent client connections")
    p.add_argument("--time-limit", type=float, default=120.0, help="seconds per scenario (then it stops sending)")
    p.add_argument("--request-timeout", type=float, default=60.0, help="seconds before a request counts as an error")
    p.add_argument("--warmup", type=int, default=4, help="untimed sales per shop first, after each server start")
    p.add_argument("--prepare", type=int, metavar="N", help="only make sure every shop has N pieces in stock, then exit")
    p.add_argument("--setup-procs", type=int, default=2, help="processes creating pieces at once")
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
    unapplied = [f"{m.app_label}.{m.name}" for m, _backwards in executor.migration_plan(executor.loader.graph.leaf_nodes())]
    if unapplied:
        sys.exit(f"the database has unapplied migrations ({', '.join(unapplied)}): run `.venv/bin/python manage.py migrate` first")


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


# Two pools of pieces, so a profile_sale.py run never sells a piece this run has picked: run.py
# sells "BENCH-<hex>" pieces, profile_sale.py (through `ensure_pieces`) "BENCH-P-<hex>" ones.
POOLS = {"run": "BENCH-", "profile": "BENCH-P-"}


def stock_ids(tenant, wanted: int | None = None, pool: str = "run") -> list[int]:
    """Ids of the shop's bench pieces of `pool` in stock, oldest first (at most `wanted`)."""
    from modules.inventory.models import Item
    from zargar.tenancy.context import tenant_context

    with tenant_context(tenant):
        qs = Item.objects.filter(tenant=tenant, sku__startswith=POOLS[pool], quantity=1)
        if pool == "run":
            qs = qs.exclude(sku__startswith=POOLS["profile"])
        qs = qs.order_by("pk").values_list("pk", flat=True)
        return list(qs if wanted is None else qs[:wanted])


def create_pieces(tenant, count: int, pool: str = "run") -> None:
    """Create `count` bench pieces of `pool` through `inventory.create_item` (all its rules, the
    receipt movement, the journal entry of the cost), `CHUNK` to a transaction."""
    from django.db import transaction

    from modules.inventory import actions as inventory
    from zargar.tenancy.context import tenant_context

    while count > 0:
        n = min(CHUNK, count)
        with tenant_context(tenant), transaction.atomic():
            for _ in range(n):
                sku = f"{POOLS[pool]}{uuid.uuid4().hex[:10].upper()}"
                inventory.create_item(
                    tenant, sku=sku, name=f"Bench ring {sku}", karat=18, gross_weight=D("10.500"), net_weight=D("10.000"), price=D("0"),
                    making_mode="percent", making_value=D("10"), quantity=1, unit_cost=D("200.00"),
                )
        count -= n


def ensure_pieces(tenant, wanted: int, pool: str = "profile") -> list[int]:
    """Ids of `wanted` bench pieces of `pool` in stock (creating the missing ones in this
    process). The default pool is profile_sale.py's, apart from run.py's."""
    missing = wanted - len(stock_ids(tenant, wanted, pool))
    if missing > 0:
        create_pieces(tenant, missing, pool)
    return stock_ids(tenant, wanted, pool)


def _create_in_child(job: tuple[int, int]) -> int:
    from zargar.tenancy.models import Tenant

    tenant_id, count = job
    create_pieces(Tenant.objects.get(pk=tenant_id), count)
    return count


def stock_up(needs: list[tuple[object, int]], procs: int) -> int:
    """Give each (tenant, wanted) at least `wanted` pieces of run.py's pool in stock, creating
    the missing ones in `procs` forked processes (in chunks, so one shop's big need is shared
    too). Returns the number of pieces created."""
    from django.db import connections

    jobs = []
    for tenant, wanted in needs:
        missing = wanted - len(stock_ids(tenant, wanted))
        while missing > 0:
            jobs.append((tenant.pk, min(CHUNK * 2, missing)))
            missing -= CHUNK * 2
    if not jobs:
        return 0
    connections.close_all()  # the children must not share this process's connection
    if procs <= 1:
        return sum(map(_create_in_child, jobs))
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        return sum(pool.imap_unordered(_create_in_child, jobs))


BENCH_LOCK = 0x62656E6368  # "bench": a session advisory lock, held by one run.py per database


def one_run_at_a_time():
    """Hold the database's bench lock until this process ends (a second run.py waits: two load
    generators on the same cores measure neither). Returns the connection that holds it."""
    import psycopg
    from django.db import connection

    params = {k: v for k, v in connection.get_connection_params().items() if k in ("dbname", "user", "password", "host", "port")}
    conn = psycopg.connect(**params, autocommit=True)
    if not conn.execute("SELECT pg_try_advisory_lock(%s)", [BENCH_LOCK]).fetchone()[0]:
        print("another bench/pos/run.py is running against this database: waiting for it to end", flush=True)
        conn.execute("SELECT pg_advisory_lock(%s)", [BENCH_LOCK])
    return conn


def new_key(tenant, owner) -> str:
    """A new live secret key of the shop (full access; 100,000 requests a minute, so the key's
    own rate limit never throttles the benchmark)."""
    from zargar.api.actions import create_api_key

    _key, secret = create_api_key(
        tenant, name=f"bench {time.strftime('%Y-%m-%d %H:%M:%S')}", mode="live", created_by=owner, rate_limit_per_minute=100000
    )
    return secret


# --- The server ---------------------------------------------------------------------------------


def parse_server(spec: str) -> tuple[str, int, int]:
    """"sync:4" → ("sync", 4, 1); "gthread:2x4" → ("gthread", 2, 4)."""
    try:
        kind, _, size = spec.partition(":")
        if kind == "sync":
            return "sync", int(size), 1
        if kind == "gthread":
            workers, _, threads = size.partition("x")
            return "gthread", int(workers), int(threads or 1)
    except ValueError:
        pass
    sys.exit(f"bad server spec {spec!r}: use sync:WORKERS or gthread:WORKERSxTHREADS")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def local_redis_url() -> str:
    """`REDIS_URL`, else the local Redis on 127.0.0.1:6379 (database 15) when one answers, else
    "" (the server then runs on its server-less file cache, which production never does)."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            if conn.recv(16).startswith(b"+PONG"):
                return "redis://127.0.0.1:6379/15"
    except OSError:
        pass
    return ""


def server_env() -> dict:
    return {
        **os.environ,
        "DJANGO_DEBUG": "0",  # DEBUG on keeps every query in memory and answers errors with pages
        "DJANGO_SETTINGS_MODULE": "zargar.settings",
        "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "60"),  # persistent connections
        # Cache (per-key rate limit, subscription check) and Celery broker on Redis, as in production.
        "REDIS_URL": local_redis_url(),
    }


def start_server(spec: str) -> tuple[subprocess.Popen, str]:
    kind, workers, threads = parse_server(spec)
    port = free_port()
    from gunicorn.config import Config

    extra = ["--no-control-socket"] if "no_control_socket" in Config().settings else []
    if kind == "gthread":
        extra += ["--threads", str(threads)]
    log = open(ROOT / "var" / "bench-gunicorn.log", "a") if (ROOT / "var").is_dir() else subprocess.DEVNULL
    cmd = [
        str(Path(PY).parent / "gunicorn"), "zargar.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--worker-class", kind, "--log-level", "warning", "--max-requests", "0", *extra,
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=server_env(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    # Ready when a worker answers a page (the master listens before its workers have loaded Django).
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("gunicorn exited; see var/bench-gunicorn.log")
        try:
            with urllib.request.urlopen(f"{url}/accounts/login/", timeout=30) as answer:
                answer.read()
            return proc, url
        except urllib.error.HTTPError:  # an answer all the same: the sales will show what is wrong
            return proc, url
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    sys.exit("gunicorn did not answer within 180 s")


def stop_server(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # the session of the gunicorn we started (master + its workers)
        proc.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# --- CPU accounting -----------------------------------------------------------------------------


def _own_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class CpuMeter:
    """CPU seconds spent between `start()` and `stop()` by: this process (the client), the
    gunicorn master's children (the server's workers, when we started it), the PostgreSQL
    backends connected to `dbname`, and the whole machine (busy = not idle / iowait).

    Processes are sampled every `interval` s by a thread, so a backend that ends during the
    scenario (Django reconnects once a connection is `CONN_MAX_AGE` old) still counts up to its
    last sample. The sampler's own CPU time is not counted as the client's."""

    def __init__(self, server_pid: int | None, dbname: str, interval: float = 0.5):
        import psutil

        self.psutil, self.server_pid, self.tag, self.interval = psutil, server_pid, f" {dbname} ", interval
        self.is_db: dict[int, bool] = {}

    def _sample(self) -> None:
        ps = self.psutil
        pids = []
        if self.server_pid:
            try:
                pids += [("server", c.pid) for c in ps.Process(self.server_pid).children(recursive=True)]
            except ps.Error:
                pass
        for pid in ps.pids():
            if pid not in self.is_db:
                try:
                    cmd = " ".join(ps.Process(pid).cmdline()) + " "
                    self.is_db[pid] = cmd.startswith("postgres:") and self.tag in cmd
                except ps.Error:
                    self.is_db[pid] = False
            if self.is_db[pid]:
                pids.append(("db", pid))
        for kind, pid in pids:
            try:
                t = ps.Process(pid).cpu_times()
            except ps.Error:
                continue
            key = (kind, pid)
            self.first.setdefault(key, t.user + t.system if self.started else 0.0)
            self.last[key] = t.user + t.system

    def _run(self) -> None:
        own = time.thread_time()
        while not self.done.wait(self.interval):
            self._sample()
        self.sampler_cpu = time.thread_time() - own

    def start(self):
        import threading

        self.first, self.last, self.started = {}, {}, True
        self._sample()  # what each process had spent before
        self.started = False  # processes seen first later started during the scenario: from 0
        self.done, self.sampler_cpu = threading.Event(), 0.0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.t0 = time.perf_counter()
        self.client0 = _own_cpu()
        self.machine0 = self.psutil.cpu_times()
        self.thread.start()

    def stop(self) -> dict:
        self.done.set()
        self.thread.join()
        client = _own_cpu() - self.client0 - self.sampler_cpu
        m1 = self.psutil.cpu_times()
        wall = time.perf_counter() - self.t0
        self._sample()
        idle = (m1.idle - self.machine0.idle) + (getattr(m1, "iowait", 0) - getattr(self.machine0, "iowait", 0))
        total = sum(m1) - sum(self.machine0)

        def spent(kind):
            return sum(v - self.first[key] for key, v in self.last.items() if key[0] == kind)

        return {
            "client_cpu": client,
            "server_cpu": spent("server") if self.server_pid else None,
            "db_cpu": spent("db"),
            "machine_busy": (1 - idle / total) if total > 0 else float("nan"),
            "cores": self.psutil.cpu_count() or 1,
            "cpu_wall": wall,
        }


# --- Firing -------------------------------------------------------------------------------------


@dataclass
class Job:
    tenant_id: int
    key: str
    item_id: int
    idempotency_key: str = field(default_factory=lambda: f"bench-{uuid.uuid4()}")
    status: int = 0
    latency: float = 0.0
    error: str = ""


async def _fire(url: str, jobs: list[Job], clients: int, time_limit: float, request_timeout: float) -> None:
    import aiohttp

    endpoint = f"{url}/api/v1/pos/sales/"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + time_limit
    pending = iter(jobs)
    connector = aiohttp.TCPConnector(limit=clients, ttl_dns_cache=None)
    timeout = aiohttp.ClientTimeout(total=request_timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def connection_loop():
            for job in pending:
                if loop.time() > deadline:
                    return
                body = json.dumps({"lines": [{"item": job.item_id}], "payments": [{"method": "cash", "amount": PRICE}]}).encode()
                headers = {
                    "Authorization": f"Bearer {job.key}", "Idempotency-Key": job.idempotency_key,
                    "Accept": "application/json", "Content-Type": "application/json",
                }
                start = time.perf_counter()
                try:
                    async with session.post(endpoint, data=body, headers=headers) as r:
                        raw = await r.read()  # read whole (frees the connection), decoded only for an error
                        job.status = r.status
                        if r.status != 201:
                            job.error = raw[:200].decode("utf-8", "replace")
                except Exception as exc:  # noqa: BLE001 - counted as an error
                    job.status, job.error = 0, repr(exc)[:200]
                job.latency = time.perf_counter() - start

        await asyncio.gather(*(connection_loop() for _ in range(clients)))


def fire(url: str, jobs: list[Job], clients: int, time_limit: float, meter: CpuMeter | None = None, request_timeout: float = 60.0) -> dict:
    """Send `jobs` (in order) over `clients` connections; stop starting new ones after
    `time_limit` s. Fills each job's status/latency; returns the summary."""
    load0 = os.getloadavg()[0]
    if meter:
        meter.start()
    start = time.perf_counter()
    asyncio.run(_fire(url, jobs, clients, time_limit, request_timeout))
    wall = time.perf_counter() - start
    cpu = meter.stop() if meter else {}
    sent = [j for j in jobs if j.status or j.error]
    ok = sorted(j.latency for j in sent if j.status == 201)
    errors = [(j.status, j.error) for j in sent if j.status != 201]

    def pct(p):
        return ok[min(len(ok) - 1, int(round(p / 100 * (len(ok) - 1))))] * 1000 if ok else float("nan")

    summary = {
        "sent": len(sent), "sales": len(ok), "errors": len(errors), "first_errors": errors[:3], "wall": wall,
        "rate": len(ok) / wall if wall else 0.0, "p50": pct(50), "p95": pct(95), "max": ok[-1] * 1000 if ok else float("nan"),
        "load": (load0, os.getloadavg()[0]), **cpu,
    }
    return summary


# --- Checking the database ----------------------------------------------------------------------


def verify(tenants: dict, jobs: list[Job]) -> tuple[bool, str]:
    """Check in the database what `jobs` did (see the module docstring, step 3). Returns
    (all good, one line)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.db.models import Count, F, Sum
    from django.db.models.functions import Coalesce

    from modules.accounting.models import SourceDocumentLink
    from modules.accounting.selectors import books_of
    from modules.inventory.models import Item
    from modules.pos.models import Sale, SaleLine, SaleStatus
    from zargar.tenancy.context import tenant_context

    problems = []
    totals = {"sales": 0, "entries": 0, "pieces": 0, "shops": 0}
    sale_type = ContentType.objects.get_for_model(Sale)
    by_shop: dict[int, list[Job]] = {}
    for job in jobs:
        if job.status or job.error:
            by_shop.setdefault(job.tenant_id, []).append(job)
    for tenant_id, shop_jobs in by_shop.items():
        tenant = tenants[tenant_id]
        name = tenant.name
        ok_keys = {j.idempotency_key for j in shop_jobs if j.status == 201}
        sent_keys = [j.idempotency_key for j in shop_jobs]
        items = [j.item_id for j in shop_jobs]
        sold_items = [j.item_id for j in shop_jobs if j.status == 201]
        with tenant_context(tenant):
            sales = list(Sale.objects.filter(tenant=tenant, idempotency_key__in=sent_keys).values("pk", "idempotency_key", "status", "total"))
            done = {s["idempotency_key"] for s in sales if s["status"] == SaleStatus.COMPLETED and s["total"] == D(PRICE)}
            if done != ok_keys or len(sales) != len(ok_keys):
                problems.append(f"{name}: {len(ok_keys)} answers 201 but {len(done)} completed sales of {PRICE} ({len(sales)} sales in all) with the sent keys")
            twice = SaleLine.objects.filter(tenant=tenant, item_id__in=items).values("item_id").annotate(n=Count("id")).filter(n__gt=1).count()
            if twice:
                problems.append(f"{name}: {twice} pieces on more than one sale line")
            negative = Item.objects.filter(tenant=tenant, quantity__lt=0).count()
            if negative:
                problems.append(f"{name}: {negative} items with stock below zero")
            still = Item.objects.filter(tenant=tenant, pk__in=sold_items).exclude(quantity=0).count()
            if still:
                problems.append(f"{name}: {still} sold pieces still in stock")
            drift = (
                Item.objects.filter(tenant=tenant, pk__in=items)
                .annotate(moved=Coalesce(Sum("movements__quantity"), 0)).exclude(quantity=F("moved")).count()
            )
            if drift:
                problems.append(f"{name}: {drift} pieces whose quantity is not the sum of their stock movements")
            posted = SourceDocumentLink.objects.filter(tenant=tenant, content_type=sale_type, object_id__in=[str(s["pk"]) for s in sales]).count()
            if posted != len(sales):
                problems.append(f"{name}: {len(sales)} sales but {posted} journal entries for them")
            books = books_of(tenant)
            with connection.cursor() as cursor:  # RLS keeps this to the shop's rows
                cursor.execute(
                    """
                    SELECT count(*), coalesce(sum(d), 0), coalesce(sum(c), 0), count(*) FILTER (WHERE d <> c)
                    FROM (SELECT t.journal_entry_id,
                                 sum(t.amount) FILTER (WHERE t.tx_type = 'debit') AS d,
                                 sum(t.amount) FILTER (WHERE t.tx_type = 'credit') AS c
                          FROM django_ledger_transactionmodel t
                          JOIN django_ledger_journalentrymodel je ON je.uuid = t.journal_entry_id
                          JOIN django_ledger_ledgermodel l ON l.uuid = je.ledger_id
                          WHERE l.entity_id = %s
                          GROUP BY t.journal_entry_id) e
                    """,
                    [books.entity_id],
                )
                entries, debits, credits, unbalanced = cursor.fetchone()
            if debits != credits or unbalanced:
                problems.append(f"{name}: journal debits {debits} != credits {credits} or {unbalanced} unbalanced entries")
        totals["sales"] += len(done)
        totals["entries"] += entries
        totals["pieces"] += len(items)
        totals["shops"] += 1
    line = (
        f"{totals['sales']} completed sales = the 201s, {totals['pieces']} pieces each on at most one line, none below zero, "
        f"quantities = movement sums; journals of {totals['shops']} shops balance ({totals['entries']} entries)"
    )
    if problems:
        return False, "MISMATCH: " + "; ".join(problems)
    return True, line


# --- Report -------------------------------------------------------------------------------------

HEAD = (
    "| server | scenario | conns | sales | errors | wall s | sales/s | p50 ms | p95 ms | max ms | client CPU ms/req | server CPU ms/sale | db CPU ms/sale | machine busy | load 1m |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def row(server: str, name: str, clients: int, r: dict) -> str:
    per = max(r["sent"], 1)
    sales = max(r["sales"], 1)
    server_cpu = f"{r['server_cpu'] / sales * 1000:.1f}" if r.get("server_cpu") is not None else "–"
    busy = f"{r['machine_busy'] * 100:.0f} % of {r['cores']}" if "machine_busy" in r else "–"
    return (
        f"| {server} | {name} | {clients} | {r['sales']} | {r['errors']} | {r['wall']:.1f} | {r['rate']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | "
        f"{r['max']:.0f} | {r.get('client_cpu', float('nan')) / per * 1000:.2f} | {server_cpu} | {r.get('db_cpu', float('nan')) / sales * 1000:.1f} | "
        f"{busy} | {r['load'][0]:.1f}→{r['load'][1]:.1f} |"
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.url:
        loopback_only(args.url)
    configs = [s.strip() for s in args.compare.split(",") if s.strip()] if args.compare else [args.server]
    for spec in configs:
        parse_server(spec)
    plan = []
    for r in range(max(1, args.rounds) if args.compare else 1):
        plan += configs if r % 2 == 0 else configs[::-1]
    if args.url:
        plan = [f"server at {args.url}"]
    django_setup()
    from django.conf import settings
    from django.db import connections

    _lock = one_run_at_a_time()  # noqa: F841 - held until the process ends
    t0 = time.perf_counter()
    shops = [ensure_shop(n) for n in range(1, args.shops + 1)]
    tenants = {t.pk: t for t, _o in shops}
    per_run_one = args.warmup + args.sales_per_shop
    if args.prepare is not None:
        needs = [(t, args.prepare) for t, _o in shops]
    else:
        needs = [(t, len(plan) * (per_run_one + (args.one_shop_sales if n == 0 else 0))) for n, (t, _o) in enumerate(shops)]
    made = stock_up(needs, args.setup_procs)
    pieces = {t.pk: stock_ids(t, wanted) for t, wanted in needs}
    print(
        f"set-up: {args.shops} shops, {sum(map(len, pieces.values()))} pieces in stock for this run ({made} created), "
        f"{time.perf_counter() - t0:.1f} s, load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    if args.prepare is not None:
        return 0
    keys = {t.pk: new_key(t, owner) for t, owner in shops}
    dbname = settings.DATABASES["default"]["NAME"]
    first = shops[0][0].pk

    rows, status = [], 0
    for spec in plan:
        proc, url = (None, args.url) if args.url else start_server(spec)
        connections.close_all()  # idle during the scenarios; reopened by the check
        if proc:
            print(f"server: gunicorn {spec} at {url} (DEBUG off, log level warning, CONN_MAX_AGE {server_env()['DATABASE_CONN_MAX_AGE']}, cache {server_env()['REDIS_URL'] or 'files (no Redis)'})", flush=True)
        try:
            meter = CpuMeter(proc.pid if proc else None, dbname)
            warm = [Job(t, keys[t], pieces[t].pop(0)) for t in tenants for _ in range(args.warmup)]
            w = fire(url, warm, args.clients, args.time_limit, request_timeout=180)  # untimed: every worker loads its code, opens its connection
            print(f"warm-up: {w['sales']} sales, {w['errors']} errors {w['first_errors']}", flush=True)
            across = [Job(t, keys[t], pieces[t].pop(0)) for _ in range(args.sales_per_shop) for t in tenants]  # interleaved
            scenarios = [(f"across {args.shops} shops", across)]
            one = [Job(first, keys[first], pieces[first].pop(0)) for _ in range(min(args.one_shop_sales, len(pieces[first])))]
            scenarios.append(("within one shop", one))
            for name, jobs in scenarios:
                r = fire(url, jobs, args.clients, args.time_limit, meter, args.request_timeout)
                good, line = verify(tenants, jobs)
                connections.close_all()
                rows.append((spec if proc else "given", name, r))
                print(row(spec if proc else "given", name, args.clients, r), flush=True)
                print(f"verified: {line}", flush=True)
                if r["errors"]:
                    print(f"  first errors: {r['first_errors']}", flush=True)
                    status = max(status, 1)
                if not good:
                    status = 2
        finally:
            if proc is not None:
                stop_server(proc)
    print()
    print(HEAD)
    print("\n".join(row(spec, name, args.clients, r) for spec, name, r in rows))
    for spec, name, r in rows:
        target = 100 if name.startswith("across") else 50
        print(f"target {spec}, {name}: >= {target} sales/s {'met' if r['rate'] >= target else 'NOT met'} ({r['rate']:.1f})")
    print(f"{os.cpu_count()} cores, load average now {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
