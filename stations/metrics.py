"""What the service counts for its operator, in Prometheus' terms.

The counters and histograms live in this process and move as things happen (a request
answered, an update handled, a message sent, a ledger line written); the gauges of state
kept in the database (the outbox backlog, its oldest pending message, the connection pool)
are read when scraped, by ``stations.services.queries.operations``. Every replica exposes
its own figures; Prometheus adds them up.

Labels are bounded sets only (route templates, update kinds, message kinds, outcomes),
never ids, chats or phone numbers.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

#: Seconds: from a quick page to a report that keeps a coordinator waiting.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
#: Seconds a message left after it was due: on time, a little late, a wave's tail, lost.
LATENESS_BUCKETS = (0.0, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 1800.0, 3600.0)

HTTP_REQUESTS = Counter(
    "waystation_http_requests",
    "HTTP requests answered, by route template, method and status code.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "waystation_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template and method.",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)

BOT_UPDATES = Counter(
    "waystation_bot_updates",
    "Telegram updates handled, by kind and outcome (ok, error).",
    ["kind", "outcome"],
)
BOT_LATENCY = Histogram(
    "waystation_bot_update_duration_seconds",
    "Time from receiving a Telegram update to the end of its handling, by kind.",
    ["kind"],
    buckets=LATENCY_BUCKETS,
)
BOT_LAST_UPDATE = Gauge(
    "waystation_bot_last_update_timestamp_seconds",
    "When this process last handled a Telegram update (Unix time).",
)

MESSAGES_SENT = Counter(
    "waystation_outbox_sent", "Outbox messages Telegram accepted, by kind.", ["kind"]
)
MESSAGE_ATTEMPTS = Counter(
    "waystation_outbox_attempts",
    "Outbox send attempts by result (sent, retry_after, transient, blocked, failed).",
    ["result"],
)
MESSAGES_RETRIED = Counter(
    "waystation_outbox_retried", "Outbox messages put back to be sent again, by kind.", ["kind"]
)
MESSAGES_FAILED = Counter(
    "waystation_outbox_failed",
    "Outbox messages given up on (failed or the volunteer blocked the bot), by kind.",
    ["kind"],
)
MESSAGE_LATENESS = Histogram(
    "waystation_outbox_lateness_seconds",
    "How long after its due time a message was accepted by Telegram, by kind.",
    ["kind"],
    buckets=LATENESS_BUCKETS,
)
OUTBOX_MESSAGES = Gauge(
    "waystation_outbox_messages",
    "Outbox rows waiting or stuck, by status (pending, sending, failed) and kind.",
    ["status", "kind"],
)
OUTBOX_OLDEST_DUE = Gauge(
    "waystation_outbox_oldest_due_age_seconds",
    "How long the oldest message that is due has waited (0 when nothing is due).",
)

JOB_RUNS = Counter(
    "waystation_scheduler_job_runs",
    "Scheduler job runs, by job and outcome (ok, error).",
    ["job", "outcome"],
)
JOB_DURATION = Histogram(
    "waystation_scheduler_job_duration_seconds",
    "How long a scheduler job run took, by job.",
    ["job"],
    buckets=LATENCY_BUCKETS,
)

DB_POOL_CONNECTIONS = Gauge(
    "waystation_db_pool_connections",
    "Database connections of this process, by state (open, idle, in_use).",
    ["state"],
)

LEDGER_LINES = Counter(
    "waystation_ledger_lines",
    "Stock ledger lines written by this process, by movement kind.",
    ["kind"],
)
