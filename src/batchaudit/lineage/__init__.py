"""The lineage and the results tabs: source links, cycles, test groups, test events, which
tested packages each Lab Results tab shows (derived and observed), one package's trace.

In: the canonical Tables' frames (packages, lab results) and the Pack (model).
Out: a Lineage of whole frames that the rules read; a TraceView for `batchaudit trace`.
Must not import: rules, engine, report, sample, month_to_month, api, cli."""
