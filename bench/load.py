"""Benchmark `load`: the production profile (`make serve-prod`) under a bounded load, and a soak.

It starts its own stack on 127.0.0.1 at a free port — gunicorn with several workers, two
`shuzhuan db_worker` processes and the scheduler, Redis for the cache when Redis answers, DEBUG off,
`collectstatic` first — against a scratch database: a new PostgreSQL database beside the one
DATABASE_URL names (dropped at the end), else a temporary SQLite file. A small demo city fills it.

The load (an asyncio client on httpx, bounded in requests and seconds, 127.0.0.1 only) mixes
logins, list pages, profile pages, API reads and one enterprise import (upload → validation job →
confirm → import job, run by the workers). Then the same client measures, each for a fixed time at
the same concurrency, `/healthz` and the API's enterprise detail: `ratio` is the detail's
throughput over the health check's (target ≥ 0.7). One JSON line; any error fails it.

`python -m bench.load --soak 180`: the mixed load for that many seconds while imports are
enqueued every few seconds; half-way one db_worker is killed with SIGKILL and restarted. At the
end every job must have finished: succeeded, or failed by the stale-job reaper ("后台任务中断")
and then re-submitted and succeeded. It reports what happened to each.

Everything it starts it stops (process groups), and it removes the scratch database and files.
Sizes: SHUZHUAN_BENCH_LOAD_ENTERPRISES (2000), _REQUESTS (3000), _SECONDS (60), _CONCURRENCY (8),
_WEB_WORKERS (3), _RATIO_SECONDS (8).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NAME = "load"
ENTERPRISES = int(os.environ.get("SHUZHUAN_BENCH_LOAD_ENTERPRISES", "2000"))
MAX_REQUESTS = int(os.environ.get("SHUZHUAN_BENCH_LOAD_REQUESTS", "3000"))
MAX_SECONDS = float(os.environ.get("SHUZHUAN_BENCH_LOAD_SECONDS", "60"))
CONCURRENCY = int(os.environ.get("SHUZHUAN_BENCH_LOAD_CONCURRENCY", "8"))
WEB_WORKERS = int(os.environ.get("SHUZHUAN_BENCH_LOAD_WEB_WORKERS", "3"))
RATIO_SECONDS = float(os.environ.get("SHUZHUAN_BENCH_LOAD_RATIO_SECONDS", "8"))
PASSWORD = "shuzhuan-demo"
HOST = "127.0.0.1"
HEADERS = ["统一社会信用代码", "企业名称", "法定代表人", "所属镇街", "地址", "行业代码", "成立日期",
           "从业人数", "营业收入", "纳税总额", "年度"]
STALE_SECONDS = 20
BIG_IMPORT_ROWS = int(os.environ.get("SHUZHUAN_BENCH_SOAK_BIG_ROWS", "20000"))  # the soak's stack: a running job silent this long is taken for a dead worker's


def _python() -> str:
    return sys.executable


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _redis_url() -> str | None:
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9")
    match = re.match(r"redis://([^:/]+):(\d+)", url)
    if not match:
        return url
    try:
        with socket.create_connection((match.group(1), int(match.group(2))), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return url if s.recv(16).startswith(b"+PONG") else None
    except OSError:
        return None


# --- the stack -----------------------------------------------------------------------------------------


@dataclass
class Stack:
    """A scratch database and the production processes on it."""

    tmp: Path
    env: dict[str, str]
    port: int
    pg_admin: str | None = None  # the DATABASE_URL we created the scratch database beside
    db_name: str | None = None
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def manage(self, *args: str, timeout: float = 900) -> str:
        done = subprocess.run([_python(), "-m", "shuzhuan", *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout)
        if done.returncode:
            raise RuntimeError(f"shuzhuan {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def spawn(self, name: str, *args: str) -> None:
        log = (self.tmp / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(args, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def start_worker(self, name: str) -> None:
        self.spawn(name, _python(), "-m", "shuzhuan", "db_worker", "--interval", "0.5", "--no-startup-delay",
                   "--worker-id", f"bench-{name}-{uuid.uuid4().hex[:8]}")

    def start(self) -> None:
        self.manage("collectstatic", "--no-input", "-v", "0")
        self.start_worker("worker-1")
        self.start_worker("worker-2")
        self.spawn("scheduler", _python(), "-m", "shuzhuan", "scheduler")
        gunicorn = str(Path(_python()).with_name("gunicorn"))
        self.spawn("web", gunicorn, "shuzhuan.wsgi:application", "--bind", f"{HOST}:{self.port}",
                   "--workers", str(WEB_WORKERS), "--timeout", "120", "--graceful-timeout", "10",
                   "--no-control-socket")
        deadline = time.monotonic() + 60
        import httpx

        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.procs["web"].poll() is not None:
                break
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not come up:\n" + (self.tmp / "web.log").read_text()[-3000:])

    def kill(self, name: str, sig: int = signal.SIGTERM) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def stop(self) -> None:
        for name in list(self.procs):
            self.kill(name)
        if self.pg_admin and self.db_name:
            _pg_execute(self.pg_admin, f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        shutil.rmtree(self.tmp, ignore_errors=True)


def _pg_execute(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def make_stack(stale_seconds: int | None = None) -> Stack:
    tmp = Path(tempfile.mkdtemp(prefix="shuzhuan-load-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHUZHUAN_BENCH")}
    env.update({"SHUZHUAN_VAR_DIR": str(tmp), "SHUZHUAN_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "shuzhuan.settings",
                "SHUZHUAN_SECRET_KEY": uuid.uuid4().hex * 2, "SHUZHUAN_ALLOWED_HOSTS": HOST,
                "SHUZHUAN_DB_CONN_MAX_AGE": os.environ.get("SHUZHUAN_DB_CONN_MAX_AGE", "60")})
    redis = _redis_url()
    if redis:
        env["REDIS_URL"] = redis
    else:
        env.pop("REDIS_URL", None)
    if stale_seconds:
        env["SHUZHUAN_JOB_STALE_AFTER"] = str(stale_seconds)
    url = os.environ.get("DATABASE_URL", "")
    stack = Stack(tmp, env, _free_port())
    if url.startswith(("postgres://", "postgresql://")):
        stack.pg_admin = url
        stack.db_name = f"shuzhuan_load_{uuid.uuid4().hex[:10]}"
        _pg_execute(url, f'CREATE DATABASE "{stack.db_name}"')
        env["DATABASE_URL"] = re.sub(r"/[^/?]*(\?|$)", f"/{stack.db_name}\\1", url.split("://", 1)[1], count=1)
        env["DATABASE_URL"] = url.split("://", 1)[0] + "://" + env["DATABASE_URL"]
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'load.sqlite3'}"
    return stack


def seed(stack: Stack) -> dict[str, Any]:
    stack.manage("migrate", "--no-input", "-v", "0")
    stack.manage("demo-data", "--enterprises", str(ENTERPRISES), "--accounts", "-v", "0")
    token = stack.manage("issue-token", "city").strip().splitlines()[-1].split()[-1]
    facts = json.loads(stack.manage("shell", "-c", (
        "import json\n"
        "from shuzhuan.registry.models import Enterprise\n"
        "from shuzhuan.core.models import Town\n"
        "u=list(Enterprise.objects.order_by('pk').values_list('organisation__uscc', flat=True)[:300])\n"
        "t=list(Town.objects.values_list('short_name', flat=True))\n"
        "print(json.dumps({'usccs': u, 'towns': t}))"
    )).strip().splitlines()[-1])
    return {"token": token, **facts}


# --- the client ----------------------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    requests: int = 0

    def add(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)
        self.requests += 1


def _pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000, 1)


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Session:
    """One browser-like user: logs in, then browses; one tally for all."""

    def __init__(self, base: str, tally: Tally):
        import httpx

        self.client = httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=False)
        self.tally = tally

    async def request(self, kind: str, method: str, url: str, expect: tuple[int, ...] = (200,), **kw: Any):
        t0 = time.perf_counter()
        try:
            response = await self.client.request(method, url, **kw)
        except Exception as exc:  # a refused or reset connection is an error like a 500
            self.tally.errors.append(f"{kind} {url}: {type(exc).__name__}")
            return None
        self.tally.add(kind, time.perf_counter() - t0)
        if response.status_code not in expect:
            self.tally.errors.append(f"{kind} {url}: HTTP {response.status_code}")
            return None
        return response

    async def csrf(self, url: str) -> str:
        response = await self.client.get(url)
        match = CSRF.search(response.text)
        return match.group(1) if match else ""

    async def login(self, username: str) -> bool:
        token = await self.csrf("/login/")
        response = await self.request("login", "POST", "/login/", expect=(302,), data={
            "username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
        return response is not None

    async def close(self) -> None:
        await self.client.aclose()


def import_csv(towns: list[str], rows: int, salt: int) -> bytes:
    from shuzhuan.registry.domain import make_uscc

    rng = random.Random(salt)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for i in range(rows):
        town = rng.choice(towns)
        revenue = rng.randint(5_000_000, 900_000_000)
        writer.writerow([make_uscc("442000", f"L{salt % 100:02d}{i:05d}"), f"{town}压测示范有限公司{salt}-{i}", "王伟",
                         town, f"{town}工业大道{i + 1}号", rng.choice(["3872", "3351", "3851", "2110"]), "2010-05-01",
                         rng.randint(5, 500), f"{revenue}.00", f"{revenue * 3 // 100}.00", 2024])
    return out.getvalue().encode("utf-8")


async def submit_import(session: Session, towns: list[str], salt: int, wait: float = 120, rows: int = 5) -> dict[str, Any]:
    """Upload → validation job → confirm → import job; returns the two job ids and the final status."""
    token = await session.csrf("/enterprises/import/")
    files = {"file": (f"load-{salt}.csv", import_csv(towns, rows, salt), "text/csv")}
    response = await session.request("import", "POST", "/enterprises/import/", expect=(302,), files=files,
                                     data={"csrfmiddlewaretoken": token})
    if response is None:
        return {"status": "upload-failed"}
    preview = response.headers["location"]
    check_id = preview.rstrip("/").split("/")[-1]
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        page = await session.request("import", "GET", preview)
        if page is not None and 'name="mode"' in page.text:
            token = CSRF.search(page.text).group(1)
            done = await session.request("import", "POST", f"{preview}confirm/", expect=(302,),
                                         data={"csrfmiddlewaretoken": token, "mode": "all"})
            if done is None:
                return {"check": check_id, "status": "confirm-failed"}
            return {"check": check_id, "run": done.headers["location"].rstrip("/").split("/")[-1], "status": "enqueued"}
        await asyncio.sleep(0.5)
    return {"check": check_id, "status": "validation-timeout"}


async def browse(base: str, facts: dict[str, Any], tally: Tally, stop_at: float, budget: list[int],
                 rng: random.Random, username: str) -> None:
    session = Session(base, tally)
    auth = {"Authorization": f"Bearer {facts['token']}"}
    try:
        if not await session.login(username):
            return
        while time.monotonic() < stop_at and budget[0] > 0:
            budget[0] -= 1
            roll = rng.random()
            uscc = rng.choice(facts["usccs"])
            if roll < 0.25:
                await session.request("list", "GET", "/enterprises/", params={"page": rng.randint(1, 5)})
            elif roll < 0.50:
                await session.request("profile", "GET", f"/enterprises/{uscc}/")
            elif roll < 0.75:
                await session.request("api_detail", "GET", f"/api/v1/enterprises/{uscc}", headers=auth)
            elif roll < 0.90:
                await session.request("api_list", "GET", "/api/v1/enterprises", headers=auth,
                                      params={"page": rng.randint(1, 5)})
            elif roll < 0.97:
                await session.request("home", "GET", "/")
            else:  # log out and in again: logins stay in the mix
                await session.request("logout", "POST", "/logout/", expect=(302,),
                                      data={"csrfmiddlewaretoken": session.client.cookies.get("csrftoken", "")})
                if not await session.login(username):
                    return
    finally:
        await session.close()


async def mixed(base: str, facts: dict[str, Any], seconds: float, requests: int, imports: int = 1,
                import_every: float = 0) -> tuple[Tally, float, list[dict[str, Any]]]:
    tally = Tally()
    stop_at = time.monotonic() + seconds
    budget = [requests]
    users = ["city", "admin"]  # city-wide: every sampled profile is theirs to see
    t0 = time.perf_counter()
    importer = Session(base, tally)
    submitted: list[dict[str, Any]] = []

    async def run_imports() -> None:
        await importer.login("city")
        for n in range(imports):
            submitted.append(await submit_import(importer, facts["towns"][:3], salt=int(time.time() * 10) % 10**7 + n))
            if import_every and time.monotonic() + import_every < stop_at:
                await asyncio.sleep(import_every)
            elif import_every:
                break

    tasks = [browse(base, facts, tally, stop_at, budget, random.Random(i), users[i % len(users)])
             for i in range(CONCURRENCY)]
    await asyncio.gather(run_imports(), *tasks)
    elapsed = time.perf_counter() - t0
    await importer.close()
    return tally, elapsed, submitted


async def closed_loop(base: str, url: str, seconds: float, headers: dict[str, str] | None = None,
                      urls: list[str] | None = None) -> tuple[float, list[float], int]:
    """Requests per second at CONCURRENCY for `seconds` (after a short warm-up)."""
    import httpx

    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(base_url=base, timeout=30, headers=headers or {}) as client:
        for _ in range(CONCURRENCY):
            await client.get(url if not urls else urls[0])
        stop_at = time.monotonic() + seconds

        async def one(i: int) -> None:
            nonlocal errors
            n = i
            while time.monotonic() < stop_at:
                target = urls[n % len(urls)] if urls else url
                n += CONCURRENCY
                t0 = time.perf_counter()
                response = await client.get(target)
                latencies.append(time.perf_counter() - t0)
                if response.status_code != 200:
                    errors += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(CONCURRENCY)))
        elapsed = time.perf_counter() - t0
    return len(latencies) / elapsed, latencies, errors


def job_states(stack: Stack, ids: list[str]) -> dict[str, dict[str, Any]]:
    out = stack.manage("shell", "-c", (
        "import json\n"
        "from shuzhuan.core.models import Job\n"
        f"ids={json.dumps(ids)}\n"
        "print(json.dumps({str(j.pk): {'status': j.status, 'kind': j.kind, 'message': (j.message or '')[:80]}"
        " for j in Job.objects.filter(pk__in=ids)}))"
    ))
    return json.loads(out.strip().splitlines()[-1])


def wait_jobs(stack: Stack, ids: list[str], seconds: float) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + seconds
    while True:
        states = job_states(stack, ids)
        if all(s["status"] in ("succeeded", "failed") for s in states.values()) or time.monotonic() > deadline:
            return states
        time.sleep(1)


def _summary(tally: Tally, elapsed: float) -> dict[str, Any]:
    every = [x for v in tally.latencies.values() for x in v]
    return {
        "requests": tally.requests, "seconds": round(elapsed, 1), "throughput_rps": round(tally.requests / elapsed, 1),
        "p50_ms": _pct(every, 50), "p95_ms": _pct(every, 95), "p99_ms": _pct(every, 99),
        "by_kind": {k: {"n": len(v), "p50_ms": _pct(v, 50), "p95_ms": _pct(v, 95)} for k, v in sorted(tally.latencies.items())},
        "errors": len(tally.errors), "error_samples": tally.errors[:5],
    }


def run() -> dict[str, Any]:
    stack = make_stack()
    try:
        facts = seed(stack)
        stack.start()
        tally, elapsed, submitted = asyncio.run(mixed(stack.base, facts, MAX_SECONDS, MAX_REQUESTS))
        ids = [j[k] for j in submitted for k in ("check", "run") if k in j]
        jobs = wait_jobs(stack, ids, 120)
        auth = {"Authorization": f"Bearer {facts['token']}"}
        health_rps, health_lat, health_err = asyncio.run(closed_loop(stack.base, "/healthz", RATIO_SECONDS))
        detail_rps, detail_lat, detail_err = asyncio.run(closed_loop(
            stack.base, "", RATIO_SECONDS, headers=auth,
            urls=[f"/api/v1/enterprises/{u}" for u in facts["usccs"][:200]]))
        result = {
            "database": "postgresql" if stack.pg_admin else "sqlite", "cache": "redis" if "REDIS_URL" in stack.env else "file",
            "enterprises": ENTERPRISES, "web_workers": WEB_WORKERS, "db_workers": 2, "concurrency": CONCURRENCY,
            **_summary(tally, elapsed),
            "import_jobs": {j: s["status"] for j, s in jobs.items()},
            "healthz_rps": round(health_rps, 1), "healthz_p50_ms": _pct(health_lat, 50),
            "api_detail_rps": round(detail_rps, 1), "api_detail_p50_ms": _pct(detail_lat, 50),
            "ratio": round(detail_rps / health_rps, 3) if health_rps else None,
        }
        result["errors"] += health_err + detail_err + sum(1 for s in jobs.values() if s["status"] != "succeeded")
        result["errors"] += sum(1 for j in submitted if j.get("status") != "enqueued")
        return result
    finally:
        stack.stop()


def running_job_worker(stack: Stack, kinds: tuple[str, ...]) -> tuple[str, str] | None:
    """(job id, our worker name) of a job of one of `kinds` that a worker is running now, if any."""
    out = stack.manage("shell", "-c", (
        "import json\n"
        "from shuzhuan.core.models import Job\n"
        "from django_tasks_db.models import DBTaskResult\n"
        f"jobs=list(Job.objects.filter(status='running', kind__in={list(kinds)!r}).values_list('pk','task_id'))\n"
        "found=None\n"
        "for pk, task in jobs:\n"
        "    r=DBTaskResult.objects.filter(pk=task).first() if task else None\n"
        "    if r and r.worker_ids: found=[str(pk), r.worker_ids[-1]]; break\n"
        "print(json.dumps(found))"
    ))
    found = json.loads(out.strip().splitlines()[-1])
    if not found:
        return None
    name = next((n for n in ("worker-1", "worker-2") if f"bench-{n}-" in found[1]), None)
    return (found[0], name) if name else None


def soak(seconds: float) -> dict[str, Any]:
    """Mixed load for `seconds` with an import every few seconds; a worker SIGKILLed half-way and restarted."""
    stack = make_stack(stale_seconds=STALE_SECONDS)
    try:
        facts = seed(stack)
        stack.start()
        events: list[str] = []
        extra_jobs: list[str] = []
        t_start = time.monotonic()

        async def go() -> tuple[Tally, float, list[dict[str, Any]]]:
            async def killer() -> None:
                # half-way: a larger import, so that a worker is busy with it when it is killed
                await asyncio.sleep(seconds / 2)
                session = Session(stack.base, Tally())
                await session.login("city")
                token = await session.csrf("/enterprises/import/")
                files = {"file": ("soak-big.csv", import_csv(facts["towns"][:3], BIG_IMPORT_ROWS, 8_000_001), "text/csv")}
                response = await session.request("import", "POST", "/enterprises/import/", expect=(302,), files=files,
                                                 data={"csrfmiddlewaretoken": token})
                await session.close()
                if response is not None:
                    check = response.headers["location"].rstrip("/").split("/")[-1]
                    extra_jobs.append(check)
                    events.append(f"t={time.monotonic() - t_start:.0f}s big import uploaded ({BIG_IMPORT_ROWS} rows), job {check}")
                target, victim = None, "worker-1"
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    found = await asyncio.to_thread(running_job_worker, stack, ("registry.import.validate", "registry.import.run"))
                    if found:
                        target, victim = found
                        break
                    await asyncio.sleep(0.5)
                pid = stack.procs[victim].pid
                os.killpg(pid, signal.SIGKILL)
                stack.procs.pop(victim).wait()
                events.append(f"t={time.monotonic() - t_start:.0f}s SIGKILL {victim} (pid {pid})"
                              + (f" while it ran job {target}" if target else " (no job running at that moment)"))
                await asyncio.sleep(3)
                stack.start_worker(victim)
                events.append(f"t={time.monotonic() - t_start:.0f}s {victim} restarted (pid {stack.procs[victim].pid})")

            run_mixed = mixed(stack.base, facts, seconds, 10**7, imports=10**6, import_every=4)
            outcome, _ = await asyncio.gather(run_mixed, killer())
            return outcome

        tally, elapsed, submitted = asyncio.run(go())
        ids = [j[k] for j in submitted for k in ("check", "run") if k in j] + extra_jobs
        states = wait_jobs(stack, ids, 90 + STALE_SECONDS)
        # a job the dead worker held: the reaper marks it failed ("后台任务中断"); re-submit its import once
        time.sleep(STALE_SECONDS + 2)
        stack.manage("reap-jobs")
        states = job_states(stack, ids)
        failed = [(5, j) for j in submitted
                  if any(states.get(j.get(k), {}).get("status") == "failed" for k in ("check", "run"))]
        failed += [(BIG_IMPORT_ROWS, {"check": j}) for j in extra_jobs if states.get(j, {}).get("status") == "failed"]
        resubmitted = []
        if failed:
            async def again() -> list[dict[str, Any]]:
                session = Session(stack.base, Tally())
                await session.login("city")
                out = [await submit_import(session, facts["towns"][:3], salt=8_000_001 if rows > 5 else 9_000_000 + i,
                                           rows=rows, wait=300) for i, (rows, _job) in enumerate(failed)]
                await session.close()
                return out

            resubmitted = asyncio.run(again())
            re_ids = [j[k] for j in resubmitted for k in ("check", "run") if k in j]
            re_states = wait_jobs(stack, re_ids, 300)
        else:
            re_states = {}
        unfinished = [j for j, s in states.items() if s["status"] not in ("succeeded", "failed")]
        lost = [j for j in ids if j not in states]
        counts: dict[str, int] = {}
        for s in states.values():
            counts[s["status"]] = counts.get(s["status"], 0) + 1
        return {
            "benchmark": "load-soak", "database": "postgresql" if stack.pg_admin else "sqlite",
            **_summary(tally, elapsed), "events": events,
            "jobs": len(ids), "job_statuses": counts,
            "failed_by_reaper": [{"job": j, **s} for j, s in states.items() if s["status"] == "failed"],
            "resubmitted": len(resubmitted), "resubmitted_jobs": re_states,
            "resubmitted_ok": sum(1 for s in re_states.values() if s["status"] == "succeeded"),
            "unfinished": len(unfinished), "lost": len(lost),
            "ok": not unfinished and not lost and len(re_states) >= 2 * len(failed)
                  and all(s["status"] == "succeeded" for s in re_states.values())
                  and not tally.errors,
        }
    finally:
        stack.stop()


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzhuan.settings")
    if argv[:1] == ["--soak"]:
        result = soak(float(argv[1]) if len(argv) > 1 else 180)
        ok = result["ok"]
    else:
        result = {"benchmark": NAME, **run()}
        ok = not result["errors"]
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
