"""Danish letter templates and legal reference texts (data, cited by id)."""
