"""The project's local AWS emulator: moto 5.2.5 on loopback, made able to deploy the whole environment.

moto alone deploys none of this project's stacks for real (issue 18). The emulator wraps it:

- `fixes`: small named corrections of moto behaviours that break a CDK deployment (tag shapes,
  false CREATE_COMPLETE after a failure, change sets found by name only, ...), each tested;
- `models`: CloudFormation models for the resource types moto has no model for, creating the
  resource through moto's own API (the same HTTP API boto3 speaks) where moto has one, and
  giving an id only where it has none (`models.ID_ONLY` lists those);
- `custom_resources`: custom resources answered in process, without Docker or Lambda (CfnJson
  evaluated, Custom::AWS making its SDK call against the emulator, Kubernetes manifests and Helm
  charts recorded);
- `global_failover`: the APIs the DR drill calls that moto lacks (Aurora global switchover and
  failover, ElastiCache global datastores), kept in moto's own state; `drill` reads that state
  and simulates a region's loss for `scripts/failover-drill.sh`.
- `local_servers` (with `--local-servers DIR`): real PostgreSQL 15 and Redis 7 on loopback behind
  every Aurora cluster and replication group, so validate's probes log in with the deployed secrets.

Start it with `python -m genai_infra.emulator --port N`; it listens on 127.0.0.1 only.
"""
