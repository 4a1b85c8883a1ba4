"""What the other commands print in a terminal: rules and explain, trace, inspect."""
