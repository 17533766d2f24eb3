"""Early warnings (预警劝阻): residents the police station sees targeted, reached in time."""
