"""Amazon Connect played on one machine: flows, Lambdas, queues and agents, for the local rehearsal."""
