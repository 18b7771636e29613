"""Partners\x27 aggregate tables: consolidated, anonymous counts kept beside the records."""
