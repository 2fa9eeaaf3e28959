import { definePlanner, staticPolicy } from '../../sim/policy/index.js';

/** Never scales: keeps the workers the cluster starts with. */
export default definePlanner({ name: 'static', decide: (obs) => staticPolicy.decide(obs) });
