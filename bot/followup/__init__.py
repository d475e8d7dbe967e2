"""Follow-through after a result: steps ticked off, and reminders the user asked for, sent exactly once."""
