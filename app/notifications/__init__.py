"""Notifications in the app and on the community's webhook, delivered from an outbox."""
