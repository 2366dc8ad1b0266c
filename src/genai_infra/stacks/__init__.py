"""Stacks wire constructs; they define no resources of their own."""
