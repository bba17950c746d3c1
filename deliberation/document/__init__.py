"""The proposal document: conclusions in Markdown with citations, assembled from a roundtable's data, and
rendered as a page, Markdown, PDF, JSON, Polis CSV and a re-analysis bundle."""
