"""What running AWS code locally needs, at the bottom of the local engine.

- `local_aws`: the one offline region and the dummy credentials (`offline_aws()`);
- `environment`: environment variables set for a block and put back afterwards;
- `lambda_runtime`: a handler run as Lambda runs it (`LocalLambda`: context, environment, cold
  start, captured logs; API Gateway events): every local run of a function goes through it;
- `resources`: the Data stack's tables and contact-record stream, created in moto;
- `moto_transactions`: moto's DynamoDB transactions at item-level cost.

Nothing here knows about flows, queues or scenarios; every other package may build on it.
"""
