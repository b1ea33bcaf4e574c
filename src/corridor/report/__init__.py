"""Reports and charts: faces that turn results into documents and images."""
