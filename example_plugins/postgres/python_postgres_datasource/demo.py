"""A demo schema the plugin creates when asked (``jsonData.demoData``): a day of sensor readings every minute."""

from __future__ import annotations

from typing import Any

DEMO_SCHEMA = "grafana_demo"
SENSORS = ("kitchen", "garage", "attic")

_CREATE = f"""
SELECT pg_advisory_xact_lock(hashtext('{DEMO_SCHEMA}'));
CREATE SCHEMA IF NOT EXISTS {DEMO_SCHEMA};
CREATE TABLE IF NOT EXISTS {DEMO_SCHEMA}.readings (
    "time" timestamptz NOT NULL,
    sensor text NOT NULL,
    temperature double precision,
    humidity double precision
);
CREATE INDEX IF NOT EXISTS readings_time ON {DEMO_SCHEMA}.readings ("time");
"""

_FILL = f"""
INSERT INTO {DEMO_SCHEMA}.readings
SELECT t, s.sensor,
       round((18 + 6 * sin(2 * pi() * (extract(epoch from t)::bigint %% 86400) / 86400 + s.i) + s.i)::numeric, 2),
       round((45 + 10 * cos(2 * pi() * (extract(epoch from t)::bigint %% 86400) / 86400 + s.i))::numeric, 1)
FROM generate_series(date_trunc('minute', %(now)s::timestamptz) - interval '1 day' + interval '1 minute',
                     date_trunc('minute', %(now)s::timestamptz), interval '1 minute') AS t,
     unnest(%(sensors)s::text[]) WITH ORDINALITY AS s(sensor, i)
"""


def create_demo_schema(connection: Any, now: str = "now") -> bool:
    """Create ``grafana_demo.readings`` and fill it once (minutes up to ``now``); True when rows were added."""
    with connection.transaction():
        connection.execute(_CREATE)
        if connection.execute(f"SELECT EXISTS (SELECT 1 FROM {DEMO_SCHEMA}.readings)").fetchone()[0]:
            return False
        connection.execute(_FILL, {"now": now, "sensors": list(SENSORS)})
    return True
