"""``python -m api.auth``: print the README's table of routes, generated from the rule table."""

from sqlalchemy import create_engine

from api.auth.policy import readme_table
from api.main import create_app

print(readme_table(create_app(db=create_engine("sqlite://"))), end="")
