class ConsentError(Exception):
    """A consent cannot be recorded (no address for the channel); the text says why."""
