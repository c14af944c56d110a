"""The pytest plugin of loyalty-fake, registered through the ``pytest11`` entry point."""
