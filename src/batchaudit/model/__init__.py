"""What every stage shares: findings and the result, canonical fields and values, tables,
schemas and jurisdiction packs.

In: only `support` (text helpers, where the pack files are).
Out: the types the stages hand each other (Tables, Pack, Finding, AuditResult, parsers).
Must not import: any stage (ingest, lineage, rules, engine, report, month_to_month, cli)."""
