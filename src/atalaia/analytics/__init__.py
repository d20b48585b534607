"""Analytics: volumes, response times, unanswered customers, after-hours load, campaigns and alerts
for a tenant, team, line or employee over a period, computed from the archive.

Definitions: docs/decisions/0013-analytics-metrics.md. Facts are read from the archive now
(hour buckets, ordered chat walks); the folds that turn them into figures are pure, so a rollup
table maintained on ingest can feed the same folds later.
"""

from atalaia.analytics.period import Period, parse_period
from atalaia.analytics.report import ReportOptions, build_report
from atalaia.analytics.scope import Scope, Span, resolve_scope

__all__ = ["Period", "ReportOptions", "Scope", "Span", "build_report", "parse_period", "resolve_scope"]
