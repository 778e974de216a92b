"""One structured access-log line and the Prometheus metrics of every request.

The log line has the method, the route template (``/jobseekers/{jobseeker_id}``, never the path with its ids),
the status and the duration: no query string, no body, no token, no address. Metrics are kept in a registry
of the app's own (request counts and latency per route template, index sizes, ingestion and quarantine counts)
and rendered by the Prometheus client library.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("skillmatch.access")

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def route_template(scope: Scope) -> str:
    """The template of the route that answered (``(unmatched)`` when none did)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str) and path:
        return path
    return "(unmatched)"


class Metrics:
    """The service's metrics, in a registry of its own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "skillmatch_http_requests", "HTTP requests answered.", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "skillmatch_http_request_duration_seconds",
            "Time to answer an HTTP request.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.ingested = Counter(
            "skillmatch_ingested_records",
            "Records submitted through the API, by outcome.",
            ["kind", "status"],
            registry=self.registry,
        )
        self.sign_in_failures = Counter(
            "skillmatch_sign_in_failures", "Requests with a missing or invalid token.", registry=self.registry
        )

    def watch(self, state: Callable[[], Iterator[Metric]]) -> None:
        """Add gauges computed at each scrape (index sizes, quarantine counts)."""
        self.registry.register(_StateCollector(state))

    def render(self) -> bytes:
        """The metrics in the Prometheus text format."""
        return generate_latest(self.registry)


class _StateCollector(Collector):
    def __init__(self, state: Callable[[], Iterator[Metric]]) -> None:
        self.state = state

    def collect(self) -> Iterator[Metric]:
        yield from self.state()

    def describe(self) -> list[Metric]:
        return []


def gauge(name: str, documentation: str, labels: list[str], values: list[tuple[list[str], float]]) -> Metric:
    """A gauge family with its samples."""
    family = GaugeMetricFamily(name, documentation, labels=labels)
    for label_values, value in values:
        family.add_metric(label_values, value)
    return family


class RequestObserver:
    """ASGI middleware: count, time and log every HTTP request by its route template."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def tracking_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        finally:
            seconds = time.perf_counter() - started
            route, method = route_template(scope), str(scope.get("method", ""))
            self.metrics.requests.labels(method, route, str(status["code"])).inc()
            self.metrics.latency.labels(method, route).observe(seconds)
            line: dict[str, Any] = {
                "event": "request",
                "method": method,
                "route": route,
                "status": status["code"],
                "ms": round(seconds * 1000, 2),
            }
            access_log.info(json.dumps(line))


__all__ = ["LATENCY_BUCKETS", "Metrics", "RequestObserver", "access_log", "gauge", "route_template"]
