"""The pure core: frozen dataclasses and enums, no I/O, no SQLAlchemy, no FastAPI."""
