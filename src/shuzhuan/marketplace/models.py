"""Models come with the issue that needs them."""
