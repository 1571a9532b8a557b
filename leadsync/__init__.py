"""leadsync: one funnel, one score, one owner for every person, in every CRM."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("leadsync")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
