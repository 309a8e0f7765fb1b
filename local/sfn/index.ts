export { startSfnEmulator } from './emulator.js';
export type {
  ExecutionRecord,
  ExecutionStatus,
  ExecutionStatusChangeEvent,
  HistoryEvent,
  RunningSfnEmulator,
  SfnEmulatorOptions,
} from './model.js';
export { loadStateMachines, compileDefinition, stateMachineArn, lambdaArn, resolveFunctionName } from './definition.js';
export type { CompiledStateMachine, TaskRoute } from './definition.js';
export { httpInvoker, inProcessInvoker, normaliseFunctionError } from './lambda-invoker.js';
export type { InProcessInvoke, LambdaOutcome } from './lambda-invoker.js';
