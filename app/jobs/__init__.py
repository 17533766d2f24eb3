"""Background jobs on huey: escalations, notifications, erasure, documents."""
