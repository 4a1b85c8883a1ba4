"""Reading: files and folders -> canonical tables; each file's kind and shape detected, read
within the limits, validated and converted, a package's records from several files merged.

In: paths and Limits; the bytes of the exports as Metrc and integrators write them.
Out: Tables (packages, lab results, the problems and every input accounted for).
Must not import: lineage, rules, engine, report, sample, month_to_month, api, cli."""
