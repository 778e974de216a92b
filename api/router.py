"""Assembles the routers of every resource."""

from fastapi import APIRouter

from api.routes import audit, esco, health, jobseekers, link, metrics, quarantine, shortlists, users, vacancies

api_router = APIRouter()
for module in (health, metrics, esco, link, jobseekers, vacancies, shortlists, quarantine, audit, users):
    api_router.include_router(module.router)

__all__ = ["api_router"]
