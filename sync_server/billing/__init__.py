"""Server-side billing work that is not one request's: deposits carried onto invoices,
branch-local dates, the daily OVERDUE sweep."""
