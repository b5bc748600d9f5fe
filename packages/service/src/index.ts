// @lifeguard/service: the HTTP service (`lifeguard serve`), its policy file and its demo.
export { buildServer, API_VERSION, type ServiceConfig } from './server.ts';
export type { ServiceContext } from './context.ts';
export {
  DEFAULT_POLICY,
  loadPolicyFile,
  parsePolicy,
  profileFor,
  PolicyError,
  type Policy,
  type PolicyProfile,
  type HelpResource,
} from './policy/policy.ts';
export {
  decideContact,
  decideMessage,
  decideVisibility,
  classifyParty,
  type Decision,
  type DecisionResult,
  type Nudge,
  type Reason,
} from './decisions/rules.ts';
export { createKey, generateApiKey, hashApiKey, parseScopes } from './auth/keys.ts';
export { signPayload, verifySignature, SIGNATURE_HEADER } from './webhooks/worker.ts';
export { registerServiceCommands, defaultDatabase, lifeguardHome } from './cli.ts';
export { runDemo, type DemoSummary } from './demo/demo.ts';
export { createStaff } from './console/api.ts';
