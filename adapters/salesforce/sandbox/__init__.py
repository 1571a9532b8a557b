"""A stateful loopback emulator of the Salesforce REST API subset leadsync uses.

`SalesforceSandbox` seeds an org from `leadsync.testing.seed.population` and serves it over HTTPS
on 127.0.0.1 (a throwaway `trustme` CA), so the unmodified simple-salesforce client talks to
it: `/services/data/` (versions), `vXX.X/` (resources: five, and the session's `identity`),
`query` and `queryAll` with paging and locators, `limits`, `sobjects` (global describe),
`sobjects/<Type>/describe`, `sobjects/<Type>/<Id>` (GET, PATCH), `composite/sobjects` (PATCH) and
`/services/oauth2/token` (client credentials). Paths, payloads, paging, limits and error
bodies follow the REST guide and shared/api-notes.md; each module's docstring says which
rules it follows. Tests reach in through `store` (records, human edits, validation rules,
row locks, deletions, merges of Leads or Contacts as `merges.py` describes, the API
allowance, and what the integration user may see: `store.hide_field(name)` is field-level
security hiding a field from describe and SOQL, INVALID_FIELD; `store.hidden_objects` are objects
its profile cannot read, INVALID_TYPE in SOQL as for an unknown object (recorded body
error_400_invalid_type.json; SalesforceLabs/OrgCheck#111, jsforce/jsforce#423) and 404 to
describe, as api-notes' "Salesforce describe and FLS" says), `faults` (Salesforce-dialect
faults), `calls` and `GET /__sandbox__/stats` (the sandbox's own, neither counted nor
authenticated). The contract suite drives it through `controls.py` (`leadsync.testing.SandboxControls`).

Deliberate differences from the real API. None makes a call succeed that Salesforce would
refuse; where the sandbox does less, it refuses or says so:

- Only the resources above; any other path answers 404 NOT_FOUND, another method on a known
  path 405. API versions 59.0 to 67.0 only (the real API still serves 31.0 and later), and
  the versions list shows only those; no `latest` alias.
- SOQL is a subset (grammar in `soql.py`): no functions or aggregates, GROUP BY, HAVING,
  OFFSET, subqueries or semi-joins, TYPEOF, FIELDS(), date literals such as TODAY or
  LAST_N_DAYS:n, INCLUDES/EXCLUDES, FOR VIEW/UPDATE, WITH, USING SCOPE or aliases. Those
  answer 400 MALFORMED_QUERY with a message saying the sandbox does not emulate them.
  `<`, `>` on picklists are refused (INVALID_QUERY_FILTER_OPERATOR). Error messages point
  at the row and column as Salesforce does and echo the whole offending line (Salesforce
  echoes a window of it); parser messages outside the documented ones are approximations.
- Null and case rules follow the SOQL reference; what it leaves open is settled as follows
  and unverified against a live org: `!=` matches null fields; NOT IN and NOT LIKE do not.
- Without ORDER BY, rows come in Id (creation) order; Salesforce promises no order.
- Pages hold exactly the batch size (2,000, or `batchSize` clamped to 200 to 2,000); the
  real API may return fewer rows per page "to optimize performance": follow
  `nextRecordsUrl` and `done`, never count rows. Locators keep the matched ids and render
  each page from the current values; they never time out (Salesforce: 15 minutes idle);
  at most 10 open per user, the oldest dropped, as in Salesforce.
- Saves run a subset of system validation (restricted picklists, matched case-sensitively;
  length; e-mail syntax; required fields; lookups and owners) and a test-set validation
  rule; no triggers, workflow, duplicate rules or field history. The JSON reader is
  strict: text fields take JSON strings only, number fields JSON numbers only.
- sObject Collections: more than 10 chunks of consecutive same-type records fail the whole
  call with 400 INVALID_BATCH_REQUEST (the limit is documented, the envelope a guess: see
  `writes.py`); a repeated id fails with DUPLICATE_VALUE; with allOrNone every failing
  record reports its own errors. A failed record's result has no `id` (as in the documented
  example), so match results by position.
- `LeadSync_Age_Days__c` (formula) counts whole days since CreatedDate on the sandbox clock
  in UTC; Salesforce evaluates TODAY() in the user's time zone.
- Datetimes hold whole seconds, printed `.000` (SOAP API guide, dateTime: "a precision of one
  second"), so many records share a stamp. `store.update_as_user(..., stamped_at=…)` commits
  an edit late, stamped earlier than records already visible, as a long transaction does.
- The org has one active lead assignment rule: every Lead a REST save touches goes to the
  "Inbound Leads" queue (`store.assignment_owner`) unless the call carries
  `Sforce-Auto-Assign: FALSE`; a rule id in the header runs the same rule. Real rules have
  entries with criteria; this one has a single catch-all entry.
- The org's time is the clock the sandbox is given: the seed instant is its `now` at start-up,
  and saves are stamped by it (a test's `ManualClock` moves only when the test moves it).
- The daily allowance refuses at exactly the limit (Salesforce tolerates some overage),
  counts from start-up rather than over a rolling 24 hours, and counts only authenticated
  calls that reach a handler (not 401s, faults other than timeouts, the versions list or the
  token endpoint).
  `Sforce-Limit-Info` carries `api-usage` only (no per-app usage or bursts).
- OAuth: only the client-credentials grant; sessions do not expire with time; the `id`
  identity URL points at the sandbox and is not served. `expire_sessions_after(n)` counts
  authenticated calls of every session.
- 503 answers carry a JSON error list (SERVER_UNAVAILABLE); real 503s may be HTML pages.
- Describe returns the keys a schema check reads; `childRelationships`, `recordTypeInfos`
  are empty and layouts, help text and field history are absent.
- Users and queues (Group) are read-only through the API; Tasks, Events and
  CampaignMembers hold what the seed maps to Salesforce (see `activities.py`).
- Profiles, permission sets and their assignments (`access.py`) are read-only through the API
  (an admin's changes are the test hooks `access.set_profile` and `access.assign_permission_set`),
  and of their permissions only `PermissionsApiUserOnly` exists. Every user has a profile: the
  integration user the Salesforce Integration licence's API-only one, people "Standard User".
"""

from .service import SalesforceSandbox

__all__ = ["SalesforceSandbox"]
