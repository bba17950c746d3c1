"""Making sense of a question: themes from what proposals say, opinion groups from how people vote.

Pure computation on plain data (no database, no Django): the services feed it and store its results,
and the command lines (`python -m deliberation.analysis.themes`, `... .opinions`) run it on files."""
