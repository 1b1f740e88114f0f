"""Amazon Connect played on one machine: flows, Lambdas, queues and agents, for the local rehearsal.

Packages, from the top; each imports only from those below it (pyproject.toml's import-linter
contracts check this in the test suite):

- `rehearsal`: a scenario's day played and reported (only the command line imports it);
  `chat`: a customer's chat, in the terminal or the web widget;
- `records`: contact records in Connect's format, the contact-record stream;
- `acd`: the queues and agents (a discrete-event simulator); `scenarios`: a day's demand;
- `flows`: the flow interpreter; `emulation`: Connect's data plane and SMS for boto3;
- `runtime`: the local region, environment, moto tables and streams.
"""
