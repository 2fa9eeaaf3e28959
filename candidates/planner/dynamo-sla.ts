import { definePlanner, dynamoSlaPolicy } from '../../sim/policy/index.js';

/** Dynamo's SLA planner: ±1 worker from estimated TTFT and measured ITL against the targets. */
export default definePlanner({ name: 'dynamo-sla', create: () => dynamoSlaPolicy() });
