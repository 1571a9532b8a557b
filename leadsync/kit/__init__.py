"""The adapter kit: what every CRM adapter needs besides its API's routes and shapes.

Calls (`Caller`: budget check, rate limit, retries, error table, logging, counting), a per-CRM
`Limiter` shared by all streams, the `ErrorTable` from an API's errors to the core's outcomes,
incremental streams (`Pages`, `logged`, `optional`, one cursor over merged streams, rows held
until a stream is read whole) and the audit of what each write replaced. Adapters import this
package, `leadsync.adapter_api` and `leadsync.model`; see docs/write-an-adapter.md.
"""

from leadsync.kit.calls import AttemptFailed, Caller, RetryPolicy
from leadsync.kit.errors import CallRefused, ErrorRule, ErrorTable, Outcome
from leadsync.kit.excerpts import excerpt
from leadsync.kit.held_rows import HeldRows, Keeper
from leadsync.kit.held_values import HeldValues, raw_value
from leadsync.kit.http import json_object, retry_after_s
from leadsync.kit.http_session import http_session
from leadsync.kit.keyset import Answer, Keyset, by_key, first_rows, stamp_groups
from leadsync.kit.limiter import Limiter, RateLimit
from leadsync.kit.probes import refusal_problems
from leadsync.kit.schema import READ_KINDS, WRITE_KINDS, CrmField, FieldKind, SchemaWords, schema_problems
from leadsync.kit.sessions import Login, Session, SessionExpired, Sessions
from leadsync.kit.settings import CrmSettings, Seconds, SettingsError, Share, settings_of
from leadsync.kit.stream_cursor import AFTER_ALL, BEFORE_ALL, numeric_key, record_id, resume_keys
from leadsync.kit.streams import Pages, logged, optional
from leadsync.kit.write_values import Prepared, Refused, WriteValues, instant_of

__all__ = [
    "AFTER_ALL",
    "BEFORE_ALL",
    "READ_KINDS",
    "WRITE_KINDS",
    "Answer",
    "AttemptFailed",
    "CallRefused",
    "Caller",
    "CrmField",
    "CrmSettings",
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
    "excerpt",
    "first_rows",
    "http_session",
    "instant_of",
    "json_object",
    "logged",
    "numeric_key",
    "optional",
    "raw_value",
    "record_id",
    "refusal_problems",
    "resume_keys",
    "retry_after_s",
    "schema_problems",
    "settings_of",
    "stamp_groups",
]
