"""Files to canonical tables: detect each file's kind and shape, read it, validate it."""
