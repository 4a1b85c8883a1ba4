"""Many clients: a portfolio config's clients audited each into its own report folder,
several at once, and the portfolio's index of them (`batchaudit run`)."""
