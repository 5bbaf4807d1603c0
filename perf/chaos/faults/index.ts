import type { Fault } from '../fault';
import { gatewaySigterm } from './gateway-sigterm';
import { postgresRestart } from './postgres-restart';
import { redisFailover } from './redis-failover';
import { redisKill } from './redis-kill';
import { registryDown } from './registry-down';
import { replicaStop } from './replica-stop';
import { subgraphHang } from './subgraph-hang';
import { subgraphKill } from './subgraph-kill';
import { subgraphSlow } from './subgraph-slow';

/** Every fault, in the order the suite runs them (Redis killed outright before its failover). */
export const FAULTS: Fault[] = [
  subgraphKill,
  subgraphHang,
  subgraphSlow,
  redisKill,
  redisFailover,
  replicaStop,
  postgresRestart,
  registryDown,
  gatewaySigterm,
];
