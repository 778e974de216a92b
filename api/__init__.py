"""The web service: FastAPI app, one router per resource, web pages."""
