"""The adapter kit: what every CRM adapter needs besides its API's routes and shapes.

- Calls: `Caller` (budget check, rate limit, retries on tenacity, error table, logging,
  counting), a per-CRM `Limiter` shared by all streams, `ErrorTable` from an API's statuses
  and codes to the core's outcomes, `Sessions` that renew themselves, `http_session` and
  `json_try` (one try of a JSON call).
- Reading: `Pages` (items, quarantine excerpts, gone records), `Keyset` and `by_key` (a
  (stamp, key) cursor with tie-breaking), `merged_pages` (one cursor over several streams),
  `HeldRows` (rows held until a stream answering out of order is read whole), `every_row`
  (next-page tokens), `logged` and `optional` (a stream a tier or scope refuses is skipped).
- Writing: `WriteValues` (managed values to CRM values and back), `HeldValues` (what each
  write replaced, for the audit), `RecordRetries` (passing refusals resent record by
  record), `written_in_parts`, `owner_ids`.
- Checking: `schema_problems`, `refusal_problems`, `settings_of`.

Adapters import this package, `leadsync.adapter_api`, `leadsync.model` and
`leadsync.problems`; docs/write-an-adapter.md builds a toy adapter on it.
"""

from leadsync.kit.allowance import DailyAllowance
from leadsync.kit.calls import AttemptFailed, Caller, RetryPolicy
from leadsync.kit.epoch import epoch_ms, from_epoch_ms, iso_ms, stamp_ms
from leadsync.kit.errors import CallRefused, ErrorRule, ErrorTable, Outcome
from leadsync.kit.excerpts import excerpt
from leadsync.kit.fan_out import fan_out
from leadsync.kit.held_rows import HeldRows, Keeper
from leadsync.kit.held_values import HeldValues, raw_value
from leadsync.kit.http import json_at, json_object, retry_after_s
from leadsync.kit.http_session import http_session, json_try
from leadsync.kit.keyset import Answer, Keyset, by_key, first_rows, merged_pages, stamp_groups
from leadsync.kit.limiter import Limiter, RateLimit
from leadsync.kit.listing import every_row
from leadsync.kit.pool_watch import no_answer, watch_pool
from leadsync.kit.probes import refusal_problems
from leadsync.kit.recent_rows import RecentRows
from leadsync.kit.record_retries import RecordRetries
from leadsync.kit.schema import READ_KINDS, WRITE_KINDS, CrmField, FieldKind, SchemaWords, schema_problems
from leadsync.kit.sessions import Login, Session, SessionExpired, Sessions
from leadsync.kit.settings import CrmSettings, Seconds, SettingsError, Share, settings_of
from leadsync.kit.stream_cursor import AFTER_ALL, BEFORE_ALL, numeric_key, record_id, resume_keys
from leadsync.kit.streams import Pages, logged, optional
from leadsync.kit.write_parts import ChangeWriter, written_in_parts
from leadsync.kit.write_values import Prepared, Refused, WriteValues, instant_of, owner_ids

__all__ = [
    "AFTER_ALL",
    "BEFORE_ALL",
    "READ_KINDS",
    "WRITE_KINDS",
    "Answer",
    "AttemptFailed",
    "CallRefused",
    "Caller",
    "ChangeWriter",
    "CrmField",
    "CrmSettings",
    "DailyAllowance",
    "ErrorRule",
    "ErrorTable",
    "FieldKind",
    "HeldRows",
    "HeldValues",
    "Keeper",
    "Keyset",
    "Limiter",
    "Login",
    "Outcome",
    "Pages",
    "Prepared",
    "RateLimit",
    "RecentRows",
    "RecordRetries",
    "Refused",
    "RetryPolicy",
    "SchemaWords",
    "Seconds",
    "Session",
    "SessionExpired",
    "Sessions",
    "SettingsError",
    "Share",
    "WriteValues",
    "by_key",
    "epoch_ms",
    "every_row",
    "excerpt",
    "fan_out",
    "first_rows",
    "from_epoch_ms",
    "http_session",
    "instant_of",
    "iso_ms",
    "json_at",
    "json_object",
    "json_try",
    "logged",
    "merged_pages",
    "no_answer",
    "numeric_key",
    "optional",
    "owner_ids",
    "raw_value",
    "record_id",
    "refusal_problems",
    "resume_keys",
    "retry_after_s",
    "schema_problems",
    "settings_of",
    "stamp_groups",
    "stamp_ms",
    "watch_pool",
    "written_in_parts",
]
