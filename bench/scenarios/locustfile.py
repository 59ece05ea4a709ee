# Locust equivalent of bench/scenarios/throughput.yaml (bench/throughput.sh) and idle.yaml
# (bench/memory.sh). Pick the class on the command line:
#   FastHammer / SlowHammer: zero wait, GET /a (weight 3) and GET /b (weight 1), with
#       FastHttpUser (geventhttpclient) or HttpUser (requests).
#   FastIdle: one GET /a, then waits 30 s holding its keep-alive connection.
# The host comes from -H (a local nginx started by the script).
import json
import math
import os

from locust import HttpUser, constant, events, task
from locust.contrib.fasthttp import FastHttpUser


def get_a(user):
    user.client.get("/a")


def get_b(user):
    user.client.get("/b")


# The same two weighted tasks for both HTTP clients (Locust calls each task with the user).
HAMMER_TASKS = {get_a: 3, get_b: 1}


class FastHammer(FastHttpUser):
    wait_time = constant(0)
    tasks = HAMMER_TASKS


class SlowHammer(HttpUser):
    wait_time = constant(0)
    tasks = HAMMER_TASKS


class FastIdle(FastHttpUser):
    wait_time = constant(30)

    @task
    def a(self):
        self.client.get("/a")


class FastPing(FastHttpUser):
    """bench/accuracy.sh: zero wait, GET /ping on the embedded target."""

    wait_time = constant(0)

    @task
    def ping(self):
        self.client.get("/ping")


# BENCH_LATENCY_FILE=PATH: keep every response time (ms, as Locust measured it, unrounded) and
# write p50/p99 to PATH as JSON when Locust quits. Locust's own percentiles are rounded to whole
# milliseconds below 100 ms, too coarse for the accuracy benchmark.
_latencies = []
if os.environ.get("BENCH_LATENCY_FILE"):

    @events.request.add_listener
    def _keep(response_time=None, exception=None, **_kw):
        if exception is None and response_time is not None:
            _latencies.append(response_time)

    @events.quitting.add_listener
    def _write(**_kw):
        v = sorted(_latencies)

        def q(p):
            return v[max(0, math.ceil(p * len(v)) - 1)] if v else None

        with open(os.environ["BENCH_LATENCY_FILE"], "w") as f:
            json.dump({"n": len(v), "p50_ms": q(0.5), "p99_ms": q(0.99)}, f)
