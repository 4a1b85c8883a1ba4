"""The rule catalog: importing this package registers every rule, in catalog order."""

from batchaudit.rules import (  # noqa: F401  (imported to register the rules)
    data_quality,
    lineage_rules,
    production_batches,
    results_tab,
)
from batchaudit.rules.base import REGISTRY, Rule, RuleInfo

CATALOG_ORDER = ("PB", "LT", "LN", "DQ")


def catalog() -> list[type[RuleInfo]]:
    """Every rule, ordered by family as the spec lists them, then by code."""
    return sorted(
        REGISTRY.values(), key=lambda rule: (CATALOG_ORDER.index(rule.code[:2]), rule.code)
    )


def evaluated_rules() -> list[type[Rule]]:
    return [rule for rule in catalog() if issubclass(rule, Rule)]
