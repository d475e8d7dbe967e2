"""Tips: the localized catalogue, the schedules they go out on, and the subscription commands."""
