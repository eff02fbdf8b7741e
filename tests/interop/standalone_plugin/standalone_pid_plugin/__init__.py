"""A test plugin whose health check names the process that answered it (for standalone/attach tests)."""
