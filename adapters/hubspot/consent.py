"""Opt contacts out of all e-mail: `email_opt_out` goes through the subscriptions API, not a property.

`hs_email_optout` ("Unsubscribed from all email", type bool) is read-only through the CRM API
(HubSpot answers a write with "… is a read only property; its value cannot be set"), so a
change that sets `email_opt_out` becomes, per contact, `POST /communication-preferences/v4/
statuses/{email}/unsubscribe-all?channel=EMAIL` (no body; the subscriber is the e-mail
address; 200 `{status, results, startedAt, completedAt}`). Scope `communication_preferences.write`
(or `.read_write`); the spec's tier requirement is Marketing Hub Starter, or any Sales, Service,
Content or Smart CRM tier. The batch form (`statuses/batch/unsubscribe-all`) needs scopes only a
Marketing Hub Enterprise portal can grant, so it is not used. The status is read back from
`hs_email_optout` with the other managed properties. An opt-out cannot be undone through the
API, and leadsync never asks: a change that would set it to false is refused, nothing is sent.
Verified against HubSpot/HubSpot-public-api-spec-collection @ 9989379
(`Communication Preferences/Subscriptions/Rollouts/176901/v4/subscriptions.json`) and
https://developers.hubspot.com/docs/api-reference/communication-preferences-subscriptions-v4/guide
(see api-notes.md, "Consent").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Final

import msgspec
from hubspot import HubSpot

from leadsync.adapter_api import (
    AdapterContext,
    Change,
    CurrentValues,
    PropertyWrite,
    RawValue,
    StreamUnavailable,
    WriteResult,
)
from leadsync.kit import CallRefused

from .transport import Transport
from .writes import BATCH

__all__ = ["Consent"]

MANAGED: Final = "email_opt_out"
_PATH: Final = "/communication-preferences/v4/statuses/{subscriberIdString}/unsubscribe-all"
_NOT_REGRANTED: Final = (
    "CONSENT_NOT_REGRANTED",
    (
        "leadsync never re-subscribes a contact who opted out of all e-mail; only the contact can, "
        "through a HubSpot preferences link"
    ),
)
_SCOPE_HINT: Final = (
    "grant the private app the communication_preferences.write scope (Settings → Integrations → "
    "Private apps), or remove email_opt_out from [write.contacts]"
)


class Consent:
    """Writes `email_opt_out` as HubSpot's unsubscribe-all call; hands every other value on."""

    def __init__(self, context: AdapterContext, client: HubSpot, transport: Transport) -> None:
        write = context.mapping.write.get("contacts")
        targets = write.targets.get(MANAGED, ()) if write else ()
        self._property = targets[0].field if targets else None
        self._client, self._transport = client, transport

    def read(self, current: Iterable[CurrentValues]) -> list[CurrentValues]:
        """The values read, `email_opt_out` as yes/no (HubSpot gives the checkbox as text)."""
        found = list(current)
        if self._property is None:
            return found
        return [
            msgspec.structs.replace(c, values={**c.values, MANAGED: _flag(c.values.get(MANAGED))})
            if MANAGED in c.values
            else c
            for c in found
        ]

    def apply(
        self, changes: Sequence[Change], write: Callable[[Sequence[Change]], Iterable[WriteResult]]
    ) -> list[WriteResult]:
        """Write every change, opt-outs through the subscriptions API and the rest with `write`;
        one result per change, in order."""
        prop = self._property
        if prop is None or not any(MANAGED in c.values or prop in c.properties for c in changes):
            return list(write(changes))
        parts: list[list[WriteResult]] = [[] for _ in changes]
        opting: list[int] = []
        rest: list[tuple[int, Change]] = []
        for index, change in enumerate(changes):
            asked = change.values.get(MANAGED) if MANAGED in change.values else change.properties.get(prop)
            if MANAGED in change.values or prop in change.properties:
                if _flag(asked) is True:
                    opting.append(index)
                else:
                    parts[index].append(WriteResult(change.ref, False, *_NOT_REGRANTED))
            left = _without(change, prop)
            if left.values or left.properties:
                rest.append((index, left))
        if rest:
            for (index, _), result in zip(rest, write([c for _, c in rest]), strict=True):
                parts[index].append(result)
        for index, result in self._opt_out([changes[i] for i in opting], prop).items():
            parts[opting[index]].append(result)
        return [_joined(change, results) for change, results in zip(changes, parts, strict=True)]

    def _opt_out(self, changes: Sequence[Change], prop: str) -> dict[int, WriteResult]:
        """Unsubscribe each contact's address from all e-mail; a refused scope fails the rest."""
        emails = self._emails([c.ref.record_id for c in changes])
        results: dict[int, WriteResult] = {}
        api_client = self._client.crm.contacts.batch_api.api_client
        for index, change in enumerate(changes):
            ref, email = change.ref, emails.get(change.ref.record_id)
            if not email:
                results[index] = WriteResult(ref, False, "NO_EMAIL", "the contact has no e-mail address")
                continue
            try:
                self._transport.call(
                    "unsubscribe-all",
                    api_client.call_api,
                    resource_path=_PATH,
                    method="POST",
                    path_params={"subscriberIdString": email},
                    query_params=[("channel", "EMAIL")],
                    header_params={"Accept": "application/json"},
                    auth_settings=["oauth2"],
                )
            except StreamUnavailable as exc:  # no scope: no other contact can be unsubscribed either
                message = f"HubSpot refused unsubscribe-all ({exc.code or 403}); {_SCOPE_HINT}"
                for later in range(index, len(changes)):
                    results[later] = WriteResult(changes[later].ref, False, "MISSING_SCOPES", message)
                return results
            except CallRefused as exc:
                results[index] = WriteResult(
                    ref, False, exc.codes[0] if exc.codes else f"HTTP_{exc.status}", str(exc)[:300]
                )
                continue
            before = _raw(change.previous.get(MANAGED))
            results[index] = WriteResult(ref, True, properties={prop: PropertyWrite(before, "true")})
        return results

    def _emails(self, contact_ids: Sequence[str]) -> dict[str, str]:
        """Each contact's e-mail address (the subscriber id of the subscriptions API)."""
        api = self._client.crm.contacts.batch_api
        found: dict[str, str] = {}
        for start in range(0, len(contact_ids), BATCH):
            chunk = contact_ids[start : start + BATCH]
            body = {"inputs": [{"id": i} for i in chunk], "properties": ["email"]}
            answer = self._transport.call(
                "contacts batch read", api.read, batch_read_input_simple_public_object_id=body
            )
            for record in answer.body.get("results", []):
                email = (record.get("properties") or {}).get("email")
                if email:
                    found[str(record["id"])] = str(email)
        return found


def _without(change: Change, prop: str | None) -> Change:
    return Change(
        change.ref,
        {k: v for k, v in change.values.items() if k != MANAGED},
        {k: v for k, v in change.previous.items() if k != MANAGED},
        {k: v for k, v in change.properties.items() if k != prop},
    )


def _joined(change: Change, results: Sequence[WriteResult]) -> WriteResult:
    """One result for a change written in parts: done when every part was."""
    failed = next((r for r in results if not r.ok), None)
    if failed is not None:
        return WriteResult(change.ref, False, failed.code, failed.message, failed.retryable)
    written: dict[str, PropertyWrite] = {}
    for result in results:
        written.update(result.properties)
    return WriteResult(change.ref, True, properties=written)


def _flag(value: object) -> bool | None:
    """HubSpot's checkbox text as yes/no; None when empty or unknown."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if value is not None else ""
    return {"true": True, "false": False}.get(text)


def _raw(value: object) -> RawValue:
    flag = _flag(value)
    return None if flag is None else ("true" if flag else "false")
