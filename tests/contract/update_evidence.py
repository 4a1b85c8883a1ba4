"""Write each rule's evidence schema into report.schema.json (`make docs` runs this):
`$defs.evidence.CODE`, and one if/then per rule under the findings' items."""

from __future__ import annotations

import json
from pathlib import Path

from batchaudit.rules import catalog
from batchaudit.rules.docs import evidence_contract

SCHEMA = Path(__file__).parent / "report.schema.json"


def main() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    contract = evidence_contract(catalog())
    schema["$defs"] = {"evidence": contract}
    schema["properties"]["findings"]["items"]["allOf"] = [
        {
            "if": {"properties": {"rule": {"const": code}}},
            "then": {"properties": {"evidence": {"$ref": f"#/$defs/evidence/{code}"}}},
        }
        for code in contract
    ]
    SCHEMA.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
