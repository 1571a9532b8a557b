"""Salesforce's REST error shape: a list of `{message, errorCode, fields?}` with an HTTP status."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["NOT_FOUND", "SalesforceError", "not_found"]

NOT_FOUND = "The requested resource does not exist"


class SalesforceError(Exception):
    """An error the sandbox answers in Salesforce's dialect (body: a one-element list)."""

    def __init__(self, status: int, code: str, message: str, fields: Sequence[str] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.fields = None if fields is None else list(fields)

    def body(self) -> list[dict[str, object]]:
        """The JSON body Salesforce sends for this error."""
        item: dict[str, object] = {"message": self.message, "errorCode": self.code}
        if self.fields is not None:
            item["fields"] = self.fields
        return [item]


def not_found() -> SalesforceError:
    """The 404 Salesforce answers for an unknown resource, version or record."""
    return SalesforceError(404, "NOT_FOUND", NOT_FOUND)
