"""Assembles the routers of every resource."""

from fastapi import APIRouter, Depends

from api.query import single_query_values
from api.routes import (
    audit,
    dossier_corrections,
    esco,
    exposure,
    health,
    jobseekers,
    learned_links,
    link,
    metrics,
    oversight,
    quarantine,
    recruiting,
    rights,
    shortlists,
    users,
    vacancies,
    vacancy_corrections,
)
from api.routes import rematch as rematch_routes

api_router = APIRouter(dependencies=[Depends(single_query_values)])
for module in (health, metrics, esco, link, jobseekers, vacancies, shortlists, quarantine, audit, users):
    api_router.include_router(module.router)
for module in (oversight, exposure, recruiting, rights):
    api_router.include_router(module.router)
api_router.include_router(rematch_routes.router)
for module in (vacancy_corrections, dossier_corrections, learned_links):
    api_router.include_router(module.router)

__all__ = ["api_router"]
