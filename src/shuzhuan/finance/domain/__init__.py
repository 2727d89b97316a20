"""Finance domain logic: pure Python, no Django, no I/O."""
