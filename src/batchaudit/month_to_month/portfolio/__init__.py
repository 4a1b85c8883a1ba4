"""Many clients: a portfolio config's clients audited each into its own report folder,
several at once, and the portfolio's index of them (`batchaudit run`).

In: a portfolio config ([[clients]], [portfolio]) and each client's exports.
Out: one report folder per client, an Outcome each, the joins of its groups of licenses,
the portfolio's index.html.
Must not import: api, cli."""
