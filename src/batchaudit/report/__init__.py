"""The reports: pure functions from an AuditResult to text or bytes, one module per format
(HTML, JSON, CSV, Markdown, JUnit, SARIF, the run and portfolio indexes), written safely.

In: an AuditResult (model) and the time of the run.
Out: each format's text or bytes; `writing` puts them on disk whole or not at all.
Must not import: engine, rules, lineage, ingest, month_to_month, api, cli."""
