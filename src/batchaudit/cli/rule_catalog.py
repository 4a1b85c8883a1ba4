"""`batchaudit rules` and `batchaudit explain`: the rule catalog, as each rule documents itself."""

from __future__ import annotations

import difflib
import json

import click

from batchaudit.cli.common import CannotRun
from batchaudit.cli.terminal.console import SIMPLE_EXITS, epilog, terminal


@click.command(
    name="rules",
    epilog=epilog(
        "  batchaudit rules\n  batchaudit rules --markdown > docs/rules.md\n"
        "  batchaudit rules --evidence-schema",
        SIMPLE_EXITS,
    ),
)
@click.option(
    "--markdown", is_flag=True, help="Print the full catalog as Markdown (docs/rules.md)."
)
@click.option(
    "--evidence-schema",
    is_flag=True,
    help="Print, per rule, the JSON schema of its findings' evidence.",
)
def list_rules(markdown: bool, evidence_schema: bool) -> None:
    """List every rule: code, name, severity and summary."""
    from batchaudit.cli.terminal import rules as rules_text
    from batchaudit.rules import catalog
    from batchaudit.rules.docs import catalog_markdown, evidence_contract

    if evidence_schema:
        click.echo(json.dumps(evidence_contract(catalog()), indent=2))
    elif markdown:
        click.echo(catalog_markdown(catalog()), nl=False)
    else:
        click.echo(rules_text.render_catalog(terminal()[0]), nl=False)


@click.command(
    epilog=epilog("  batchaudit explain PB001\n  batchaudit explain lt001", SIMPLE_EXITS)
)
@click.argument("code")
def explain(code: str) -> None:
    """Explain a rule: what it checks, why it matters, an example, how to fix, its options."""
    from batchaudit.cli.terminal import rules as rules_text
    from batchaudit.rules import REGISTRY

    wanted = code.strip().upper()
    rule = REGISTRY.get(wanted)
    if rule is None:
        close = difflib.get_close_matches(wanted, list(REGISTRY), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}? " if close else ""
        raise CannotRun(f"there is no rule {code!r}; {hint}`batchaudit rules` lists them.")
    click.echo(rules_text.render_explanation(rule, terminal()[0]), nl=False)
