"""Prometheus metrics: requests and latency per route template, index sizes, ingestion and quarantine counts."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST

from api.deps import MetricsDep

router = APIRouter(prefix="/metrics", tags=["metrics"])


@router.get(
    "",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}, "description": "Metrics"}},
)
def metrics(metrics: MetricsDep) -> Response:
    """The service's metrics in the Prometheus text format (no sign-in needed)."""
    return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)
