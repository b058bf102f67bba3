"""The edge: receives mail and Digital Post, stores it raw, and sends approved letters."""
