"""Server infrastructure: settings, database, errors, logging, metrics, runner."""
