"""SQLAlchemy implementations of the domain's storage ports, and the schema migrations."""
