"""One JSON document read by Arrow into columns, with the types given."""

from __future__ import annotations

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.json as pa_json  # type: ignore[import-untyped]


def read_document(data: bytes | memoryview, schema: pa.Schema, others: str) -> pa.Table | None:
    """The document's fields as `schema` types them, in one block and one thread (a JSON
    document is no lines Arrow could split), the fields it does not name inferred or passed
    over (`others`: "infer" or "ignore"); None where Arrow refuses it: no JSON, or a value
    of another kind than its type."""
    options = pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior=others)
    try:
        return pa_json.read_json(
            pa.BufferReader(data),
            read_options=pa_json.ReadOptions(use_threads=False, block_size=len(data) + 1),
            parse_options=options,
        )
    except (pa.ArrowException, ValueError):
        return None
