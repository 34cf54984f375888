"""Official list loaders, the source registry and the versioned snapshot store."""
