"""skus pages."""
