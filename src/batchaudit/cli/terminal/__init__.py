"""What the commands print in a terminal: the console and progress, rules and explain,
trace, inspect.

In: the views the commands made (TraceView, inspections, the rule catalog).
Out: text for the terminal, sized to its width.
Must not import: the command modules (audit, trace, ...), api."""
