// Ordered schema migrations, one list per dialect, applied once each and recorded in schema_migrations.
// Never edit a released migration: add a new one. Versions must stay in step between the two lists.
// Times are milliseconds since the Unix epoch (INTEGER / BIGINT) so both stores sort and compare alike.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const sqliteMigrations: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  scopes TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX api_keys_tenant ON api_keys(tenant_id);

-- seq is the tenant stream position; AUTOINCREMENT so a seq is never reused.
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  conversation_id TEXT,
  -- the event without its text; text lives apart so retention can drop it alone
  body TEXT NOT NULL,
  text TEXT,
  text_purged_at INTEGER,
  UNIQUE (tenant_id, id)
);
CREATE INDEX events_tenant_seq ON events(tenant_id, seq);
CREATE INDEX events_conversation ON events(tenant_id, conversation_id, time_ms) WHERE conversation_id IS NOT NULL;
CREATE INDEX events_retention ON events(tenant_id, time_ms) WHERE type = 'message' AND text IS NOT NULL;

CREATE TABLE accounts (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  age INTEGER,
  age_band TEXT,
  country TEXT,
  created_at INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
);

-- One row per unordered pair (user_a < user_b); state is the latest by event time.
CREATE TABLE connections (
  tenant_id TEXT NOT NULL,
  user_a TEXT NOT NULL,
  user_b TEXT NOT NULL,
  connected INTEGER NOT NULL,
  changed_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, user_a, user_b)
);
CREATE INDEX connections_b ON connections(tenant_id, user_b);

CREATE TABLE blocks (
  tenant_id TEXT NOT NULL,
  blocker_id TEXT NOT NULL,
  blocked_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, blocker_id, blocked_id)
);

CREATE TABLE cases (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  accused_id TEXT NOT NULL,
  status TEXT NOT NULL,
  level TEXT NOT NULL,
  score REAL NOT NULL,
  conversation_ids TEXT NOT NULL,
  evidence TEXT NOT NULL,
  opened_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX cases_accused ON cases(tenant_id, accused_id, status);
CREATE INDEX cases_updated ON cases(tenant_id, updated_at, id);

CREATE TABLE case_conversations (
  tenant_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  case_id TEXT NOT NULL,
  PRIMARY KEY (tenant_id, conversation_id, case_id)
);

CREATE TABLE case_history (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL,
  case_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  from_status TEXT,
  to_status TEXT,
  note TEXT
);
CREATE INDEX case_history_case ON case_history(tenant_id, case_id, seq);

CREATE TABLE case_alerts (
  tenant_id TEXT NOT NULL,
  alert_key TEXT NOT NULL,
  case_id TEXT NOT NULL,
  PRIMARY KEY (tenant_id, alert_key)
);

CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  events TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints(tenant_id);

CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER,
  last_error TEXT,
  last_status_code INTEGER,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status IN ('pending', 'failing');
CREATE INDEX webhook_deliveries_tenant ON webhook_deliveries(tenant_id, status, created_at);

CREATE TABLE engine_snapshots (
  tenant_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);

CREATE TABLE banks (
  tenant_id TEXT NOT NULL,
  name TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  source TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, name)
);
CREATE TABLE bank_hashes (
  tenant_id TEXT NOT NULL,
  bank TEXT NOT NULL,
  kind TEXT NOT NULL,
  hash TEXT NOT NULL,
  metadata TEXT,
  PRIMARY KEY (tenant_id, bank, kind, hash)
);
CREATE INDEX bank_hashes_lookup ON bank_hashes(tenant_id, kind, hash);
`,
  },
  {
    version: 2,
    name: 'hash banks record when they last changed',
    sql: `
ALTER TABLE banks ADD COLUMN updated_at INTEGER;
UPDATE banks SET updated_at = created_at;
`,
  },
  {
    version: 3,
    name: 'conversation lookups through a deferred index',
    // An index on events(conversation_id, ...) puts each new message on a different leaf page (one per
    // active conversation), so every insert dirtied a whole page of WAL and ingestion slowed down as
    // the table grew. conversation_seqs is filled by the writer in sorted bulk about four times a second
    // instead; lookups add a scan of the few events after conversation_index_state.seq.
    sql: `
DROP INDEX events_conversation;
CREATE TABLE conversation_seqs (
  tenant_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, conversation_id, seq)
) WITHOUT ROWID;
CREATE TABLE conversation_index_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL
);
INSERT INTO conversation_seqs (tenant_id, conversation_id, seq)
  SELECT tenant_id, conversation_id, seq FROM events WHERE type = 'message' ORDER BY tenant_id, conversation_id, seq;
INSERT INTO conversation_index_state (id, seq) VALUES (1, (SELECT coalesce(max(seq), 0) FROM events));
`,
  },
  {
    version: 4,
    name: 'index blocks by the blocked account',
    sql: 'CREATE INDEX blocks_blocked ON blocks(tenant_id, blocked_id);',
  },
  // Moderator console -------------------------------------------------
  {
    version: 5,
    name: 'moderator console: queue columns and claims on cases, staff users and sessions, enforcement actions, audit log',
    sql: `
ALTER TABLE cases ADD COLUMN urgency_base REAL NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN waiting_since INTEGER;
ALTER TABLE cases ADD COLUMN queue TEXT NOT NULL DEFAULT 'open';
ALTER TABLE cases ADD COLUMN queue_key REAL NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN child_age INTEGER;
ALTER TABLE cases ADD COLUMN sextortion INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN sextortion_deadline INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN bank_match INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN stage TEXT;
ALTER TABLE cases ADD COLUMN claimed_by TEXT;
ALTER TABLE cases ADD COLUMN claimed_name TEXT;
ALTER TABLE cases ADD COLUMN claim_expires_at INTEGER;
ALTER TABLE cases ADD COLUMN appeal INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN excluded_reviewer TEXT;
ALTER TABLE cases ADD COLUMN decided_by TEXT;
-- Existing cases: risk only until their next save recomputes the facts from the evidence.
UPDATE cases SET waiting_since = opened_at, urgency_base = score * 40,
  queue = CASE WHEN status IN ('open', 'in_review') THEN 'open' WHEN status = 'escalated' THEN 'escalated' ELSE 'closed' END;
UPDATE cases SET queue_key = CASE WHEN queue = 'closed' THEN updated_at / 3600000.0 ELSE urgency_base - waiting_since / 3600000.0 END;
CREATE INDEX cases_queue ON cases(tenant_id, queue, queue_key DESC, id DESC);
CREATE INDEX cases_claimed ON cases(tenant_id, claimed_by) WHERE claimed_by IS NOT NULL;

CREATE TABLE staff_users (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  failed_signins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX staff_users_tenant ON staff_users(tenant_id, email);
-- token_hash: SHA-256 of the cookie value; the value itself is never stored.
CREATE TABLE staff_sessions (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX staff_sessions_user ON staff_sessions(user_id);

CREATE TABLE enforcement_actions (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  case_id TEXT,
  action TEXT NOT NULL,
  reason TEXT NOT NULL,
  duration_hours INTEGER,
  decided_by TEXT NOT NULL,
  decided_by_name TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX enforcement_actions_account ON enforcement_actions(tenant_id, account_id, at);

-- Append-only (triggers below); each hash covers the previous one (audit.ts).
CREATE TABLE audit_log (
  tenant_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  actor_id TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  case_id TEXT,
  target_id TEXT,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX audit_log_case ON audit_log(tenant_id, case_id, seq) WHERE case_id IS NOT NULL;
CREATE INDEX audit_log_actor ON audit_log(tenant_id, actor_id, seq);
CREATE INDEX audit_log_action ON audit_log(tenant_id, action, seq);
-- The newest entry per tenant: the row appends lock and advance.
CREATE TABLE audit_heads (
  tenant_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted'); END;
`,
  },
  // End of moderator console ---------------------------------------------------------------------
  // Ban evasion ---------------------------------------------------------
  {
    version: 6,
    name: 'ban evasion: account identifiers (hashed), bans, per-tenant identifier secrets',
    // value is a keyed hash (email, phone, device, payment, IP), a username skeleton or lookup key, or
    // PDQ hex; never a raw identifier. Lookups go by (tenant, kind, value).
    sql: `
CREATE TABLE identifier_secrets (
  tenant_id TEXT PRIMARY KEY,
  secret TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE account_identifiers (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  recorded_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, user_id, kind, value)
);
CREATE INDEX account_identifiers_lookup ON account_identifiers(tenant_id, kind, value);
CREATE TABLE account_bans (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  case_id TEXT,
  actor TEXT NOT NULL,
  at INTEGER NOT NULL,
  lifted_at INTEGER,
  lifted_by TEXT,
  lift_note TEXT
);
CREATE INDEX account_bans_user ON account_bans(tenant_id, user_id);
CREATE INDEX account_bans_active ON account_bans(tenant_id, user_id) WHERE lifted_at IS NULL;
`,
  },
  // End of ban evasion --------------------------------------------------------------------------
  // Dismissed-case retention ------------------------------------------------------------------
  {
    version: 7,
    name: 'dismissed-case retention: when a case was last dismissed, and when its evidence content was purged',
    // dismissed_at is set while status = 'dismissed' (REFRESH_QUEUE_SQL keeps it after every case write),
    // from the case's last transition to 'dismissed'; existing dismissed cases take it from their history.
    sql: `
ALTER TABLE cases ADD COLUMN dismissed_at INTEGER;
ALTER TABLE cases ADD COLUMN evidence_purged_at INTEGER;
UPDATE cases SET dismissed_at = coalesce(
  (SELECT max(h.at) FROM case_history h WHERE h.tenant_id = cases.tenant_id AND h.case_id = cases.id AND h.action = 'transition' AND h.to_status = 'dismissed'),
  updated_at) WHERE status = 'dismissed';
CREATE INDEX cases_dismissed ON cases(tenant_id, dismissed_at, evidence_purged_at) WHERE status = 'dismissed';
`,
  },
  // End of dismissed-case retention -------------------------------------------------------------
  // Family Centre ---------------------------------------------------------
  {
    version: 8,
    name: 'family centre: account locale, parent-teen links, per-day message contacts (metadata only), warnings shown, safety settings',
    sql: `
ALTER TABLE accounts ADD COLUMN locale TEXT;
CREATE TABLE family_links (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  parent_id TEXT NOT NULL,
  teen_id TEXT NOT NULL,
  status TEXT NOT NULL,
  basis TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  accepted_at INTEGER,
  ended_at INTEGER,
  ended_by TEXT,
  PRIMARY KEY (tenant_id, id)
);
-- At most one pending or active link per parent and teen: a repeated invitation is refused.
CREATE UNIQUE INDEX family_links_live ON family_links(tenant_id, parent_id, teen_id) WHERE status IN ('pending', 'active');
CREATE INDEX family_links_teen ON family_links(tenant_id, teen_id);
CREATE INDEX family_links_parent ON family_links(tenant_id, parent_id);
-- Who exchanged messages with whom, per UTC day: counts and times only, never text. Kept 8 days.
CREATE TABLE message_contacts (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  day INTEGER NOT NULL,
  other_id TEXT NOT NULL,
  messages INTEGER NOT NULL,
  first_at INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, user_id, day, other_id)
);
CREATE INDEX message_contacts_day ON message_contacts(tenant_id, day);
-- Kinds of safety prompts shown to an account (codes only).
CREATE TABLE safety_warnings (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  counterpart_id TEXT
);
CREATE INDEX safety_warnings_user ON safety_warnings(tenant_id, user_id, at);
CREATE INDEX safety_warnings_at ON safety_warnings(tenant_id, at);
CREATE TABLE account_settings (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  settings TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
);
`,
  },
  // End of Family Centre ----------------------------------------------------------------------------
  // Actor cases in the queue -----------------------------------------------------------
  {
    version: 9,
    name: 'queue: the children a case involves (youngest first) and an account fan-out summary',
    // Filled by REFRESH_QUEUE_SQL on every case write; cases written before stay NULL / 0 until their
    // next save (the queue then shows the child's age only).
    sql: `
ALTER TABLE cases ADD COLUMN child_id TEXT;
ALTER TABLE cases ADD COLUMN child_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN fan_out TEXT;
`,
  },
  // End of actor cases in the queue --------------------------------------------------------------
  // Reports and evidence -------------------------------------------------------------
  {
    version: 10,
    name: 'reports and evidence: frozen evidence packages, legal holds, reports to NCMEC and the NCA',
    // evidence_packages.package is canonical JSON whose SHA-256 (digest) an audit entry records and the
    // deployment key signs; retention may blank package (never digest or signature) of an unheld dismissed case.
    sql: `
CREATE TABLE evidence_packages (
  tenant_id TEXT NOT NULL,
  case_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  reason TEXT NOT NULL,
  package TEXT,
  digest TEXT NOT NULL,
  signature TEXT NOT NULL,
  key_id TEXT NOT NULL,
  audit_seq INTEGER NOT NULL,
  purged_at INTEGER,
  PRIMARY KEY (tenant_id, case_id, version)
);
CREATE TABLE legal_holds (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  case_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  placed_by TEXT NOT NULL,
  placed_at INTEGER NOT NULL,
  until INTEGER NOT NULL
);
CREATE INDEX legal_holds_case ON legal_holds(tenant_id, case_id, until);
CREATE TABLE authority_reports (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  case_id TEXT NOT NULL,
  authority TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  priority INTEGER NOT NULL,
  status TEXT NOT NULL,
  body TEXT NOT NULL,
  progress TEXT NOT NULL,
  external_id TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  last_error TEXT,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  filed_at INTEGER,
  keep_reference_until INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE INDEX authority_reports_case ON authority_reports(tenant_id, case_id, created_at);
CREATE INDEX authority_reports_subject ON authority_reports(tenant_id, subject_id, authority);
CREATE INDEX authority_reports_due ON authority_reports(status, next_attempt_at);
`,
  },
  // End of reports and evidence -----------------------------------------------------------------
  // Family Centre, message contacts per pair ------------------------------
  {
    version: 11,
    name: 'family centre: message contacts as one row per linked teen and other account with eight day slots',
    // The view read one row per contact and day (up to eight per contact); now one per contact. The
    // counts are derived metadata kept 8 days and only for linked teens: they start again from here.
    sql: `
DROP TABLE message_contacts;
-- Who a linked teen exchanged messages with: one row per pair with message counts for the last eight UTC
-- days and the last time, never text. Only for teens of a pending or active family link (no contact
-- table for everyone). Rows with nothing newer than 8 days are removed by retention (a scan of the
-- tenant's rows, hourly; an index on last_at would tempt the planner away from the key in the view).
CREATE TABLE message_contacts (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  other_id TEXT NOT NULL,
  last_at INTEGER NOT NULL,
  -- Eight day slots (slot = UTC day % 8): dK is the day slot K counts, cK its messages.
  d0 INTEGER NOT NULL DEFAULT -1,
  c0 INTEGER NOT NULL DEFAULT 0,
  d1 INTEGER NOT NULL DEFAULT -1,
  c1 INTEGER NOT NULL DEFAULT 0,
  d2 INTEGER NOT NULL DEFAULT -1,
  c2 INTEGER NOT NULL DEFAULT 0,
  d3 INTEGER NOT NULL DEFAULT -1,
  c3 INTEGER NOT NULL DEFAULT 0,
  d4 INTEGER NOT NULL DEFAULT -1,
  c4 INTEGER NOT NULL DEFAULT 0,
  d5 INTEGER NOT NULL DEFAULT -1,
  c5 INTEGER NOT NULL DEFAULT 0,
  d6 INTEGER NOT NULL DEFAULT -1,
  c6 INTEGER NOT NULL DEFAULT 0,
  d7 INTEGER NOT NULL DEFAULT -1,
  c7 INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, user_id, other_id)
) WITHOUT ROWID;
CREATE INDEX message_contacts_other ON message_contacts(tenant_id, other_id, last_at);
`,
  },
  // End of Family Centre, message contacts per pair ------------------------------------------------
  // Staff identity per tenant ---------------------------------------------------
  {
    version: 13,
    name: 'staff emails unique per tenant, not across the service',
    // A service-wide unique email let one tenant's admin learn another tenant's staff through the
    // conflict on adding staff. SQLite cannot drop a column's UNIQUE, so the table is rebuilt; existing
    // rows were unique across the service, so they are unique per tenant too and copy over unchanged.
    sql: `
CREATE TABLE staff_users_per_tenant (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  email TEXT NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  failed_signins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (tenant_id, email)
);
INSERT INTO staff_users_per_tenant (id, tenant_id, email, name, role, password_hash, disabled, failed_signins,
  locked_until, created_at, updated_at)
  SELECT id, tenant_id, email, name, role, password_hash, disabled, failed_signins, locked_until, created_at, updated_at
  FROM staff_users;
DROP TABLE staff_users;
ALTER TABLE staff_users_per_tenant RENAME TO staff_users;
`,
  },
  {
    version: 15,
    name: "family centre: a teen's current connections newest first from the index alone; display names",
    // The parent view lists every current connection newest first. The key and connections_b only
    // find the rows, so each row was read from the table and the lot sorted; these partial indexes hold
    // what the view reads, in its order, and skip ended connections.
    sql: `
CREATE INDEX connections_a_since ON connections(tenant_id, user_a, changed_at, user_b) WHERE connected = 1;
CREATE INDEX connections_b_since ON connections(tenant_id, user_b, changed_at, user_a) WHERE connected = 1;
-- Display names the platform reports so the Family Centre can say who, not only which id (PUT
-- /v1/family/names). Only names: nothing else about the account, and a null name removes the row.
CREATE TABLE display_names (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  name TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
) WITHOUT ROWID;
`,
  },
];

export const postgresMigrations: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  scopes TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX api_keys_tenant ON api_keys(tenant_id);

CREATE TABLE events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  time_ms BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  conversation_id TEXT,
  body TEXT NOT NULL,
  text TEXT,
  text_purged_at BIGINT,
  UNIQUE (tenant_id, id)
);
CREATE INDEX events_tenant_seq ON events(tenant_id, seq);
CREATE INDEX events_conversation ON events(tenant_id, conversation_id, time_ms) WHERE conversation_id IS NOT NULL;
CREATE INDEX events_retention ON events(tenant_id, time_ms) WHERE type = 'message' AND text IS NOT NULL;

CREATE TABLE accounts (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  age INTEGER,
  age_band TEXT,
  country TEXT,
  created_at BIGINT,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
);

CREATE TABLE connections (
  tenant_id TEXT NOT NULL,
  user_a TEXT NOT NULL,
  user_b TEXT NOT NULL,
  connected BOOLEAN NOT NULL,
  changed_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, user_a, user_b)
);
CREATE INDEX connections_b ON connections(tenant_id, user_b);

CREATE TABLE blocks (
  tenant_id TEXT NOT NULL,
  blocker_id TEXT NOT NULL,
  blocked_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, blocker_id, blocked_id)
);

CREATE TABLE cases (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  accused_id TEXT NOT NULL,
  status TEXT NOT NULL,
  level TEXT NOT NULL,
  score DOUBLE PRECISION NOT NULL,
  conversation_ids TEXT NOT NULL,
  evidence TEXT NOT NULL,
  opened_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX cases_accused ON cases(tenant_id, accused_id, status);
CREATE INDEX cases_updated ON cases(tenant_id, updated_at, id);

CREATE TABLE case_conversations (
  tenant_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  case_id TEXT NOT NULL,
  PRIMARY KEY (tenant_id, conversation_id, case_id)
);

CREATE TABLE case_history (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  case_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  from_status TEXT,
  to_status TEXT,
  note TEXT
);
CREATE INDEX case_history_case ON case_history(tenant_id, case_id, seq);

CREATE TABLE case_alerts (
  tenant_id TEXT NOT NULL,
  alert_key TEXT NOT NULL,
  case_id TEXT NOT NULL,
  PRIMARY KEY (tenant_id, alert_key)
);

CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  events TEXT NOT NULL,
  enabled BOOLEAN NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints(tenant_id);

CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at BIGINT,
  last_error TEXT,
  last_status_code INTEGER,
  created_at BIGINT NOT NULL,
  delivered_at BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status IN ('pending', 'failing');
CREATE INDEX webhook_deliveries_tenant ON webhook_deliveries(tenant_id, status, created_at);

CREATE TABLE engine_snapshots (
  tenant_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);

CREATE TABLE banks (
  tenant_id TEXT NOT NULL,
  name TEXT NOT NULL,
  enabled BOOLEAN NOT NULL,
  source TEXT,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, name)
);
CREATE TABLE bank_hashes (
  tenant_id TEXT NOT NULL,
  bank TEXT NOT NULL,
  kind TEXT NOT NULL,
  hash TEXT NOT NULL,
  metadata TEXT,
  PRIMARY KEY (tenant_id, bank, kind, hash)
);
CREATE INDEX bank_hashes_lookup ON bank_hashes(tenant_id, kind, hash);
`,
  },
  {
    version: 2,
    name: 'hash banks record when they last changed',
    sql: `
ALTER TABLE banks ADD COLUMN updated_at BIGINT;
UPDATE banks SET updated_at = created_at;
`,
  },
  {
    version: 3,
    name: 'conversation lookups through a deferred index (SQLite only; PostgreSQL keeps events_conversation)',
    sql: 'SELECT 1;',
  },
  {
    version: 4,
    name: 'index blocks by the blocked account',
    sql: 'CREATE INDEX blocks_blocked ON blocks(tenant_id, blocked_id);',
  },
  // Moderator console -------------------------------------------------
  {
    version: 5,
    name: 'moderator console: queue columns and claims on cases, staff users and sessions, enforcement actions, audit log',
    sql: `
ALTER TABLE cases ADD COLUMN urgency_base DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN waiting_since BIGINT;
ALTER TABLE cases ADD COLUMN queue TEXT NOT NULL DEFAULT 'open';
ALTER TABLE cases ADD COLUMN queue_key DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN child_age INTEGER;
ALTER TABLE cases ADD COLUMN sextortion INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN sextortion_deadline INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN bank_match INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN stage TEXT;
ALTER TABLE cases ADD COLUMN claimed_by TEXT;
ALTER TABLE cases ADD COLUMN claimed_name TEXT;
ALTER TABLE cases ADD COLUMN claim_expires_at BIGINT;
ALTER TABLE cases ADD COLUMN appeal INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN excluded_reviewer TEXT;
ALTER TABLE cases ADD COLUMN decided_by TEXT;
-- Existing cases: risk only until their next save recomputes the facts from the evidence.
UPDATE cases SET waiting_since = opened_at, urgency_base = score * 40,
  queue = CASE WHEN status IN ('open', 'in_review') THEN 'open' WHEN status = 'escalated' THEN 'escalated' ELSE 'closed' END;
UPDATE cases SET queue_key = CASE WHEN queue = 'closed' THEN updated_at / 3600000.0 ELSE urgency_base - waiting_since / 3600000.0 END;
CREATE INDEX cases_queue ON cases(tenant_id, queue, queue_key DESC, id DESC);
CREATE INDEX cases_claimed ON cases(tenant_id, claimed_by) WHERE claimed_by IS NOT NULL;

CREATE TABLE staff_users (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  failed_signins INTEGER NOT NULL DEFAULT 0,
  locked_until BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX staff_users_tenant ON staff_users(tenant_id, email);
-- token_hash: SHA-256 of the cookie value; the value itself is never stored.
CREATE TABLE staff_sessions (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX staff_sessions_user ON staff_sessions(user_id);

CREATE TABLE enforcement_actions (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  case_id TEXT,
  action TEXT NOT NULL,
  reason TEXT NOT NULL,
  duration_hours INTEGER,
  decided_by TEXT NOT NULL,
  decided_by_name TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX enforcement_actions_account ON enforcement_actions(tenant_id, account_id, at);

-- Append-only (triggers below); each hash covers the previous one (audit.ts).
CREATE TABLE audit_log (
  tenant_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  at BIGINT NOT NULL,
  actor_id TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  case_id TEXT,
  target_id TEXT,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX audit_log_case ON audit_log(tenant_id, case_id, seq) WHERE case_id IS NOT NULL;
CREATE INDEX audit_log_actor ON audit_log(tenant_id, actor_id, seq);
CREATE INDEX audit_log_action ON audit_log(tenant_id, action, seq);
-- The newest entry per tenant: the row appends lock and advance.
CREATE TABLE audit_heads (
  tenant_id TEXT PRIMARY KEY,
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
CREATE FUNCTION lifeguard_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP;
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION lifeguard_audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION lifeguard_audit_append_only();
`,
  },
  // End of moderator console ---------------------------------------------------------------------
  // Ban evasion ---------------------------------------------------------
  {
    version: 6,
    name: 'ban evasion: account identifiers (hashed), bans, per-tenant identifier secrets',
    // value is a keyed hash (email, phone, device, payment, IP), a username skeleton or lookup key, or
    // PDQ hex; never a raw identifier. Lookups go by (tenant, kind, value).
    sql: `
CREATE TABLE identifier_secrets (
  tenant_id TEXT PRIMARY KEY,
  secret TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE account_identifiers (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  recorded_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, user_id, kind, value)
);
CREATE INDEX account_identifiers_lookup ON account_identifiers(tenant_id, kind, value);
CREATE TABLE account_bans (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  case_id TEXT,
  actor TEXT NOT NULL,
  at BIGINT NOT NULL,
  lifted_at BIGINT,
  lifted_by TEXT,
  lift_note TEXT
);
CREATE INDEX account_bans_user ON account_bans(tenant_id, user_id);
CREATE INDEX account_bans_active ON account_bans(tenant_id, user_id) WHERE lifted_at IS NULL;
`,
  },
  // End of ban evasion --------------------------------------------------------------------------
  // Dismissed-case retention ------------------------------------------------------------------
  {
    version: 7,
    name: 'dismissed-case retention: when a case was last dismissed, and when its evidence content was purged',
    // dismissed_at is set while status = 'dismissed' (REFRESH_QUEUE_SQL keeps it after every case write),
    // from the case's last transition to 'dismissed'; existing dismissed cases take it from their history.
    sql: `
ALTER TABLE cases ADD COLUMN dismissed_at BIGINT;
ALTER TABLE cases ADD COLUMN evidence_purged_at BIGINT;
UPDATE cases SET dismissed_at = coalesce(
  (SELECT max(h.at) FROM case_history h WHERE h.tenant_id = cases.tenant_id AND h.case_id = cases.id AND h.action = 'transition' AND h.to_status = 'dismissed'),
  updated_at) WHERE status = 'dismissed';
CREATE INDEX cases_dismissed ON cases(tenant_id, dismissed_at, evidence_purged_at) WHERE status = 'dismissed';
`,
  },
  // End of dismissed-case retention -------------------------------------------------------------
  // Family Centre ---------------------------------------------------------
  {
    version: 8,
    name: 'family centre: account locale, parent-teen links, per-day message contacts (metadata only), warnings shown, safety settings',
    sql: `
ALTER TABLE accounts ADD COLUMN locale TEXT;
CREATE TABLE family_links (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  parent_id TEXT NOT NULL,
  teen_id TEXT NOT NULL,
  status TEXT NOT NULL,
  basis TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  accepted_at BIGINT,
  ended_at BIGINT,
  ended_by TEXT,
  PRIMARY KEY (tenant_id, id)
);
-- At most one pending or active link per parent and teen: a repeated invitation is refused.
CREATE UNIQUE INDEX family_links_live ON family_links(tenant_id, parent_id, teen_id) WHERE status IN ('pending', 'active');
CREATE INDEX family_links_teen ON family_links(tenant_id, teen_id);
CREATE INDEX family_links_parent ON family_links(tenant_id, parent_id);
-- Who exchanged messages with whom, per UTC day: counts and times only, never text. Kept 8 days.
CREATE TABLE message_contacts (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  day INTEGER NOT NULL,
  other_id TEXT NOT NULL,
  messages INTEGER NOT NULL,
  first_at BIGINT NOT NULL,
  last_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, user_id, day, other_id)
);
CREATE INDEX message_contacts_day ON message_contacts(tenant_id, day);
-- Kinds of safety prompts shown to an account (codes only).
CREATE TABLE safety_warnings (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  counterpart_id TEXT
);
CREATE INDEX safety_warnings_user ON safety_warnings(tenant_id, user_id, at);
CREATE INDEX safety_warnings_at ON safety_warnings(tenant_id, at);
CREATE TABLE account_settings (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  settings TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
);
`,
  },
  // End of Family Centre ----------------------------------------------------------------------------
  // Actor cases in the queue -----------------------------------------------------------
  {
    version: 9,
    name: 'queue: the children a case involves (youngest first) and an account fan-out summary',
    // Filled by REFRESH_QUEUE_SQL on every case write; cases written before stay NULL / 0 until their
    // next save (the queue then shows the child's age only).
    sql: `
ALTER TABLE cases ADD COLUMN child_id TEXT;
ALTER TABLE cases ADD COLUMN child_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN fan_out TEXT;
`,
  },
  // End of actor cases in the queue --------------------------------------------------------------
  // Reports and evidence -------------------------------------------------------------
  {
    version: 10,
    name: 'reports and evidence: frozen evidence packages, legal holds, reports to NCMEC and the NCA',
    // evidence_packages.package is canonical JSON whose SHA-256 (digest) an audit entry records and the
    // deployment key signs; retention may blank package (never digest or signature) of an unheld dismissed case.
    sql: `
CREATE TABLE evidence_packages (
  tenant_id TEXT NOT NULL,
  case_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  reason TEXT NOT NULL,
  package TEXT,
  digest TEXT NOT NULL,
  signature TEXT NOT NULL,
  key_id TEXT NOT NULL,
  audit_seq BIGINT NOT NULL,
  purged_at BIGINT,
  PRIMARY KEY (tenant_id, case_id, version)
);
CREATE TABLE legal_holds (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  case_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  placed_by TEXT NOT NULL,
  placed_at BIGINT NOT NULL,
  until BIGINT NOT NULL
);
CREATE INDEX legal_holds_case ON legal_holds(tenant_id, case_id, until);
CREATE TABLE authority_reports (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  case_id TEXT NOT NULL,
  authority TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  priority INTEGER NOT NULL,
  status TEXT NOT NULL,
  body TEXT NOT NULL,
  progress TEXT NOT NULL,
  external_id TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT,
  last_error TEXT,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  due_at BIGINT NOT NULL,
  filed_at BIGINT,
  keep_reference_until BIGINT,
  updated_at BIGINT NOT NULL
);
CREATE INDEX authority_reports_case ON authority_reports(tenant_id, case_id, created_at);
CREATE INDEX authority_reports_subject ON authority_reports(tenant_id, subject_id, authority);
CREATE INDEX authority_reports_due ON authority_reports(status, next_attempt_at);
`,
  },
  // End of reports and evidence -----------------------------------------------------------------
  // Family Centre, message contacts per pair ------------------------------
  {
    version: 11,
    name: 'family centre: message contacts as one row per linked teen and other account with eight day slots',
    // The view read one row per contact and day (up to eight per contact); now one per contact. The
    // counts are derived metadata kept 8 days and only for linked teens: they start again from here.
    sql: `
DROP TABLE message_contacts;
-- Who a linked teen exchanged messages with: one row per pair with message counts for the last eight UTC
-- days and the last time, never text. Only for teens of a pending or active family link (no contact
-- table for everyone). Rows with nothing newer than 8 days are removed by retention (a scan of the
-- tenant's rows, hourly; an index on last_at would tempt the planner away from the key in the view).
CREATE TABLE message_contacts (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  other_id TEXT NOT NULL,
  last_at BIGINT NOT NULL,
  -- Eight day slots (slot = UTC day % 8): dK is the day slot K counts, cK its messages.
  d0 INTEGER NOT NULL DEFAULT -1,
  c0 INTEGER NOT NULL DEFAULT 0,
  d1 INTEGER NOT NULL DEFAULT -1,
  c1 INTEGER NOT NULL DEFAULT 0,
  d2 INTEGER NOT NULL DEFAULT -1,
  c2 INTEGER NOT NULL DEFAULT 0,
  d3 INTEGER NOT NULL DEFAULT -1,
  c3 INTEGER NOT NULL DEFAULT 0,
  d4 INTEGER NOT NULL DEFAULT -1,
  c4 INTEGER NOT NULL DEFAULT 0,
  d5 INTEGER NOT NULL DEFAULT -1,
  c5 INTEGER NOT NULL DEFAULT 0,
  d6 INTEGER NOT NULL DEFAULT -1,
  c6 INTEGER NOT NULL DEFAULT 0,
  d7 INTEGER NOT NULL DEFAULT -1,
  c7 INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, user_id, other_id)
);
CREATE INDEX message_contacts_other ON message_contacts(tenant_id, other_id, last_at);
`,
  },
  // End of Family Centre, message contacts per pair ------------------------------------------------
  // Staff identity per tenant ---------------------------------------------------
  {
    version: 13,
    name: 'staff emails unique per tenant, not across the service',
    // Existing rows were unique across the service, so they are unique per tenant too.
    sql: `
ALTER TABLE staff_users DROP CONSTRAINT IF EXISTS staff_users_email_key;
DROP INDEX IF EXISTS staff_users_tenant;
CREATE UNIQUE INDEX staff_users_tenant_email ON staff_users(tenant_id, email);
`,
  },
  {
    version: 15,
    name: "family centre: a teen's current connections newest first from the index alone; display names",
    // The parent view lists every current connection newest first. The key and connections_b only
    // find the rows, so each row was read from the table and the lot sorted; these partial indexes hold
    // what the view reads, in its order, and skip ended connections.
    sql: `
CREATE INDEX connections_a_since ON connections(tenant_id, user_a, changed_at, user_b) WHERE connected;
CREATE INDEX connections_b_since ON connections(tenant_id, user_b, changed_at, user_a) WHERE connected;
-- Display names the platform reports so the Family Centre can say who, not only which id (PUT
-- /v1/family/names). Only names: nothing else about the account, and a null name removes the row.
CREATE TABLE display_names (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  name TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
);
`,
  },
];
