"""CDK infrastructure: one construct per concern, composed into a few stacks in `infra.stacks`."""
