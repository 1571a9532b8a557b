"""A stateful loopback emulator of the HubSpot API subset leadsync uses.

The unmodified `hubspot-api-client` talks to it over plain HTTP on 127.0.0.1
(`HubSpot(access_token=..., host=sandbox.url)`). It is seeded from `leadsync.testing.seed`'s
population (the people `in_hubspot`), answers in HubSpot's paths, payloads, paging,
limits and error bodies (api-notes.md is the authority; each module says what it checked
and where), injects faults in HubSpot's dialect and counts every call.

Served: CRM search, batch read/update, single GET/PATCH and the list (`GET /crm/v3/objects/
{type}`, live or `archived=true` records: `listing`) of contacts, meetings, calls and e-mails;
owners; properties; v4 association batch reads; web events (`/events/v3`); legacy marketing
e-mail events; marketing-event participation breakdowns; the list of the portal's marketing
events (`GET /marketing/v3/marketing-events/`, counted as `marketing-events list`).

Faults (`sandbox.faults.push(Fault(kind, ...))`): `rate_limit` (429; `policyName` taken from the
fault's headers, TEN_SECONDLY_ROLLING by default; its other headers, e.g. `Retry-After`, are
sent, with `X-HubSpot-RateLimit-*` saying none is left in the policy's window), `server_error` /
`server_error_502` / `server_error_503`, `timeout` (the real answer after `delay_s`), `auth`
(401), `missing_scopes` (403 `MISSING_SCOPES`; the pseudo-header `requiredScopes` lists the
scopes it names). Per-record refusals: `sandbox.store.reject_writes(*ids)` (a 400 naming no
input), `store.remove_option(property, value)` (a 400 naming the property and value),
`store.fail_unnamed(*ids)` (a 207 error naming no ids). `SearchLimits(short_pages=n)`: search
pages of at most n results that still go on. `HubSpotSandbox(tier=...)`: below "enterprise" the
events API answers 403 (`app.tier` may change while serving, as a subscription does).
`store.archive(type, id)` deletes a record as `DELETE /crm/v3/objects/{type}/{id}` does: it
leaves search, GET answers 404, batch reads and updates 207 OBJECT_NOT_FOUND, and the archived
list shows it with `archivedAt` for 90 days; `store.archive_property(name)` archives a property
as `DELETE /crm/v3/properties/{type}/{name}` does: the properties API lists it no more and
writes to it are a 400 PROPERTY_DOESNT_EXIST (`restore=True` brings it back). The contract suite
drives the sandbox through `controls.py` (`leadsync.testing.SandboxControls`).

Real-API rules and their provenance (api-notes, "Corrections, 2026-12", unless said):
events cursors are returned URL-encoded (`...%3D%3D`) and any other cursor is a 400
(`paging`); search pages may be short and still have `after` (`search`); 207 errors may name
no ids (`batches`); the events API needs Enterprise (`errors.tier_refused`: message quoted in
PipedreamHQ/pipedream#11810, category unverified); `MISSING_SCOPES` bodies as quoted in
HubSpot/hubspot-api-nodejs#268 (`errors.missing_scopes`); a form submission shows as
`e_submitted_form`, `e_form_submission_v2` and `e_form_submission_metadata_v2`
(`activity_json.FORM_EVENT_TYPES`; which types a form emits and their properties are
unverified); `INVALID_EMAIL`'s message as quoted in Atlas-Authority/marketing-automation#174.

Deliberate differences from the real API (none makes a client pass here that would fail
there; most make the sandbox stricter or leave a behaviour unspecified on purpose):

- Only the object types above exist; an unknown type name answers HubSpot's 400 "Unable to
  infer object type" (no category, as recorded), and a known type the sandbox does not serve
  answers 404 (search, batch, GET) or an empty list (properties). Properties are a fixed
  subset; none can be created or archived.
  `associations` query options are ignored, and so are `archived` everywhere but the list and
  `propertiesWithHistory` everywhere but batch reads; `idProperty=email` works in contact batch reads only.
- Contact analytics properties (`analytics`): derived from the seeded page views, forms and
  e-mail events; history is kept for `hs_analytics_last_url` and
  `recent_conversion_event_name` only (other properties asked with history show their current
  value once); `sourceType`/`sourceId` of history entries are the sandbox's own. A batch read
  with `propertiesWithHistory` takes ≤ 50 inputs (400 otherwise, message as quoted in
  PipedreamHQ/pipedream#8462; the category is the sandbox's).
- Search: ties in the sort property come back in a fixed arbitrary order (HubSpot promises
  none), and so does a search without a sort; records without the sort property come
  last. `after + limit` past 10,000 is refused (HubSpot may refuse only `after` past it).
  A filter or sort on an unknown property is a 400. `query` (free text) is a word-prefix
  match over string values. Records without the property match NEQ/NOT_IN. The messages
  of search validation errors (the 10k cap included) are the sandbox's own.
- Writes: `objectWriteTraceId` is ignored, so a bad value fails the whole batch (400) even
  where HubSpot would answer a per-record 207. Every accepted write moves
  `lastmodifieddate`, even one that changes nothing. Stamps come from the sandbox clock,
  shifted forward when the population's `now` is ahead of it, so a write is always
  stamped after every seeded stamp; they never go back. Codes INVALID_DECIMAL /
  INVALID_LONG / INVALID_EMAIL and their messages, the rejection message for ids chosen
  with `store.reject_writes`, and the message for more than 100 inputs are unverified.
  Strings are not length-checked. `store.update_as_user` may move a lifecycle stage back,
  as a person in the UI may.
- Seeded values keep their dirt: e-mails in other case or with spaces (HubSpot would
  normalise them), a 360 kB job title, an industry no picklist knows.
- Merged-away ids answer as the survivor in GET, batch read, batch update, associations
  and events; they are absent from search and from the archived list. Archived records cannot be
  restored, leave the archived list 90 days after their deletion, and keep their activities and
  associations.
- Events API: `objectType` alone lists every contact's events; newest first unless
  `sort=ASCENDING`; `occurredAfter`/`occurredBefore` are exclusive; `limit` ≤ 100;
  `objectType` comes back as `CONTACT`. The event property names are best knowledge, not
  verified.
- E-mail events: bounces carry `category: UNKNOWN_USER` (HubSpot's hard-bounce category
  as best known); campaign ids and `sentBy` are synthetic; newest first.
- Marketing events: the list serves the six seeded events only (none can be created,
  updated or archived; `/events/search`, `/{objectId}` and the external-id routes are not
  served). The seed repeats each webinar fortnightly under one event, so an event's
  `startDateTime`/`endDateTime` span its participations (first one to an hour after the
  last), `createdAt` is a week before its start, `eventCompleted` is always true and its
  counts are those of its participations (`noShows`: the REGISTERED ones). `appInfo`,
  `eventOrganizer` and `eventUrl` are synthetic; `customProperties` is empty; `eventStatus`
  is absent.
- Rate limits: one account and one app; no `groupName` in 429 bodies; the daily count
  resets at midnight UTC. `Retry-After` is sent only when asked for
  (`RateLimits(retry_after=True)`, or a fault's headers), as HubSpot does not document
  it. Beware: the client's default urllib3 `Retry(3)` sleeps for a `Retry-After` on a
  429/503 and asks again by itself. 5xx fault bodies are JSON (a real 502/503 may come
  from the edge as HTML).
- `after` cursors of owners, marketing events and participations are the sandbox's own
  opaque strings, and the object list's is the id its next page starts at; events cursors
  have the real format (base64 ending in `==`, returned URL-encoded) but encode the sandbox's
  offset; search's `after` is the offset, as HubSpot's is in practice. The 400 for a cursor
  never issued has the sandbox's own message. The object list takes at most 100 a page (a
  400 above: the sandbox's own rule and message; see `listing`).
- The 403 of the events API below Enterprise, the 207 error that names no ids
  (`INTERNAL_ERROR`, "Unable to update the object; please try again later") and
  `reject_writes`' 400 message are the sandbox's own choices (no recorded body found).
"""

from __future__ import annotations

from .limits import RateLimits
from .search import SearchLimits
from .server import HubSpotSandbox
from .store import HubSpotStore

__all__ = ["HubSpotSandbox", "HubSpotStore", "RateLimits", "SearchLimits"]
