"""Server-side database behaviour that is not connection plumbing (see core/db.py)."""
