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

from collections.abc import Iterable, Sequence
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
from leadsync.kit import CallRefused, ChangeWriter, json_at, written_in_parts

from .batch_reads import batch_read
from .transport import Transport

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
_NO_EMAIL: Final = ("NO_EMAIL", "the contact has no e-mail address")
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

    def apply(self, changes: Sequence[Change], write: ChangeWriter) -> list[WriteResult]:
        """Write every change, opt-outs through the subscriptions API and the rest with `write`;
        one result per change, in order."""
        prop = self._property
        if prop is None:
            return list(write(changes))
        return written_in_parts(changes, values=(MANAGED,), properties=(prop,), own=self._opt_out, rest=write)

    def _opt_out(self, changes: Sequence[Change]) -> list[WriteResult]:
        """Unsubscribe each contact's address from all e-mail (never re-subscribe one); once the scope
        is refused, no other contact can be unsubscribed either."""
        prop = self._property or MANAGED
        asked = [c.values.get(MANAGED) if MANAGED in c.values else c.properties.get(prop) for c in changes]
        opting = [c.ref.record_id for c, value in zip(changes, asked, strict=True) if _flag(value) is True]
        emails, refused = self._emails(opting), ""
        results: list[WriteResult] = []
        for change, value in zip(changes, asked, strict=True):
            ref, email = change.ref, emails.get(change.ref.record_id)
            if _flag(value) is not True:
                results.append(WriteResult(ref, False, *_NOT_REGRANTED))
            elif refused or not email:
                results.append(
                    WriteResult(ref, False, *(("MISSING_SCOPES", refused) if refused else _NO_EMAIL))
                )
            else:
                try:
                    self._unsubscribe(email)
                except StreamUnavailable as exc:
                    refused = f"HubSpot refused unsubscribe-all ({exc.code or 403}); {_SCOPE_HINT}"
                    results.append(WriteResult(ref, False, "MISSING_SCOPES", refused))
                except CallRefused as exc:
                    code = exc.codes[0] if exc.codes else f"HTTP_{exc.status}"
                    results.append(WriteResult(ref, False, code, str(exc)[:300]))
                else:
                    before = _raw(change.previous.get(MANAGED))
                    results.append(WriteResult(ref, True, properties={prop: PropertyWrite(before, "true")}))
        return results

    def _unsubscribe(self, email: str) -> None:
        self._transport.call(
            "unsubscribe-all",
            self._client.crm.contacts.batch_api.api_client.call_api,
            resource_path=_PATH,
            method="POST",
            path_params={"subscriberIdString": email},
            query_params=[("channel", "EMAIL")],
            header_params={"Accept": "application/json"},
            auth_settings=["oauth2"],
        )

    def _emails(self, contact_ids: Sequence[str]) -> dict[str, str]:
        """Each contact's e-mail address (the subscriber id of the subscriptions API)."""
        found = batch_read(self._client, self._transport, contact_ids, {"properties": ["email"]})
        return {str(r["id"]): str(email) for r in found if (email := json_at(r, "properties", "email"))}


def _flag(value: object) -> bool | None:
    """HubSpot's checkbox text as yes/no; None when empty or unknown."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if value is not None else ""
    return {"true": True, "false": False}.get(text)


def _raw(value: object) -> RawValue:
    flag = _flag(value)
    return None if flag is None else ("true" if flag else "false")
