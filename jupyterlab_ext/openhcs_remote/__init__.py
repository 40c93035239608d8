"""Run OpenHCS pipelines on a remote server and watch the results stream back inline."""

__version__ = "0.1.0"

__all__ = ["__version__"]
