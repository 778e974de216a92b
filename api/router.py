"""Assembles the routers of every resource."""

from fastapi import APIRouter

from api.routes import audit, esco, health, jobseekers, oversight, quarantine, recruiting, rights, vacancies

api_router = APIRouter()
for module in (health, esco, jobseekers, vacancies, quarantine, oversight, audit, recruiting, rights):
    api_router.include_router(module.router)

__all__ = ["api_router"]
