"""The brain: parse, match, classify, rules, proposals and drafting (pure where it can be)."""
