"""leernet's core: the store, ingest, validation, queries and analysis of the learning-network graph."""

__version__ = "0.1.0"
