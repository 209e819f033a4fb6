"""Rules of the product, callable without HTTP. Views parse, call these, and render."""
