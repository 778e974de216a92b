"""Assembles the routers of every resource."""

from fastapi import APIRouter, Depends

from api.query import single_query_values
from api.routes import (
    audit,
    esco,
    exposure,
    health,
    jobseekers,
    link,
    metrics,
    oversight,
    quarantine,
    recruiting,
    rights,
    shortlists,
    users,
    vacancies,
)
from api.routes import rematch as rematch_routes

api_router = APIRouter(dependencies=[Depends(single_query_values)])
for module in (health, metrics, esco, link, jobseekers, vacancies, shortlists, quarantine, audit, users):
    api_router.include_router(module.router)
for module in (oversight, exposure, recruiting, rights):
    api_router.include_router(module.router)
api_router.include_router(rematch_routes.router)

__all__ = ["api_router"]
