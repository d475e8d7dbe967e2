"""Tips without a channel: the localized catalogue, and the schedules they go out on."""
