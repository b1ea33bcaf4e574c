"""What the CLI prints for people, one module per resource (JSON shapes: corridor.app.shapes)."""
