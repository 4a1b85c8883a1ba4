"""Process helpers: heavy libraries imported on first use, the garbage collector paused, work
side by side in threads, export text shown safely, "did you mean", the shipped data files.

In: nothing of batchaudit's.
Out: small functions every stage may call; no audit logic.
Must not import: anything else of batchaudit."""
