"""The engine suite's pipeline fixtures, shared with the reliability suite."""

from tests.engine.conftest import make_pipeline, pipeline  # noqa: F401 - fixtures for this directory
