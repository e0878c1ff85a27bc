#!/usr/bin/env python
"""Where the time of one POS sale goes: one `POST /api/v1/pos/sales/` through Django's test
client (the whole middleware stack, API-key auth, the view, `complete_sale`), measured with
`CaptureQueriesContext` (queries per sale, grouped) and cProfile (top functions).

    DATABASE_URL=... .venv/bin/python bench/pos/profile_sale.py [--sales 20] [--top 25]

Uses the bench shop "Bench Shop 01" of run.py (made if missing) in the DATABASE_URL database.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402  (the set-up helpers of the benchmark)


def kind_of(sql: str) -> str:
    sql = sql.strip()
    verb = sql.split(None, 1)[0].upper()
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT"):
        return verb
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?([a-z0-9_]+)"?', sql, re.I)
    if "set_config" in sql or "current_setting" in sql:
        return f"{verb} set_config/current_setting"
    return f"{verb} {table.group(1) if table else '?'}"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--sales", type=int, default=20)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--plain", type=int, default=10, help="sales timed without the profiler (wall and CPU time)")
    p.add_argument("--sql", action="store_true", help="also print every query of one sale, in order")
    args = p.parse_args()
    run.django_setup()
    from zargar.core.gc_tuning import tune_for_server

    tune_for_server()  # as zargar.wsgi does in the server
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    tenant, owner = run.ensure_shop(1)
    pieces = run.ensure_pieces(tenant, args.sales + args.plain + 2)
    key = run.new_key(tenant, owner)
    client = Client()

    def sale(item_id):
        r = client.post(
            "/api/v1/pos/sales/", {"lines": [{"item": item_id}], "payments": [{"method": "cash", "amount": run.PRICE}]},
            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_IDEMPOTENCY_KEY=f"prof-{uuid.uuid4()}",
        )
        assert r.status_code == 201, r.content[:300]

    sale(pieces.pop(0))  # warm
    with CaptureQueriesContext(connection) as ctx:
        sale(pieces.pop(0))
    kinds = Counter(kind_of(q["sql"]) for q in ctx.captured_queries)
    db_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
    print(f"queries in one API sale: {len(ctx.captured_queries)} (time in the database as seen by Django: {db_ms:.1f} ms)")
    for kind, n in kinds.most_common():
        print(f"  {n:3d}  {kind}")
    if args.sql:
        for n, q in enumerate(ctx.captured_queries, 1):
            print(f"  {n:3d} {float(q['time']) * 1000:6.2f} ms  {' '.join(q['sql'].split())[:220]}")

    plain = [pieces.pop(0) for _ in range(min(args.plain, len(pieces) - args.sales))]
    start, cpu = time.perf_counter(), time.process_time()
    for item_id in plain:
        sale(item_id)
    print(
        f"\nwithout the profiler: {(time.perf_counter() - start) / len(plain) * 1000:.1f} ms per sale, "
        f"{(time.process_time() - cpu) / len(plain) * 1000:.1f} ms of it this process's CPU ({len(plain)} sales, one thread)"
    )

    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for item_id in pieces[: args.sales - 1]:
        sale(item_id)
    profiler.disable()
    if os.environ.get("PROFILE_DUMP"):
        profiler.dump_stats(os.environ["PROFILE_DUMP"])
    took = time.perf_counter() - start
    print(f"\n{args.sales - 1} sales in one thread: {took:.2f} s = {took / (args.sales - 1) * 1000:.1f} ms per sale")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
