"""The rules: the catalog (importing this package registers every rule, in catalog order),
each rule's decision, wording and docs on the rule, and the figures the reports count.

In: the Lineage and Pack (and the reading's problems, for the DQ rules).
Out: findings per rule, their fingerprints and documentation, the reports' figures.
Must not import: engine, report, sample, month_to_month, api, cli."""

from batchaudit.rules import (  # noqa: F401  (imported to register the rules)
    batch_numbers,
    categories,
    data_quality,
    discontinuable,
    duplicates,
    invalid_values,
    lab_placement,
    lineage_rules,
    process_lots,
    processing,
    production_batches,
    results_tab,
    waiver_rules,
)
from batchaudit.rules.base import REGISTRY, Rule, RuleInfo, catalog, catalog_rank

__all__ = ["REGISTRY", "Rule", "RuleInfo", "catalog", "catalog_rank", "evaluated_rules"]


def evaluated_rules() -> list[type[Rule]]:
    return [rule for rule in catalog() if issubclass(rule, Rule)]
