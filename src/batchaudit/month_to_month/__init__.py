"""Month to month: the config, waivers, baselines, the report folder kept per run, and the
portfolio of many clients (`portfolio/`).

In: a finished Audit (engine), config and waivers files, last month's JSON report.
Out: the result carried over (waived, compared), run folders, the portfolio's index.
Must not import: api, cli."""
