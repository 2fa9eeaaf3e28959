import { definePlanner, dynamoLoadPolicy } from '../../sim/policy/index.js';

/** Dynamo's load-based planner ("easy mode", throughput target): ±1 worker on KV-load thresholds. */
export default definePlanner({ name: 'dynamo-load', create: () => dynamoLoadPolicy('throughput') });
