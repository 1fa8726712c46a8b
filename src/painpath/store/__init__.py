"""Storage: SQLAlchemy models, the scoped repository, the unit of work and the migrations."""
